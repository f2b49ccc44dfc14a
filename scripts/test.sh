#!/usr/bin/env bash
# Runs every test: installs what the tests need when missing, then the whole solution's tests.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/ensure-deps.sh" test
cd "$here"
"$here/scripts/check-shipping.sh"
log=$(mktemp /tmp/monitor-tests-XXXXXX.log)
status=0
# A test that hangs (the probe once deadlocked on a sparse capture) is stopped, with a dump, long before CI's limit.
dotnet test Monitor.sln -c Release --logger "console;verbosity=normal" --blame-hang-timeout 15m "$@" 2>&1 | tee "$log" || status=$?
# CI shows only the end of a long output: repeat each failed test with its message there.
if [ "$status" -ne 0 ]; then
    echo
    echo "=== failed tests (full output in $log) ==="
    awk '/^  Failed [A-Z]/ { show = 1 } /^  (Passed|Skipped) / { show = 0 } show' "$log" | grep -v "^ *console \(error\|warning\):" | head -n 200
fi
exit "$status"
