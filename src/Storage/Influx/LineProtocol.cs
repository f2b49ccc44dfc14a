using System.Globalization;
using System.Text;

namespace Monitor.Storage.Influx;

/// <summary>
/// Builds InfluxDB line protocol (v1): measurement and tag/field keys escape commas, spaces and (keys and tag
/// values) equals signs with a backslash; string fields are double-quoted with quotes and backslashes escaped;
/// integers carry the 'i' suffix; non-finite floats are left out (the protocol has no NaN).
/// </summary>
public sealed class LineProtocol
{
    private readonly StringBuilder _text = new();
    private int _fields;

    public int Lines { get; private set; }

    public LineProtocol Point(string measurement)
    {
        if (_text.Length > 0) _text.Append('\n');
        Escape(measurement, _text, equalsToo: false);
        _fields = -1;
        Lines++;
        return this;
    }

    public LineProtocol Tag(string key, string value)
    {
        if (_fields >= 0) throw new InvalidOperationException("tags come before fields");
        CheckText(key, "tag key");
        CheckText(value, "tag value");
        _text.Append(',');
        Escape(key, _text, equalsToo: true);
        _text.Append('=');
        Escape(value, _text, equalsToo: true);
        return this;
    }

    public LineProtocol Field(string key, double value)
    {
        if (!double.IsFinite(value)) return this;
        FieldKey(key).Append(value.ToString("R", CultureInfo.InvariantCulture));
        return this;
    }

    public LineProtocol Field(string key, long value)
    {
        FieldKey(key).Append(value.ToString(CultureInfo.InvariantCulture)).Append('i');
        return this;
    }

    public LineProtocol Field(string key, string value)
    {
        var text = FieldKey(key).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        text.Append('"');
        return this;
    }

    /// <summary>Ends the point with its time in milliseconds; a point without fields is dropped (the protocol needs one).</summary>
    public LineProtocol Time(long unixMilliseconds)
    {
        if (_fields <= 0)
        {
            var start = _text.ToString().LastIndexOf('\n');
            _text.Length = start < 0 ? 0 : start;
            Lines--;
            return this;
        }
        _text.Append(' ').Append(unixMilliseconds.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public override string ToString() => _text.ToString();

    public static string EscapeKey(string key)
    {
        var text = new StringBuilder(key.Length + 4);
        Escape(key, text, equalsToo: true);
        return text.ToString();
    }

    private StringBuilder FieldKey(string key)
    {
        CheckText(key, "field key");
        _text.Append(_fields <= 0 ? ' ' : ',');
        _fields = Math.Max(_fields, 0) + 1;
        Escape(key, _text, equalsToo: true);
        return _text.Append('=');
    }

    private static void Escape(string value, StringBuilder text, bool equalsToo)
    {
        foreach (var c in value)
        {
            if (c is ',' or ' ' || (equalsToo && c == '=')) text.Append('\\');
            text.Append(c);
        }
    }

    private static void CheckText(string value, string what)
    {
        if (string.IsNullOrEmpty(value)) throw new ArgumentException($"an InfluxDB {what} cannot be empty");
        if (value.Contains('\n') || value.Contains('\r')) throw new ArgumentException($"an InfluxDB {what} cannot contain a line break: '{value}'");
        if (value.EndsWith('\\')) throw new ArgumentException($"an InfluxDB {what} cannot end with a backslash: '{value}'");
    }
}
