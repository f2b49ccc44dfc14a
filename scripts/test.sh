#!/usr/bin/env bash
# Runs every test: installs what the tests need when missing, then the whole solution's tests.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/ensure-deps.sh" test
cd "$here"
"$here/scripts/check-shipping.sh"
dotnet test Monitor.sln -c Release --logger "console;verbosity=normal" "$@"
