import assert from 'node:assert/strict';
import { DropshipError } from '../../core/errors';
import { validateWithInlineSchema } from '../../core/validation/schema-validator';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
  type SupplierConnector,
} from '../../core/ports/supplier-connector';
import { supplierConnectors } from '../../connectors/registry';
import { CONFORMANCE_HARNESSES } from './conformance';
import type { ConformancePeer, FailureMode } from './conformance/harness';
import { connectorContext } from './support/context';
import { sampleDispatchRequest } from './support/dispatch-request';

/** Customer data that must never reach an info-level log line. */
const PII = {
  name: 'Zenobia Quartermaine',
  line1: '742 Evergreen Terrace',
  line2: 'Apartment 9Z',
  phone: '+1 555 867 5309',
  email: 'zenobia@customer.example',
};

function requestWithPii(orderId: string): ReturnType<typeof sampleDispatchRequest> {
  const request = sampleDispatchRequest({}, orderId);
  request.purchaseOrder.shipTo = {
    ...request.purchaseOrder.shipTo,
    name: PII.name,
    line1: PII.line1,
    line2: PII.line2,
    phone: PII.phone,
  };
  request.order = {
    ...request.order,
    customer: { name: PII.name, email: PII.email, phone: PII.phone },
    shipTo: request.purchaseOrder.shipTo,
  };
  return request;
}

const EXPECTED_ERROR: Record<FailureMode, new (...args: never[]) => Error> = {
  transient: SupplierTransientError,
  permanent: SupplierPermanentError,
  unknown: OutcomeUnknownError,
};

function socketCount(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

async function settlesTo(baseline: number): Promise<number> {
  let count = socketCount();
  for (let i = 0; i < 100 && count > baseline; i++) {
    await new Promise((r) => setTimeout(r, 30));
    count = socketCount();
  }
  return count;
}

describe('connector conformance', function () {
  this.timeout(90_000);

  it('has a harness for every registered connector', () => {
    const missing = supplierConnectors()
      .map((c) => c.kind)
      .filter((kind) => !CONFORMANCE_HARNESSES.some((h) => h.kind === kind));
    assert.deepEqual(missing, []);
  });

  for (const connector of supplierConnectors()) {
    const harness = CONFORMANCE_HARNESSES.find((h) => h.kind === connector.kind);
    if (!harness) continue;
    const send: SupplierConnector['sendPurchaseOrder'] = (request, ctx) =>
      connector.sendPurchaseOrder(request, ctx);

    describe(connector.kind, () => {
      let peer: ConformancePeer;
      let orderSeq = 0;
      const nextOrderId = (): string => `conf-${connector.kind}-${++orderSeq}`;
      before(async () => {
        peer = await harness.start();
      });
      after(async () => peer?.stop());
      afterEach(async () => peer.recover());

      it('declares what the editor needs', () => {
        assert.match(connector.kind, /^[a-z0-9-]+$/);
        assert.ok(connector.title && connector.description);
        assert.equal((connector.settingsSchema as { type?: string }).type, 'object');
        for (const field of connector.credentialFields) assert.match(field.name, /^[A-Za-z]+$/);
      });

      it('accepts its peer settings and refuses bad ones naming the field', () => {
        validateWithInlineSchema(connector.settingsSchema, peer.settings, 'supplier settings');
        const cases = [
          { settings: { ...peer.settings, notASetting: true }, field: '/notASetting' },
          ...((connector.settingsSchema as { required?: string[] }).required ?? []).map((required) => {
            const rest = { ...peer.settings };
            delete rest[required];
            return { settings: rest, field: `/${required}` };
          }),
          ...harness.invalidSettings(peer.settings),
        ];
        for (const { settings, field } of cases) {
          assert.throws(
            () => validateWithInlineSchema(connector.settingsSchema, settings, 'supplier settings'),
            (e: unknown) =>
              e instanceof DropshipError &&
              e.code === 'invalid_input' &&
              e.details.some((d) => d.path === field),
            `settings should be refused at ${field}: ${JSON.stringify(settings)}`,
          );
        }
      });

      it('resends the same PO idempotently: one document number, one order on the supplier side', async () => {
        const request = requestWithPii(nextOrderId());
        const before = await peer.deliveries();
        const created = await peer.ordersCreated();
        await send(request, connectorContext(peer.settings, peer.credentials));
        await send(request, connectorContext(peer.settings, peer.credentials));
        const delivered = (await peer.deliveries()).slice(before.length);
        assert.ok(delivered.length >= 1);
        assert.deepEqual(new Set(delivered), new Set([request.purchaseOrder.number]));
        assert.equal((await peer.ordersCreated()) - created, 1);
      });

      for (const mode of ['transient', 'permanent', 'unknown'] as const) {
        it(`maps a ${mode} failure to ${EXPECTED_ERROR[mode].name}`, async () => {
          const request = requestWithPii(nextOrderId());
          const { settings, credentials } = await peer.fail(mode, request);
          const ctx = connectorContext(settings, credentials);
          await assert.rejects(send(request, ctx), (e: unknown) => {
            assert.ok(
              e instanceof EXPECTED_ERROR[mode],
              `expected ${EXPECTED_ERROR[mode].name}, got ${String(e)}`,
            );
            return true;
          });
          for (const entry of ctx.log.entries.filter((e) => e.level === 'info')) {
            for (const value of Object.values(PII))
              assert.ok(!entry.message.includes(value), `info log leaks "${value}"`);
          }
        });
      }

      it('logs no customer data at info level', async () => {
        const ctx = connectorContext(peer.settings, peer.credentials);
        await send(requestWithPii(nextOrderId()), ctx);
        const info = ctx.log.entries.filter((e) => e.level === 'info');
        for (const entry of info) {
          for (const value of Object.values(PII))
            assert.ok(!entry.message.includes(value), `info log leaks "${value}"`);
        }
      });

      it('leaves no socket or session open after a send and close', async () => {
        const baseline = await settlesTo(socketCount());
        const ctx = connectorContext(peer.settings, peer.credentials);
        await send(requestWithPii(nextOrderId()), ctx);
        await connector.close?.(ctx);
        assert.equal(await settlesTo(baseline), baseline);
      });
    });
  }
});
