'use strict';
/**
 * Node-RED settings for `npm start`: the demo pipeline on the embedded defaults (SQLite store, sandbox supplier,
 * sandbox mailbox), listening on loopback only. Environment variables:
 *   PORT (1880), HOST (127.0.0.1), DROPSHIP_USER_DIR (.node-red/),
 *   DROPSHIP_FLOW_FILE (the flows Node-RED runs and deploys to; flows.json in the user directory, copied from the
 *   tracked flows/demo.json on the first start, so a deploy never changes the checkout),
 *   DROPSHIP_CREDENTIAL_SECRET (generated and kept in the user directory when unset),
 *   DROPSHIP_TRACKING_LINK_SECRET (signs the links to the customer tracking page; generated and kept in the user
 *   directory when unset),
 *   DROPSHIP_SHOPIFY_SECRET (the demo storefront's webhook secret; "dropship-demo-secret" when unset),
 *   DROPSHIP_WOOCOMMERCE_SECRET (the demo WooCommerce shop's webhook secret; "dropship-demo-secret" when unset),
 *   DROPSHIP_PUBLIC_URL (the address customers reach the tracking page at; http://127.0.0.1:PORT when unset),
 *   DROPSHIP_TRACKING_SECRET (the secret tracking reports to /dropship/tracking are signed with; generated and kept
 *   in the user directory when unset),
 *   DROPSHIP_DEMO_SMTP_PORT (2525; "off" disables the sandbox mailbox),
 *   DROPSHIP_DEMO_EDI ("off" disables the sandbox EDI trading partner),
 *   DROPSHIP_SANDBOX_SHOPIFY_SECRET (the sandbox Shopify shop's app client secret; generated and kept in the user
 *   directory when unset),
 *   DROPSHIP_ADMIN_USER and DROPSHIP_ADMIN_PASSWORD_HASH (bcrypt; required when HOST is not loopback): the login
 *   of the editor, and of the dashboard and the sandbox pages (HTTP Basic). Without a login every operator surface
 *   answers only requests made on this machine, never ones a reverse proxy passed on (docs/security.md).
 *   DROPSHIP_NOTIFY_LEASE_SECONDS (dropshipNotifyLeaseSeconds: how long a customer notice being sent stays claimed,
 *   so how long a crash mid-send delays it; 60 when unset).
 *   DROPSHIP_REFUND_LEASE_SECONDS (dropshipRefundLeaseSeconds: how long a refund being made stays claimed, so how
 *   long a crash mid-call delays its resumption; 120 when unset).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const userDir = path.resolve(process.env.DROPSHIP_USER_DIR || path.join(__dirname, '.node-red'));
const host = process.env.HOST || '127.0.0.1';
const port = Number(process.env.PORT || 1880);
const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);

const adminAuth =
  process.env.DROPSHIP_ADMIN_USER && process.env.DROPSHIP_ADMIN_PASSWORD_HASH
    ? {
        type: 'credentials',
        users: [
          {
            username: process.env.DROPSHIP_ADMIN_USER,
            password: process.env.DROPSHIP_ADMIN_PASSWORD_HASH,
            permissions: '*',
          },
        ],
      }
    : undefined;

if (!loopback && !adminAuth) {
  throw new Error(
    `Refusing to listen on ${host} without an editor login: anyone who reaches the editor controls the flows and ` +
      'their credentials. Set DROPSHIP_ADMIN_USER and DROPSHIP_ADMIN_PASSWORD_HASH (a bcrypt hash: ' +
      '`npx node-red admin hash-pw`), or keep HOST=127.0.0.1.',
  );
}

// Who may use the editor, the dashboard and the sandbox pages, decided per request: the package's rule (from
// dist/, built by `npm install`), so the package's own routes and these apply the same one.
const {
  isCrossSitePageRequest,
  isLocalRequest,
  operatorHttpGate,
  operatorSocketGate,
} = require('./dist/nodes/adapter/operator-access');

const operatorLogin = adminAuth
  ? {
      realm: 'Drop-ship operator',
      verify: (username, password) =>
        username === process.env.DROPSHIP_ADMIN_USER
          ? require('bcryptjs').compare(password, process.env.DROPSHIP_ADMIN_PASSWORD_HASH)
          : Promise.resolve(false),
    }
  : {};
const operatorPage = operatorHttpGate(operatorLogin);
const onlyThisMachine = operatorHttpGate({});

const refuse = (res, status, code, message) => {
  res.status(status).set('Cache-Control', 'no-store').json({ error: { code, message } });
};

/**
 * Every request passes Node-RED's admin app (mounted at /): another site's page may neither change nor read anything
 * through the operator's browser (a form or text/plain POST to /inject/<id>, a script's fetch of /flows: Node-RED
 * answers CORS with `*`), only open it by a link; and without a login a request a proxy
 * passed on reaches only the package's routes under /dropship/, which decide for themselves (webhooks, the
 * tracking page; the order API and admin routes answer only local requests then).
 */
function adminRequests(req, res, next) {
  if (isCrossSitePageRequest(req)) {
    refuse(res, 403, 'cross_site', 'requests from another site are refused');
    return;
  }
  if (!adminAuth && !isLocalRequest(req) && !/^\/dropship\//i.test(req.path)) {
    refuse(
      res,
      403,
      'unauthorised',
      'this Node-RED has no login: the editor answers only on its own machine',
    );
    return;
  }
  next();
}

fs.mkdirSync(userDir, { recursive: true });

// Node-RED loads nodes from its user directory's node_modules: link this checkout there so the demo runs the
// package from source exactly as an install would, examples menu included.
const moduleLink = path.join(userDir, 'node_modules', require('./package.json').name);
// Before 0.2 the package was unscoped: a user directory linked then would load the nodes twice.
const unscopedLink = path.join(userDir, 'node_modules', 'node-red-contrib-dropship');
if (fs.lstatSync(unscopedLink, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(unscopedLink);
if (!fs.existsSync(moduleLink)) {
  fs.mkdirSync(path.dirname(moduleLink), { recursive: true });
  fs.symlinkSync(__dirname, moduleLink, 'junction');
}

/** A secret from the environment, else generated on the first start and kept in the user directory. */
function keptSecret(variable, fileName) {
  if (process.env[variable]) return process.env[variable];
  const file = path.join(userDir, fileName);
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

// The flows the editor deploys to live in the user directory; the tracked demo is only their starting copy.
const flowFile = path.resolve(process.env.DROPSHIP_FLOW_FILE || path.join(userDir, 'flows.json'));
if (!fs.existsSync(flowFile)) {
  fs.copyFileSync(path.join(__dirname, 'flows', 'demo.json'), flowFile);
  console.log(
    `[dropship] first start: the demo flows copied to ${flowFile} (delete it to start again from flows/demo.json)`,
  );
}

/**
 * The demo's credentials, given on the first start (no credentials file yet): the tracking page's link secret, a
 * credential of each notify node that serves the page, names DROPSHIP_TRACKING_LINK_SECRET (the portal supplier's
 * link key DROPSHIP_PORTAL_LINK_KEY), which Node-RED
 * substitutes when the flows start, so the secret itself stays in the user directory; a carrier account that
 * polls the sandbox's own carrier API gets the sandbox's client. Written in Node-RED's own format: aes-256-ctr
 * under the SHA-256 of the credential secret, the IV in hex in front.
 */
const SANDBOX_SHOPIFY_CLIENT_ID = 'sandbox-shopify-app';
const DEMO_CREDENTIALS = {
  'dropship-notify': (node) =>
    node.trackingPage ? { linkSecret: '${DROPSHIP_TRACKING_LINK_SECRET}' } : undefined,
  'dropship-supplier': (node) =>
    node.connector === 'portal' ? { portalLinkKey: '${DROPSHIP_PORTAL_LINK_KEY}' } : undefined,
  'dropship-carrier': (node) =>
    /^\/sandbox\//.test((node.settings && node.settings.baseUrl) || '')
      ? { clientId: 'sandbox', clientSecret: 'sandbox' }
      : undefined,
  // The sandbox shop's app: its client id, and its client secret by the variable that holds it.
  'dropship-storefront': (node) =>
    node.baseUrl === '${DROPSHIP_SANDBOX_SHOPIFY_URL}'
      ? { clientId: SANDBOX_SHOPIFY_CLIENT_ID, clientSecret: '${DROPSHIP_SANDBOX_SHOPIFY_SECRET}' }
      : undefined,
};

function seedDemoCredentials(runFlowFile, secret) {
  const credentialsFile = runFlowFile.replace(/\.json$/, '') + '_cred.json';
  if (fs.existsSync(credentialsFile) || !fs.existsSync(runFlowFile)) return;
  const credentials = {};
  for (const node of JSON.parse(fs.readFileSync(runFlowFile, 'utf8'))) {
    const demo = DEMO_CREDENTIALS[node.type] && DEMO_CREDENTIALS[node.type](node);
    if (demo) credentials[node.id] = demo;
  }
  if (Object.keys(credentials).length === 0) return;
  const iv = crypto.randomBytes(16);
  const cipher = crypto.createCipheriv(
    'aes-256-ctr',
    crypto.createHash('sha256').update(secret).digest(),
    iv,
  );
  const sealed = cipher.update(JSON.stringify(credentials), 'utf8', 'base64') + cipher.final('base64');
  fs.writeFileSync(credentialsFile, JSON.stringify({ $: iv.toString('hex') + sealed }), { mode: 0o600 });
}

// The demo storefront's webhook secret, documented in the README so a signed test order can be posted.
process.env.DROPSHIP_SHOPIFY_SECRET = process.env.DROPSHIP_SHOPIFY_SECRET || 'dropship-demo-secret';
process.env.DROPSHIP_WOOCOMMERCE_SECRET = process.env.DROPSHIP_WOOCOMMERCE_SECRET || 'dropship-demo-secret';
// The notify node's link secret is this variable (a credential that names it), so no secret is in the flows.
process.env.DROPSHIP_TRACKING_LINK_SECRET = keptSecret(
  'DROPSHIP_TRACKING_LINK_SECRET',
  '.tracking-link-secret',
);
process.env.DROPSHIP_DEMO_SMTP_PORT = process.env.DROPSHIP_DEMO_SMTP_PORT || '2525';
process.env.PORT = String(port);
// Node-RED substitutes whole-value ${VAR} properties only, so the demo's URLs are composed here.
process.env.DROPSHIP_SANDBOX_SUPPLIER_URL = `http://127.0.0.1:${port}/sandbox/supplier/orders`;
process.env.DROPSHIP_SANDBOX_SUPPLIER_STATUS_URL = `${process.env.DROPSHIP_SANDBOX_SUPPLIER_URL}/{{po.supplierReference}}`;
process.env.DROPSHIP_SANDBOX_SUPPLIER_CANCEL_URL = `${process.env.DROPSHIP_SANDBOX_SUPPLIER_URL}/{poNumber}/cancel`;
process.env.DROPSHIP_SANDBOX_SUPPLIER_CHANGE_URL = `${process.env.DROPSHIP_SANDBOX_SUPPLIER_URL}/{poNumber}`;
process.env.DROPSHIP_TRACKING_URL = `http://127.0.0.1:${port}/dropship/tracking`;
// The secret the sandbox supplier signs its tracking reports with, which "Supplier tracking" checks (flows/demo.json).
process.env.DROPSHIP_TRACKING_SECRET = keptSecret('DROPSHIP_TRACKING_SECRET', '.tracking-secret');
// The key the demo's portal supplier signs its sign-in links with (its credential names this variable).
process.env.DROPSHIP_PORTAL_LINK_KEY = keptSecret('DROPSHIP_PORTAL_LINK_KEY', '.portal-link-key');
// Where the customer's e-mails link to the tracking page.
process.env.DROPSHIP_PUBLIC_URL = process.env.DROPSHIP_PUBLIC_URL || `http://127.0.0.1:${port}`;

// The sandbox Shopify shop (flows/demo.json, tab "Sandbox shop"): its Admin API answers here, to this app's
// client id and secret; its variants, quantities and prices are kept in the user directory across restarts.
process.env.DROPSHIP_SANDBOX_SHOPIFY_URL = `http://127.0.0.1:${port}/sandbox/shopify`;
process.env.DROPSHIP_SANDBOX_SHOPIFY_SECRET = keptSecret(
  'DROPSHIP_SANDBOX_SHOPIFY_SECRET',
  '.sandbox-shopify-secret',
);
const sandboxShopify = require('./demo/sandbox-shopify').createSandboxShop({
  stateFile: path.join(userDir, 'sandbox-shopify.json'),
  clientId: SANDBOX_SHOPIFY_CLIENT_ID,
  clientSecret: process.env.DROPSHIP_SANDBOX_SHOPIFY_SECRET,
});

const mailDir = path.join(userDir, 'sandbox-mail');
// The demo's EDI supplier exchanges X12 files with the sandbox trading partner in this folder.
process.env.DROPSHIP_SANDBOX_EDI_DIR = path.join(userDir, 'sandbox-edi');
if (process.env.DROPSHIP_DEMO_EDI !== 'off') {
  require('./demo/sandbox-edi-partner').startSandboxEdiPartner({ dir: process.env.DROPSHIP_SANDBOX_EDI_DIR });
}
if (process.env.DROPSHIP_DEMO_SMTP_PORT !== 'off') {
  require('./demo/sandbox-mailbox')
    .startSandboxMailbox({ port: Number(process.env.DROPSHIP_DEMO_SMTP_PORT), dir: mailDir })
    .then(
      () =>
        console.log(
          `[dropship] sandbox mailbox: smtp://127.0.0.1:${process.env.DROPSHIP_DEMO_SMTP_PORT}, read at http://${host}:${port}/sandbox/mail/`,
        ),
      (err) => console.error(`[dropship] sandbox mailbox not started: ${err.message}`),
    );
}

// The demo's dashboard needs @flowfuse/node-red-dashboard (a devDependency); without it the rest still runs.
const runFlowFile = require('./demo/optional-dashboard').flowFileForInstalledDashboard(flowFile, userDir);
const credentialSecret = keptSecret('DROPSHIP_CREDENTIAL_SECRET', '.credential-secret');
seedDemoCredentials(runFlowFile, credentialSecret);

module.exports = {
  uiHost: host,
  uiPort: port,
  userDir,
  flowFile: runFlowFile,
  flowFilePretty: true,
  credentialSecret,
  // The sandbox supplier keeps its orders and its ship and delivery times here (the "sandbox" store, a file in the
  // user directory written as soon as they change), so a restart neither forgets a PO nor leaves it unshipped.
  contextStorage: {
    default: { module: 'memory' },
    sandbox: { module: 'localfilesystem', config: { flushInterval: 0 } },
  },
  adminAuth,
  // The sandbox supplier's function nodes sign their tracking reports with crypto; the sandbox shop's answers
  // come from sandboxShopify.
  functionGlobalContext: { crypto, sandboxShopify },
  httpAdminMiddleware: adminRequests,
  // The demo's own HTTP-in routes are the sandbox supplier's, called by the dispatch node on this machine.
  httpNodeMiddleware: (req, res, next) =>
    /^\/sandbox\//i.test(req.path) ? onlyThisMachine(req, res, next) : next(),
  // FlowFuse Dashboard: the same login for the page and for its socket (which bypasses Express).
  dashboard: { middleware: operatorPage, ioMiddleware: operatorSocketGate(operatorLogin) },
  dropshipNotifyLeaseSeconds: Number(process.env.DROPSHIP_NOTIFY_LEASE_SECONDS) || undefined,
  dropshipRefundLeaseSeconds: Number(process.env.DROPSHIP_REFUND_LEASE_SECONDS) || undefined,
  httpStatic: [{ path: mailDir, root: '/sandbox/mail/', middleware: operatorPage }],
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  editorTheme: { projects: { enabled: false }, tours: false },
  functionExternalModules: false,
  logging: { console: { level: process.env.DROPSHIP_LOG_LEVEL || 'info', metrics: false, audit: false } },
};
