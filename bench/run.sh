#!/usr/bin/env bash
# Offline throughput, in one run and on one file: the probe with every report on (default workers and
# --workers 1), a bare libpcap read (tcpdump) and darkstat. Prints packets/s (medians of RUNS runs),
# the probe's ratios to tcpdump and darkstat, its peak resident memory, and the interval-close time.
#
#   bench/run.sh                      # 5,000,000-packet synthetic capture in bench/out/, 3 runs
#   RUNS=5 PACKETS=2000000 bench/run.sh
#   FLOOD=0 bench/run.sh              # skip the 10-million-source SYN flood interval-close run
#
# On a shared machine each measured command runs in its own session whose scheduler autogroup gets
# nice -20 (root only; PRIORITY=0 turns it off): with autogroups, plain `nice` has no effect against other
# sessions' builds, and wall-clock figures would measure the neighbours instead of the tools.
#
# Needs: the .NET SDK; installs tcpdump, darkstat, GNU time and libpcap with scripts/ensure-deps.sh bench when missing (as root;
# otherwise prints the command). Results are also written to bench/out/run-<time>.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
RUNS=${RUNS:-3}
PACKETS=${PACKETS:-5000000}
SEED=${SEED:-1}
FLOOD=${FLOOD:-1}
FLOOD_SOURCES=${FLOOD_SOURCES:-10000000}
PRIORITY=${PRIORITY:-1}
out=$here/bench/out
mkdir -p "$out"

scripts/ensure-deps.sh bench
darkstat=$(command -v darkstat || echo /usr/sbin/darkstat)

# The probe as it ships: `monitor-probe` published natively (ahead-of-time compiled) like the Dockerfile
# does; and, for comparison, the JIT-compiled build the site hosts in-process (ReadyToRun, as the site ships).
# Each publish has its own artifacts folder: the two never share intermediate files.
echo "bench: publishing the probe (native and ReadyToRun) and building the generator (Release)" >&2
probe=$(bench/publish-probe.sh)
dotnet publish src/Probe -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  --artifacts-path "$out/probe-r2r-build" -o "$out/probe-r2r" -v q -nologo >/dev/null
dotnet build bench/Generator -c Release -v q -nologo >/dev/null
probe_r2r=$out/probe-r2r/monitor-probe
generator=$here/bench/Generator/bin/Release/net10.0/monitor-bench-generator

file=$out/synthetic-$PACKETS-seed$SEED.pcap
if [ ! -s "$file" ] || [ ! -s "$file.truth.json" ]; then
  "$generator" --packets "$PACKETS" --seed "$SEED" --out "$file" >&2
fi
packets=$(grep -m1 '"packets"' "$file.truth.json" | tr -dc 0-9)

report=$out/run-$(date -u +%Y%m%dT%H%M%SZ).txt
log() { echo "$*" | tee -a "$report"; }

# Runs a command in a new session whose autogroup has nice -20, when we may and the kernel has autogroups.
boost=()
if [ "$PRIORITY" = 1 ] && [ "$(id -u)" -eq 0 ] && [ -w /proc/self/autogroup ]; then
  boost=(setsid -w sh -c 'echo -20 > /proc/self/autogroup && exec "$@"' boost)
fi

# One timed run: NAME, then the command. Appends "NAME wall user sys rss_kb" to the samples file;
# the probe's own summary line (rate, merge+write) goes to a per-run log.
samples=$(mktemp)
trap 'rm -f "$samples" "$samples".*' EXIT
timed() {
  local name=$1; shift
  local timing=$samples.time errlog=$out/last-$name.log
  if ! "${boost[@]}" /usr/bin/time -v -o "$timing" "$@" >/dev/null 2>"$errlog"; then
    echo "bench: $name failed; its output:" >&2
    tail -5 "$errlog" >&2
    exit 1
  fi
  awk -v name="$name" '
    /Elapsed \(wall clock\)/ { n = split($NF, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
    /User time/ { user = $NF } /System time/ { sys = $NF } /Maximum resident set size/ { rss = $NF }
    END { printf "%s %.3f %.2f %.2f %d\n", name, wall, user, sys, rss }' "$timing" >>"$samples"
  if [[ $name == probe* ]]; then grep -h '^monitor-probe: [0-9]' "$errlog" >>"$samples.$name" || true; fi
}

log "bench: $(date -u +%FT%TZ) on $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $([ ${#boost[@]} -gt 0 ] && echo 'measured commands at autogroup nice -20' || echo 'normal priority')"
log "bench: file $file ($packets packets, $(du -mL "$file" | cut -f1) MiB), $RUNS runs each, medians"
tools=(probe probe-w1 probe-r2r tcpdump darkstat)
for run in $(seq 1 "$RUNS"); do
  # Rotate the order so no tool always runs first (cold page cache, turbo, neighbours).
  for i in "${!tools[@]}"; do
    tool=${tools[$(((i + run - 1) % ${#tools[@]}))]}
    case $tool in
      probe) timed probe "$probe" --read "$file" --json /dev/null --store none ;;
      probe-w1) timed probe-w1 "$probe" --read "$file" --json /dev/null --store none --workers 1 ;;
      probe-r2r) timed probe-r2r "$probe_r2r" --read "$file" --json /dev/null --store none ;;
      tcpdump) timed tcpdump tcpdump -n -r "$file" -w /dev/null ;;
      darkstat) timed darkstat "$darkstat" -r "$file" --no-daemon --no-dns ;;
    esac
  done
  echo "bench: run $run of $RUNS done" >&2
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v n="$1" -v c="$2" '$1 == n { print $c }' "$samples" | median; }

declare -A rate
log ""
log "$(printf '%-10s %10s %14s %10s %12s %14s' tool wall_s packets/s cpu_s peak_rss_MiB probe_internal)"
for tool in "${tools[@]}"; do
  wall=$(col "$tool" 2)
  user=$(col "$tool" 3)
  sys=$(col "$tool" 4)
  rss=$(col "$tool" 5)
  rate[$tool]=$(awk -v p="$packets" -v w="$wall" 'BEGIN { printf "%.0f", p / w }')
  internal=-
  if [ -s "$samples.$tool" ]; then
    internal=$(sed -E 's/.*\(([0-9]+) packets\/s\).*/\1/' "$samples.$tool" | median)
  fi
  log "$(printf '%-10s %10.2f %14s %10.2f %12.0f %14s' "$tool" "$wall" "${rate[$tool]}" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$internal")"
done
peak=$(awk '$1 ~ /^probe/ { if ($5 > m) m = $5 } END { print m / 1024 }' "$samples")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = dir == "min" ? v >= t : v < t; print ok ? "PASS" : "FAIL" }'; }
log ""
log "probe (default workers): $(awk -v r="${rate[probe]}" 'BEGIN { printf "%.2f", r / 1e6 }') M packets/s   target >= 3.5   $(verdict "${rate[probe]}" 3500000 min)"
log "probe / tcpdump:         $(ratio "${rate[probe]}" "${rate[tcpdump]}")             target >= 0.70  $(verdict "$(ratio "${rate[probe]}" "${rate[tcpdump]}")" 0.7 min)"
log "probe / darkstat:        $(ratio "${rate[probe]}" "${rate[darkstat]}")             target >= 1.60  $(verdict "$(ratio "${rate[probe]}" "${rate[darkstat]}")" 1.6 min)"
log "probe --workers 1 / tcpdump: $(ratio "${rate[probe-w1]}" "${rate[tcpdump]}"), / darkstat: $(ratio "${rate[probe-w1]}" "${rate[darkstat]}")"
log "probe ReadyToRun (JIT, as the site hosts it) / tcpdump: $(ratio "${rate[probe-r2r]}" "${rate[tcpdump]}"), / darkstat: $(ratio "${rate[probe-r2r]}" "${rate[darkstat]}")"
log "probe peak RSS:          $(printf '%.0f' "$peak") MiB         target < 512    $(verdict "$peak" 512 max)"

# Interval close: the probe's summary gives merge+write per interval (mean and max over the run).
close_line() {
  local name=$1 label=$2
  [ -s "$samples.$name" ] || return 0
  local mean max
  mean=$(sed -E 's/.*merge\+write mean ([0-9.]+) ms.*/\1/' "$samples.$name" | median)
  max=$(sed -E 's/.*, max ([0-9.]+) ms.*/\1/' "$samples.$name" | median)
  log "interval close ($label): merge+write mean $mean ms, max $max ms = $(awk -v m="$max" 'BEGIN { printf "%.3f", m / 300 }') % of a 30 s interval   target < 5 %   $(verdict "$(awk -v m="$max" 'BEGIN { print m / 300 }')" 5 max)"
}
log ""
close_line probe "mixed traffic, default workers"
close_line probe-w1 "mixed traffic, --workers 1"

if [ "$FLOOD" = 1 ]; then
  flood=$out/synflood-$FLOOD_SOURCES-seed$SEED.pcap
  if [ ! -s "$flood" ]; then
    "$generator" --syn-flood --sources "$FLOOD_SOURCES" --seed "$SEED" --out "$flood" >&2
  fi
  flood_packets=$(grep -m1 '"packets"' "$flood.truth.json" | tr -dc 0-9)
  timed probe-flood "$probe" --read "$flood" --json /dev/null --store none
  read -r _ wall _ _ rss < <(grep '^probe-flood ' "$samples")
  log "syn flood ($flood_packets packets, $FLOOD_SOURCES distinct sources, tables at capacity): $(awk -v p="$flood_packets" -v w="$wall" 'BEGIN { printf "%.2f", p / w / 1e6 }') M packets/s, peak RSS $((rss / 1024)) MiB   target < 512 $(verdict $((rss / 1024)) 512 max)"
  close_line probe-flood "SYN flood, tables at capacity"
fi
log ""
log "bench: load average at the end $(cut -d' ' -f1-3 /proc/loadavg); results in $report"
