namespace Monitor.Probe.Capture;

/// <summary>A BPF expression libpcap would not compile; the message is libpcap's own, with the expression.</summary>
public sealed class CaptureFilterException(string expression, string problem)
    : Exception($"bad capture filter \"{expression}\": {problem}")
{
    public string Expression { get; } = expression;
}

/// <summary>
/// The process may not capture on an interface. The message is one line that says how to grant it.
/// </summary>
public sealed class CapturePermissionException(string interfaceName, string detail)
    : Exception($"no permission to capture on {interfaceName} ({detail}): run as root, or grant the capability once with " +
                $"`sudo setcap cap_net_raw,cap_net_admin+eip {CapturingBinary()}`")
{
    public string Interface { get; } = interfaceName;

    /// <summary>The binary that needs the capability: the apphost when there is one, else the dotnet host.</summary>
    private static string CapturingBinary()
    {
        var path = Environment.ProcessPath ?? "dotnet";
        try
        {
            // setcap does not follow symbolic links (for example /usr/bin/dotnet).
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return target?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}

/// <summary>A live interface could not be opened for a reason other than permission (no such device, down, ...).</summary>
public sealed class CaptureDeviceException(string interfaceName, string problem)
    : Exception($"cannot capture on {interfaceName}: {problem}")
{
    public string Interface { get; } = interfaceName;
}
