namespace Monitor.Probe.Reports;

/// <summary>
/// Settings every report table reads; bound from the CLI and the probe's configuration (section Probe).
/// Setters, not init: the compile-time configuration binder (native probe) skips init-only properties.
/// </summary>
public sealed record ReportOptions
{
    /// <summary>Length of every top-N list (--top, 1..100000).</summary>
    public int Top { get; set; } = 10;

    /// <summary>
    /// Keys each report table holds exactly (per worker). Beyond it the table folds its light half and
    /// reports the fold count and error bound under <c>reports.overflow</c>. The distinct-item sets of
    /// the scanner reports hold 4 x this many (source, item) pairs.
    /// </summary>
    public int TableCapacity { get; set; } = 65536;

    /// <summary>CIDR blocks of the home network (--home-net); rows then say whether their hosts are inside.</summary>
    public string[] HomeNet { get; set; } = [];

    /// <summary>Blacklist file: one IP or CIDR per line, '#' comments; re-read when it changes.</summary>
    public string? Blacklist { get; set; }

    /// <summary>How often the blacklist file is checked for changes, in seconds.</summary>
    public int BlacklistCheckSeconds { get; set; } = 5;

    /// <summary>syn report: worm = true when SYNs sent minus FINs sent exceeds this (Ourmon: 20).</summary>
    public int WormThreshold { get; set; } = 20;

    /// <summary>Worm series and port_signatures: a worm host also has a work weight of at least this, 0..100 (90 = flag W).</summary>
    public int WormWeight { get; set; } = 90;

    /// <summary>irc_channels: a member scans when its work weight is at least this (50 = flag w), or it is a worm; a channel with one is evil.</summary>
    public int IrcScannerWeight { get; set; } = 50;

    /// <summary>A source probing at least this many distinct hosts or ports in an interval counts as a scanner.</summary>
    public int ScannerThreshold { get; set; } = 64;

    /// <summary>icmp_tunnels: echo payload sizes (bytes after the 8-byte ICMP header) that ordinary ping tools send.</summary>
    public int[] StandardPingSizes { get; set; } = [0, 32, 48, 56, 64];

    /// <summary>Every problem with the settings, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Top is < 1 or > 100000) errors.Add($"Top must be 1..100000 (was {Top})");
        foreach (var block in HomeNet)
        {
            try
            {
                AddressSet.ParseBlock(block);
            }
            catch (FormatException e)
            {
                errors.Add($"HomeNet: {e.Message}");
            }
        }
        if (Blacklist is { } path && !File.Exists(path)) errors.Add($"Blacklist: file '{path}' does not exist");
        errors.AddRange(ValidateReportSettings());
        return errors;
    }

    /// <summary>
    /// The problems of the settings only the reports read; Top, HomeNet and Blacklist are checked with
    /// the probe's own options, which share the Probe section.
    /// </summary>
    public IReadOnlyList<string> ValidateReportSettings()
    {
        var errors = new List<string>();
        if (TableCapacity is < 16 or > 16_777_216) errors.Add($"Probe:TableCapacity must be 16..16777216 (was {TableCapacity})");
        if (WormThreshold < 0) errors.Add($"Probe:WormThreshold must be 0 or more (was {WormThreshold})");
        if (WormWeight is < 0 or > 100) errors.Add($"Probe:WormWeight must be 0..100 (was {WormWeight})");
        if (IrcScannerWeight is < 1 or > 100) errors.Add($"Probe:IrcScannerWeight must be 1..100 (was {IrcScannerWeight})");
        if (ScannerThreshold < 1) errors.Add($"Probe:ScannerThreshold must be 1 or more (was {ScannerThreshold})");
        if (BlacklistCheckSeconds < 1) errors.Add($"Probe:BlacklistCheckSeconds must be 1 or more (was {BlacklistCheckSeconds})");
        if (StandardPingSizes.Any(s => s < 0)) errors.Add("Probe:StandardPingSizes must not be negative");
        return errors;
    }
}
