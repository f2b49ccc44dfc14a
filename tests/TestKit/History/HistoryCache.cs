using Monitor.Storage;
using Monitor.Storage.Model;

namespace Monitor.TestKit.History;

/// <summary>
/// Writes a generated history through the real SQLite store once per build and hands out copies, so
/// every test project that needs the two weeks (storage, site, browser) pays for writing them once.
/// The cache key holds the generator's and the store's assembly versions, so any code change rebuilds it.
/// </summary>
public static class HistoryCache
{
    public static async Task<string> SqliteCopyAsync(HistoryGenerator generator, StorageOptions options, string targetPath)
    {
        var key = string.Join('-',
            generator.Plan.Probe, generator.Plan.FirstDay.ToString("yyyyMMdd"), generator.Plan.Days, generator.Seed,
            typeof(HistoryGenerator).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12],
            typeof(IMonitorStore).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12],
            (int)options.IntervalRetention.TotalDays);
        var dir = Path.Combine(Path.GetTempPath(), "monitor-history-cache");
        Directory.CreateDirectory(dir);
        var cached = Path.Combine(dir, key + ".db");

        using (await LockAsync(Path.Combine(dir, key + ".lock")))
        {
            if (!File.Exists(cached))
            {
                var building = cached + ".building";
                foreach (var stale in new[] { building, building + "-wal", building + "-shm" }) File.Delete(stale);
                await using (var store = StoreFactory.Open("sqlite:" + building, options))
                    await generator.WriteAsync(store);
                if (File.Exists(building + "-wal")) File.Move(building + "-wal", cached + "-wal");
                File.Move(building, cached);
            }
        }
        File.Copy(cached, targetPath, overwrite: true);
        if (File.Exists(cached + "-wal")) File.Copy(cached + "-wal", targetPath + "-wal", overwrite: true);
        return targetPath;
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 3000)
            {
                await Task.Delay(200);
            }
        }
    }
}
