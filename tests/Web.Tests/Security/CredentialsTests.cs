using Monitor.Web.Security;

namespace Monitor.Web.Tests.Security;

public class CredentialsTests
{
    [Fact]
    public void Passwords_are_checked_against_salted_hashes()
    {
        var hash = Credentials.HashPassword("ana", "correct horse");
        Assert.NotEqual(hash, Credentials.HashPassword("ana", "correct horse"));
        var credentials = new Credentials(new AuthOptions { Users = [new UserAccount { Name = "ana", PasswordHash = hash }] });
        Assert.True(credentials.CheckPassword("ana", "correct horse"));
        Assert.False(credentials.CheckPassword("ana", "wrong"));
        Assert.False(credentials.CheckPassword("bob", "correct horse"));
    }

    [Fact]
    public void A_malformed_stored_hash_fails_the_login_instead_of_throwing()
    {
        var credentials = new Credentials(new AuthOptions { Users = [new UserAccount { Name = "ana", PasswordHash = "not-a-hash" }] });
        Assert.False(credentials.CheckPassword("ana", "anything"));
    }

    [Fact]
    public void The_api_key_printed_by_the_cli_is_accepted_and_others_are_not()
    {
        var output = new StringWriter();
        Assert.Equal(0, SecurityCli.TryRun(["apikey", "create", "grafana"], TextReader.Null, output, TextWriter.Null));
        var lines = output.ToString().Split('\n');
        var key = lines[1].Trim();
        var hash = Credentials.HashApiKey(key);
        Assert.Contains(hash, output.ToString());
        var credentials = new Credentials(new AuthOptions { ApiKeys = [new ApiKeyEntry { Name = "grafana", Hash = hash }] });
        Assert.Equal("grafana", credentials.FindApiKey(key));
        Assert.Null(credentials.FindApiKey(key + "x"));
    }

    [Fact]
    public void The_user_add_command_prints_a_hash_that_verifies_the_password_read_from_input()
    {
        var output = new StringWriter();
        Assert.Equal(0, SecurityCli.TryRun(["user", "add", "ana"], new StringReader("s3cret\n"), output, TextWriter.Null));
        var json = output.ToString()[output.ToString().IndexOf('{')..];
        var entry = System.Text.Json.JsonSerializer.Deserialize<UserAccount>(json)!;
        Assert.True(new Credentials(new AuthOptions { Users = [entry] }).CheckPassword("ana", "s3cret"));
        Assert.DoesNotContain("s3cret", output.ToString());
    }

    [Fact]
    public void Unknown_arguments_are_not_security_commands() =>
        Assert.Null(SecurityCli.TryRun(["--urls", "http://127.0.0.1:1"], TextReader.Null, TextWriter.Null, TextWriter.Null));
}
