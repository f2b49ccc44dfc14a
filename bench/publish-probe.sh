#!/usr/bin/env bash
# Publishes monitor-probe as it ships (natively compiled, like the Dockerfile) into bench/out/probe and
# prints the executable's path. Its own artifacts folder keeps it apart from the solution's builds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=$here/bench/out
dotnet publish "$here/src/Probe" -c Release -r linux-x64 -p:PublishAot=true \
  --artifacts-path "$out/probe-build" -o "$out/probe" -v q -nologo >/dev/null
echo "$out/probe/monitor-probe"
