using System.ComponentModel.DataAnnotations;

namespace Monitor.Web.Security;

/// <summary>
/// Who may look (configuration section "Auth"). With no users and no API keys the site is open,
/// which is only allowed while it listens on loopback (see <see cref="ListenAddressGuard"/>).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Users with passwords stored as ASP.NET Core PasswordHasher hashes (`monitor-web user add NAME`).</summary>
    public List<UserAccount> Users { get; set; } = [];

    /// <summary>API keys stored as SHA-256 hashes (`monitor-web apikey create NAME`).</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    [Range(1, 100)]
    public int MaxFailedAttempts { get; set; } = 5;

    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    public bool IsConfigured => Users.Count > 0 || ApiKeys.Count > 0;
}

public sealed class UserAccount
{
    [Required]
    public string Name { get; set; } = "";

    [Required]
    public string PasswordHash { get; set; } = "";
}

public sealed class ApiKeyEntry
{
    [Required]
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    [Required, RegularExpression("^[0-9a-f]{64}$", ErrorMessage = "Auth:ApiKeys:*:Hash must be 64 lower-case hex characters (SHA-256)")]
    public string Hash { get; set; } = "";
}
