using System;
using System.IO;
using System.Threading;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>
/// Reads a log file as lines of bytes without decoding them: the line is a range of <see cref="Buffer"/>.
/// Opens with FileShare.ReadWrite | Delete so files Exchange and IIS are still writing can be read.
/// A last line without its line end is reported with <see cref="LineUnterminated"/> (a line being written).
/// </summary>
internal sealed class LogLineReader : IDisposable
{
    /// <summary>
    /// The longest line kept (real lines are 1-4 KB). A longer one (issue 20: 100 MB without a line end) is not
    /// buffered whole: its bytes are skipped to the next line end and it is reported with <see cref="LineTooLong"/>.
    /// </summary>
    internal const int DefaultMaxLineBytes = 4 << 20;

    private const int InitialBufferBytes = 1 << 20;

    /// <summary>One buffer per thread, reused from file to file (a fresh 1 MB array per file costs more than reading it).</summary>
    [ThreadStatic]
    private static byte[]? t_spare;

    private readonly Stream _stream;
    private readonly CancellationToken _cancellation;
    private byte[] _buffer;
    private int _dataEnd;
    private int _next;
    private int _scanFrom;
    private bool _eof;
    private long _bufferOffset;
    private readonly int _maxLineBytes;

    public LogLineReader(string path, CancellationToken cancellation, int bufferBytes = InitialBufferBytes)
        : this(Open(path), cancellation, bufferBytes)
    {
    }

    internal LogLineReader(Stream stream, CancellationToken cancellation, int bufferBytes = InitialBufferBytes, int maxLineBytes = DefaultMaxLineBytes)
    {
        _stream = stream;
        _cancellation = cancellation;
        _maxLineBytes = Math.Max(maxLineBytes, 64);
        byte[]? spare = bufferBytes == InitialBufferBytes ? t_spare : null;
        t_spare = spare is null ? t_spare : null;
        _buffer = spare ?? new byte[Math.Max(64, bufferBytes)];
        Fill(0);
        SkipPreamble();
    }

    /// <summary>The bytes of the file around the current line.</summary>
    public byte[] Buffer => _buffer;

    /// <summary>Offset of the current line in <see cref="Buffer"/>.</summary>
    public int LineStart { get; private set; }

    /// <summary>Length of the current line without its CR/LF.</summary>
    public int LineLength { get; private set; }

    /// <summary>1-based number of the current physical line (the last one of a record that spans lines).</summary>
    public long LineNumber { get; private set; }

    /// <summary>True when the current line ended at the end of the file without a line end.</summary>
    public bool LineUnterminated { get; private set; }

    /// <summary>True when the current line was longer than the limit: its bytes were skipped, <see cref="LineLength"/> is 0.</summary>
    public bool LineTooLong { get; private set; }

    /// <summary>Bytes of the file consumed so far.</summary>
    public long Position => _bufferOffset + _next;

    /// <summary>True when the file starts with a UTF-16 byte order mark (not a format these logs use).</summary>
    public bool IsUtf16 { get; private set; }

    public static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);

    /// <summary>Moves to the next line. Returns false at the end of the file.</summary>
    [MethodImpl(Hot.Path)]
    public bool ReadLine()
    {
        LineStart = _next;
        _scanFrom = _next;
        LineTooLong = false;
        return FindLineEnd();
    }

    /// <summary>
    /// Extends the current line over the next line end (a quoted field holding a line break). Returns false
    /// when the file ends first; the current line then stays as it was and is marked unterminated.
    /// </summary>
    public bool ExtendLine()
    {
        _scanFrom = _next;
        if (FindLineEnd())
        {
            return true;
        }

        LineUnterminated = true;
        return false;
    }

    /// <summary>Where the line after the current one starts, to come back to after a failed <see cref="ExtendLine"/>.</summary>
    public LineBookmark Bookmark() => new(_next - LineStart, LineNumber, LineLength, LineUnterminated);

    /// <summary>Goes back to <paramref name="mark"/>, taken on the current line (its start has not moved since).</summary>
    public void Rewind(LineBookmark mark)
    {
        _next = LineStart + mark.NextFromLineStart;
        LineNumber = mark.LineNumber;
        LineLength = mark.LineLength;
        LineUnterminated = mark.Unterminated;
    }

    [MethodImpl(Hot.Path)]
    private bool FindLineEnd()
    {
        int searchStart = _scanFrom;
        while (true)
        {
            int newline = _dataEnd > _scanFrom ? Array.IndexOf(_buffer, (byte)'\n', _scanFrom, _dataEnd - _scanFrom) : -1;
            if (newline >= 0)
            {
                SetLine(newline, newline + 1, unterminated: false);
                return true;
            }

            if (_eof)
            {
                if (_dataEnd > searchStart)
                {
                    SetLine(_dataEnd, _dataEnd, unterminated: true);
                    return true;
                }

                return false;
            }

            if (LineStart == 0 && _dataEnd == _buffer.Length && _buffer.Length >= _maxLineBytes)
            {
                return SkipLongLine();
            }

            _scanFrom = _dataEnd;
            int shift = Fill(LineStart);
            LineStart -= shift;
            _scanFrom -= shift;
            _next -= shift;
            searchStart -= shift;
        }
    }

    /// <summary>
    /// The current line fills the largest buffer allowed: drop what is buffered and read on (in buffer-sized
    /// steps, checking cancellation each time) to the next line end, which is where the next line starts.
    /// </summary>
    private bool SkipLongLine()
    {
        while (true)
        {
            _bufferOffset += _dataEnd;
            _dataEnd = 0;
            _next = 0;
            LineStart = 0;
            Fill(0);
            int newline = _dataEnd > 0 ? Array.IndexOf(_buffer, (byte)'\n', 0, _dataEnd) : -1;
            if (newline >= 0 || _eof)
            {
                _next = newline >= 0 ? newline + 1 : _dataEnd;
                LineStart = _next;
                LineLength = 0;
                LineUnterminated = newline < 0;
                LineTooLong = true;
                LineNumber++;
                return true;
            }
        }
    }

    private void SetLine(int end, int next, bool unterminated)
    {
        if (end > LineStart && _buffer[end - 1] == (byte)'\r')
        {
            end--;
        }

        LineLength = end - LineStart;
        LineUnterminated = unterminated;
        _next = next;
        LineNumber++;
    }

    /// <summary>Keeps the bytes from <paramref name="keepFrom"/> on, reads more; returns how far they moved.</summary>
    private int Fill(int keepFrom)
    {
        _cancellation.ThrowIfCancellationRequested();
        int shift = 0;
        if (keepFrom > 0)
        {
            System.Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, _dataEnd - keepFrom);
            _dataEnd -= keepFrom;
            _bufferOffset += keepFrom;
            shift = keepFrom;
        }

        if (_dataEnd == _buffer.Length && _buffer.Length < _maxLineBytes)
        {
            Array.Resize(ref _buffer, Math.Min(_maxLineBytes, _buffer.Length * 2));
        }

        int read = _stream.Read(_buffer, _dataEnd, _buffer.Length - _dataEnd);
        if (read <= 0)
        {
            _eof = true;
        }
        else
        {
            _dataEnd += read;
        }

        return shift;
    }

    private void SkipPreamble()
    {
        while (!_eof && _dataEnd < 3)
        {
            Fill(0);
        }

        if (_dataEnd >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
        {
            _next = 3;
        }
        else if (_dataEnd >= 2 && ((_buffer[0] == 0xFF && _buffer[1] == 0xFE) || (_buffer[0] == 0xFE && _buffer[1] == 0xFF)))
        {
            IsUtf16 = true;
        }
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (_buffer.Length == InitialBufferBytes)
        {
            t_spare = _buffer;
        }
    }
}

/// <summary>A position relative to the current line's start (which stays valid while the line is extended).</summary>
internal readonly struct LineBookmark
{
    public LineBookmark(int nextFromLineStart, long lineNumber, int lineLength, bool unterminated)
    {
        NextFromLineStart = nextFromLineStart;
        LineNumber = lineNumber;
        LineLength = lineLength;
        Unterminated = unterminated;
    }

    public int NextFromLineStart { get; }

    public long LineNumber { get; }

    public int LineLength { get; }

    public bool Unterminated { get; }
}
