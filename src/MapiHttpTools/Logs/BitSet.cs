using System;

namespace MapiHttpTools.Logs;

/// <summary>
/// A growable set of small non-negative integers (pool ids): one bit each, so "who was active in this hour"
/// costs a few kilobytes per time bucket even for tens of thousands of users.
/// </summary>
internal sealed class BitSet
{
    private ulong[] _words = Array.Empty<ulong>();

    public void Set(int index)
    {
        int word = index >> 6;
        if (word >= _words.Length)
        {
            Array.Resize(ref _words, Math.Max(word + 1, _words.Length * 2));
        }

        _words[word] |= 1UL << (index & 63);
    }

    public bool Get(int index)
    {
        int word = index >> 6;
        return word < _words.Length && (_words[word] & (1UL << (index & 63))) != 0;
    }

    /// <summary>Adds every member of <paramref name="other"/>.</summary>
    public void Or(BitSet other)
    {
        if (other._words.Length > _words.Length)
        {
            Array.Resize(ref _words, other._words.Length);
        }

        for (int i = 0; i < other._words.Length; i++)
        {
            _words[i] |= other._words[i];
        }
    }

    /// <summary>Adds map[i] for every member i of <paramref name="other"/> (members mapped to -1 are dropped).</summary>
    public void OrMapped(BitSet other, int[] map)
    {
        for (int w = 0; w < other._words.Length; w++)
        {
            ulong bits = other._words[w];
            while (bits != 0)
            {
                int bit = TrailingZeros(bits);
                bits &= bits - 1;
                int target = map[(w << 6) + bit];
                if (target >= 0)
                {
                    Set(target);
                }
            }
        }
    }

    /// <summary>Calls <paramref name="action"/> for each member, in increasing order.</summary>
    public void ForEach(Action<int> action)
    {
        for (int w = 0; w < _words.Length; w++)
        {
            ulong bits = _words[w];
            while (bits != 0)
            {
                int bit = TrailingZeros(bits);
                bits &= bits - 1;
                action((w << 6) + bit);
            }
        }
    }

    public int Count()
    {
        int count = 0;
        foreach (ulong word in _words)
        {
            ulong v = word - ((word >> 1) & 0x5555555555555555UL);
            v = (v & 0x3333333333333333UL) + ((v >> 2) & 0x3333333333333333UL);
            v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
            count += (int)((v * 0x0101010101010101UL) >> 56);
        }

        return count;
    }

    private static int TrailingZeros(ulong value)
    {
        int n = 0;
        while ((value & 1) == 0)
        {
            value >>= 1;
            n++;
        }

        return n;
    }
}
