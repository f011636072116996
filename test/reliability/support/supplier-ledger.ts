import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One purchase order request as the supplier received it, and what became of it. */
export interface SupplierCall {
  key: string;
  /** X-Instance of the Node-RED that sent it, when the flow names itself. */
  instance?: string;
  body: string;
  receivedAt: number;
  /** The supplier took the order on receipt (whether or not its answer reached the sender). */
  accepted: boolean;
  /** When the reply was written; undefined when it never was (the sender died, the supplier hung or dropped). */
  answeredAt?: number;
  status?: number;
}

/** What the supplier does with one call: accept it, backorder it (it keeps the PO, cannot ship yet), or a fault. */
export type SupplierBehaviour =
  | { kind: 'accept'; delayMs?: number }
  | { kind: 'backorder' }
  | { kind: 'status'; status: number; headers?: Record<string, string>; delayMs?: number }
  /** Reads the request and never answers. */
  | { kind: 'hang' };

/**
 * A supplier's order API on 127.0.0.1 that keeps a ledger of every purchase order request. It honours the
 * Idempotency-Key: a repeat of a key it accepted gets the same supplier order back, so `ordersCreated()` counts
 * one order per key; `callsPerKey()` shows what a supplier that ignored the key would have created twice (the
 * PO number it sees again is how such a supplier detects the duplicate). `behaviour` scripts faults, `onCall` runs
 * as a request arrives (a test kills the sender there), and `down()`/`up()` close and reopen the port.
 */
export class SupplierLedger {
  readonly calls: SupplierCall[] = [];
  behaviour: (call: SupplierCall, index: number) => SupplierBehaviour = () => ({ kind: 'accept' });
  onCall: ((call: SupplierCall) => void) | undefined;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/orders`;
  }

  async start(): Promise<this> {
    await this.up();
    return this;
  }

  /** Starts answering (again, on the same port after `down()`). */
  async up(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops answering: the port refuses connections, and calls in progress are cut. */
  async down(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async stop(): Promise<void> {
    await this.down();
  }

  private answer(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const call: SupplierCall = {
      key: String(req.headers['idempotency-key'] ?? ''),
      instance: req.headers['x-instance'] as string | undefined,
      body,
      receivedAt: Date.now(),
      accepted: false,
    };
    const index = this.calls.push(call) - 1;
    const behaviour = this.behaviour(call, index);
    call.accepted = behaviour.kind === 'accept' || behaviour.kind === 'backorder';
    this.onCall?.(call);
    if (behaviour.kind === 'hang') return;
    const reply = (): void => {
      if (res.destroyed || req.socket.destroyed) return;
      const status =
        behaviour.kind === 'accept' ? 201 : behaviour.kind === 'backorder' ? 200 : behaviour.status;
      res.writeHead(status, {
        'Content-Type': 'application/json',
        ...(behaviour.kind === 'status' ? behaviour.headers : {}),
      });
      res.end(
        JSON.stringify(
          behaviour.kind === 'accept'
            ? { id: `SO-${call.key}`, status: 'accepted', lines: acceptedLines(body) }
            : behaviour.kind === 'backorder'
              ? { id: `SO-${call.key}`, status: 'backordered', reason: 'restock next month' }
              : { error: `HTTP ${status}` },
        ),
      );
      call.answeredAt = Date.now();
      call.status = status;
    };
    if ('delayMs' in behaviour && behaviour.delayMs) setTimeout(reply, behaviour.delayMs);
    else reply();
  }

  /** Supplier orders an idempotent supplier holds: one per key it accepted. */
  ordersCreated(): Set<string> {
    return new Set(this.calls.filter((c) => c.accepted).map((c) => c.key));
  }

  callsPerKey(): Map<string, SupplierCall[]> {
    const byKey = new Map<string, SupplierCall[]>();
    for (const call of this.calls) byKey.set(call.key, [...(byKey.get(call.key) ?? []), call]);
    return byKey;
  }

  /**
   * Pairs of calls for one key whose sending overlapped, both answered: two live senders held the same PO at
   * once. A call never answered (its sender was killed) does not count: its sender is gone.
   */
  concurrentSends(): [SupplierCall, SupplierCall][] {
    const overlaps: [SupplierCall, SupplierCall][] = [];
    for (const calls of this.callsPerKey().values()) {
      const answered = calls.filter((c) => c.answeredAt !== undefined);
      for (let i = 0; i < answered.length; i++) {
        for (let j = i + 1; j < answered.length; j++) {
          const [a, b] = [answered[i]!, answered[j]!];
          if (a.receivedAt < b.answeredAt! && b.receivedAt < a.answeredAt!) overlaps.push([a, b]);
        }
      }
    }
    return overlaps;
  }
}

function acceptedLines(body: string): { sku: string; quantity: number; status: string }[] {
  try {
    const lines = (JSON.parse(body) as { lines?: { sku: string; quantity: number }[] }).lines ?? [];
    return lines.map((line) => ({ sku: line.sku, quantity: line.quantity, status: 'accepted' }));
  } catch {
    return [];
  }
}
