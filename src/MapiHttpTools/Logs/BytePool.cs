using System;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>
/// Interns field values by their bytes: a value seen before costs a hash and a compare, no allocation.
/// Each entry gets a small integer id (dense from 0) that callers use to index their own arrays, and an
/// <see cref="Aux"/> slot for a cached per-value decision (for example "matches -User").
/// Bounded: past <see cref="Capacity"/> distinct values, <see cref="Intern"/> returns -1 and the caller
/// decides (the summary files such values under one "(other)" key).
/// </summary>
internal sealed class BytePool
{
    private readonly int _capacity;
    private int[] _table;
    private int[] _hashes;
    private int[] _offsets;
    private int[] _lengths;
    private int[] _aux;
    private string?[] _values;
    private bool[] _escaped;
    private byte[] _arena;
    private int _arenaUsed;

    public BytePool(int capacity = 200_000)
    {
        _capacity = capacity;
        _table = new int[64];
        _hashes = new int[16];
        _offsets = new int[16];
        _lengths = new int[16];
        _aux = new int[16];
        _values = new string?[16];
        _escaped = new bool[16];
        _arena = new byte[1024];
    }

    public int Count { get; private set; }

    public int Capacity => _capacity;

    /// <summary>The decoded value of entry <paramref name="id"/> (decoded once, on first use).</summary>
    public string this[int id] => _values[id] ??= LineFields.Decode(_arena, _offsets[id], _lengths[id], _escaped[id]);

    /// <summary>A caller-owned integer per entry, 0 until set.</summary>
    public ref int Aux(int id) => ref _aux[id];

    /// <summary>The id of field <paramref name="index"/>'s value, adding it if new; -1 when empty or the pool is full.</summary>
    [MethodImpl(Hot.Path)]
    public int Intern(LineFields fields, int index)
    {
        if (fields.IsEmpty(index))
        {
            return -1;
        }

        return Intern(fields.Buffer, fields.Start(index), fields.Length(index), fields.HasEscapes(index));
    }

    [MethodImpl(Hot.Path)]
    public unsafe int Intern(byte[] buffer, int start, int length, bool escaped = false)
    {
        int hash = Hash(buffer, start, length);
        int mask = _table.Length - 1;
        int slot = hash & mask;
        fixed (byte* source = buffer)
        fixed (byte* arena = _arena)
        {
            while (true)
            {
                int entry = _table[slot] - 1;
                if (entry < 0)
                {
                    break;
                }

                if (_hashes[entry] == hash && _lengths[entry] == length && Same(source + start, arena + _offsets[entry], length))
                {
                    return entry;
                }

                slot = (slot + 1) & mask;
            }
        }

        if (Count >= _capacity)
        {
            return -1;
        }

        return Add(buffer, start, length, escaped, hash);
    }

    /// <summary>Interns a string (for keys made by the engine rather than read from a line).</summary>
    public int Intern(string value)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(value);
        return Intern(bytes, 0, bytes.Length);
    }

    private int Add(byte[] buffer, int start, int length, bool escaped, int hash)
    {
        int id = Count;
        if (id == _hashes.Length)
        {
            int size = id * 2;
            Array.Resize(ref _hashes, size);
            Array.Resize(ref _offsets, size);
            Array.Resize(ref _lengths, size);
            Array.Resize(ref _aux, size);
            Array.Resize(ref _values, size);
            Array.Resize(ref _escaped, size);
        }

        if (_arenaUsed + length > _arena.Length)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _arenaUsed + length));
        }

        Buffer.BlockCopy(buffer, start, _arena, _arenaUsed, length);
        _hashes[id] = hash;
        _offsets[id] = _arenaUsed;
        _lengths[id] = length;
        _escaped[id] = escaped;
        _arenaUsed += length;
        Count = id + 1;

        if (Count * 2 > _table.Length)
        {
            Rehash(_table.Length * 2);
        }
        else
        {
            Place(_table, id, hash);
        }

        return id;
    }

    private void Rehash(int size)
    {
        var table = new int[size];
        for (int id = 0; id < Count; id++)
        {
            Place(table, id, _hashes[id]);
        }

        _table = table;
    }

    private static void Place(int[] table, int id, int hash)
    {
        int mask = table.Length - 1;
        int slot = hash & mask;
        while (table[slot] != 0)
        {
            slot = (slot + 1) & mask;
        }

        table[slot] = id + 1;
    }

    [MethodImpl(Hot.Path)]
    private static unsafe int Hash(byte[] buffer, int start, int length)
    {
        ulong hash = 0xcbf29ce484222325UL ^ (ulong)length;
        fixed (byte* p = buffer)
        {
            byte* q = p + start;
            int i = 0;
            for (; i + 8 <= length; i += 8)
            {
                hash = (hash ^ *(ulong*)(q + i)) * 0x100000001b3UL;
                hash ^= hash >> 29;
            }

            for (; i < length; i++)
            {
                hash = (hash ^ q[i]) * 0x100000001b3UL;
            }
        }

        hash ^= hash >> 32;
        return (int)hash & 0x7fffffff;
    }

    [MethodImpl(Hot.Path)]
    private static unsafe bool Same(byte* a, byte* b, int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (*(ulong*)(a + i) != *(ulong*)(b + i))
            {
                return false;
            }
        }

        for (; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }
}
