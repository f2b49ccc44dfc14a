using Monitor.Storage.Anomalies;
using Monitor.TestKit.History;
using Xunit.Abstractions;

namespace Monitor.Storage.Tests.Anomalies;

public class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Scratch_prints_spikes()
    {
        var gen = new HistoryGenerator();
        var store = new ScratchMemoryStore();
        await gen.WriteAsync(store);
        var detector = new SpikeDetector(store, new AnomalyOptions());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        for (var d = 0; d < gen.Plan.Days; d++)
        {
            var day = gen.Plan.FirstDay.AddDays(d);
            var a = await detector.AnalyzeDayAsync("history", day);
            foreach (var s in a.Spikes)
                output.WriteLine($"{s.Start:yyyy-MM-dd HH:mm:ss} {s.End:HH:mm:ss} {s.Series,-25} {s.KindName,-9} peak={s.Peak:F0} base={s.Baseline:F0} score={s.Score:F1} {s.Reason}");
        }
        output.WriteLine($"elapsed {sw.ElapsedMilliseconds} ms");
        foreach (var e in gen.Plan.All) output.WriteLine($"{e.Name} {e.Start:yyyy-MM-dd HH:mm:ss} - {e.End:HH:mm:ss}");
    }
}
