import assert from 'node:assert/strict';
import { DropshipError } from '../../../core/errors';
import { validateWithInlineSchema } from '../../../core/validation/schema-validator';
import {
  OutcomeUnknownError,
  SupplierPermanentError,
  SupplierTransientError,
  type ConnectorContext,
  type DispatchRequest,
  type SupplierConnector,
} from '../../../core/ports/supplier-connector';
import { connectorContext } from '../support/context';
import { sampleDispatchRequest } from '../support/dispatch-request';
import type { LogEntry } from '../support/recording-log';
import type { ConformanceHarness, ConformancePeer, FailureMode } from './harness';

/** Customer data that must never reach an info-level log line. */
const PII = {
  name: 'Zenobia Quartermaine',
  line1: '742 Evergreen Terrace',
  line2: 'Apartment 9Z',
  phone: '+1 555 867 5309',
  email: 'zenobia@customer.example',
};

function requestWithPii(orderId: string): DispatchRequest {
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

function assertNoPiiAtInfo(entries: LogEntry[]): void {
  for (const entry of entries.filter((e) => e.level === 'info'))
    for (const value of Object.values(PII))
      assert.ok(!entry.message.includes(value), `info log leaks "${value}": ${entry.message}`);
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

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The values a setting (dot path) can take: its enum, or the consts of its oneOf variants. */
function settingChoices(schema: unknown, dotPath: string): unknown[] {
  const [key, ...rest] = dotPath.split('.');
  const node = schema as { properties?: Record<string, unknown>; oneOf?: unknown[] };
  const candidates = node.oneOf ?? [node];
  return candidates.flatMap((candidate) => {
    const prop = (candidate as { properties?: Record<string, unknown> }).properties?.[key!] as
      { enum?: unknown[]; const?: unknown } | undefined;
    if (!prop) return [];
    if (rest.length > 0) return settingChoices(prop, rest.join('.'));
    return prop.enum ?? ('const' in prop ? [prop.const] : []);
  });
}

/** One rule of the contract, checked against a running peer. */
export interface ConformanceCheck {
  title: string;
  run(peer: ConformancePeer): Promise<void>;
}

/**
 * The checks a connector must pass, each against its harness's running peer. `connector` need not be in the
 * registry: the meta-test runs these against deliberately faulty connectors and expects them to fail.
 */
export function conformanceChecks(
  connector: SupplierConnector,
  harness: ConformanceHarness,
): ConformanceCheck[] {
  let orderSeq = 0;
  const nextRequest = (): DispatchRequest =>
    requestWithPii(`conf-${connector.kind}-${++orderSeq}-${Date.now()}`);
  const context = (peer: ConformancePeer): ConnectorContext & { log: { entries: LogEntry[] } } =>
    connectorContext(peer.settings, peer.credentials, peer.context);
  const answerableRequest = (peer: ConformancePeer): Promise<DispatchRequest> =>
    peer.newRequest ? peer.newRequest() : Promise.resolve(nextRequest());
  const send = (request: DispatchRequest, peer: ConformancePeer) =>
    connector.sendPurchaseOrder(request, context(peer));
  const documentsOf = async (peer: ConformancePeer, poNumber: string) =>
    (await peer.documents()).filter((d) => d.content.poNumber === poNumber);

  const checks: ConformanceCheck[] = [
    {
      title: 'declares what the editor needs',
      async run() {
        assert.match(connector.kind, /^[a-z0-9-]+$/);
        assert.ok(connector.title && connector.description);
        assert.equal((connector.settingsSchema as { type?: string }).type, 'object');
        const properties = (connector.settingsSchema as { properties: Record<string, unknown> }).properties;
        const conditions = [
          ...connector.credentialFields.map((field) => {
            assert.match(field.name, /^[A-Za-z]+$/);
            assert.ok(field.label, `credential ${field.name} has no label`);
            assert.ok(
              ['password', 'text', 'multiline'].includes(field.type),
              `credential ${field.name} type`,
            );
            return field.when;
          }),
          ...Object.entries(connector.settingConditions ?? {}).map(([key, condition]) => {
            assert.ok(key in properties, `settingConditions names "${key}", which is no setting`);
            return condition;
          }),
        ];
        for (const condition of conditions) {
          if (!condition) continue;
          // The choice a field belongs to is a setting whose values include every value named.
          const choices = settingChoices(connector.settingsSchema, condition.setting);
          for (const value of condition.values)
            assert.ok(choices.includes(value), `"${condition.setting}" cannot be ${String(value)}`);
        }
      },
    },
    {
      title: 'accepts its peer settings and refuses bad ones naming the field',
      async run(peer) {
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
      },
    },
    {
      title: 'delivers a document that says what the PO says (number, items, quantities, ship-to)',
      async run(peer) {
        const request = nextRequest();
        await send(request, peer);
        const [document] = await documentsOf(peer, request.purchaseOrder.number);
        assert.ok(document, `the supplier side holds no document for ${request.purchaseOrder.number}`);
        const po = request.purchaseOrder;
        assert.equal(document.content.lines.length, po.lines.length, 'one document line per PO line');
        po.lines.forEach((line, i) => {
          const read = document.content.lines[i]!;
          assert.ok(
            read.skus.includes(line.supplierSku ?? line.sku),
            `line ${i + 1} names ${read.skus.join('/')}, not ${line.supplierSku ?? line.sku}`,
          );
          assert.equal(read.quantity, line.quantity, `line ${i + 1} quantity`);
        });
        assert.equal(document.content.shipTo.postalCode, po.shipTo.postalCode, 'ship-to postal code');
        assert.equal(document.content.shipTo.country, po.shipTo.country, 'ship-to country');
      },
    },
    {
      title: 'resends the same PO as the same document: one document id and one order on the supplier side',
      async run(peer) {
        const request = nextRequest();
        const created = await peer.ordersCreated();
        await send(request, peer);
        await send(request, peer);
        const ids = new Set((await documentsOf(peer, request.purchaseOrder.number)).map((d) => d.id));
        assert.equal(
          ids.size,
          1,
          `a resend must reach the supplier as the same document; it holds ${ids.size}: ${[...ids].join(', ')}`,
        );
        assert.equal((await peer.ordersCreated()) - created, 1, 'orders created by the supplier');
      },
    },
  ];

  if (connector.testConnection) {
    const test: NonNullable<SupplierConnector['testConnection']> = (ctx) => connector.testConnection!(ctx);
    checks.push({
      title: 'tests the connection: a sentence with working secrets, a refusal with wrong ones, no document',
      async run(peer) {
        const before = (await peer.documents()).length;
        const ctx = context(peer);
        const said = await test(ctx);
        assert.match(said, /\w+ \w+/, 'the test says what it checked');
        const wrong = Object.fromEntries(
          Object.entries(peer.credentials).map(([name, value]) => [name, `wrong-${value}`]),
        );
        await assert.rejects(test(connectorContext(peer.settings, wrong)), (err: Error) => {
          assert.ok(err.message.length > 0);
          return true;
        });
        assert.equal((await peer.documents()).length, before, 'a connection test sends no document');
        assertNoPiiAtInfo(ctx.log.entries);
      },
    });
  }

  if (connector.cancelPurchaseOrder) {
    const cancel: NonNullable<SupplierConnector['cancelPurchaseOrder']> = (request, ctx) =>
      connector.cancelPurchaseOrder!(request, ctx);
    checks.push({
      title: 'cancels a PO once, however often asked (same withdrawal document at the supplier)',
      async run(peer) {
        assert.ok(
          peer.cancellations !== undefined,
          `the ${harness.kind} harness must report cancellations: the connector cancels`,
        );
        const request = nextRequest();
        await send(request, peer);
        const cancelRequest = { ...request, reason: 'lines moved to another supplier' };
        for (let i = 0; i < 2; i++) {
          const result = await cancel(cancelRequest, context(peer));
          assert.ok(['cancelled', 'requested'].includes(result.outcome), `outcome ${result.outcome}`);
        }
        const seen = (await peer.cancellations()).filter((c) => c.poNumber === request.purchaseOrder.number);
        assert.ok(
          seen.length >= 1,
          `the supplier side saw no cancellation of ${request.purchaseOrder.number}`,
        );
        assert.equal(
          new Set(seen.map((c) => c.id)).size,
          1,
          'the cancellation reached the supplier as one document',
        );
      },
    });
  }

  if (connector.readAcknowledgements) {
    const read: NonNullable<SupplierConnector['readAcknowledgements']> = (ctx) =>
      connector.readAcknowledgements!(ctx);
    checks.push({
      title: 'reads back the acknowledgements the supplier sent (accepted and rejected)',
      async run(peer) {
        assert.ok(
          peer.acknowledge !== undefined,
          `the ${harness.kind} harness must acknowledge POs: the connector claims to read them`,
        );
        const accepted = await answerableRequest(peer);
        const rejected = await answerableRequest(peer);
        await send(accepted, peer);
        await send(rejected, peer);
        await peer.acknowledge(accepted, 'accepted');
        await peer.acknowledge(rejected, 'rejected');
        const ctx = context(peer);
        const acks = await collect(read(ctx));
        const outcomeOf = (request: DispatchRequest) =>
          acks.find((a) => a.poNumber === request.purchaseOrder.number)?.outcome;
        assert.equal(outcomeOf(accepted), 'accepted', `acknowledgement of ${accepted.purchaseOrder.number}`);
        assert.equal(outcomeOf(rejected), 'rejected', `acknowledgement of ${rejected.purchaseOrder.number}`);
        assertNoPiiAtInfo(ctx.log.entries);
      },
    });
  }

  if (connector.readShipments) {
    const read: NonNullable<SupplierConnector['readShipments']> = (ctx) => connector.readShipments!(ctx);
    checks.push({
      title: 'reads back the shipments the supplier reported, with their tracking numbers',
      async run(peer) {
        assert.ok(
          peer.ship !== undefined,
          `the ${harness.kind} harness must ship POs: the connector claims to read shipments`,
        );
        const request = await answerableRequest(peer);
        await send(request, peer);
        const trackingNumber = '1Z999AA10123456784';
        await peer.ship(request, trackingNumber);
        const ctx = context(peer);
        const events = await collect(read(ctx));
        assert.ok(
          events.some(
            (e) => e.poNumber === request.purchaseOrder.number && e.trackingNumber === trackingNumber,
          ),
          `no shipment of ${request.purchaseOrder.number} under ${trackingNumber} in ${JSON.stringify(events.map((e) => [e.poNumber, e.trackingNumber]))}`,
        );
        assertNoPiiAtInfo(ctx.log.entries);
      },
    });
  }

  for (const mode of ['transient', 'permanent', 'unknown'] as const) {
    checks.push({
      title: `maps a ${mode} failure to ${EXPECTED_ERROR[mode].name}`,
      async run(peer) {
        const request = nextRequest();
        const { settings, credentials } = await peer.fail(mode, request);
        const ctx = connectorContext(settings, credentials, peer.context);
        try {
          await assert.rejects(connector.sendPurchaseOrder(request, ctx), (e: unknown) => {
            assert.ok(
              e instanceof EXPECTED_ERROR[mode],
              `expected ${EXPECTED_ERROR[mode].name}, got ${String(e)}`,
            );
            return true;
          });
        } finally {
          await peer.recover();
        }
        assertNoPiiAtInfo(ctx.log.entries);
      },
    });
  }

  checks.push(
    {
      title: 'logs no customer data at info level',
      async run(peer) {
        const ctx = context(peer);
        await connector.sendPurchaseOrder(nextRequest(), ctx);
        assertNoPiiAtInfo(ctx.log.entries);
      },
    },
    {
      title: 'leaves no socket or session open after a send and close',
      async run(peer) {
        const baseline = await settlesTo(socketCount());
        const ctx = context(peer);
        await connector.sendPurchaseOrder(nextRequest(), ctx);
        await connector.close?.(ctx);
        assert.equal(await settlesTo(baseline), baseline);
      },
    },
  );
  return checks;
}
