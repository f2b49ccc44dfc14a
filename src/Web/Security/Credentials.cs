using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace Monitor.Web.Security;

/// <summary>Checks passwords against PasswordHasher hashes and API keys against SHA-256 hashes.</summary>
public sealed class Credentials(AuthOptions options)
{
    private static readonly PasswordHasher<string> Hasher = new();

    public static string HashPassword(string user, string password) => Hasher.HashPassword(user, password);

    public static string HashApiKey(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewApiKey() => "mon_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
        .Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public bool CheckPassword(string user, string password)
    {
        var account = options.Users.FirstOrDefault(u => string.Equals(u.Name, user, StringComparison.OrdinalIgnoreCase));
        if (account is null) return false;
        try
        {
            return Hasher.VerifyHashedPassword(account.Name, account.PasswordHash, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>The name of the API key, or null when no configured key matches.</summary>
    public string? FindApiKey(string key)
    {
        var hash = Encoding.ASCII.GetBytes(HashApiKey(key));
        return options.ApiKeys.FirstOrDefault(k =>
            CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(k.Hash), hash))?.Name;
    }
}
