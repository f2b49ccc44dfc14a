namespace Monitor.Probe.Reports;

/// <summary>
/// The report sets of one partition, at most <c>limit</c> of them: its workers rent the next interval's set,
/// the merger returns each set once it has merged and cleared it. When every set is in use the renting
/// worker waits for the merger, so a merger that falls behind (a capture holding thousands of sparse
/// intervals, read faster than they are written) slows the reader instead of piling up fresh sets of
/// several MiB per interval, which is what made a day-long capture take 18 GiB.
/// Each partition has its own pool: with one shared pool a partition running ahead took every set the
/// merger gave back, and a partition behind it, which the merger was waiting for, could never rent one.
/// </summary>
internal sealed class ReportSetPool(ReportOptions options, int limit)
{
    private readonly Stack<ReportSet> _free = new();
    // A plain object: waiting needs Monitor.Wait, which System.Threading.Lock does not offer.
    private readonly object _gate = new();
    private int _created;
    private bool _abandoned;

    /// <summary>Sets made so far (never more than the limit unless the pool was abandoned).</summary>
    public int Created
    {
        get { lock (_gate) return _created; }
    }

    /// <summary>A cleared set; waits while <c>limit</c> sets are in use.</summary>
    public ReportSet Rent()
    {
        lock (_gate)
        {
            while (true)
            {
                if (_free.TryPop(out var set)) return set;
                // Once the merger has failed nobody returns sets: a worker must not wait for it forever.
                if (_created < limit || _abandoned)
                {
                    _created++;
                    return new ReportSet(options) { Pool = this };
                }
                System.Threading.Monitor.Wait(_gate);
            }
        }
    }

    /// <summary>Gives back a set the merger is done with; it must be cleared.</summary>
    public void Return(ReportSet set)
    {
        lock (_gate)
        {
            _free.Push(set);
            System.Threading.Monitor.Pulse(_gate);
        }
    }

    /// <summary>No set will come back (the merger failed): renting no longer waits.</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _abandoned = true;
            System.Threading.Monitor.PulseAll(_gate);
        }
    }
}
