namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>Median and median absolute deviation without allocating.</summary>
internal static class RobustStats
{
    /// <summary>Scale factor that makes the MAD estimate a normal distribution's standard deviation.</summary>
    public const double MadToSigma = 1.4826;

    /// <summary>Median of values already in ascending order.</summary>
    public static double MedianOfSorted(IReadOnlyList<double> sorted)
    {
        var n = sorted.Count;
        if (n == 0) return double.NaN;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>Median of a scratch span (reordered in place).</summary>
    public static double Median(Span<double> values)
    {
        var n = values.Length;
        if (n == 0) return double.NaN;
        var upper = Select(values, n / 2);
        if (n % 2 == 1) return upper;
        var lower = double.MinValue;
        foreach (var v in values[..(n / 2)]) lower = Math.Max(lower, v);
        return (lower + upper) / 2;
    }

    /// <summary>Median absolute deviation from <paramref name="median"/>, using scratch as working space.</summary>
    public static double Mad(IReadOnlyList<double> values, double median, Span<double> scratch)
    {
        var d = scratch[..values.Count];
        for (var i = 0; i < d.Length; i++) d[i] = Math.Abs(values[i] - median);
        return Median(d);
    }

    /// <summary>The k-th smallest value (0-based); afterwards values[..k] hold the smaller ones.</summary>
    private static double Select(Span<double> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            var pivot = values[lo + (hi - lo) / 2];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j)
                {
                    (values[i], values[j]) = (values[j], values[i]);
                    i++;
                    j--;
                }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];
    }
}
