using System;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>
/// Latency percentiles in fixed memory, whatever the number of requests.
/// Buckets: one per whole millisecond below 64 ms (exact for the whole-millisecond values Exchange and IIS
/// log), then log-scale buckets growing by 4% up to one hour, and one bucket above. A percentile is the
/// nearest-rank value's bucket reported as the bucket's geometric middle, clamped to the smallest and
/// largest latency seen (the largest itself when the rank is the last): within 2% of the exact nearest-rank value above 64 ms, exact below (fractional
/// values below 64 ms report their whole millisecond). A group starts with a small hash of (bucket, count)
/// pairs and turns into a dense array (about 2.8 KB) only when it sees more than 24 distinct buckets, so
/// groups with few requests (most users) stay small.
/// </summary>
internal sealed class LatencyHistogram
{
    internal const int LinearBuckets = 64;
    internal const double Growth = 1.04;
    internal const double MaxTracked = 3_600_000;
    private const int SparseSlots = 32;
    private const int SparseLimit = 24;

    internal static readonly int BucketCount;
    private static readonly double LogGrowth = Math.Log(Growth);
    private static readonly ushort[] SmallIndex;

    private long[]? _dense;
    private int[]? _sparseKeys;
    private long[]? _sparseCounts;
    private int _sparseUsed;

    static LatencyHistogram()
    {
        BucketCount = LinearBuckets + (int)Math.Ceiling(Math.Log(MaxTracked / LinearBuckets) / LogGrowth) + 2;
        SmallIndex = new ushort[1 << 16];
        for (int v = 0; v < SmallIndex.Length; v++)
        {
            SmallIndex[v] = (ushort)ComputeIndex(v);
        }
    }

    public long Count { get; private set; }

    public double Min { get; private set; } = double.MaxValue;

    public double Max { get; private set; } = double.MinValue;

    public double Sum { get; private set; }

    [MethodImpl(Hot.Path)]
    public void Add(double milliseconds)
    {
        int index = milliseconds < SmallIndex.Length && milliseconds == Math.Floor(milliseconds)
            ? SmallIndex[(int)milliseconds]
            : ComputeIndex(milliseconds);
        Count++;
        Sum += milliseconds;
        if (milliseconds < Min)
        {
            Min = milliseconds;
        }

        if (milliseconds > Max)
        {
            Max = milliseconds;
        }

        Increment(index, 1);
    }

    public void Merge(LatencyHistogram other)
    {
        if (other.Count == 0)
        {
            return;
        }

        Count += other.Count;
        Sum += other.Sum;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        if (other._dense is not null)
        {
            for (int i = 0; i < other._dense.Length; i++)
            {
                if (other._dense[i] != 0)
                {
                    Increment(i, other._dense[i]);
                }
            }
        }
        else
        {
            for (int i = 0; other._sparseKeys is not null && i < SparseSlots; i++)
            {
                if (other._sparseKeys[i] >= 0)
                {
                    Increment(other._sparseKeys[i], other._sparseCounts![i]);
                }
            }
        }
    }

    /// <summary>The nearest-rank <paramref name="percentile"/> (0 &lt; p ≤ 100), or null with no values.</summary>
    public double? Percentile(double percentile)
    {
        if (Count == 0)
        {
            return null;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * Count));
        if (rank >= Count)
        {
            return Max;
        }

        long seen = 0;
        if (_dense is not null)
        {
            for (int i = 0; i < _dense.Length; i++)
            {
                seen += _dense[i];
                if (seen >= rank)
                {
                    return Representative(i);
                }
            }
        }
        else
        {
            var keys = new int[_sparseUsed];
            var counts = new long[_sparseUsed];
            int used = 0;
            for (int i = 0; i < SparseSlots; i++)
            {
                if (_sparseKeys![i] >= 0)
                {
                    keys[used] = _sparseKeys[i];
                    counts[used] = _sparseCounts![i];
                    used++;
                }
            }

            Array.Sort(keys, counts);
            for (int i = 0; i < keys.Length; i++)
            {
                seen += counts[i];
                if (seen >= rank)
                {
                    return Representative(keys[i]);
                }
            }
        }

        return Max;
    }

    private double Representative(int index)
    {
        double value;
        if (index < LinearBuckets)
        {
            value = index;
        }
        else if (index >= BucketCount - 1)
        {
            value = Max;
        }
        else
        {
            value = LinearBuckets * Math.Pow(Growth, index - LinearBuckets + 0.5);
        }

        return Math.Round(Math.Min(Max, Math.Max(Min, value)), 1);
    }

    internal static int ComputeIndex(double milliseconds)
    {
        if (milliseconds < LinearBuckets)
        {
            return milliseconds <= 0 ? 0 : (int)milliseconds;
        }

        if (milliseconds >= MaxTracked)
        {
            return BucketCount - 1;
        }

        int index = LinearBuckets + (int)(Math.Log(milliseconds / LinearBuckets) / LogGrowth);
        return Math.Min(index, BucketCount - 2);
    }

    [MethodImpl(Hot.Path)]
    private void Increment(int index, long by)
    {
        if (_dense is not null)
        {
            _dense[index] += by;
            return;
        }

        if (_sparseKeys is null)
        {
            _sparseKeys = new int[SparseSlots];
            _sparseCounts = new long[SparseSlots];
            for (int i = 0; i < SparseSlots; i++)
            {
                _sparseKeys[i] = -1;
            }
        }

        int slot = index & (SparseSlots - 1);
        while (true)
        {
            int key = _sparseKeys[slot];
            if (key == index)
            {
                _sparseCounts![slot] += by;
                return;
            }

            if (key < 0)
            {
                break;
            }

            slot = (slot + 1) & (SparseSlots - 1);
        }

        if (_sparseUsed == SparseLimit)
        {
            _dense = new long[BucketCount];
            for (int i = 0; i < SparseSlots; i++)
            {
                if (_sparseKeys[i] >= 0)
                {
                    _dense[_sparseKeys[i]] += _sparseCounts![i];
                }
            }

            _dense[index] += by;
            _sparseKeys = null;
            _sparseCounts = null;
            _sparseUsed = 0;
            return;
        }

        _sparseKeys[slot] = index;
        _sparseCounts![slot] = by;
        _sparseUsed++;
    }
}
