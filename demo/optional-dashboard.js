'use strict';
const fs = require('node:fs');
const path = require('node:path');

/**
 * The flow file `npm start` should load. @flowfuse/node-red-dashboard is a devDependency: when it is not
 * installed, Node-RED would wait for its ui-* types and start no flow at all, so a copy of the flows without the
 * ui-* nodes (and without wires to them) is written to the user directory and loaded instead.
 */
function flowFileForInstalledDashboard(flowFile, userDir, resolve = require.resolve) {
  try {
    resolve('@flowfuse/node-red-dashboard/package.json');
    return flowFile;
  } catch {
    // not installed: fall through
  }
  if (!fs.existsSync(flowFile)) return flowFile;
  const nodes = JSON.parse(fs.readFileSync(flowFile, 'utf8'));
  const dashboard = new Set(nodes.filter((n) => String(n.type).startsWith('ui-')).map((n) => n.id));
  if (dashboard.size === 0) return flowFile;
  const kept = nodes
    .filter((n) => !dashboard.has(n.id))
    .map((n) =>
      Array.isArray(n.wires)
        ? { ...n, wires: n.wires.map((port) => port.filter((to) => !dashboard.has(to))) }
        : n,
    );
  const copy = path.join(userDir, 'flows-without-dashboard.json');
  fs.writeFileSync(copy, JSON.stringify(kept, null, 4) + '\n');
  console.log(
    `[dropship] @flowfuse/node-red-dashboard is not installed: the dashboard is left out (${dashboard.size} nodes); ` +
      '`npm install` in the checkout adds it',
  );
  return copy;
}

module.exports = { flowFileForInstalledDashboard };
