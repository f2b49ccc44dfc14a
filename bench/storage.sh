#!/usr/bin/env bash
# Storage benchmark: write throughput of both stores and the times of the site's queries (one-day, one-month and
# one-year series; a one-day top-N summary) on generated data from one probe (30-second intervals ending now,
# every catalog metric, five top-10 reports; 1-second points for the last two days).
#
#   bench/storage.sh                      # SQLite with 30 days, InfluxDB with 2 days
#   SQLITE_DAYS=30 INFLUX_DAYS=30 bench/storage.sh
#   STORES=sqlite bench/storage.sh
#
# InfluxDB runs as a private influxd on 127.0.0.1 (free ports, temp folder), stopped at the end.
# Results also go to bench/out/storage-<time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
SQLITE_DAYS=${SQLITE_DAYS:-30}
INFLUX_DAYS=${INFLUX_DAYS:-2}
STORES=${STORES:-"sqlite influx"}
out=$here/bench/out
mkdir -p "$out"
report=$out/storage-$(date -u +%Y%m%dT%H%M%SZ).txt
work=$(mktemp -d /tmp/monitor-bench-storage.XXXXXX)
influx_pid=
cleanup() {
  if [ -n "$influx_pid" ]; then kill "$influx_pid" 2>/dev/null || true; wait "$influx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "storage: building (Release)" >&2
dotnet build bench/StorageBench -c Release -v q -nologo >/dev/null
bench=$here/bench/StorageBench/bin/Release/net10.0/monitor-bench-storage

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

{
  echo "# storage benchmark $(date -u +%FT%TZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  for store in $STORES; do
    case $store in
      sqlite)
        echo "## SQLite (default options), $SQLITE_DAYS days"
        "$bench" "sqlite:$work/monitor.db" "$SQLITE_DAYS" "$work/monitor.db"
        ;;
      influx)
        if ! command -v influxd >/dev/null 2>&1; then echo "## InfluxDB: influxd missing (scripts/ensure-deps.sh bench)"; continue; fi
        http=$(free_port); rpc=$(free_port)
        mkdir -p "$work/influx"
        cat > "$work/influx/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$rpc"
[meta]
  dir = "$work/influx/meta"
[data]
  dir = "$work/influx/data"
  wal-dir = "$work/influx/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$http"
  log-enabled = false
[continuous_queries]
  enabled = false
CONF
        influxd -config "$work/influx/influxdb.conf" >"$work/influx/log" 2>&1 &
        influx_pid=$!
        for _ in $(seq 1 300); do
          curl -sf -o /dev/null "http://127.0.0.1:$http/ping" && break
          sleep 0.2
        done
        echo "## InfluxDB $(influxd version 2>/dev/null | head -1), $INFLUX_DAYS days"
        "$bench" "influx://127.0.0.1:$http/bench" "$INFLUX_DAYS"
        echo "influxd data folder: $(du -sb "$work/influx/data" "$work/influx/wal" | awk '{s+=$1} END {printf "%.1f MiB", s/1048576}')"
        kill "$influx_pid"; wait "$influx_pid" 2>/dev/null || true; influx_pid=
        ;;
    esac
  done
} | tee "$report"
echo "storage: results in $report" >&2
