using Monitor.Storage.Influx;

namespace Monitor.Storage.Tests.Influx;

public sealed class LineProtocolTests
{
    [Fact]
    public void Measurement_tags_fields_and_strings_are_escaped_as_influxdb_expects()
    {
        var line = new LineProtocol()
            .Point("my measure,x")
            .Tag("probe name", "a=b,c d")
            .Field("bpf.web out,a=b", 1.5)
            .Field("count", 3L)
            .Field("text", "say \"hi\" \\o/")
            .Time(1700000000123)
            .ToString();
        Assert.Equal("my\\ measure\\,x,probe\\ name=a\\=b\\,c\\ d bpf.web\\ out\\,a\\=b=1.5,count=3i,text=\"say \\\"hi\\\" \\\\o/\" 1700000000123", line);
    }

    [Fact]
    public void Non_finite_values_are_left_out_and_a_point_without_fields_is_dropped()
    {
        var lines = new LineProtocol()
            .Point("m").Tag("probe", "p").Field("a", double.NaN).Field("b", double.PositiveInfinity).Time(1)
            .Point("m").Tag("probe", "p").Field("a", double.NaN).Field("c", 2.0).Time(2);
        Assert.Equal("m,probe=p c=2 2", lines.ToString());
        Assert.Equal(1, lines.Lines);
    }

    [Fact]
    public void A_tag_with_a_line_break_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new LineProtocol().Point("m").Tag("probe", "a\nb"));
        Assert.Throws<ArgumentException>(() => new LineProtocol().Point("m").Tag("probe", ""));
    }
}
