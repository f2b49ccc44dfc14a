using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;

// Usage: SPOOL_DIR STORE_SPEC PROBE FIRST_INDEX COUNT BASE_UNIX_SECONDS
// Enqueues intervals FIRST_INDEX.. (packets = 1000 + index) and prints "enqueued INDEX" after each Enqueue
// returns, so the parent knows which intervals the writer had accepted when it kills this process.
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: SPOOL_DIR STORE_SPEC PROBE FIRST_INDEX COUNT BASE_UNIX_SECONDS");
    return 2;
}
var (spool, spec, probe) = (args[0], args[1], args[2]);
var first = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
var count = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
var start = DateTimeOffset.FromUnixTimeSeconds(long.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture));

await using var store = StoreFactory.Open(spec);
await using (var writer = new SpooledStoreWriter(store, new SpoolOptions { Directory = spool, FlushTimeout = TimeSpan.FromSeconds(30) }, NullLogger.Instance))
{
    for (var i = first; i < first + count; i++)
    {
        var begin = start.AddSeconds(30 * i);
        writer.Enqueue(new IntervalSnapshot { Probe = probe, Start = begin, End = begin.AddSeconds(30), Packets = 1000 + i, Bytes = 64000 + i });
        Console.Out.WriteLine($"enqueued {i}");
        Console.Out.Flush();
        await Task.Delay(5);
    }
}
Console.Out.WriteLine("done");
return 0;
