import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';
import { eventually, REPO, startNodeRed, type RunningNodeRed } from '../support/node-red-process';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- Node-RED's own dependency, no types shipped
const bcrypt = require('bcryptjs') as { hashSync(password: string, rounds: number): string };

const ADMIN_USER = 'operator';
const ADMIN_PASSWORD = 'correct horse battery staple';
const SECRET = 'admin-and-logs-secret';

interface AdminRoute {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  path: string;
  file: string;
  /** Whether a RED.auth.needsPermission guard stands between the path and the handler. */
  guarded: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Every `RED.httpAdmin.<method>(path, ...)` the package's nodes register, read from the sources, with whether a
 * middleware argument is `RED.auth.needsPermission(...)` or a constant holding one.
 */
function adminRoutes(): AdminRoute[] {
  const routes: AdminRoute[] = [];
  for (const file of sourceFiles(path.join(REPO, 'nodes'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const permissionConstants = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (
        ts.isVariableDeclaration(node) &&
        node.initializer?.getText().startsWith('RED.auth.needsPermission(')
      ) {
        permissionConstants.add(node.name.getText());
      }
      if (ts.isCallExpression(node)) {
        const callee = /^RED\.httpAdmin\.(get|post|put|delete|patch)$/.exec(node.expression.getText());
        const [first, ...rest] = node.arguments;
        if (callee && first && ts.isStringLiteral(first)) {
          const middleware = rest.slice(0, -1).map((arg) => arg.getText());
          routes.push({
            method: callee[1] as AdminRoute['method'],
            path: first.text,
            file: path.relative(REPO, file),
            guarded: middleware.some(
              (text) => text.startsWith('RED.auth.needsPermission(') || permissionConstants.has(text),
            ),
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return routes;
}

/** Node folders Node-RED loads (package.json's node-red section): their routes exist in a running instance. */
function loadedNodeFolders(): Set<string> {
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
    'node-red': { nodes: Record<string, string> };
  };
  return new Set(Object.values(manifest['node-red'].nodes).map((file) => path.basename(path.dirname(file))));
}

/** A paid Shopify order whose customer data is unmistakable in a log. */
function orderWithPii(id: number, mutate: (o: Record<string, unknown>) => void = () => undefined) {
  const order = JSON.parse(
    readFileSync(path.join(REPO, 'demo', 'payloads', 'shopify-orders-paid.json'), 'utf8'),
  ) as Record<string, unknown>;
  const person = { first_name: 'Zebulon', last_name: 'Quixotic', phone: '+1 555 0199 321' };
  const address = {
    ...person,
    name: 'Zebulon Quixotic',
    address1: 'Quincunx Lane 77',
    address2: 'Flat Xyzzy',
    city: 'Louisville',
    zip: '40202',
    province: 'Kentucky',
    province_code: 'KY',
    country_code: 'US',
    company: 'Quixotic Holdings',
  };
  Object.assign(order, {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    email: 'zebulon.quixotic@pii.example',
    contact_email: 'zebulon.quixotic@pii.example',
    phone: person.phone,
    customer: { ...(order.customer as object), ...person, email: 'zebulon.quixotic@pii.example' },
    shipping_address: address,
    billing_address: address,
  });
  mutate(order);
  const body = JSON.stringify(order);
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-Shopify-Topic': 'orders/paid',
      'X-Shopify-Event-Id': randomUUID(),
      'X-Shopify-Hmac-Sha256': createHmac('sha256', SECRET).update(body).digest('base64'),
    },
  };
}

const PII = [
  'Zebulon',
  'Quixotic',
  'zebulon.quixotic@pii.example',
  '0199 321',
  'Quincunx',
  'Xyzzy',
  // Raw request bodies must not be echoed either.
  'Quixotic Holdings',
];

describe('security: admin routes behind adminAuth, and no customer data in the log', function () {
  this.timeout(120_000);
  let nodeRed: RunningNodeRed;
  let token: string;
  const routes = adminRoutes();
  /** With an editor login, the order API needs it too: the admin token. */
  const orderApi = (ref: string) =>
    fetch(nodeRed.url(`/dropship/api/orders/${ref}`), { headers: { Authorization: `Bearer ${token}` } });

  before(async () => {
    assert.ok(existsSync(path.join(REPO, 'dist', 'nodes', 'order-in', 'order-in.js')), 'run `npm run build`');
    nodeRed = await startNodeRed(path.join(REPO, 'flows', 'demo.json'), {
      DROPSHIP_SHOPIFY_SECRET: SECRET,
      DROPSHIP_ADMIN_USER: ADMIN_USER,
      DROPSHIP_ADMIN_PASSWORD_HASH: bcrypt.hashSync(ADMIN_PASSWORD, 8),
      DROPSHIP_LOG_LEVEL: 'info',
    });
    const login = await fetch(nodeRed.url('/auth/token'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_id: 'node-red-admin',
        grant_type: 'password',
        scope: '*',
        username: ADMIN_USER,
        password: ADMIN_PASSWORD,
      }),
    });
    assert.equal(login.status, 200);
    token = ((await login.json()) as { access_token: string }).access_token;
  });
  after(async () => {
    await nodeRed?.stop();
  });

  it('finds the admin routes the package adds, each guarded by RED.auth.needsPermission in the source', () => {
    assert.ok(routes.length >= 6, `only ${routes.length} admin routes found`);
    const unguarded = routes.filter((r) => !r.guarded).map((r) => `${r.method} ${r.path} (${r.file})`);
    assert.deepEqual(unguarded, []);
  });

  it('refuses every one of them without a token, and serves it with one', async () => {
    const loaded = loadedNodeFolders();
    const live = routes.filter((r) => loaded.has(r.file.split(path.sep)[1]!));
    assert.ok(live.length > 0);
    for (const route of live) {
      const url = nodeRed.url(route.path.replace(/:(\w+)/g, 'x'));
      const init = (headers: Record<string, string>): RequestInit => ({
        method: route.method.toUpperCase(),
        headers: { 'Content-Type': 'application/json', ...headers },
        body: route.method === 'get' ? undefined : '{}',
      });
      const anonymous = await fetch(url, init({}));
      assert.equal(
        anonymous.status,
        401,
        `${route.method} ${route.path} answered ${anonymous.status} without a token`,
      );
      const forged = await fetch(url, init({ Authorization: 'Bearer not-a-token' }));
      assert.equal(forged.status, 401, `${route.method} ${route.path} took a forged token`);
      const authorised = await fetch(url, init({ Authorization: `Bearer ${token}` }));
      assert.ok(
        authorised.status !== 401 && authorised.status !== 404,
        `${route.method} ${route.path} answered ${authorised.status} with a token: is it mounted?`,
      );
    }
  });

  it('takes orders through the pipeline and refuses bad ones without writing customer data to the log', async () => {
    const post = (delivery: { body: string; headers: Record<string, string> }) =>
      fetch(nodeRed.url('/dropship/shopify/orders'), {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
    const good = await post(orderWithPii(880001));
    assert.equal(good.status, 200);
    // Refusals whose bad fields hold customer data: the reasons name the fields, never the values.
    const refusals = [
      orderWithPii(880002, (o) =>
        Object.assign(o, { email: 'Zebulon Quixotic <zebulon.quixotic@pii.example>' }),
      ),
      orderWithPii(
        880003,
        (o) => ((o.shipping_address as Record<string, unknown>).country_code = 'Quixotic'),
      ),
      orderWithPii(
        880004,
        (o) => ((o.shipping_address as Record<string, unknown>).address1 = 'Quincunx\u0000Lane'),
      ),
      orderWithPii(880005, (o) => Object.assign(o, { processed_at: 'Zebulon Quixotic' })),
      orderWithPii(880006, (o) => {
        (o.line_items as Record<string, unknown>[])[0]!.quantity = 'Zebulon';
      }),
    ];
    for (const delivery of refusals) assert.equal((await post(delivery)).status, 422);
    // A forged delivery, a broken body and an oversized one: answered, logged, without the body.
    assert.equal(
      (
        await post({
          ...orderWithPii(880007),
          headers: { ...orderWithPii(880007).headers, 'X-Shopify-Hmac-Sha256': 'x' },
        })
      ).status,
      401,
    );
    assert.equal(
      (await post({ body: `{"customer":"Zebulon Quixotic",`, headers: orderWithPii(1).headers })).status,
      401,
    );

    await eventually(
      async () => {
        const res = await orderApi('shopify:880001');
        const detail = (await res.json()) as { notifications: { state: string }[] };
        return detail.notifications.some((n) => n.state === 'sent') ? detail : undefined;
      },
      60_000,
      'the order to be acknowledged and the customer e-mailed',
    );
    const log = nodeRed.output();
    assert.match(log, /order refused/, 'the refusals were not logged at all');
    for (const value of PII) assert.ok(!log.includes(value), `the log contains "${value}"`);
  });

  it('stays up after hostile requests, with the accepted order intact', async () => {
    const hostile = [
      { body: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, length: undefined },
      { body: 'x'.repeat(2 * 1024 * 1024), length: undefined },
      { body: '{"a":1}', length: '999999999' },
    ];
    for (const { body, length } of hostile) {
      const status = await new Promise<number | string>((resolve) => {
        const req = http.request(
          nodeRed.url('/dropship/orders'),
          {
            method: 'POST',
            headers: {
              'Content-Type': 'application/json',
              'Content-Length': length ?? Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        // The server may close while a refused body is still being sent; its answer came first.
        req.on('error', (err) => resolve(`error ${err.message}`));
        req.end(body);
      });
      assert.ok(status === 413 || status === 422, `answered ${status}`);
    }
    const res = await orderApi('shopify:880001');
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { externalId: string }).externalId, '880001');
  });
});
