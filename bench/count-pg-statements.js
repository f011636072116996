/**
 * Preloaded into a benchmarked Node-RED (NODE_OPTIONS=--require): counts the statements its PostgreSQL clients
 * send, each one round trip to the server (pool.query goes through Client#query too), and writes the count to
 * the file DROPSHIP_BENCH_STATEMENTS_FILE names four times a second, where the bench reads it.
 */
'use strict';
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const file = process.env.DROPSHIP_BENCH_STATEMENTS_FILE;
if (file) {
  // The pg the dropship nodes load: the package root's, as Node-RED resolves it from there.
  const { Client } = require(require.resolve('pg', { paths: [path.join(__dirname, '..')] }));
  let statements = 0;
  const query = Client.prototype.query;
  Client.prototype.query = function countedQuery(...args) {
    statements++;
    return query.apply(this, args);
  };
  const write = () => writeFileSync(file, String(statements));
  write();
  setInterval(write, 250).unref();
}
