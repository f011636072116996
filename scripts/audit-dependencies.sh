#!/usr/bin/env bash
# `npm audit` at high severity, as issue 7 asks. What users install (dependencies and optionalDependencies) must
# be clean: an advisory there fails. The development tree (Node-RED, the test tools) is audited and reported but
# does not fail, since its advisories do not reach users and are fixed upstream. Where the registry has no audit
# endpoint (this project's development mirror answers 405) or cannot be reached, the script says so and passes:
# nothing was checked, and the log shows it.
set -uo pipefail

audit() {
  local output status
  output=$(npm audit --audit-level=high "$@" 2>&1)
  status=$?
  if grep -qE 'audit endpoint returned an error|E405|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT' <<<"$output"; then
    echo "npm audit ${*:-(whole tree)}: the registry's advisory database could not be reached; not checked."
    grep -E 'npm (warn|error) audit' <<<"$output" | head -3
    return 0
  fi
  echo "$output"
  return "$status"
}

echo "== what users install (npm audit --omit=dev)"
audit --omit=dev || { echo "npm audit: high or critical advisories in what users install"; exit 1; }
echo "== the development tree (reported, not failing)"
audit || echo "npm audit: advisories in the development tree (see above); they do not reach users"
exit 0
