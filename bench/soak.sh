#!/usr/bin/env bash
# Soak: the native probe captures live on lo for MINUTES (default 12) with 1-second intervals (so it
# closes hundreds of intervals) and the default SQLite store, while bench/Sender sends a bounded UDP
# stream to 127.0.0.1 (RATE packets/s, in 60 s runs). Resident memory is sampled every SAMPLE seconds;
# after WARMUP seconds it must stay within 10 % of its median. Prints the samples' first, median, last,
# min and max after the warm-up, and the probe's own counts.
# RSS includes libpcap's capture ring (--buffer-size, 64 MiB by default), mapped into the process: its
# pages become resident as the kernel first writes them, so RSS climbs by up to the ring's size until
# the ring has gone round once (at 5,000 small packets/s that took ~9 minutes), then stays. The rate is
# chosen so the ring fills during the warm-up; the process's own memory (RssAnon, heap and SQLite) is
# printed and checked apart.
#
#   sudo bench/soak.sh
#   MINUTES=30 RATE=20000 sudo bench/soak.sh
#   PROBE_ARGS="--session-store none" sudo bench/soak.sh   # extra probe options
#
# Root only (capturing on lo needs it). Traffic goes to 127.0.0.1 only. Exit code 1 when memory is not flat.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
MINUTES=${MINUTES:-12}
RATE=${RATE:-20000}
SAMPLE=${SAMPLE:-5}
WARMUP=${WARMUP:-120}
out=$here/bench/out/soak
mkdir -p "$out"
if [ "$(id -u)" -ne 0 ]; then
  echo "soak: capturing on lo needs root. Run: sudo $0" >&2
  exit 1
fi
scripts/ensure-deps.sh bench
echo "soak: publishing the probe (native) and building the sender (Release)" >&2
probe=$(bench/publish-probe.sh)
dotnet build bench/Sender -c Release -v q -nologo >/dev/null
sender=$here/bench/Sender/bin/Release/net10.0/monitor-bench-sender

work=$(mktemp -d "$out/run-XXXXXX")
port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

(cd "$work" && exec "$probe" --interface lo --filter "udp port $port" --interval 1 ${PROBE_ARGS:-} --store "sqlite:$work/monitor.db" \
    --json "$work/intervals.jsonl" > "$work/stdout" 2> "$work/stderr") &
probe_pid=$!
pids+=("$probe_pid")
sleep 2
seconds=$((MINUTES * 60))
# The sender runs at most 60 s per call: a bounded loop of calls covers the soak.
(
  left=$seconds
  while [ "$left" -gt 0 ]; do
    step=$(( left < 60 ? left : 60 ))
    "$sender" --port "$port" --rate "$RATE" --seconds "$step" > /dev/null
    left=$((left - step))
  done
) &
pids+=("$!")

samples=$work/rss.txt
: > "$samples"
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$seconds" ]; do
  kill -0 "$probe_pid" 2>/dev/null || { echo "soak: the probe exited:" >&2; cat "$work/stderr" >&2; exit 1; }
  echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {r = $2} /RssAnon/ {a = $2} END {print r, a}' /proc/$probe_pid/status)" >> "$samples"
  sleep "$SAMPLE"
done
# SIGTERM: a background job of a script ignores SIGINT.
kill -TERM "$probe_pid"
wait "$probe_pid" || true

python3 - "$samples" "$WARMUP" "$work/intervals.jsonl" "$MINUTES" "$RATE" <<'PY'
import json, statistics, sys
samples, warmup, intervals, minutes, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
points = [tuple(map(int, line.split())) for line in open(samples) if len(line.split()) == 3]
closed = sum(1 for _ in open(intervals))
packets = sum(json.loads(line)["packets"] for line in open(intervals))
print(f"soak: {minutes} min live on lo at {rate} packets/s, 1 s intervals: {closed} intervals, {packets} packets counted")
status = 0
for column, label in ((1, "RSS"), (2, "RssAnon (heap, SQLite)")):
    warm = [p[column] / 1024 for p in points if p[0] < warmup]
    after = [p[column] / 1024 for p in points if p[0] >= warmup]
    if not after:
        sys.exit("soak: no samples after the warm-up")
    median = statistics.median(after)
    worst = max(abs(v - median) / median for v in after)
    print(f"soak: {label} during warm-up (first {warmup} s): {warm[0]:.1f} -> {warm[-1]:.1f} MiB; after ({len(after)} samples): "
          f"first {after[0]:.1f} MiB, median {median:.1f}, last {after[-1]:.1f}, min {min(after):.1f}, max {max(after):.1f}; "
          f"largest deviation from the median {100 * worst:.1f} %")
    if worst > 0.10:
        print(f"soak: {label} is not within 10 % of its level")
        status = 1
sys.exit(status)
PY
