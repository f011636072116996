'use strict';
/**
 * Preloaded (NODE_OPTIONS=--require) by scripts/with-node-red-5.sh: `node-red` and `better-sqlite3` resolve from
 * DROPSHIP_NODE22_MODULES (Node-RED 5, and better-sqlite3 compiled for Node 22's ABI) instead of the checkout's
 * node_modules (Node-RED 4, better-sqlite3 for Node 20). Everything else resolves as usual, so the package runs
 * with its own dependencies exactly as a user's install would. Child processes inherit NODE_OPTIONS.
 */
const Module = require('node:module');
const path = require('node:path');

const modulesDir = process.env.DROPSHIP_NODE22_MODULES;
if (!modulesDir)
  throw new Error('DROPSHIP_NODE22_MODULES is not set (run through scripts/with-node-red-5.sh)');
const REDIRECTED = new Set(['node-red', 'better-sqlite3']);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  if (REDIRECTED.has(request.split('/')[0])) {
    return resolveFilename.call(this, path.join(modulesDir, request), parent, isMain, options);
  }
  return resolveFilename.call(this, request, parent, isMain, options);
};
