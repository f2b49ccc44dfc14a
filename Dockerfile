# Monitor: probe + site in one container, and the standalone probe natively compiled in /app/probe.
#   docker build -t monitor .
#   docker run -p 127.0.0.1:5080:5080 --net=host -v monitor-data:/data monitor
#   docker run --rm -v "$PWD:/data" --entrypoint /app/probe/monitor-probe monitor --read /data/day.pcap --json - --store none
# The site refuses to listen beyond loopback without authentication configured (see README).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
# libpcap headers are not needed to build; npm brings the chart library into wwwroot/lib; clang and zlib
# link the native probe.
# ReadyToRun: precompiled code, so the site and its probe start without waiting on the JIT. The standalone
# probe is compiled ahead of time (no JIT at all): a capture file is read in about a second, and start-up
# and JIT were a quarter of that (bench/PERFORMANCE.md).
RUN ./scripts/ensure-deps.sh run \
 && apt-get update \
 && apt-get install -y --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/* \
 && dotnet publish src/Web/Monitor.Web.csproj -c Release -r linux-x64 -p:PublishReadyToRun=true -o /app --no-self-contained \
 && dotnet publish src/Probe/Monitor.Probe.csproj -c Release -r linux-x64 -p:PublishAot=true --artifacts-path /tmp/probe-build -o /app/probe \
 && rm -f /app/probe/*.dbg \
 && mkdir -p /app/wwwroot && cp -r wwwroot/. /app/wwwroot/

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 libcap2-bin curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin monitor \
 && mkdir -p /data && chown monitor:monitor /data
WORKDIR /app
COPY --from=build /app .
# Capture rights only: raw sockets and promiscuous mode on the two binaries that capture, nothing else.
RUN setcap cap_net_raw,cap_net_admin+eip /app/monitor-web \
 && setcap cap_net_raw,cap_net_admin+eip /app/probe/monitor-probe
USER monitor
ENV ASPNETCORE_ENVIRONMENT=Production \
    Probe__Store=sqlite:/data/monitor.db \
    Web__DataDirectory=/data
VOLUME ["/data"]
EXPOSE 5080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:5080/healthz || exit 1
ENTRYPOINT ["/app/monitor-web"]
