import assert from 'node:assert/strict';
import type { SupplierConnector } from '../../core/ports/supplier-connector';
import { csvSftpConnector, type CsvSftpSettings } from '../../connectors/suppliers/csv-sftp/csv-sftp';
import { DEFAULT_CSV_COLUMNS, purchaseOrderCsv } from '../../connectors/suppliers/csv-sftp/csv-document';
import { x12SftpConnector } from '../../connectors/suppliers/x12-sftp/x12-sftp';
import { withTransport } from '../../connectors/transports';
import { conformanceHarnesses } from './conformance';
import { conformanceChecks, type ConformanceCheck } from './conformance/checks';
import type { ConformanceHarness, ConformancePeer } from './conformance/harness';

/**
 * The conformance suite must fail connectors that break the contract in ways a supplier notices. Each faulty
 * connector here differs from a shipped one in one fault; the suite's checks run against it and the check that
 * guards that rule must fail, while every other check still passes (the fault is caught for the right reason).
 */

/** Writes the PO to a new file on every send (a timestamped name): the supplier's folder holds one order per resend. */
let uploads = 0;
const newFilePerResend: SupplierConnector<CsvSftpSettings> = {
  ...csvSftpConnector,
  async sendPurchaseOrder(request, ctx) {
    const po = request.purchaseOrder;
    const csv = purchaseOrderCsv(request, { ...ctx.settings, columns: DEFAULT_CSV_COLUMNS });
    await withTransport(ctx.settings.transport, ctx.credentials, (transport) =>
      transport.put(ctx.settings.outboundFolder, `PO_${po.number}_${++uploads}.csv`, csv),
    );
    return { outcome: 'sent' };
  },
};

/** Claims to read acknowledgements (so dispatch relies on it) and never yields one. */
const neverReadsAcknowledgements: SupplierConnector = {
  ...(x12SftpConnector as unknown as SupplierConnector),
  // eslint-disable-next-line require-yield -- the fault under test: nothing is ever read
  async *readAcknowledgements() {
    return;
  },
};

function harnessOf(kind: string): ConformanceHarness {
  const harness = conformanceHarnesses().find((h) => h.kind === kind);
  assert.ok(harness, `no harness for ${kind}`);
  return harness;
}

function checkTitled(checks: ConformanceCheck[], words: string): ConformanceCheck {
  const check = checks.find((c) => c.title.includes(words));
  assert.ok(check, `no conformance check about "${words}"`);
  return check;
}

describe('connector conformance catches faulty connectors', function () {
  this.timeout(90_000);

  describe('a file connector that writes a new file on every resend', () => {
    const harness = harnessOf('csv-sftp');
    let peer: ConformancePeer;
    before(async () => {
      peer = await harness.start();
    });
    after(async () => peer?.stop());

    it('fails the resend check, naming the second document', async () => {
      const checks = conformanceChecks(newFilePerResend as unknown as SupplierConnector, harness);
      await assert.rejects(checkTitled(checks, 'resends the same PO').run(peer), (err: Error) => {
        assert.match(err.message, /it holds 2: PO_\S+_\d+\.csv, PO_\S+_\d+\.csv/);
        return true;
      });
    });

    it('passes the content check: the fault is the resend, nothing else', async () => {
      const checks = conformanceChecks(newFilePerResend as unknown as SupplierConnector, harness);
      await checkTitled(checks, 'says what the PO says').run(peer);
    });
  });

  describe('a connector that claims readAcknowledgements and never reads them', () => {
    const harness = harnessOf('x12-sftp');
    let peer: ConformancePeer;
    before(async () => {
      peer = await harness.start();
    });
    after(async () => peer?.stop());

    it('fails the acknowledgement check', async () => {
      const checks = conformanceChecks(neverReadsAcknowledgements, harness);
      await assert.rejects(checkTitled(checks, 'acknowledgements').run(peer), (err: Error) => {
        assert.match(err.message, /acknowledgement of PO\S+/);
        return true;
      });
    });

    it('passes the resend check: the fault is the acknowledgements, nothing else', async () => {
      const checks = conformanceChecks(neverReadsAcknowledgements, harness);
      await checkTitled(checks, 'resends the same PO').run(peer);
    });
  });
});
