namespace Monitor.Probe.Capture;

/// <summary>libpcap DLT values the probe decodes.</summary>
public static class LinkTypes
{
    public const int Null = 0;
    public const int Ethernet = 1;
    /// <summary>DLT_RAW as libpcap reports it live on Linux and most systems (tun devices); files carry <see cref="Raw"/>.</summary>
    public const int RawDlt = 12;
    /// <summary>DLT_RAW on OpenBSD, found in files written there.</summary>
    public const int RawOpenBsd = 14;
    /// <summary>LINKTYPE_RAW: raw IP as capture files carry it.</summary>
    public const int Raw = 101;
    public const int Loop = 108;
    public const int LinuxSll = 113;
    public const int Ipv4 = 228;
    public const int Ipv6 = 229;
    public const int LinuxSll2 = 276;

    /// <summary>Raw IP of either version, under any of its three numbers.</summary>
    public static bool IsRawIp(int linkType) => linkType is Raw or RawDlt or RawOpenBsd;
}
