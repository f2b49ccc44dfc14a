#!/usr/bin/env bash
# Installs what Monitor needs on Debian when it is missing: "run" for the monitor itself,
# "test" for the whole test suite (real libpcap, tcpdump and tshark as oracles, influxd, SMTP server, Chromium, and clang with zlib to
# publish the native probe), "bench" for the scripts in bench/ (the test set plus darkstat, sqlite3,
# GNU time and python3).
# As root it installs directly; otherwise it prints the exact command to run and fails.
set -euo pipefail
mode=${1:-run}
here=$(cd "$(dirname "$0")/.." && pwd)

apt_packages=(libpcap0.8 libpcap0.8-dev)
if [ "$mode" = test ] || [ "$mode" = bench ]; then
  apt_packages+=(tcpdump tshark clickhouse-server influxdb python3-aiosmtpd chromium clang zlib1g-dev)
fi
if [ "$mode" = bench ]; then
  apt_packages+=(darkstat sqlite3 time python3)
fi
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "ensure-deps: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts influxd as a service on install; the tests run their own on loopback.
    if [[ " ${missing[*]} " == *" influxdb "* ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now influxdb >/dev/null 2>&1 || true
    fi
    if [[ " ${missing[*]} " == *" clickhouse-server "* ]] && command -v systemctl >/dev/null 2>&1; then
      systemctl disable --now clickhouse-server >/dev/null 2>&1 || true
    fi
  else
    echo "ensure-deps: missing Debian packages. Run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# The site's chart library comes from npm into the top-level wwwroot/lib (not committed).
if [ ! -f "$here/wwwroot/lib/apexcharts/apexcharts.min.js" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --silent)
  mkdir -p "$here/wwwroot/lib/apexcharts"
  cp "$here/node_modules/apexcharts/dist/apexcharts.min.js" "$here/wwwroot/lib/apexcharts/"
fi
