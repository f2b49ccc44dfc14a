using Monitor.Probe.Capture;

namespace Monitor.Probe.Hosting;

/// <summary>
/// The one place the pipeline opens live capture. Until the capture branch's LiveCaptureSource lands
/// in main, live capture reports that it is missing (exit code 2) instead of breaking the build.
/// </summary>
internal static class LiveCapture
{
    public static IPacketSource Open(ProbeOptions options) =>
        throw new CaptureDeviceException(options.Interface ?? "", "live capture is not in this build yet");

    public static IReadOnlyList<string> ListInterfaces() =>
        throw new CaptureDeviceException("any", "live capture is not in this build yet");
}
