using Monitor.Storage.Model.Queries;

namespace Monitor.Web.Features.Series;

/// <summary>
/// Folds consecutive buckets so a chart never gets more than a given number of points per series
/// (min of mins, mean of averages, max of maxes), whatever a store returned.
/// </summary>
public static class Downsampler
{
    public const int MaxPoints = 2000;

    public static IReadOnlyList<SeriesBucket> Fold(IReadOnlyList<SeriesBucket> buckets, int maxPoints)
    {
        if (maxPoints < 1) throw new ArgumentOutOfRangeException(nameof(maxPoints));
        if (buckets.Count <= maxPoints) return buckets;
        var size = (buckets.Count + maxPoints - 1) / maxPoints;
        var folded = new List<SeriesBucket>((buckets.Count + size - 1) / size);
        for (var i = 0; i < buckets.Count; i += size)
        {
            var end = Math.Min(i + size, buckets.Count);
            double min = double.MaxValue, max = double.MinValue, sum = 0;
            for (var j = i; j < end; j++)
            {
                var b = buckets[j];
                min = Math.Min(min, b.Min);
                max = Math.Max(max, b.Max);
                sum += b.Avg;
            }
            folded.Add(new SeriesBucket(buckets[i].Time, min, sum / (end - i), max));
        }
        return folded;
    }
}
