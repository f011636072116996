import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { OrderStore } from '../../core/store/order-store';
import type { ConnectorLog } from '../../core/ports/connector';
import {
  readSupplierMail,
  type CompiledMailMatching,
  type SupplierMailReading,
} from '../../connectors/mail/supplier-mail';
import type { HandledMail, MailDisposition } from '../../connectors/mail/supplier-mailbox';

/**
 * Supplier e-mail as a tracking source, framework-free: which order a mail is about, and a reader for mail kept
 * as files in a Maildir folder (the demo's sandbox mailbox writes one; any mail system can deliver to one).
 */

/**
 * The order a supplier mail is about: our PO number first, else the sender's own reference for one of our POs
 * (by its supplier's patterns), else a store order number that names one order.
 */
export async function mailTarget(
  store: OrderStore,
  reading: SupplierMailReading,
): Promise<{ orderId?: string; poNumber?: string } | { reason: string }> {
  for (const number of reading.poNumbers) {
    if (await store.getPurchaseOrder(number)) return { poNumber: number };
  }
  for (const { supplierId, reference } of reading.supplierReferences) {
    const found = await store.findPurchaseOrdersBySupplierReference(supplierId, reference);
    if (found.length === 1) return { poNumber: found[0]!.number };
    if (found.length > 1)
      return { reason: `${supplierId}'s reference ${reference} names ${found.length} purchase orders` };
  }
  for (const number of reading.orderNumbers) {
    // Storefronts show "#1001"; suppliers write "1001" as often as "#1001".
    const bare = number.replace(/^#/, '');
    const found = new Map(
      [...(await store.findOrdersByNumber(bare)), ...(await store.findOrdersByNumber(`#${bare}`))].map(
        (o) => [o.id, o],
      ),
    );
    if (found.size === 1) return { orderId: [...found.keys()][0] };
    if (found.size > 1)
      return { reason: `order number ${number} names ${found.size} orders; the mail needs our PO number` };
  }
  const named = [
    ...reading.poNumbers.map((n) => `PO ${n}`),
    ...reading.supplierReferences.map((r) => `${r.supplierId} reference ${r.reference}`),
    ...reading.orderNumbers.map((n) => `order ${n}`),
  ];
  return {
    reason:
      named.length > 0
        ? `${named.join(', ')} matches no order in the store`
        : 'no PO number or order number found in the mail',
  };
}

/**
 * The earliest time a parcel of a mail's target can have left: when its PO was first sent (else created), or when
 * the order reached the store. A mail's Date header before it is a wrong clock or an old mail, not the parcel.
 */
export async function mailTimeFloor(
  store: OrderStore,
  target: { orderId?: string; poNumber?: string },
): Promise<Date | undefined> {
  if (target.poNumber) {
    const po = await store.getPurchaseOrder(target.poNumber);
    if (!po) return undefined;
    const sent = (await store.listEvents(po.orderId)).find(
      (e) => e.poNumber === po.number && e.toState === 'sent',
    );
    return new Date(sent?.at ?? po.createdAt);
  }
  const order = target.orderId ? await store.getOrder(target.orderId) : undefined;
  return order ? new Date(order.createdAt) : undefined;
}

export interface MailFolderOptions {
  /** A Maildir: new mail in `new/`, read mail moved to `cur/` (created when missing). */
  folder: string;
  matching: CompiledMailMatching;
  pollIntervalMs: number;
  onMail: (reading: SupplierMailReading) => Promise<MailDisposition>;
  onHandled?: (handled: HandledMail & { file: string }) => void;
  log: ConnectorLog;
}

/** Maildir flags (S seen, F flagged) as the info part of a file name in cur/. */
function curName(name: string, flags: string): string {
  return `${name.split(':')[0]}:2,${flags}`;
}

/**
 * Reads supplier mail delivered as files into a Maildir, the same way the IMAP reader does: each message parsed
 * with mailparser, handed to `onMail`, then moved to `cur/` marked seen (S), or seen and flagged (FS) when it
 * matched no order, so a restart does not read it again and a mail client shows what was not used. Mail whose
 * handler asked to retry stays in `new/` for the next poll.
 */
export class MailFolderReader {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<HandledMail[]> | undefined;
  private stopped = true;

  constructor(private readonly options: MailFolderOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    for (const sub of ['new', 'cur', 'tmp'])
      await fs.mkdir(path.join(this.options.folder, sub), { recursive: true });
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.checkNow()
        .catch((err: Error) => this.options.log.warn(`mail folder check failed: ${err.message}`))
        .finally(() => {
          if (!this.stopped) this.schedule(this.options.pollIntervalMs);
        });
    }, delayMs);
  }

  /** Reads what is waiting in new/; a call while a check runs waits for that check. */
  checkNow(): Promise<HandledMail[]> {
    this.running ??= this.readWaiting().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async readWaiting(): Promise<HandledMail[]> {
    const fresh = path.join(this.options.folder, 'new');
    // Maildir names start with the delivery time, so name order is arrival order.
    const names = (await fs.readdir(fresh)).filter((name) => !name.startsWith('.')).sort();
    const handled: HandledMail[] = [];
    for (const [index, name] of names.entries()) {
      if (this.stopped) break;
      const source = await fs.readFile(path.join(fresh, name));
      let reading: SupplierMailReading | undefined;
      let disposition: MailDisposition;
      try {
        reading = await readSupplierMail(source, this.options.matching);
        disposition = await this.options
          .onMail(reading)
          .catch((err: Error): MailDisposition => ({ outcome: 'retry', reason: err.message }));
      } catch (err) {
        disposition = { outcome: 'unmatched', reason: `unreadable message: ${(err as Error).message}` };
      }
      if (disposition.outcome !== 'retry') {
        const flags = disposition.outcome === 'unmatched' ? 'FS' : 'S';
        await fs.rename(path.join(fresh, name), path.join(this.options.folder, 'cur', curName(name, flags)));
      }
      const result = { uid: index + 1, reading, disposition };
      handled.push(result);
      this.options.onHandled?.({ ...result, file: name });
    }
    return handled;
  }
}
