import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';
import { signedShopifyOrdersPaid } from '../support/shopify-delivery';

const SECRET = 'e2e-shopify-secret';

interface OrderDetail {
  id: string;
  state: string;
  purchaseOrders: { number: string; state: string; supplierId: string }[];
  shipments: { trackingNumber: string; carrier: string; status: string }[];
  notifications: { milestone: string; state: string }[];
  events: { type: string }[];
}

/** A sample order from the demo flow's inject nodes, so the test posts what an operator would inject. */
function sampleFromDemo(externalId: string): Record<string, unknown> {
  const flow = JSON.parse(readFileSync(path.join(REPO, 'flows', 'demo.json'), 'utf8')) as {
    type: string;
    payload?: string;
  }[];
  const inject = flow.find((n) => n.type === 'inject' && n.payload?.includes(`"${externalId}"`));
  assert.ok(inject?.payload, `the demo has no sample order ${externalId}`);
  return JSON.parse(inject.payload) as Record<string, unknown>;
}

describe('npm start: the demo pipeline in a real Node-RED process', function () {
  this.timeout(120_000);
  let nodeRed: RunningNodeRed;

  before(async function () {
    assert.ok(
      existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')),
      'dist/ is missing: run `npm run build` (npm test does)',
    );
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), { DROPSHIP_SHOPIFY_SECRET: SECRET });
  });
  after(async () => {
    await nodeRed?.stop();
  });

  const post = (pathname: string, delivery: { body: string; headers: Record<string, string> }) =>
    fetch(nodeRed.url(pathname), { method: 'POST', headers: delivery.headers, body: delivery.body });

  it('serves the editor with every dropship node type registered', async () => {
    const editor = await fetch(nodeRed.url('/'));
    assert.equal(editor.status, 200);
    const nodes = (await (
      await fetch(nodeRed.url('/nodes'), { headers: { Accept: 'application/json' } })
    ).json()) as { types: string[] }[];
    const types = nodes.flatMap((set) => set.types);
    const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      'node-red': { nodes: Record<string, string> };
    };
    for (const type of Object.keys(manifest['node-red'].nodes))
      assert.ok(types.includes(type), `${type} is not registered`);
  });

  it('takes a signed Shopify orders/paid delivery to delivered, e-mailing each milestone once', async () => {
    const delivery = signedShopifyOrdersPaid(820982911946154500, SECRET);
    const first = await post('/dropship/shopify/orders', delivery);
    assert.equal(first.status, 200);
    const created = (await first.json()) as { id: string; state: string };
    assert.match(created.id, /^ord_/);

    const detail = await eventually(
      async () => {
        const res = await fetch(nodeRed.url('/dropship/api/orders/shopify:820982911946154500'));
        const body = (await res.json()) as OrderDetail;
        return body.state === 'delivered' && body.notifications.filter((n) => n.state === 'sent').length === 3
          ? body
          : undefined;
      },
      60_000,
      'the order to be delivered and its e-mails sent',
    );

    assert.equal(detail.id, created.id);
    assert.deepEqual(
      detail.purchaseOrders.map((p) => [p.supplierId, p.state]),
      [['sandbox', 'delivered']],
    );
    assert.equal(detail.shipments.length, 1);
    assert.equal(detail.shipments[0]!.carrier, 'ups');
    assert.deepEqual(detail.notifications.map((n) => n.milestone.split(':')[0]).sort(), [
      'confirmed',
      'delivered',
      'shipped',
    ]);

    const mailbox = JSON.parse(
      readFileSync(path.join(nodeRed.userDir, 'sandbox-mail', 'messages.json'), 'utf8'),
    ) as { to: string; subject: string }[];
    const subjects = mailbox
      .filter((m) => m.to === 'bob.norman@mail.example.com')
      .map((m) => m.subject)
      .sort();
    assert.deepEqual(subjects, [
      'Your order #1001 has shipped',
      'Your order #1001 is confirmed',
      'Your order #1001 was delivered',
    ]);
  });

  it('answers a redelivery 200 without a second order or purchase order', async () => {
    const delivery = signedShopifyOrdersPaid(820982911946154500, SECRET);
    const again = await post('/dropship/shopify/orders', delivery);
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { duplicate: boolean }).duplicate, true);
    const detail = (await (
      await fetch(nodeRed.url('/dropship/api/orders/shopify:820982911946154500'))
    ).json()) as OrderDetail;
    assert.equal(detail.purchaseOrders.length, 1);
    assert.equal(detail.events.filter((e) => e.type === 'order.received').length, 1);
  });

  it('refuses a wrong signature with 401 and stores nothing', async () => {
    const forged = signedShopifyOrdersPaid(111, 'not-the-secret');
    const res = await post('/dropship/shopify/orders', forged);
    assert.equal(res.status, 401);
    assert.equal((await fetch(nodeRed.url('/dropship/api/orders/shopify:111'))).status, 404);
  });

  it('answers an invalid generic order 422 with the field paths', async () => {
    const res = await post('/dropship/orders', {
      body: JSON.stringify({ externalId: 'X-1', lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 422);
    const { error } = (await res.json()) as { error: { details: { path: string }[] } };
    const paths = error.details.map((d) => d.path);
    for (const expected of ['/currency', '/shipTo', '/lines/0/quantity'])
      assert.ok(paths.includes(expected), `${expected} not in ${paths.join(', ')}`);
  });

  it('sends EDI- lines to the EDI supplier as X12 files and follows its 855 and 856 to shipped', async () => {
    const res = await post('/dropship/orders', {
      body: JSON.stringify({ ...sampleFromDemo('DEMO-EDI-1'), externalId: 'E2E-EDI-1' }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 200);
    const detail = await eventually(
      async () => {
        const body = (await (
          await fetch(nodeRed.url('/dropship/api/orders/generic:E2E-EDI-1'))
        ).json()) as OrderDetail;
        return body.state === 'shipped' ? body : undefined;
      },
      30_000,
      'the EDI order to be shipped',
    );
    assert.deepEqual(
      detail.purchaseOrders.map((p) => [p.supplierId, p.state]),
      [['sandbox-edi', 'shipped']],
    );
    assert.ok(
      detail.events.some((e) => e.type === 'po.accepted'),
      'the 855 was applied',
    );
    assert.equal(detail.shipments[0]!.carrier, 'ups');
    // Both of the partner's documents were answered with our 997s (the 855 by dispatch, the 856 by tracking-in).
    const toPartner = path.join(nodeRed.userDir, 'sandbox-edi', 'to-supplier');
    const answered = await eventually(
      async () => {
        const names = [toPartner, path.join(toPartner, 'processed')].flatMap((folder) =>
          existsSync(folder) ? readdirSync(folder) : [],
        );
        const acknowledgements = names
          .filter((name) => name.startsWith('997'))
          .map((name) =>
            readFileSync(
              path.join(
                existsSync(path.join(toPartner, name)) ? toPartner : path.join(toPartner, 'processed'),
                name,
              ),
              'utf8',
            ),
          );
        const groups = acknowledgements.flatMap((text) =>
          [...text.matchAll(/AK1\*(\w+)\*/g)].map((m) => m[1]),
        );
        return groups.includes('PR') && groups.includes('SH') ? groups : undefined;
      },
      15_000,
      '997s for the 855 and the 856',
    );
    assert.ok(answered.length >= 2);
  });

  it('sends MAIL- lines to the e-mail supplier as an e-mail with the PO as CSV', async () => {
    const res = await post('/dropship/orders', {
      body: JSON.stringify({ ...sampleFromDemo('DEMO-MAIL-1'), externalId: 'E2E-MAIL-1' }),
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 200);
    const detail = await eventually(
      async () => {
        const body = (await (
          await fetch(nodeRed.url('/dropship/api/orders/generic:E2E-MAIL-1'))
        ).json()) as OrderDetail;
        return body.purchaseOrders[0]?.state === 'sent' ? body : undefined;
      },
      30_000,
      'the e-mailed PO',
    );
    const poNumber = detail.purchaseOrders[0]!.number;
    const mailDir = path.join(nodeRed.userDir, 'sandbox-mail');
    const mailbox = JSON.parse(readFileSync(path.join(mailDir, 'messages.json'), 'utf8')) as {
      id: string;
      to: string;
      subject: string;
    }[];
    const toSupplier = mailbox.find(
      (m) => m.to === 'orders@sandbox-supplier.test' && m.subject.includes(poNumber),
    );
    assert.ok(toSupplier, `no e-mail to the supplier names ${poNumber}`);
    const raw = readFileSync(path.join(mailDir, `${toSupplier.id}.eml`), 'utf8');
    assert.match(raw, /Content-Disposition: attachment; filename=\S*\.csv/i);
  });

  it('never writes customer details to the log', () => {
    const log = nodeRed.output();
    for (const pii of ['bob.norman@mail.example.com', 'Chestnut Street', 'Bob Norman', '+15555550100']) {
      assert.ok(!log.includes(pii), `the log contains "${pii}"`);
    }
  });
});

describe('settings.js', () => {
  it('refuses to listen beyond loopback without an editor login', () => {
    const result = spawnSync(process.execPath, ['-e', "require('./settings.js')"], {
      cwd: REPO,
      env: {
        ...process.env,
        HOST: '0.0.0.0',
        DROPSHIP_USER_DIR: path.join(REPO, 'test-artifacts', 'refuse'),
        DROPSHIP_DEMO_SMTP_PORT: 'off',
      },
      encoding: 'utf8',
    });
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /Refusing to listen on 0\.0\.0\.0 without an editor login/);
  });
});
