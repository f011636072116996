'use strict';
// Node-RED loads a node's editor (.html), message catalogues and help (locales/) and icons (icons/) from the
// folder of its runtime .js file, so the build copies them next to the compiled JavaScript in dist/nodes/.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'nodes');
const target = path.join(root, 'dist', 'nodes');

function copyTree(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(src, dst);
    else fs.copyFileSync(src, dst);
  }
}

let copied = 0;
for (const node of fs.readdirSync(source, { withFileTypes: true })) {
  if (!node.isDirectory()) continue;
  const dir = path.join(source, node.name);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const src = path.join(dir, entry.name);
    const dst = path.join(target, node.name, entry.name);
    if (entry.isDirectory() && (entry.name === 'locales' || entry.name === 'icons')) {
      copyTree(src, dst);
      copied++;
    } else if (entry.isFile() && entry.name.endsWith('.html')) {
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(src, dst);
      copied++;
    }
  }
}
console.log(`copied ${copied} node asset entries into dist/nodes`);
