'use strict';
/**
 * Mocha options for the Node 22 + Node-RED 5 run in .ci/run: the project's .mocharc.json, on the test files whose
 * behaviour can differ between the two runtimes, those that load Node-RED (node-red-node-test-helper, a Node-RED
 * process) or the native SQLite store. Running all 1,000+ tests twice does not fit CI's 20 minutes on 2 cores; the
 * framework-free remainder runs on Node 20 only.
 */
const fs = require('node:fs');
const path = require('node:path');

const REPO = path.resolve(__dirname, '..');
const LOADS_NODE_RED_OR_SQLITE = /node-red-node-test-helper|startNodeRed|better-sqlite3|sqlite/;

function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(file);
    return entry.name.endsWith('.test.ts') ? [file] : [];
  });
}

const base = JSON.parse(fs.readFileSync(path.join(REPO, '.mocharc.json'), 'utf8'));
module.exports = {
  ...base,
  spec: testFiles(path.join(REPO, 'test'))
    .filter((file) => LOADS_NODE_RED_OR_SQLITE.test(fs.readFileSync(file, 'utf8')))
    .map((file) => path.relative(REPO, file))
    .sort(),
};
