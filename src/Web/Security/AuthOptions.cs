using Microsoft.Extensions.Options;

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

    /// <summary>Failed logins of one user name before it is locked out for <see cref="LockoutMinutes"/>.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>Failed logins from one client address, whatever the user names, before it is locked out for <see cref="LockoutMinutes"/>.</summary>
    public int MaxFailedAttemptsPerAddress { get; set; } = 20;

    public int LockoutMinutes { get; set; } = 15;
}

public sealed class UserAccount
{
    public string Name { get; set; } = "";

    public string PasswordHash { get; set; } = "";
}

public sealed class ApiKeyEntry
{
    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public string Hash { get; set; } = "";
}

/// <summary>Every problem of the Auth section at start, each with its key (and the item's index).</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.Users.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.Users[i].Name)) errors.Add($"Auth:Users:{i}:Name is empty");
            if (string.IsNullOrWhiteSpace(options.Users[i].PasswordHash))
                errors.Add($"Auth:Users:{i}:PasswordHash is empty (make one with 'monitor-web user add NAME')");
        }
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(options.ApiKeys[i].Name)) errors.Add($"Auth:ApiKeys:{i}:Name is empty");
            if (!System.Text.RegularExpressions.Regex.IsMatch(options.ApiKeys[i].Hash ?? "", "^[0-9a-f]{64}$"))
                errors.Add($"Auth:ApiKeys:{i}:Hash must be 64 lower-case hex characters (make one with 'monitor-web apikey create NAME')");
        }
        if (options.MaxFailedAttempts is < 1 or > 100) errors.Add($"Auth:MaxFailedAttempts must be between 1 and 100 (is {options.MaxFailedAttempts})");
        if (options.MaxFailedAttemptsPerAddress is < 1 or > 10_000)
            errors.Add($"Auth:MaxFailedAttemptsPerAddress must be between 1 and 10000 (is {options.MaxFailedAttemptsPerAddress})");
        if (options.LockoutMinutes is < 1 or > 24 * 60) errors.Add($"Auth:LockoutMinutes must be between 1 and 1440 (is {options.LockoutMinutes})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
