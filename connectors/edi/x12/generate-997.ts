import type { X12GroupReceipt } from './envelope';
import { X12Writer, type X12ControlNumbers, type X12EnvelopeSettings } from './writer';

/** AK901: A all accepted, P some sets rejected, R the group itself (or every set in it) rejected. */
function groupCode(receipt: X12GroupReceipt): 'A' | 'P' | 'R' {
  const accepted = receipt.transactions.filter((t) => t.accepted).length;
  if (receipt.errors.length > 0) return 'R';
  if (accepted === receipt.transactions.length) return 'A';
  return accepted === 0 ? 'R' : 'P';
}

/**
 * One 997 per received functional group, all in one interchange back to the partner: AK1 names their group,
 * AK2/AK5 each transaction set with our syntax verdict (AK502 error codes), AK9 the group's.
 */
export function generateFunctionalAcknowledgement997(
  receipts: X12GroupReceipt[],
  envelope: X12EnvelopeSettings,
  control: X12ControlNumbers,
  now: Date,
): string {
  const w = new X12Writer(envelope, control, now);
  w.begin('FA');
  receipts.forEach((receipt, r) => {
    const path = `/groups/${r}`;
    w.beginTransaction('997');
    w.segment(
      'AK1',
      w.value(receipt.group.functionalId, `${path}/functionalId`),
      w.value(receipt.group.controlNumber, `${path}/controlNumber`),
    );
    receipt.transactions.forEach((t, i) => {
      w.segment(
        'AK2',
        w.value(t.setId, `${path}/transactions/${i}/setId`),
        w.value(t.controlNumber, `${path}/transactions/${i}/controlNumber`),
      );
      w.segment('AK5', t.accepted ? 'A' : 'R', ...t.errors.slice(0, 5));
    });
    const accepted = receipt.transactions.filter((t) => t.accepted).length;
    w.segment(
      'AK9',
      groupCode(receipt),
      String(receipt.received),
      String(receipt.received),
      String(accepted),
      ...receipt.errors.slice(0, 5),
    );
    w.endTransaction();
  });
  return w.finish('997 functional acknowledgment');
}
