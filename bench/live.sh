#!/usr/bin/env bash
# Live capture on loopback at rising fixed rates: in each step the probe (--interface lo) and tcpdump
# (-i lo -B 65536, 64 MiB like the probe's default buffer) capture the same UDP stream to 127.0.0.1,
# sent by bench/Sender for STEP_SECONDS (bounded in count and time); prints both drop counts side by side.
#
#   sudo bench/live.sh
#   RATES="100000 300000" STEP_SECONDS=2 bench/live.sh
#   RECORD=1 sudo bench/live.sh     # the probe also records every packet (--record, issue 18): adds
#                                   # rec_drop (record.dropped) and recorded (packets in the recording,
#                                   # read back with tcpdump) per step
#
# Root only (capturing on lo needs it). Traffic goes to 127.0.0.1 only. Results also go to
# bench/out/live-<time>.txt. On a shared machine the whole script runs in its own scheduler autogroup
# at nice -20 (PRIORITY=0 turns that off), so the sender and both captures share the cores fairly
# among themselves instead of with other sessions' builds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
RATES=${RATES:-"50000 100000 200000 400000 700000 1000000 1500000"}
STEP_SECONDS=${STEP_SECONDS:-2}
PRIORITY=${PRIORITY:-1}
RECORD=${RECORD:-0}
out=$here/bench/out
mkdir -p "$out"

if [ "$(id -u)" -ne 0 ]; then
  echo "live: capturing on lo needs root. Run: sudo $0" >&2
  exit 1
fi
if [ "$PRIORITY" = 1 ] && [ -z "${LIVE_BOOSTED:-}" ] && [ -w /proc/self/autogroup ]; then
  export LIVE_BOOSTED=1
  exec setsid -w sh -c 'echo -20 > /proc/self/autogroup && exec "$@"' live "$0" "$@"
fi
scripts/ensure-deps.sh bench

echo "live: publishing the probe (native) and building the sender (Release)" >&2
probe=$(bench/publish-probe.sh)
dotnet build bench/Sender -c Release -v q -nologo >/dev/null
sender=$here/bench/Sender/bin/Release/net10.0/monitor-bench-sender

port=$(python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
stamp=$(date -u +%Y%m%dT%H%M%SZ)
report=$out/live-$stamp.txt
log() { echo "$*" | tee -a "$report"; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Waits up to 20 s for a pattern in a log file (the capture is ready).
wait_for() {
  local file=$1 pattern=$2
  for _ in $(seq 1 200); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "live: gave up waiting for '$pattern' in $file:" >&2
  tail -5 "$file" >&2
  return 1
}

log "live: $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); UDP to 127.0.0.1:$port, $STEP_SECONDS s per step"
log "live: probe recording every packet: $([ "$RECORD" = 1 ] && echo yes || echo no)"
log "$(printf '%10s %10s %10s | %12s %10s | %12s %10s %10s %10s | %10s %10s' asked_pps sent sent_pps tcpdump_got tcpdump_drop probe_got probe_drop queue_full probe_miss rec_drop recorded)"
for rate in $RATES; do
  json=$out/live-probe-$stamp-$rate.json
  recording=()
  recdir=$out/live-record-$stamp-$rate
  [ "$RECORD" = 1 ] && recording=(--record "$recdir")
  # One-second intervals: every packet of the step is in an interval the probe has closed (on the wall
  # clock, a second after it ends) and written before it is stopped.
  "$probe" --interface lo --filter "udp port $port" --json "$json" --store none --probe-name live-bench --interval 1 \
    "${recording[@]}" >"$out/live-probe.log" 2>&1 &
  probe_pid=$!
  pids=("$probe_pid")
  tcpdump -i lo -B 65536 -n -w /dev/null "udp port $port" 2>"$out/live-tcpdump.log" &
  tcpdump_pid=$!
  pids+=("$tcpdump_pid")
  wait_for "$out/live-tcpdump.log" "listening on"
  # The probe is ready when it logs that it is counting, or (quiet logging) still alive after 3 s.
  for i in $(seq 1 100); do
    if ! kill -0 "$probe_pid" 2>/dev/null; then
      echo "live: the probe stopped:" >&2
      tail -5 "$out/live-probe.log" >&2
      exit 1
    fi
    grep -q "counting" "$out/live-probe.log" && break
    [ "$i" -ge 30 ] && break
    sleep 0.1
  done
  sleep 0.5

  sent_line=$("$sender" --port "$port" --rate "$rate" --seconds "$STEP_SECONDS")
  sleep 1
  # A trickle after the step moves the probe's clock on, so the step's last second closes even if the
  # capture source does not wake up without packets; its own last second may stay open (at most 20
  # packets, inside probe_miss).
  trickle_line=$("$sender" --port "$port" --rate 20 --seconds 2.5)
  sleep 1.5
  # SIGTERM, not SIGINT: background jobs of a script start with SIGINT ignored.
  kill -TERM "$tcpdump_pid" "$probe_pid"
  for _ in $(seq 1 100); do
    if ! kill -0 "$tcpdump_pid" 2>/dev/null && ! kill -0 "$probe_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  for p in "$tcpdump_pid" "$probe_pid"; do
    if kill -0 "$p" 2>/dev/null; then
      echo "live: process $p did not stop within 10 s of SIGTERM; killing it" >&2
      kill -KILL "$p" 2>/dev/null || true
    fi
  done
  wait "$tcpdump_pid" || true
  wait "$probe_pid" || true
  pids=()

  sent=$(($(echo "$sent_line" | sed -E 's/^sent ([0-9]+) packets.*/\1/') + $(echo "$trickle_line" | sed -E 's/^sent ([0-9]+) packets.*/\1/')))
  sent_pps=$(echo "$sent_line" | sed -E 's/.*\(([0-9]+) packets\/s.*/\1/')
  got=$(sed -nE 's/^([0-9]+) packets? captured.*/\1/p' "$out/live-tcpdump.log")
  drop=$(sed -nE 's/^([0-9]+) packets? dropped by kernel.*/\1/p' "$out/live-tcpdump.log")
  # The probe's JSON lines give counted packets, and drop and queue-full rates per interval.
  read -r probe_got probe_drop queue_full rec_drop < <(python3 - "$json" <<'EOF'
import json, sys
from datetime import datetime
got = drops = full = rec = 0.0
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    o = json.loads(line)
    seconds = (datetime.fromisoformat(o["end"].replace("Z", "+00:00")) - datetime.fromisoformat(o["start"].replace("Z", "+00:00"))).total_seconds()
    m = o.get("metrics", {})
    got += o["packets"]
    drops += m.get("drops", 0) * seconds + m.get("drops.interface", 0) * seconds
    full += m.get("queue.full", 0) * seconds
    rec += m.get("record.dropped", 0) * seconds
print(round(got), round(drops), round(full), round(rec))
EOF
)
  recorded=-
  if [ "$RECORD" = 1 ]; then
    ls "$recdir"/*.pcap > "$recdir.list"
    recorded=$(tcpdump -V "$recdir.list" -n -q "udp port $port" 2>/dev/null | wc -l)
    rm -f "$recdir.list"
    rm -rf "$recdir"
  else
    rec_drop=-
  fi
  log "$(printf '%10s %10s %10s | %12s %10s | %12s %10s %10s %10s | %10s %10s' "$rate" "$sent" "$sent_pps" "${got:-?}" "${drop:-?}" \
    "$probe_got" "$probe_drop" "$queue_full" "$((sent - probe_got))" "$rec_drop" "$recorded")"
done
log "live: sent includes a 50-packet trickle after each step; probe_miss = sent - counted by the probe (kernel drops,"
log "live: queue-full batches, packets of intervals not closed when it was stopped; up to 20 of the trickle's last second);"
log "live: tcpdump_drop and probe_drop are libpcap's kernel drop counters. Results in $report"
