using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitor.Storage.Model.Snapshots;

/// <summary>
/// One row of a top-N report. Reports differ in their columns, so a row is an ordered list of
/// named fields whose names are the report's JSON contract. Values are string, long, double or bool.
/// </summary>
[JsonConverter(typeof(ReportRowJsonConverter))]
public sealed record ReportRow(IReadOnlyList<ReportField> Fields)
{
    public object? this[string name]
    {
        get
        {
            foreach (var field in Fields)
                if (field.Name == name) return field.Value;
            return null;
        }
    }

    public double Number(string name) => this[name] switch
    {
        long l => l,
        double d => d,
        int i => i,
        bool b => b ? 1 : 0,
        _ => 0,
    };

    public string Text(string name) => this[name]?.ToString() ?? "";

    public bool Equals(ReportRow? other) =>
        other is not null && Fields.Count == other.Fields.Count && Fields.SequenceEqual(other.Fields);

    public override int GetHashCode() => Fields.Count == 0 ? 0 : HashCode.Combine(Fields.Count, Fields[0]);
}

public readonly record struct ReportField(string Name, object Value);

/// <summary>Writes a row as a flat JSON object and reads it back with the same value types.</summary>
public sealed class ReportRowJsonConverter : JsonConverter<ReportRow>
{
    public override ReportRow Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("a report row is a JSON object");
        var fields = new List<ReportField>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString() ?? throw new JsonException("field name expected");
            reader.Read();
            object value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.True => true,
                JsonTokenType.False => false,
                JsonTokenType.Number when reader.TryGetInt64(out var l) => l,
                JsonTokenType.Number => reader.GetDouble(),
                _ => throw new JsonException($"unsupported value for report field '{name}'"),
            };
            fields.Add(new ReportField(name, value));
        }
        return new ReportRow(fields);
    }

    /// <summary>
    /// The row as <see cref="Write"/> and then <see cref="Read"/> give it back, without the JSON (the same instance when
    /// that changes nothing): ints come back as longs, doubles rounded to 4 places, those among them written as an
    /// integer (no fraction, below 10^17: larger ones are written with an exponent) as longs, other values as their text.
    /// </summary>
    public static ReportRow Stored(ReportRow row)
    {
        List<ReportField>? copy = null;
        for (var i = 0; i < row.Fields.Count; i++)
        {
            var (name, value) = row.Fields[i];
            var stored = Stored(value);
            if (copy is null)
            {
                if (ReferenceEquals(stored, value)) continue;
                copy = new List<ReportField>(row.Fields.Count);
                for (var j = 0; j < i; j++) copy.Add(row.Fields[j]);
            }
            copy.Add(new ReportField(name, stored));
        }
        return copy is null ? row : new ReportRow(copy);
    }

    private static object Stored(object value)
    {
        switch (value)
        {
            case string or long or bool: return value;
            case int i: return (long)i;
            case double d:
                var rounded = Math.Round(d, 4);
                if (rounded == Math.Floor(rounded) && Math.Abs(rounded) < 1e17)
                {
                    // Up to 2^53 the integer is exact; above it the writer's shortest digits end in zeros the double does not have.
                    if (Math.Abs(rounded) < 1L << 53) return (long)rounded;
                    if (long.TryParse(rounded.ToString(CultureInfo.InvariantCulture), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var written))
                        return written;
                }
                return rounded.Equals(d) ? value : rounded;
            default: return value?.ToString()!;
        }
    }

    public override void Write(Utf8JsonWriter writer, ReportRow value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (name, v) in value.Fields)
        {
            switch (v)
            {
                case string s: writer.WriteString(name, s); break;
                case long l: writer.WriteNumber(name, l); break;
                case int i: writer.WriteNumber(name, i); break;
                case double d: writer.WriteNumber(name, Math.Round(d, 4)); break;
                case bool b: writer.WriteBoolean(name, b); break;
                default: writer.WriteString(name, v?.ToString()); break;
            }
        }
        writer.WriteEndObject();
    }
}
