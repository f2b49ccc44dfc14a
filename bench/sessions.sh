#!/usr/bin/env bash
# Session benchmark: the session store's ingest rate and query times on many records (DuckDB, and ClickHouse
# with a private clickhouse-server on loopback), then the native probe with sessions on against
# `tcpdump -r FILE -w /dev/null` on the benchmark capture, with its peak resident memory.
#
#   bench/sessions.sh                        # 20,000,000 records over 30 days, both stores, then the probe
#   RECORDS=2000000 STORES=duckdb bench/sessions.sh
#   PROBE=0 bench/sessions.sh                # stores only
#   STORES= bench/sessions.sh                # the probe only
#
# Targets (bench/PERFORMANCE.md): ingest >= 200,000 records/s; each query < 1 s; probe >= 0.7x tcpdump,
# peak RSS < 512 MiB. Results also go to bench/out/sessions-<time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
RECORDS=${RECORDS:-20000000}
DAYS=${DAYS:-30}
STORES=${STORES-"duckdb clickhouse"}
PROBE=${PROBE:-1}
PACKETS=${PACKETS:-5000000}
out=$here/bench/out
mkdir -p "$out"
report=$out/sessions-$(date -u +%Y%m%dT%H%M%SZ).txt
work=$(mktemp -d /tmp/monitor-bench-sessions.XXXXXX)
ch_pid=
cleanup() {
  if [ -n "$ch_pid" ]; then kill "$ch_pid" 2>/dev/null || true; wait "$ch_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "$*" | tee -a "$report"; }

scripts/ensure-deps.sh bench
dotnet build bench/SessionsBench -c Release -v q -nologo >/dev/null
bench=$here/bench/SessionsBench/bin/Release/net10.0/monitor-bench-sessions
log "sessions bench: $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $RECORDS records over $DAYS days"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
for store in $STORES; do
  case $store in
    duckdb)
      spec="duckdb:$work/sessions.duckdb" ;;
    clickhouse)
      http=$(free_port); tcp=$(free_port)
      mkdir -p "$work/ch"
      cat >"$work/ch/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <http_port>$http</http_port><tcp_port>$tcp</tcp_port><listen_host>127.0.0.1</listen_host>
  <path>$work/ch/data/</path><tmp_path>$work/ch/tmp/</tmp_path><format_schema_path>$work/ch/fs/</format_schema_path>
  <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size><timezone>UTC</timezone>
</yandex>
XML
      cat >"$work/ch/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
XML
      (cd "$work/ch" && exec /usr/sbin/clickhouse-server --config-file="$work/ch/config.xml" >"$work/ch/log" 2>&1) &
      ch_pid=$!
      for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$http/ping" >/dev/null && break; sleep 0.1; done
      spec="clickhouse://127.0.0.1:$http/bench" ;;
    *) echo "unknown store $store" >&2; exit 2 ;;
  esac
  log "--- $store"
  "$bench" "$spec" "$RECORDS" "$DAYS" | sed "s/^/$store /" | tee -a "$report"
  if [ "$store" = duckdb ]; then log "duckdb file_bytes $(du -b "$work/sessions.duckdb" | cut -f1) bytes"; fi
  if [ -n "$ch_pid" ]; then kill "$ch_pid"; wait "$ch_pid" 2>/dev/null || true; ch_pid=; fi
done

if [ "$PROBE" = 1 ]; then
  # The native probe as it ships against a bare libpcap read, alternated in one series (the host's speed drifts):
  # sessions off, sessions counted with no sink, into the default DuckDB store, and as JSON Lines. The issue's
  # figure is "sessions on": the DuckDB and JSON Lines runs are the ones held to 0.7x.
  probe=$(bench/publish-probe.sh)
  dotnet build bench/Generator -c Release -v q -nologo >/dev/null
  file=$out/synthetic-$PACKETS-seed1.pcap
  [ -s "$file" ] || bench/Generator/bin/Release/net10.0/monitor-bench-generator --packets "$PACKETS" --seed 1 --out "$file" >&2
  echo '{"Probe":{"SessionTable":{"Enabled":false}}}' >"$work/sessions-off.json"
  run() { /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err"; cat "$work/time"; }
  variants="off nosink duckdb jsonl"
  for i in 1 2 3; do
    read -r t_tcpdump _ < <(run tcpdump -r "$file" -w /dev/null)
    for v in $variants; do
      case $v in
        off) args=(--session-store none --config "$work/sessions-off.json") ;;
        nosink) args=(--session-store none) ;;
        duckdb) rm -f "$work/s.duckdb" "$work/s.duckdb.wal"; args=(--session-store "duckdb:$work/s.duckdb") ;;
        jsonl) args=(--session-store none --sessions "$work/s.jsonl") ;;
      esac
      read -r wall user sys rss < <(run "$probe" -r "$file" --store none "${args[@]}")
      log "probe run $i, sessions $v: tcpdump ${t_tcpdump}s; probe ${wall}s (CPU ${user}+${sys}s), peak RSS $((rss / 1024)) MiB; $(grep -o '[0-9]* session records, [0-9]* sessions evicted early' "$work/err" || true)"
      echo "$t_tcpdump $wall $rss" >>"$work/probe-$v"
    done
  done
  for v in $variants; do
    # The median run by its ratio to the tcpdump read of the same round.
    awk '{ print $1 / $2, $0 }' "$work/probe-$v" | sort -n | sed -n 2p |
      awk -v v="$v" '{ printf "probe median, sessions %-6s: %.2f s vs tcpdump %.2f s = %.2fx tcpdump, peak RSS %d MiB\n", v, $3, $2, $1, $4 / 1024 }' | tee -a "$report"
  done
fi
