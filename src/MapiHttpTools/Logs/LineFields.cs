using System;
using System.Text;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>How splitting a line into fields ended.</summary>
internal enum SplitResult
{
    Ok,

    /// <summary>The line ends inside a quoted field (a field holding a line break, or a cut line).</summary>
    OpenQuote,

    /// <summary>A closing quote is followed by something other than a separator.</summary>
    BadQuote,

    /// <summary>More fields than any known log has.</summary>
    TooManyFields,
}

/// <summary>
/// The fields of one line as ranges of the reader's buffer: no string is made until a caller asks for one,
/// so a filter or the summary pays only for the columns it reads. CSV rules: a field that starts with a
/// double quote runs to the matching quote, "" inside it is one quote, separators and line breaks inside
/// it are data. W3C (space-separated) fields are never quoted and "-" means empty.
/// </summary>
internal sealed class LineFields
{
    internal const int MaxFields = 512;

    private readonly int[] _starts = new int[MaxFields];
    private readonly int[] _ends = new int[MaxFields];
    private readonly bool[] _escaped = new bool[MaxFields];
    private bool _dashIsEmpty;

    public byte[] Buffer { get; private set; } = Array.Empty<byte>();

    public int Count { get; private set; }

    public int LineStart { get; private set; }

    public int LineLength { get; private set; }

    /// <summary>Splits <paramref name="length"/> bytes at <paramref name="start"/> of <paramref name="buffer"/>.</summary>
    [MethodImpl(Hot.Path)]
    public unsafe SplitResult Split(byte[] buffer, int start, int length, byte separator, bool quoted, bool dashIsEmpty)
    {
        Buffer = buffer;
        LineStart = start;
        LineLength = length;
        _dashIsEmpty = dashIsEmpty;
        int count = 0;
        int end = start + length;
        fixed (byte* p = buffer)
        fixed (int* starts = _starts)
        fixed (int* ends = _ends)
        {
            int i = start;
            while (true)
            {
                if (count == MaxFields)
                {
                    Count = count;
                    return SplitResult.TooManyFields;
                }

                if (quoted && i < end && p[i] == (byte)'"')
                {
                    int contentStart = i + 1;
                    int j = contentStart;
                    bool escaped = false;
                    while (true)
                    {
                        while (j < end && p[j] != (byte)'"')
                        {
                            j++;
                        }

                        if (j >= end)
                        {
                            Count = count;
                            return SplitResult.OpenQuote;
                        }

                        if (j + 1 < end && p[j + 1] == (byte)'"')
                        {
                            escaped = true;
                            j += 2;
                            continue;
                        }

                        break;
                    }

                    starts[count] = contentStart;
                    ends[count] = j;
                    _escaped[count] = escaped;
                    count++;
                    i = j + 1;
                    if (i == end)
                    {
                        break;
                    }

                    if (p[i] != separator)
                    {
                        Count = count;
                        return SplitResult.BadQuote;
                    }

                    i++;
                    continue;
                }

                int fieldStart = i;
                while (i < end && p[i] != separator)
                {
                    i++;
                }

                starts[count] = fieldStart;
                ends[count] = i;
                _escaped[count] = false;
                count++;
                if (i >= end)
                {
                    break;
                }

                i++;
            }
        }

        Count = count;
        return SplitResult.Ok;
    }

    public int Start(int index) => _starts[index];

    public int Length(int index) => _ends[index] - _starts[index];

    /// <summary>True when the column is missing from the schema (-1), empty, or "-" in a W3C log.</summary>
    [MethodImpl(Hot.Path)]
    public bool IsEmpty(int index)
    {
        if (index < 0 || index >= Count)
        {
            return true;
        }

        int length = _ends[index] - _starts[index];
        return length == 0 || (_dashIsEmpty && length == 1 && Buffer[_starts[index]] == (byte)'-');
    }

    public bool HasEscapes(int index) => _escaped[index];

    /// <summary>The field as a new string (null when empty). For values that repeat, use a <see cref="BytePool"/>.</summary>
    public string? GetString(int index)
    {
        if (IsEmpty(index))
        {
            return null;
        }

        return Decode(Buffer, _starts[index], _ends[index] - _starts[index], _escaped[index]);
    }

    internal static string Decode(byte[] buffer, int start, int length, bool escaped)
    {
        string text = Encoding.UTF8.GetString(buffer, start, length);
        return escaped ? text.Replace("\"\"", "\"") : text;
    }

    /// <summary>Case-insensitive ASCII comparison of the field with <paramref name="text"/>.</summary>
    [MethodImpl(Hot.Path)]
    public bool EqualsAscii(int index, string text)
    {
        if (index < 0 || index >= Count)
        {
            return false;
        }

        int start = _starts[index];
        int length = _ends[index] - start;
        if (length != text.Length)
        {
            return false;
        }

        for (int k = 0; k < length; k++)
        {
            if (AsciiLower(Buffer[start + k]) != AsciiLower((byte)text[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Case-insensitive ASCII prefix test.</summary>
    [MethodImpl(Hot.Path)]
    public bool StartsWithAscii(int index, string prefix)
    {
        if (index < 0 || index >= Count || Length(index) < prefix.Length)
        {
            return false;
        }

        int start = _starts[index];
        for (int k = 0; k < prefix.Length; k++)
        {
            if (AsciiLower(Buffer[start + k]) != AsciiLower((byte)prefix[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Position of <paramref name="needle"/> (ASCII, case-insensitive) inside the field, or -1.</summary>
    [MethodImpl(Hot.Path)]
    public int IndexOfAscii(int index, string needle)
    {
        if (index < 0 || index >= Count)
        {
            return -1;
        }

        int start = _starts[index];
        int last = _ends[index] - needle.Length;
        byte first = AsciiLower((byte)needle[0]);
        for (int i = start; i <= last; i++)
        {
            if (AsciiLower(Buffer[i]) != first)
            {
                continue;
            }

            int k = 1;
            while (k < needle.Length && AsciiLower(Buffer[i + k]) == AsciiLower((byte)needle[k]))
            {
                k++;
            }

            if (k == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }

    private static byte AsciiLower(byte b) => b >= (byte)'A' && b <= (byte)'Z' ? (byte)(b | 0x20) : b;

    /// <summary>Parses a whole field as an integer; false when empty or not a number.</summary>
    [MethodImpl(Hot.Path)]
    public bool TryGetInt64(int index, out long value)
    {
        value = 0;
        if (IsEmpty(index))
        {
            return false;
        }

        return ValueParsers.TryParseInt64(Buffer, _starts[index], _ends[index] - _starts[index], out value);
    }

    /// <summary>Parses the leading integer of a field ("1010 (rpc::LoginPerm)" gives 1010).</summary>
    [MethodImpl(Hot.Path)]
    public bool TryGetLeadingInt32(int index, out int value)
    {
        value = 0;
        if (IsEmpty(index))
        {
            return false;
        }

        int start = _starts[index];
        int end = _ends[index];
        int i = start;
        bool negative = i < end && Buffer[i] == (byte)'-';
        if (negative)
        {
            i++;
        }

        int digitsStart = i;
        long result = 0;
        while (i < end && Buffer[i] >= (byte)'0' && Buffer[i] <= (byte)'9' && i - digitsStart < 10)
        {
            result = (result * 10) + (Buffer[i] - (byte)'0');
            i++;
        }

        if (i == digitsStart || result > int.MaxValue)
        {
            return false;
        }

        value = negative ? -(int)result : (int)result;
        return true;
    }

    [MethodImpl(Hot.Path)]
    public bool TryGetDouble(int index, out double value)
    {
        value = 0;
        if (IsEmpty(index))
        {
            return false;
        }

        return ValueParsers.TryParseDouble(Buffer, _starts[index], _ends[index] - _starts[index], out value);
    }

    /// <summary>Copies the current line's bytes (for records that keep their raw line).</summary>
    public byte[] CopyLine()
    {
        var copy = new byte[LineLength];
        System.Buffer.BlockCopy(Buffer, LineStart, copy, 0, LineLength);
        return copy;
    }
}
