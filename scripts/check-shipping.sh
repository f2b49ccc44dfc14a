#!/usr/bin/env bash
# Checks the shipping files with what runs here (no Docker engine): the Dockerfile with
# dockerfile-utils' linter, the systemd unit with systemd-analyze.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ -x node_modules/.bin/dockerfile-utils ] || npm ci --no-audit --no-fund --silent
node_modules/.bin/dockerfile-utils lint Dockerfile
echo "check-shipping: Dockerfile lint clean"
if command -v systemd-analyze >/dev/null 2>&1; then
  # The unit names /opt/monitor/monitor-web, which exists only once installed: ignore just that finding.
  out=$(systemd-analyze verify deploy/monitor.service 2>&1 | grep -v 'monitor-web is not executable' || true)
  if [ -n "$out" ]; then echo "$out" >&2; exit 1; fi
  echo "check-shipping: systemd unit verifies"
fi
