#!/usr/bin/env bash
# Load test (issue 9): the real site (monitor-web, Release) on 127.0.0.1 and a free port, its in-process
# probe capturing on lo while bench/Load replays a generated capture onto lo (addresses mapped into
# 127.128.0.0/9, paced, looped, for the whole run); for SECONDS (default 60): SESSIONS (100) dashboard
# sessions, each loading / and its static files and keeping a real Blazor Server circuit open (render
# batches acknowledged, chart JS interop answered), plus API_RATE (50) API requests/s over series,
# top-N and events. Prints requests, errors, latency p50/p95/p99/max per kind, the site's peak RSS and
# GC heap, CPU used, and whether the probe dropped anything. Exit 0 only with no error and no drop.
#
#   sudo bench/load.sh
#   SECONDS_RUN=20 SESSIONS=20 bench/load.sh
#
# Root only (capturing on and replaying onto lo needs it). Traffic stays on loopback. Results also go
# to bench/out/load-<time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
SECONDS_RUN=${SECONDS_RUN:-60}
SESSIONS=${SESSIONS:-100}
API_RATE=${API_RATE:-50}
PPS=${PPS:-5000}
PACKETS=${PACKETS:-100000}
out=$here/bench/out
mkdir -p "$out"

if [ "$(id -u)" -ne 0 ]; then
  echo "load: capturing on lo needs root. Run: sudo $0" >&2
  exit 1
fi
scripts/ensure-deps.sh bench

echo "load: building the site, the load generator and the capture generator (Release)" >&2
dotnet build src/Web -c Release -v q -nologo >/dev/null
dotnet build bench/Load -c Release -v q -nologo >/dev/null
dotnet build bench/Generator -c Release -v q -nologo >/dev/null
web=$here/src/Web/bin/Release/net10.0/monitor-web
load=$here/bench/Load/bin/Release/net10.0/monitor-bench-load
generator=$here/bench/Generator/bin/Release/net10.0/monitor-bench-generator

work=$(mktemp -d /tmp/monitor-load-XXXXXX)
site_pid=
cleanup() {
  if [ -n "$site_pid" ] && kill -0 "$site_pid" 2>/dev/null; then
    kill -TERM "$site_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$site_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$site_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$generator" --packets "$PACKETS" --snaplen 1600 --seed 9 --out "$work/load.pcap" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stamp=$(date -u +%Y%m%dT%H%M%SZ)
report=$out/load-$stamp.txt

# The site runs in the scratch folder (its store and spool live there), captures only the replayed
# frames (TTL 123), and logs warnings and errors only, to its own file.
(cd "$work" && exec "$web" --urls "http://127.0.0.1:$port" \
  --Probe:Interface=lo --Probe:Filter="ip[8] = 123" --Probe:Name=load --Probe:Interval=30 \
  --Probe:Store="sqlite:$work/monitor.db" --Logging:LogLevel:Default=Warning >"$work/site.log" 2>&1) &
site_pid=$!
for i in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  if ! kill -0 "$site_pid" 2>/dev/null || [ "$i" -eq 300 ]; then
    echo "load: the site did not come up:" >&2
    tail -20 "$work/site.log" >&2
    exit 1
  fi
  sleep 0.1
done
# The probe is capturing once /api/probes says so.
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/api/probes" | grep -q '"state":"running"' && break
  sleep 0.1
done

{
  echo "load: $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  status=0
  "$load" --site "http://127.0.0.1:$port" --pid "$site_pid" --capture "$work/load.pcap" \
    --seconds "$SECONDS_RUN" --sessions "$SESSIONS" --api-rate "$API_RATE" --pps "$PPS" --interval 30 || status=$?
  failures=$(grep -c -E '^(fail|crit):' "$work/site.log" || true)
  warnings=$(grep -c -E '^warn:' "$work/site.log" || true)
  echo "site log: $failures error lines, $warnings warnings"
  grep -A2 -E '^(fail|crit|warn):' "$work/site.log" | head -30 || true
  exit "$status"
} 2>&1 | tee "$report"
exit "${PIPESTATUS[0]}"
