'use strict';
/**
 * Node-RED settings for `npm start`: the demo pipeline on the embedded defaults (SQLite store, sandbox supplier,
 * sandbox mailbox), listening on loopback only. Environment variables:
 *   PORT (1880), HOST (127.0.0.1), DROPSHIP_USER_DIR (.node-red/), DROPSHIP_FLOW_FILE (flows/demo.json),
 *   DROPSHIP_CREDENTIAL_SECRET (generated and kept in the user directory when unset),
 *   DROPSHIP_SHOPIFY_SECRET (the demo storefront's webhook secret; "dropship-demo-secret" when unset),
 *   DROPSHIP_TRACKING_SECRET (the secret tracking reports to /dropship/tracking are signed with; random when unset),
 *   DROPSHIP_DEMO_SMTP_PORT (2525; "off" disables the sandbox mailbox),
 *   DROPSHIP_DEMO_EDI ("off" disables the sandbox EDI trading partner),
 *   DROPSHIP_ADMIN_USER and DROPSHIP_ADMIN_PASSWORD_HASH (bcrypt; required when HOST is not loopback),
 *   DROPSHIP_NOTIFY_LEASE_SECONDS (dropshipNotifyLeaseSeconds: how long a customer notice being sent stays claimed,
 *   so how long a crash mid-send delays it; 60 when unset).
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

function credentialSecret() {
  if (process.env.DROPSHIP_CREDENTIAL_SECRET) return process.env.DROPSHIP_CREDENTIAL_SECRET;
  const file = path.join(userDir, '.credential-secret');
  if (!fs.existsSync(file)) fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

// The demo storefront's webhook secret, documented in the README so a signed test order can be posted.
process.env.DROPSHIP_SHOPIFY_SECRET = process.env.DROPSHIP_SHOPIFY_SECRET || 'dropship-demo-secret';
process.env.DROPSHIP_DEMO_SMTP_PORT = process.env.DROPSHIP_DEMO_SMTP_PORT || '2525';
process.env.PORT = String(port);
// Node-RED substitutes whole-value ${VAR} properties only, so the demo's URLs are composed here.
process.env.DROPSHIP_SANDBOX_SUPPLIER_URL = `http://127.0.0.1:${port}/sandbox/supplier/orders`;
process.env.DROPSHIP_TRACKING_URL = `http://127.0.0.1:${port}/dropship/tracking`;
// The secret the sandbox supplier signs its tracking reports with (flows/demo.json): new on every start unless set.
process.env.DROPSHIP_TRACKING_SECRET =
  process.env.DROPSHIP_TRACKING_SECRET || crypto.randomBytes(32).toString('base64url');

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

module.exports = {
  uiHost: host,
  uiPort: port,
  userDir,
  // The demo's dashboard needs @flowfuse/node-red-dashboard (a devDependency); without it the rest still runs.
  flowFile: require('./demo/optional-dashboard').flowFileForInstalledDashboard(
    path.resolve(process.env.DROPSHIP_FLOW_FILE || path.join(__dirname, 'flows', 'demo.json')),
    userDir,
  ),
  flowFilePretty: true,
  credentialSecret: credentialSecret(),
  adminAuth,
  // The sandbox supplier's function nodes sign their tracking reports with it.
  functionGlobalContext: { crypto },
  dropshipNotifyLeaseSeconds: Number(process.env.DROPSHIP_NOTIFY_LEASE_SECONDS) || undefined,
  httpStatic: [{ path: mailDir, root: '/sandbox/mail/' }],
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  editorTheme: { projects: { enabled: false }, tours: false },
  functionExternalModules: false,
  logging: { console: { level: process.env.DROPSHIP_LOG_LEVEL || 'info', metrics: false, audit: false } },
};
