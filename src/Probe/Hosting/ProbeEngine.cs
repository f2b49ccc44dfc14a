using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Monitor.Probe.Bpf;
using Monitor.Probe.Capture;
using Monitor.Probe.Dispatch;
using Monitor.Probe.Merge;
using Monitor.Probe.Output;
using Monitor.Probe.Recording;
using Monitor.Probe.Reports;
using Monitor.Probe.Sessions;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Hosting;

/// <summary>How a run ended: the exit code (0 done, 2 bad input, 1 anything else) and what it counted.</summary>
public sealed record ProbeRunResult(
    int ExitCode,
    string? Error,
    long Packets,
    long Bytes,
    TimeSpan Elapsed,
    int Intervals,
    TimeSpan MaxMergeTime,
    TimeSpan TotalMergeTime,
    long SessionRecords = 0,
    long SessionsEvictedEarly = 0);

/// <summary>
/// One probe run: source → dispatcher (capture thread) → workers → merger → sinks. Run blocks the
/// calling thread, which becomes the capture thread. Never throws: every failure becomes an exit
/// code and a one-line error, and every interval closed before a failure is still written.
/// </summary>
public sealed class ProbeEngine(
    ProbeOptions options,
    ReportOptions reportOptions,
    IReadOnlyList<ISnapshotSink> sinks,
    ProbeLiveFeed feed,
    ILoggerFactory loggers,
    IReadOnlyList<ISessionSink>? sessionSinks = null)
{
    private readonly ILogger _logger = loggers.CreateLogger<ProbeEngine>();

    /// <summary>Running totals for a progress display.</summary>
    public ProbeCounters Counters { get; } = new();

    /// <summary>The source once opened (a <see cref="PcapFileSource"/> offline, for its read progress).</summary>
    public IPacketSource? Source { get; private set; }

    public ProbeRunResult Run(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        string? error = null;
        var exitCode = 0;
        IntervalMerger? merger = null;
        var maxMerge = TimeSpan.Zero;
        var totalMerge = TimeSpan.Zero;
        var workerCount = options.EffectiveWorkers;
        PacketRecorder? recorder = null;
        IDisposable? recording = null;
        SessionCollector? sessions = null;
        SessionTable[] tables = [];
        try
        {
            _logger.LogInformation("Probe {Name} starting: {Workers} workers ({Partitions} partitions x {TableGroups} table groups), {Interval} s intervals",
                options.Name, workerCount, options.Layout.Partitions, options.Layout.TableGroups, options.Interval);
            Source = OpenSource();
            var bpf = options.Bpf.Count == 0 ? BpfGraphSet.Empty : new BpfGraphSet(options.Bpf, options.SnapLength);
            if (options.RecordEnabled)
            {
                recorder = PacketRecorder.Start(new RecordSettings(options.Record!, options.RecordMaxBytes, options.RecordMaxAge,
                    options.RecordFileSeconds, options.SnapLength), live: !options.IsOffline, loggers.CreateLogger<PacketRecorder>());
                recording = feed.Taps.Attach(recorder);
            }
            merger = new IntervalMerger(workerCount, options.Layout.Partitions, new SnapshotBuilder(options.Name, bpf, recorder is null ? null : recorder.TakeDropped), sinks, reportOptions,
                loggers.CreateLogger<IntervalMerger>(), offline: options.IsOffline);
            merger.SecondClosed += feed.PublishSecond;
            var losses = new CaptureLossLog(options.Name, _logger);
            merger.IntervalClosed += (snapshot, mergeTime) =>
            {
                if (losses.Observe(snapshot) is { } loss) WriteEvent(loss);
                if (mergeTime > maxMerge) maxMerge = mergeTime;
                totalMerge += mergeTime;
                feed.PublishInterval(snapshot, mergeTime);
            };
            var layout = options.Layout;
            var workers = new Worker[workerCount];
            PartitionReports? partition = null;
            if (options.SessionTable.Enabled)
            {
                sessions = new SessionCollector(sessionSinks ?? []);
                var perPartition = Math.Max(1024, options.SessionTable.Capacity / layout.Partitions);
                tables = new SessionTable[layout.Partitions];
                for (var p = 0; p < tables.Length; p++) tables[p] = new SessionTable(perPartition, options.SessionTable, sessions);
            }
            for (var i = 0; i < workers.Length; i++)
            {
                var group = i % layout.TableGroups;
                if (group == 0)
                {
                    var p = i / layout.TableGroups;
                    partition = new PartitionReports(() => merger.RentReports(p), layout.TableGroups);
                }
                var reportTables = ReportTableGroups.ForGroup(group, layout.TableGroups);
                // One thread of each partition keeps its sessions: every thread of a partition sees all its packets.
                // The last group's: with two groups the first also counts the traffic counters, host and flow
                // tables (measured: 56 % of the probe's CPU against 25 % for the second before sessions moved).
                var sessionTable = sessions is not null && group == layout.TableGroups - 1 ? tables[i / layout.TableGroups] : null;
                workers[i] = new Worker(i, queueCapacity: 32, merger, bpf, partition!, reportTables, sessionTable);
            }
            var dispatcher = new Dispatcher(workers, new IntervalClock(TimeSpan.FromSeconds(options.Interval)),
                live: !options.IsOffline, () => Source.Statistics, Counters, feed.Taps, loggers.CreateLogger<Dispatcher>(),
                layout.TableGroups);

            merger.Start();
            foreach (var worker in workers) worker.Start();
            feed.Started(Source.Description, workerCount, Counters);
            WriteEvent(EventKinds.ProbeStart, $"probe {options.Name} started on {Source.Description} with {workerCount} workers");
            _logger.LogInformation("Probe {Name} counting {Source}{Filter}", options.Name, Source.Description,
                string.IsNullOrWhiteSpace(options.Filter) ? "" : $" (filter {options.Filter})");
            try
            {
                Source.Run(dispatcher, cancellationToken);
            }
            catch (Exception e) when (IsBadInput(e))
            {
                (exitCode, error) = (2, OneLine(e));
            }
            catch (Exception e)
            {
                (exitCode, error) = (1, OneLine(e));
            }
            // The capture thread is done with the recorder: its last buffer goes to disk before the last interval counts its losses.
            recording?.Dispose();
            recorder?.Complete();
            // Whatever stopped the input, the intervals counted so far are closed and written.
            dispatcher.Finish();
            foreach (var worker in workers) worker.Join();
            merger.Complete();
            sessions?.Complete();
            if (merger.Failure is { } failure && exitCode == 0)
                (exitCode, error) = (1, OneLine(failure));
            if (sessions?.Failure is { } sessionFailure && exitCode == 0)
                (exitCode, error) = (1, "writing sessions: " + OneLine(sessionFailure));
        }
        catch (Exception e) when (IsBadInput(e))
        {
            (exitCode, error) = (2, OneLine(e));
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Probe failed");
            (exitCode, error) = (1, OneLine(e));
        }
        finally
        {
            recording?.Dispose();
            recorder?.Dispose();
            merger?.Dispose();
            sessions?.Dispose();
            Source?.Dispose();
        }
        clock.Stop();
        if (error is not null) WriteEvent(EventKinds.ProbeError, $"probe {options.Name} failed: {error}", exitCode == 2 ? "warning" : "error");
        WriteEvent(EventKinds.ProbeStop, error is null
            ? $"probe {options.Name} stopped after {Counters.Packets} packets"
            : $"probe {options.Name} stopped: {error}", error is null ? "info" : "error");
        feed.Stopped(error);
        return new ProbeRunResult(exitCode, error, Counters.Packets, Counters.Bytes, clock.Elapsed,
            merger?.IntervalsClosed ?? 0, maxMerge, totalMerge, sessions?.Written ?? 0, tables.Sum(t => t.EvictedEarly));
    }

    private IPacketSource OpenSource()
    {
        if (options.IsOffline) return new PcapFileSource(options.Read, options.Filter);
        return LiveCapture.Open(options);
    }

    private void WriteEvent(string kind, string message, string severity = "info")
    {
        var now = DateTimeOffset.UtcNow;
        var monitorEvent = new MonitorEvent
        {
            Id = $"{options.Name}/{kind}/{now.UtcTicks}",
            Probe = options.Name,
            Time = now,
            Kind = kind,
            Severity = severity,
            Message = message,
            Details = new Dictionary<string, string>
            {
                ["source"] = Source?.Description ?? "",
                ["packets"] = Counters.Packets.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        WriteEvent(monitorEvent);
    }

    private void WriteEvent(MonitorEvent monitorEvent)
    {
        foreach (var sink in sinks)
        {
            try
            {
                sink.WriteEvent(monitorEvent);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Output {Sink} could not take the {Kind} event", sink.GetType().Name, monitorEvent.Kind);
            }
        }
    }

    /// <summary>Damaged or missing input, a bad filter, no permission: the user's to fix (exit code 2).</summary>
    public static bool IsBadInput(Exception e) => e is CaptureFileException or CaptureFilterException
        or CapturePermissionException or CaptureDeviceException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or ArgumentException;

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");
}
