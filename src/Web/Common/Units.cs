using System.Globalization;

namespace Monitor.Web.Common;

/// <summary>Numbers as a person reads them at a glance: 1.25 Mbit/s, 3.4 k packets/s, 12 MB.</summary>
public static class Units
{
    private static readonly string[] Si = ["", "k", "M", "G", "T", "P"];
    private static readonly string[] Binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>SI-scaled value with the unit; bits/s becomes kbit/s, Mbit/s, Gbit/s.</summary>
    public static string Format(double value, string unit)
    {
        if (double.IsNaN(value) || double.IsInfinity(value)) return "–";
        var (scaled, prefix) = Scale(value);
        var number = scaled.ToString(Math.Abs(scaled) >= 100 || prefix == "" && scaled == Math.Floor(scaled) ? "0" : "0.##",
            CultureInfo.InvariantCulture);
        return unit switch
        {
            "bits/s" => $"{number} {prefix}bit/s",
            "" => $"{number}{prefix}",
            _ => prefix == "" ? $"{number} {unit}" : $"{number} {prefix} {unit}",
        };
    }

    public static string Bytes(double bytes)
    {
        var i = 0;
        while (Math.Abs(bytes) >= 1024 && i < Binary.Length - 1)
        {
            bytes /= 1024;
            i++;
        }
        return i == 0
            ? bytes.ToString("0", CultureInfo.InvariantCulture) + " B"
            : bytes.ToString(bytes >= 100 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + Binary[i];
    }

    public static string Count(double value) => Format(value, "");

    private static (double Scaled, string Prefix) Scale(double value)
    {
        var i = 0;
        while (Math.Abs(value) >= 1000 && i < Si.Length - 1)
        {
            value /= 1000;
            i++;
        }
        return (value, Si[i]);
    }
}
