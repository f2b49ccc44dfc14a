using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd with its debugging handler, which prints every
/// received message to stdout; stdout goes to a file that the tests parse back into MIME messages.
/// Can be stopped and started again on the same port.
/// </summary>
public sealed class SmtpServer : IDisposable
{
    private const string Begin = "---------- MESSAGE FOLLOWS ----------";
    private const string End = "------------ END MESSAGE ------------";
    private readonly Lock _lock = new();
    private Process? _process;

    public SmtpServer(string directory)
    {
        Port = FreePort();
        LogFile = Path.Combine(directory, "smtp-received.txt");
    }

    public int Port { get; }
    public string LogFile { get; }
    public bool Running => _process is { HasExited: false };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task StartAsync()
    {
        if (!File.Exists("/usr/bin/python3"))
            throw new InvalidOperationException("Debian python3 is missing: run ./scripts/ensure-deps.sh test");
        var start = new ProcessStartInfo("/usr/bin/python3", ["-u", "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("aiosmtpd did not start");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_lock) File.AppendAllText(LogFile, e.Data + "\n");
        };
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (errors) errors.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"aiosmtpd exited ({process.ExitCode}): {errors} (is python3-aiosmtpd installed? ./scripts/ensure-deps.sh test)");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"aiosmtpd did not listen on 127.0.0.1:{Port} within 15 s");
    }

    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
        _process = null;
    }

    public IReadOnlyList<MimeMessage> Messages()
    {
        string text;
        lock (_lock) text = File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";
        var messages = new List<MimeMessage>();
        var at = 0;
        while (true)
        {
            var begin = text.IndexOf(Begin, at, StringComparison.Ordinal);
            if (begin < 0) break;
            var end = text.IndexOf(End, begin, StringComparison.Ordinal);
            if (end < 0) break;
            var raw = text[(begin + Begin.Length)..end].TrimStart('\n');
            messages.Add(MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(raw.Replace("\n", "\r\n")))));
            at = end + End.Length;
        }
        return messages;
    }

    public async Task<IReadOnlyList<MimeMessage>> WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = Messages();
            if (messages.Count >= count || DateTime.UtcNow > deadline) return messages;
            await Task.Delay(100);
        }
    }

    public void Dispose() => Stop();
}
