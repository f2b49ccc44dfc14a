using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Monitor.Probe.Evidence;

public sealed record EvidenceFile(string Name, long Bytes, DateTimeOffset Modified);

/// <summary>
/// The directory of evidence captures: names new files, keeps the total under a byte budget by
/// removing the oldest files first, and resolves download names safely (a bare file name of this
/// directory, never a path).
/// </summary>
public sealed partial class EvidenceStore
{
    public EvidenceStore(string directory, long maxBytes)
    {
        Directory = Path.GetFullPath(directory);
        MaxBytes = maxBytes;
    }

    public string Directory { get; }
    public long MaxBytes { get; }

    /// <summary>A new file name such as <c>udp_weight-192.0.2.7-20261123T104500Z.pcap</c> (unique in the directory).</summary>
    public string NewFileName(string rule, string host, DateTimeOffset at)
    {
        var stem = $"{Safe(rule)}-{Safe(host)}-{at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        var name = stem + ".pcap";
        for (var i = 2; File.Exists(Path.Combine(Directory, name)); i++) name = $"{stem}-{i}.pcap";
        return name;
    }

    /// <summary>The full path of an existing evidence file, or null when the name is not one (traversal, other extension, absent).</summary>
    public string? Resolve(string? name)
    {
        if (name is null || !FileName().IsMatch(name) || name.Contains("..", StringComparison.Ordinal)) return null;
        var path = Path.GetFullPath(Path.Combine(Directory, name));
        if (!string.Equals(Path.GetDirectoryName(path), Directory.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)) return null;
        return File.Exists(path) ? path : null;
    }

    public IReadOnlyList<EvidenceFile> List()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        return new DirectoryInfo(Directory).EnumerateFiles("*.pcap")
            .Select(f => new EvidenceFile(f.Name, f.Length, new DateTimeOffset(f.LastWriteTimeUtc, TimeSpan.Zero)))
            .OrderByDescending(f => f.Modified).ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Removes the oldest files (never those in use) until the rest plus reserve fit the budget.</summary>
    public IReadOnlyList<string> Trim(long reserve, IReadOnlySet<string> inUse)
    {
        var removed = new List<string>();
        var files = List().Reverse().ToList();
        var total = files.Sum(f => f.Bytes);
        foreach (var f in files)
        {
            if (total + reserve <= MaxBytes) break;
            if (inUse.Contains(f.Name)) continue;
            try
            {
                File.Delete(Path.Combine(Directory, f.Name));
                total -= f.Bytes;
                removed.Add(f.Name);
            }
            catch (IOException)
            {
                // Someone is downloading it; it goes next time.
            }
        }
        return removed;
    }

    private static string Safe(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        return sb.Length == 0 ? "x" : sb.ToString(0, Math.Min(sb.Length, 64));
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,200}\.pcap$")]
    private static partial Regex FileName();
}
