#!/usr/bin/env bash
# Storage benchmark: write throughput of both stores and the times of the site's queries (one-day, one-month and
# one-year series; a one-day top-N summary) on generated data from one probe (30-second intervals ending now,
# every catalog metric, five top-10 reports; 1-second points for the last two days).
#
#   nice -n 19 bench/storage.sh           # both stores with 30 days (a few minutes each)
#   SQLITE_DAYS=7 INFLUX_DAYS=2 bench/storage.sh
#   STORES=sqlite BATCH=100 bench/storage.sh   # BATCH: intervals per bulk write (default 500)
#
# InfluxDB runs as a private influxd on 127.0.0.1 (free ports, temp folder), stopped at the end.
# Results also go to bench/out/storage-<time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
SQLITE_DAYS=${SQLITE_DAYS:-30}
INFLUX_DAYS=${INFLUX_DAYS:-30}
BATCH=${BATCH:-500}
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

# influxd and sqlite3 (for the bytes-per-table breakdown) come from Debian when missing.
scripts/ensure-deps.sh bench
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
        "$bench" "sqlite:$work/monitor.db" "$SQLITE_DAYS" "$work/monitor.db" "$BATCH"
        if command -v sqlite3 >/dev/null 2>&1; then
          # Bytes per table (dbstat; the points table split by row count per level) over the days each one holds.
          echo "sqlite bytes by what they keep (dbstat), per day of data held:"
          sqlite3 "$work/monitor.db" <<'SQL'
.mode list
.separator ' '
WITH size(name, bytes) AS (
  SELECT CASE WHEN name LIKE 'sqlite_autoindex_%' THEN substr(name, 18, instr(substr(name, 18), '_') - 1) ELSE name END, sum(pgsize)
  FROM dbstat GROUP BY 1),
span(name, days) AS (
  SELECT 'seconds', (max(time) - min(time) + 1) / 86400.0 FROM seconds
  UNION ALL SELECT 'intervals', (max(start) - min(start) + 30000) / 86400000.0 FROM intervals
  UNION ALL SELECT 'reports', (max(start) - min(start) + 30000) / 86400000.0 FROM reports
  UNION ALL SELECT 'summaries', (max(start) - min(start) + 3600000) / 86400000.0 FROM summaries WHERE period = 3600),
tier(tier, label, rows, days) AS (
  SELECT tier, CASE tier WHEN 1 THEN 'interval points' WHEN 2 THEN '5-minute points' ELSE '1-hour points' END, count(*),
         (max(time) - min(time) + 30) / 86400.0 FROM points GROUP BY tier)
SELECT printf('  %-16s %8.1f MiB over %5.2f days = %6.2f MiB/day', s.name, s.bytes / 1048576.0, p.days, s.bytes / p.days / 1048576.0)
  FROM size s JOIN span p USING (name)
UNION ALL
SELECT printf('  %-16s %8.1f MiB over %5.2f days = %6.2f MiB/day', t.label,
              (SELECT bytes FROM size WHERE name = 'points') * t.rows / (SELECT count(*) FROM points) / 1048576.0, t.days,
              (SELECT bytes FROM size WHERE name = 'points') * t.rows / (SELECT count(*) FROM points) / t.days / 1048576.0)
  FROM tier t;
SELECT printf('  free pages %.1f MiB of %.1f MiB', (SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size) / 1048576.0,
              (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size) / 1048576.0);
SQL
        fi
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
        "$bench" "influx://127.0.0.1:$http/bench" "$INFLUX_DAYS" "" "$BATCH"
        echo "influxd data folder: $(du -sb "$work/influx/data" "$work/influx/wal" | awk '{s+=$1} END {printf "%.1f MiB", s/1048576}')"
        kill "$influx_pid"; wait "$influx_pid" 2>/dev/null || true; influx_pid=
        ;;
    esac
  done
} | tee "$report"
echo "storage: results in $report" >&2
