using System;
using System.Linq;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>
/// Issue 19: the percentile boundaries, each with the literal value the documentation promises (whole milliseconds
/// exact below 64 ms, the bucket's geometric middle above, clamped to the smallest and largest seen, the largest for
/// the last rank and past an hour), and the sparse table's collisions, growth into the dense array and merges.
/// Bucket k ≥ 64 covers [64·1.04^(k-64), 64·1.04^(k-63)) and reports 64·1.04^(k-63.5): 64..66.55 ms → 65.3,
/// 100 ms (k 75) → 100.5, 150 ms (k 85) → 148.7.
/// </summary>
public sealed class LatencyHistogramBoundaryTests
{
    private static LatencyHistogram Of(params double[] values)
    {
        var histogram = new LatencyHistogram();
        foreach (double value in values)
        {
            histogram.Add(value);
        }

        return histogram;
    }

    [Theory]
    [InlineData(0.0, 65.3)] // rank 0 counts as the first
    [InlineData(20.0, 65.3)] // rank 1: 64 ms
    [InlineData(40.0, 65.3)] // rank 2: 66 ms, the same bucket as 64
    [InlineData(40.1, 100.5)] // rank 3 (ceiling of 2.005): 100 ms
    [InlineData(60.0, 100.5)]
    [InlineData(80.0, 148.7)] // rank 4: 150 ms
    [InlineData(80.1, 1000.0)] // rank 5, the last: the largest itself
    [InlineData(100.0, 1000.0)]
    public void Nearest_rank_above_64_ms_is_the_buckets_geometric_middle(double percentile, double expected) =>
        Assert.Equal(expected, Of(1000, 150, 100, 66, 64).Percentile(percentile));

    [Fact]
    public void Rank_zero_of_a_dense_histogram_is_the_first_bucket_with_a_value_not_the_empty_first_bucket()
    {
        // 30 latencies from 100 ms growing by 5%: 30 distinct buckets, so the dense array; none below 100 ms.
        LatencyHistogram histogram = Of(Enumerable.Range(0, 30).Select(k => Math.Round(100 * Math.Pow(1.05, k))).ToArray());

        Assert.Equal(100.5, histogram.Percentile(0));
        Assert.Equal(100.5, histogram.Percentile(1));
    }

    [Fact]
    public void The_middle_of_a_bucket_is_clamped_to_the_smallest_and_largest_latency_seen()
    {
        // 101 ms is in the bucket reported as 100.5: below the smallest seen, so the smallest.
        Assert.Equal(101, Of(101, 101, 101, 200).Percentile(50));

        // 64.5 and 65 ms are in the bucket reported as 65.3: above the largest seen (rank 3 of 4), so the largest.
        LatencyHistogram close = Of(60, 64.5, 64.5, 65);
        Assert.Equal(65, close.Percentile(75));
        Assert.Equal(60, close.Percentile(25));
    }

    [Fact]
    public void Fractional_and_zero_latencies_below_64_ms_report_their_whole_millisecond()
    {
        LatencyHistogram histogram = Of(0, 2, 5.7, 10, 20, 63.9, 70);

        Assert.Equal(0, histogram.Percentile(10)); // rank 1: 0 ms
        Assert.Equal(5, histogram.Percentile(40)); // rank 3: 5.7 ms in the 5 ms bucket
        Assert.Equal(63, histogram.Percentile(85)); // rank 6: 63.9 ms in the 63 ms bucket
        Assert.Equal(70, histogram.Percentile(86)); // rank 7, the last
        Assert.Equal(7, histogram.Count);
        Assert.Equal(171.6, histogram.Sum, 6);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(70, histogram.Max);
    }

    [Fact]
    public void Latencies_of_an_hour_and_more_fall_in_the_top_bucket_reported_as_the_largest()
    {
        // Exactly one hour is past the tracked range; its rank (2 of 3) is not the last.
        Assert.Equal(3_700_000, Of(10, 3_600_000, 3_700_000).Percentile(50));
        Assert.Equal(5_000_000, Of(10, 4_000_000, 5_000_000).Percentile(50));

        // Just under an hour is still a log bucket (3 547 847.7 its middle), clamped to the smallest seen.
        Assert.Equal(3_599_999, Of(3_599_999, 3_599_999, 3_700_000).Percentile(50));
    }

    [Fact]
    public void A_fractional_latency_above_64_ms_takes_its_own_bucket_not_its_whole_milliseconds()
    {
        // 66.7 ms is past the bucket edge at 66.56 (middle 67.9); 66 ms, its whole part, is below it (middle 65.3).
        Assert.Equal(67.9, Of(66.7, 66.7, 100).Percentile(50));
        Assert.Equal(66, Of(66, 66, 100).Percentile(50));
    }

    [Fact]
    public void Whole_milliseconds_from_65536_on_take_the_computed_bucket()
    {
        // The precomputed table covers 0..65535 ms; 65536 ms (bucket middle 64 947.8) is computed.
        LatencyHistogram histogram = Of(100, 65_536, 65_536, 90_000);

        Assert.Equal(64_947.8, histogram.Percentile(50));
        Assert.Equal(4, histogram.Count);
    }

    [Fact]
    public void Colliding_buckets_probe_to_the_next_free_slot_and_wrap_around()
    {
        // Buckets 1 and 33 share a slot of the sparse table, as do 31 and 63 (which wraps to slot 0).
        LatencyHistogram histogram = Of(1, 33, 2, 31, 63, 2, 33, 0);

        // Sorted: 0, 1, 2, 2, 31, 33, 33, 63.
        Assert.Equal(0, histogram.Percentile(12.5));
        Assert.Equal(1, histogram.Percentile(25));
        Assert.Equal(2, histogram.Percentile(50));
        Assert.Equal(31, histogram.Percentile(62.5));
        Assert.Equal(33, histogram.Percentile(87.5));
        Assert.Equal(63, histogram.Percentile(100));
    }

    [Theory]
    [InlineData(24)] // the sparse table's limit: still sparse
    [InlineData(25)] // one more distinct bucket: the dense array
    [InlineData(40)]
    public void Every_rank_is_exact_below_64_ms_however_many_distinct_buckets(int distinct)
    {
        // Each value twice, the second pass reversed: 1, 2, ..., n, n, ..., 2, 1.
        double[] values = Enumerable.Range(1, distinct).Select(v => (double)v).ToArray();
        LatencyHistogram histogram = Of(values.Concat(values.Reverse()).ToArray());

        for (int rank = 1; rank <= 2 * distinct; rank++)
        {
            double percentile = 100.0 * (rank - 0.5) / (2 * distinct);
            Assert.Equal((rank + 1) / 2, histogram.Percentile(percentile));
        }
    }

    [Fact]
    public void Merging_sparse_into_dense_dense_into_sparse_and_into_an_empty_histogram_keeps_every_count()
    {
        LatencyHistogram dense = Of(Enumerable.Range(1, 30).Select(v => (double)v).ToArray()); // 30 distinct: dense
        LatencyHistogram sparse = Of(40, 40, 41);

        var intoEmpty = new LatencyHistogram();
        intoEmpty.Merge(sparse);
        Assert.Equal((3L, 40.0, 41.0, 121.0), (intoEmpty.Count, intoEmpty.Min, intoEmpty.Max, intoEmpty.Sum));
        Assert.Equal(40, intoEmpty.Percentile(50));

        LatencyHistogram sparseThenDense = Of(40, 40, 41);
        sparseThenDense.Merge(dense); // the sparse table becomes dense while merging
        LatencyHistogram denseThenSparse = Of(Enumerable.Range(1, 30).Select(v => (double)v).ToArray());
        denseThenSparse.Merge(sparse);

        foreach (LatencyHistogram merged in new[] { sparseThenDense, denseThenSparse })
        {
            Assert.Equal(33, merged.Count);
            Assert.Equal(1, merged.Min);
            Assert.Equal(41, merged.Max);
            Assert.Equal(586, merged.Sum);
            Assert.Equal(17, merged.Percentile(50)); // rank 17 of 1..30, 40, 40, 41
            Assert.Equal(30, merged.Percentile(90)); // rank 30
            Assert.Equal(40, merged.Percentile(95)); // rank 32
            Assert.Equal(41, merged.Percentile(100));
        }

        LatencyHistogram unchanged = Of(5, 7);
        unchanged.Merge(new LatencyHistogram());
        Assert.Equal((2L, 5.0, 7.0, 12.0), (unchanged.Count, unchanged.Min, unchanged.Max, unchanged.Sum));
        Assert.Equal(5, unchanged.Percentile(50));
    }
}
