#!/usr/bin/env bash
# Bounded memory under a spoofed SYN flood: generates (once, seeded) a capture of FLOOD_SOURCES distinct
# spoofed sources sending one SYN each plus 20 real attackers in 203.0.113.1-20 with known SYN counts
# (20000, 19500, ... 10500), all inside one 30 s interval. It is only a file: no traffic is sent.
# Then runs the probe on it with every report on, prints its peak resident memory (GNU time -v) and
# checks the top-N: the syn report's top 20 must be exactly the 20 attackers with their true SYN counts
# (or within the max_error the overflow report states), and the talkers' top must be the target.
#
#   bench/synflood-memory.sh                       # 10,000,000 sources, --top 20
#   FLOOD_SOURCES=1000000 bench/synflood-memory.sh
#   WORKERS=2 CAPACITY=65536 bench/synflood-memory.sh
#
# Exit code 0 when the top-N is right and the peak RSS is under LIMIT_MIB (default 512).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
FLOOD_SOURCES=${FLOOD_SOURCES:-10000000}
SEED=${SEED:-1}
TOP=${TOP:-20}
LIMIT_MIB=${LIMIT_MIB:-512}
out=$here/bench/out
mkdir -p "$out"

scripts/ensure-deps.sh bench

echo "synflood: publishing the probe (native) and building the generator (Release)" >&2
probe=$(bench/publish-probe.sh)
dotnet build bench/Generator -c Release -v q -nologo >/dev/null
generator=$here/bench/Generator/bin/Release/net10.0/monitor-bench-generator

file=$out/synflood-$FLOOD_SOURCES-seed$SEED.pcap
if [ ! -s "$file" ] || [ ! -s "$file.truth.json" ]; then
  echo "synflood: writing $file" >&2
  "$generator" --syn-flood --sources "$FLOOD_SOURCES" --seed "$SEED" --out "$file" >&2
fi

json=$out/synflood-$FLOOD_SOURCES.json
timing=$out/synflood-$FLOOD_SOURCES.time
extra=()
[ -n "${WORKERS:-}" ] && extra+=(--workers "$WORKERS")
capacity=${CAPACITY:-65536}
config=$out/synflood-config.json
echo "{\"Probe\": {\"TableCapacity\": $capacity}}" > "$config"
echo "synflood: running the probe (--top $TOP${WORKERS:+, --workers $WORKERS}, TableCapacity $capacity)" >&2
/usr/bin/time -v -o "$timing" "$probe" --config "$config" --read "$file" --json "$json" --store none --top "$TOP" "${extra[@]}" >&2

python3 - "$file.truth.json" "$json" "$timing" "$TOP" "$LIMIT_MIB" <<'PY'
import json, re, sys
truth_path, json_path, timing_path, top, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
truth = json.load(open(truth_path))
timing = open(timing_path).read()
rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", timing).group(1)
intervals = [json.loads(line) for line in open(json_path)]
packets = sum(i["packets"] for i in intervals)
overflow = [r for i in intervals for r in i["reports"].get("overflow", [])]
hosts_error = sum(r["max_error"] for r in overflow if r["table"] == "hosts")
syn = sorted((r for i in intervals for r in i["reports"]["syn"]), key=lambda r: -r["syn_sent"])[:top]
expected = sorted(((h["address"], h["syns"]) for h in truth["heavy_hitters"]), key=lambda h: -h[1])[:top]
problems = []
if packets != truth["packets"]:
    problems.append(f"probe counted {packets} packets, the file has {truth['packets']}")
got = {r["ip"]: r["syn_sent"] for r in syn}
for address, syns in expected:
    if address not in got:
        problems.append(f"attacker {address} ({syns} SYNs) missing from the syn top {top}")
    elif not (syns - hosts_error <= got[address] <= syns):
        problems.append(f"attacker {address}: {got[address]} SYNs reported, {syns} sent (max_error {hosts_error})")
talkers = intervals[0]["reports"]["talkers"]
if talkers[0]["ip"] != truth["target"]:
    problems.append(f"top talker {talkers[0]['ip']}, expected the target {truth['target']}")
exact = sum(1 for a, s in expected if got.get(a) == s)
print(f"synflood: {truth['distinct_sources']:,} distinct sources, {packets:,} packets, {len(intervals)} interval(s), wall {wall}")
print(f"synflood: peak resident memory {rss_kib / 1024:.0f} MiB (limit {limit} MiB)")
print(f"synflood: syn top {top}: {exact}/{len(expected)} attackers with exact SYN counts; "
      f"talkers top: {talkers[0]['ip']} ({talkers[0]['packets_received']:,} of {truth['packets'] - 0:,} packets received)")
for r in overflow:
    print(f"synflood: overflow {r['table']}: capacity {r['capacity']}, folded {r['folded']:,}, max_error {r['max_error']} {r['error_unit']}")
for p in problems:
    print(f"synflood: WRONG: {p}")
sys.exit(1 if problems or rss_kib / 1024 > limit else 0)
PY
