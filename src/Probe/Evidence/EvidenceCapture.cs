using Monitor.Probe.Capture;

namespace Monitor.Probe.Evidence;

/// <summary>How an evidence capture ended.</summary>
public sealed record EvidenceResult(string File, string Filter, long Packets, long Bytes, string Reason);

/// <summary>
/// Writes the next N packets that match a BPF expression into a pcap file. Attached as a tap to the
/// probe's capture thread: a non-matching packet costs one BPF run; the file is opened on the first
/// match and closed off the capture thread. Ends at N packets, at the byte limit, or when stopped.
/// </summary>
public sealed class EvidenceCapture : IPacketTap, IDisposable
{
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<EvidenceResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The filter compiled per link type; null where the expression cannot apply (kept, so it is compiled once).</summary>
    private readonly Dictionary<int, BpfFilter?> _filters = [];
    private PcapFileWriter? _writer;
    private int _linkType = LinkTypes.Ethernet;
    private long _bytes;
    private bool _done;

    /// <exception cref="CaptureFilterException">libpcap does not accept the expression.</exception>
    public EvidenceCapture(string path, string filter, int maxPackets, long maxBytes)
    {
        Path = path;
        Filter = filter;
        MaxPackets = maxPackets;
        MaxBytes = maxBytes;
        _filters[LinkTypes.Ethernet] = BpfFilter.Compile(filter, LinkTypes.Ethernet);
    }

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public string Filter { get; }
    public int MaxPackets { get; }
    public long MaxBytes { get; }
    public long Packets { get; private set; }
    public bool Done => _done;
    public Task<EvidenceResult> Completion => _completion.Task;

    /// <summary>Set by the recorder: detaches the tap and stops the time limit.</summary>
    internal IDisposable? Attachment { get; set; }

    public bool Offer(in RawPacket packet)
    {
        if (_done) return false;
        if (!_filters.TryGetValue(packet.LinkType, out var filter))
        {
            try
            {
                filter = BpfFilter.Compile(Filter, packet.LinkType);
            }
            catch (CaptureFilterException)
            {
                // This link type cannot carry the host's traffic as the expression says; skip its packets.
                filter = null;
            }
            _filters[packet.LinkType] = filter;
        }
        if (filter is null || !filter.Matches(packet)) return true;
        lock (_lock)
        {
            if (_done) return false;
            if (_writer is null)
            {
                // A live raw-IP interface reports DLT_RAW (12); the file says LINKTYPE_RAW, as libpcap's own dumps do.
                _linkType = LinkTypes.IsRawIp(packet.LinkType) ? LinkTypes.Raw : packet.LinkType;
                _writer = new PcapFileWriter(Path, _linkType);
            }
            _writer.Write(new DateTimeOffset(packet.Ticks, TimeSpan.Zero), packet.Data, packet.WireLength);
            Packets++;
            _bytes += 16 + Math.Min(packet.Data.Length, _writer.SnapLength);
            if (Packets >= MaxPackets) FinishLocked("packet limit");
            else if (_bytes >= MaxBytes) FinishLocked("byte limit");
            return !_done;
        }
    }

    /// <summary>Ends the capture now (time limit, shutdown); what was written stays.</summary>
    public void Stop(string reason)
    {
        lock (_lock) FinishLocked(reason);
    }

    public void Dispose() => Stop("stopped");

    private void FinishLocked(string reason)
    {
        if (_done) return;
        _done = true;
        var writer = _writer;
        var packets = Packets;
        // The filters are left to the finalizer: the capture thread may still be inside Matches.
        // Closing flushes to disk: not on the capture thread.
        _ = Task.Run(() =>
        {
            try
            {
                Attachment?.Dispose();
                // A capture that matched nothing still leaves a valid (empty) file behind the link.
                writer ??= new PcapFileWriter(Path, _linkType);
                writer.Dispose();
                _completion.TrySetResult(new EvidenceResult(Name, Filter, packets, new FileInfo(Path).Length, reason));
            }
            catch (Exception e)
            {
                _completion.TrySetException(e);
            }
        });
    }
}
