#!/usr/bin/env bash
# Long captures: a day and a week of packet time must cost what their packets cost, in flat memory.
# Generates (once, seeded) DAY_PACKETS packets spread over 24 hours and WEEK_PACKETS over 7 days (the
# bench generator's mixed traffic, only a file: no traffic is sent), then prints wall time, packets/s and
# peak RSS (GNU time) for the native probe with the default SQLite store, with --store none and (when
# influxd is installed) with a real InfluxDB on loopback for the day, and for
# the site (Release build, its in-process probe) replaying the day with the spike watcher and alert
# evaluator on, until its probe has stopped and the store holds the day's last interval.
#
#   bench/long-capture.sh
#   DAY_PACKETS=200000 WEEK_PACKETS=1000000 SKIP_SITE=1 SKIP_INFLUX=1 bench/long-capture.sh
#
# Targets (issue 13): day < 5 s and < 512 MiB with the default store; week < 30 s and < 512 MiB;
# the site replaying the day < 1 GiB; six hours of 1-second intervals (HOURS_PACKETS) < 60 s and < 512 MiB.
# Exit code 1 when a target is missed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
DAY_PACKETS=${DAY_PACKETS:-200000}
WEEK_PACKETS=${WEEK_PACKETS:-1000000}
SEED=${SEED:-1}
PORT=${PORT:-5391}
out=$here/bench/out/long
mkdir -p "$out"

scripts/ensure-deps.sh bench

echo "long-capture: publishing the probe (native), building the generator and the site (Release)" >&2
probe=$(bench/publish-probe.sh)
dotnet build bench/Generator -c Release -v q -nologo >/dev/null
generator=$here/bench/Generator/bin/Release/net10.0/monitor-bench-generator

capture() { # name packets seconds
  local file=$out/$1-$2-seed$SEED.pcap
  if [ ! -s "$file" ]; then
    "$generator" --packets "$2" --duration "$3" --start 2026-01-15T00:00:05Z --seed "$SEED" --out "$file" >&2
  fi
  echo "$file"
}
day=$(capture day "$DAY_PACKETS" 86400)
week=$(capture week "$WEEK_PACKETS" 604800)
# Six hours at 1-second intervals: 21,600 intervals, six hourly summaries of 3,600 intervals each.
HOURS_PACKETS=${HOURS_PACKETS:-432000}
hours=$(capture hours "$HOURS_PACKETS" 21600)

status=0
results=$out/results.txt
: > "$results"
# name file packets wall-limit-s rss-limit-mib probe-args...
run_probe() {
  local name=$1 file=$2 packets=$3 wall_limit=$4 rss_limit=$5; shift 5
  local work; work=$(mktemp -d "$out/run-XXXXXX")
  (cd "$work" && /usr/bin/time -f "%e %M" -o "$work/time" "$probe" --read "$file" --json /dev/null "$@" 2> "$work/stderr") || {
    echo "long-capture: $name failed:" >&2; cat "$work/stderr" >&2; status=1; }
  read -r wall rss_kib < "$work/time"
  python3 - "$name" "$packets" "$wall" "$rss_kib" "$wall_limit" "$rss_limit" >> "$results" <<'PY'
import sys
name, packets, wall, rss, wall_limit, rss_limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]) / 1024, float(sys.argv[5]), float(sys.argv[6])
ok = wall < wall_limit and rss < rss_limit
print(f"{name:<34} {wall:8.2f} s {packets / wall:12,.0f} packets/s {rss:8.0f} MiB   target < {wall_limit:g} s, < {rss_limit:g} MiB: {'met' if ok else 'MISSED'}")
PY
  tail -n 1 "$results" >&2
  grep -q MISSED <(tail -n 1 "$results") && status=1
  rm -rf "$work"
}

run_probe "probe, day, default store"   "$day"  "$DAY_PACKETS"  5  512
run_probe "probe, day, --store none"    "$day"  "$DAY_PACKETS"  5  512 --store none
run_probe "probe, week, default store"  "$week" "$WEEK_PACKETS" 30 512
run_probe "probe, week, --store none"   "$week" "$WEEK_PACKETS" 30 512 --store none
run_probe "probe, 6 h, 1 s intervals"   "$hours" "$HOURS_PACKETS" 60 512 --interval 1

if [ -z "${SKIP_INFLUX:-}" ] && command -v influxd > /dev/null; then
  # A real influxd on loopback, its own folder and ports, for the day with the InfluxDB store.
  idir=$(mktemp -d "$out/influx-XXXXXX")
  read -r http rpc < <(python3 -c 'import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s); 
print(*[s.getsockname()[1] for s in ports])')
  cat > "$idir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc"
[meta]
  dir = "$idir/meta"
  logging-enabled = false
[data]
  dir = "$idir/data"
  wal-dir = "$idir/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$http"
  log-enabled = false
[continuous_queries]
  enabled = false
CONF
  influxd -config "$idir/influxdb.conf" > "$idir/log" 2>&1 &
  influx_pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$http/ping" && break; sleep 0.1; done
  run_probe "probe, day, InfluxDB store" "$day" "$DAY_PACKETS" 5 512 --store "influx://127.0.0.1:$http/monitor"
  kill "$influx_pid"; wait "$influx_pid" 2>/dev/null || true
  rm -rf "$idir"
fi

if [ -z "${SKIP_SITE:-}" ]; then
  dotnet build src/Web -c Release -v q -nologo >/dev/null
  site=$here/src/Web/bin/Release/net10.0/monitor-web
  work=$(mktemp -d "$out/site-XXXXXX")
  start=$(date +%s.%N)
  (cd "$work" && exec "$site" --urls "http://127.0.0.1:$PORT" --Probe:Read:0="$day" --Probe:Store="sqlite:$work/monitor.db" \
      --Spool:Directory="$work/spool" > "$work/log" 2>&1) &
  pid=$!
  # Waits for the in-process probe to stop and the store to hold as many packets as the capture.
  python3 - "$PORT" "$DAY_PACKETS" <<'PY' || status=1
import json, sys, time, urllib.request
port, packets = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 600
while time.time() < deadline:
    try:
        body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/probes", timeout=5))
        live = body.get("live") or {}
        if str(live.get("state", "")).lower() in ("stopped", "failed") and live.get("packets") == packets:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.2)
sys.exit("long-capture: the site did not finish replaying the day in 10 minutes")
PY
  wall=$(python3 -c "import time; print(f'{time.time() - $start:.2f}')")
  rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$(pgrep -P $pid -f monitor-web || echo $pid)/status" 2>/dev/null || echo 0)
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  python3 - "$DAY_PACKETS" "$wall" "$rss_kib" >> "$results" <<'PY'
import sys
packets, wall, rss = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]) / 1024
ok = rss < 1024
print(f"{'site replaying the day':<34} {wall:8.2f} s {packets / wall:12,.0f} packets/s {rss:8.0f} MiB   target < 1024 MiB: {'met' if ok else 'MISSED'}")
PY
  tail -n 1 "$results" >&2
  grep -q MISSED <(tail -n 1 "$results") && status=1
  rm -rf "$work"
fi

echo
echo "long-capture: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
cat "$results"
exit "$status"
