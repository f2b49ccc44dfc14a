using System.Text.Json;

namespace Monitor.Web.Security;

/// <summary>
/// `monitor-web user add NAME` (password from standard input) and `monitor-web apikey create NAME`:
/// print the configuration entry to paste into the "Auth" section. Secrets are never stored in clear.
/// </summary>
public static class SecurityCli
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs a security command and returns its exit code, or null when args are no such command.</summary>
    public static int? TryRun(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        switch (args)
        {
            case ["user", "add", var name]:
                if (!Console.IsInputRedirected) error.Write("Password: ");
                var password = input.ReadLine();
                if (string.IsNullOrEmpty(password))
                {
                    error.WriteLine("monitor-web user add: no password given on standard input");
                    return 2;
                }
                output.WriteLine("Add to the \"Auth:Users\" array of appsettings.json:");
                output.WriteLine(JsonSerializer.Serialize(new { Name = name, PasswordHash = Credentials.HashPassword(name, password) }, Indented));
                return 0;
            case ["apikey", "create", var name]:
                var key = Credentials.NewApiKey();
                output.WriteLine($"API key for {name} (shown once; send it as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'):");
                output.WriteLine(key);
                output.WriteLine("Add to the \"Auth:ApiKeys\" array of appsettings.json:");
                output.WriteLine(JsonSerializer.Serialize(new { Name = name, Hash = Credentials.HashApiKey(key) }, Indented));
                return 0;
            case ["user", ..] or ["apikey", ..]:
                error.WriteLine("usage: monitor-web user add NAME   |   monitor-web apikey create NAME");
                return 2;
            default:
                return null;
        }
    }
}
