using System;
using System.Linq;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>The bounded-memory percentiles keep the accuracy their documentation promises.</summary>
public sealed class LatencyHistogramTests
{
    private static double NearestRank(double[] sorted, double percentile) =>
        sorted[Math.Max(1, (int)Math.Ceiling(percentile / 100.0 * sorted.Length)) - 1];

    [Fact]
    public void Whole_milliseconds_below_64_are_exact()
    {
        var histogram = new LatencyHistogram();
        double[] values = { 1, 2, 2, 3, 5, 6, 12, 15, 18, 20, 25, 30, 33, 40, 63 };
        foreach (double v in values.Reverse())
        {
            histogram.Add(v);
        }

        foreach (double p in new[] { 1.0, 25, 50, 75, 90, 95, 99, 100 })
        {
            Assert.Equal(NearestRank(values, p), histogram.Percentile(p));
        }
    }

    [Fact]
    public void Larger_latencies_are_within_two_percent_of_the_exact_nearest_rank()
    {
        var random = new Random(7);
        double[] values = Enumerable.Range(0, 100_000)
            .Select(_ => Math.Round(Math.Max(1, 40 * Math.Exp(1.3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))))
            .ToArray();
        var histogram = new LatencyHistogram();
        foreach (double v in values)
        {
            histogram.Add(v);
        }

        Array.Sort(values);
        foreach (double p in new[] { 50.0, 90, 95, 99, 99.9 })
        {
            double exact = NearestRank(values, p);
            double estimate = histogram.Percentile(p)!.Value;
            Assert.True(exact < 64 ? estimate == exact : Math.Abs(estimate - exact) / exact <= 0.021, $"p{p}: exact {exact}, estimate {estimate}");
        }

        Assert.Equal(values.Length, histogram.Count);
        Assert.Equal(values.Max(), histogram.Percentile(100));
    }

    [Fact]
    public void Sparse_and_dense_groups_and_merged_groups_give_the_same_answers()
    {
        var random = new Random(3);
        double[] values = Enumerable.Range(0, 5000).Select(_ => (double)random.Next(1, 400_000)).ToArray();
        var whole = new LatencyHistogram();
        var left = new LatencyHistogram();
        var right = new LatencyHistogram();
        var few = new LatencyHistogram();
        for (int i = 0; i < values.Length; i++)
        {
            whole.Add(values[i]);
            (i % 2 == 0 ? left : right).Add(values[i]);
        }

        foreach (double v in values.Take(10))
        {
            few.Add(v);
        }

        left.Merge(right);
        left.Merge(new LatencyHistogram());
        foreach (double p in new[] { 50.0, 95, 99 })
        {
            Assert.Equal(whole.Percentile(p), left.Percentile(p));
        }

        double[] ten = values.Take(10).OrderBy(v => v).ToArray();
        Assert.True(Math.Abs(few.Percentile(50)!.Value - NearestRank(ten, 50)) / NearestRank(ten, 50) <= 0.021);
        Assert.Null(new LatencyHistogram().Percentile(50));
    }

    [Fact]
    public void Values_past_an_hour_report_the_largest_seen()
    {
        var histogram = new LatencyHistogram();
        histogram.Add(10);
        histogram.Add(5_000_000);

        Assert.Equal(5_000_000, histogram.Percentile(99));
        Assert.Equal(10, histogram.Percentile(50));
    }
}
