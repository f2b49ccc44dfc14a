using Monitor.Probe.Cli;

namespace Monitor.Probe.Tests.Cli;

public sealed class ProbeCliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ProbeCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Help_lists_every_flag_and_exits_0()
    {
        var (code, output, _) = await Run("--help");

        Assert.Equal(0, code);
        foreach (var flag in new[] { "--interface", "--list-interfaces", "--read", "--filter", "--json", "--interval", "--workers",
                     "--top", "--snaplen", "--buffer-size", "--no-promisc", "--config", "--store", "--probe-name", "--home-net", "--blacklist" })
            Assert.Contains(flag, output);
    }

    [Theory]
    [InlineData("--top", "0")]
    [InlineData("--top", "100001")]
    [InlineData("--interval", "0")]
    [InlineData("--workers", "0")]
    [InlineData("--table-groups", "3")]
    [InlineData("--top", "many")]
    [InlineData("--home-net", "not-a-cidr")]
    public async Task A_bad_flag_value_is_a_usage_error_with_exit_code_2(string flag, string value)
    {
        var file = Path.GetTempFileName();
        try
        {
            var (code, _, error) = await Run("--read", file, "--store", "none", flag, value);

            Assert.Equal(2, code);
            Assert.Contains(flag, error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Two_bad_settings_in_other_sections_of_the_configuration_give_two_errors_each_with_its_key()
    {
        var config = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(config, """{ "Spool": { "MaxBytes": 1 }, "Storage": { "SummaryRows": 0 } }""");
            var (code, _, error) = await Run("--config", config, "--read", config, "--store", $"sqlite:{config}.db");

            Assert.Equal(2, code);
            var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(2, lines.Length);
            Assert.Contains(lines, l => l.StartsWith("monitor-probe: Spool:MaxBytes", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("monitor-probe: Storage:SummaryRows", StringComparison.Ordinal));
            Assert.False(File.Exists($"{config}.db"), "nothing is opened before the settings are checked");
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task Neither_interface_nor_files_is_a_usage_error()
    {
        var (code, _, error) = await Run("--store", "none");

        Assert.Equal(2, code);
        Assert.Contains("--interface", error);
    }

    [Fact]
    public async Task A_missing_capture_file_is_bad_input()
    {
        var (code, _, error) = await Run("--read", "/nonexistent/capture.pcap", "--store", "none");

        Assert.Equal(2, code);
        Assert.Contains("/nonexistent/capture.pcap", error);
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_json_is_bad_input()
    {
        var config = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(config, "{ not json");
            var (code, _, error) = await Run("--config", config, "--read", config, "--store", "none");

            Assert.Equal(2, code);
            Assert.Contains("--config", error);
        }
        finally
        {
            File.Delete(config);
        }
    }
}
