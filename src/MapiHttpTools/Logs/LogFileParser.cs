using System;
using System.IO;
using System.Text;
using System.Threading;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>Why a line was skipped.</summary>
internal enum MalformedReason
{
    /// <summary>More or fewer fields than the header names.</summary>
    WrongFieldCount,

    /// <summary>A quoted field that never closes, or a closing quote followed by data.</summary>
    BadQuoting,

    /// <summary>The last line has no line end: the file is still being written or was cut.</summary>
    Truncated,

    /// <summary>A value that must parse does not (a date, a number).</summary>
    BadValue,

    /// <summary>A line longer than the reader keeps (issue 20): skipped to its line end without being buffered whole.</summary>
    TooLong,
}

/// <summary>Counts skipped lines per reason and remembers where the first of each was.</summary>
internal sealed class MalformedCounter
{
    private readonly long[] _counts = new long[5];
    private readonly long[] _firstLine = new long[5];

    public long Total { get; private set; }

    public long Count(MalformedReason reason) => _counts[(int)reason];

    public void Add(MalformedReason reason, long lineNumber)
    {
        int r = (int)reason;
        if (_counts[r] == 0)
        {
            _firstLine[r] = lineNumber;
        }

        _counts[r]++;
        Total++;
    }

    /// <summary>"2 with the wrong number of fields (first at line 17), 1 truncated (line 230)".</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        Append(text, MalformedReason.WrongFieldCount, "with the wrong number of fields");
        Append(text, MalformedReason.BadQuoting, "with broken quoting");
        Append(text, MalformedReason.BadValue, "with a value that does not parse");
        Append(text, MalformedReason.Truncated, "cut short without a line end (still being written?)");
        Append(text, MalformedReason.TooLong, $"longer than {LogLineReader.DefaultMaxLineBytes >> 20} MB (not a log line; skipped unread)");
        return text.ToString();
    }

    private void Append(StringBuilder text, MalformedReason reason, string what)
    {
        long count = _counts[(int)reason];
        if (count == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append("; ");
        }

        text.Append(count).Append(' ').Append(what).Append(count == 1 ? " at line " : ", first at line ").Append(_firstLine[(int)reason]);
    }
}

/// <summary>
/// One log file read as records: detects the format from the header, splits each data line into fields,
/// skips directives, repeated header lines and blank lines, and counts malformed lines instead of failing.
/// </summary>
internal sealed class LogFileParser : IDisposable
{
    private const int MaxHeaderLines = 64;
    private const int MaxLinesPerRecord = 32;
    private const int MaxRecordBytes = 256 * 1024;

    private readonly LogLineReader _reader;
    private bool _pending;
    private long _recordLine;

    private LogFileParser(string path, LogLineReader reader)
    {
        Path = path;
        _reader = reader;
    }

    public string Path { get; }

    /// <summary>The format, or null when the file is not a known log (see <see cref="UnknownReason"/>).</summary>
    public LogSchema? Schema { get; private set; }

    public string? UnknownReason { get; private set; }

    public LineFields Fields { get; } = new();

    public MalformedCounter Malformed { get; } = new();

    /// <summary>The line the current record starts on (1-based).</summary>
    public long LineNumber => _recordLine;

    /// <summary>Bytes consumed so far.</summary>
    public long Position => _reader.Position;

    /// <summary>Opens <paramref name="path"/> for shared reading and reads its header. I/O errors propagate.</summary>
    public static LogFileParser Open(string path, CancellationToken cancellation) => Create(path, new LogLineReader(path, cancellation));

    /// <summary>Opens <paramref name="path"/> with a small buffer, to read its header only.</summary>
    public static LogFileParser OpenHeader(string path, CancellationToken cancellation) => Create(path, new LogLineReader(path, cancellation, 64 * 1024));

    internal static LogFileParser Open(Stream stream, string path, CancellationToken cancellation, int bufferBytes = 1 << 20, int maxLineBytes = LogLineReader.DefaultMaxLineBytes) =>
        Create(path, new LogLineReader(stream, cancellation, bufferBytes, maxLineBytes));

    private static LogFileParser Create(string path, LogLineReader reader)
    {
        var parser = new LogFileParser(path, reader);
        try
        {
            parser.ReadHeader();
            return parser;
        }
        catch
        {
            parser.Dispose();
            throw;
        }
    }

    private void ReadHeader()
    {
        if (_reader.IsUtf16)
        {
            UnknownReason = "it is UTF-16 encoded; Exchange and IIS write these logs as UTF-8 or ANSI";
            return;
        }

        string? logType = null;
        string? software = null;
        string? fields = null;
        for (int n = 0; n < MaxHeaderLines && _reader.ReadLine(); n++)
        {
            if (_reader.LineLength == 0)
            {
                continue;
            }

            string line = Encoding.UTF8.GetString(_reader.Buffer, _reader.LineStart, Math.Min(_reader.LineLength, 64 * 1024));
            if (line.StartsWith("#", StringComparison.Ordinal))
            {
                if (Directive(line, "#Fields:") is string f)
                {
                    fields = f;
                }
                else if (Directive(line, "#Log-type:") is string t)
                {
                    logType = t;
                }
                else if (Directive(line, "#Software:") is string s)
                {
                    software = s;
                }

                continue;
            }

            if (fields is null)
            {
                // No #Fields directive: the first line is the header.
                Schema = Build(line, logType, software);
                return;
            }

            Schema = Build(fields, logType, software);
            _pending = true;
            return;
        }

        if (fields is not null)
        {
            // A header and no data yet (a log just created): a known format with no records.
            Schema = Build(fields, logType, software);
            return;
        }

        UnknownReason ??= _reader.LineNumber == 0 ? "it is empty" : "no header line (#Fields: or a first-line header) was found";
    }

    private LogSchema? Build(string header, string? logType, string? software)
    {
        string[] columns = LogFormatDetector.SplitHeader(header, out byte separator);
        LogSchema? schema = LogFormatDetector.Detect(columns, separator, logType, software, out string? reason);
        UnknownReason = reason;
        return schema;
    }

    private static string? Directive(string line, string name) =>
        line.StartsWith(name, StringComparison.OrdinalIgnoreCase) ? line.Substring(name.Length).Trim() : null;

    /// <summary>
    /// Moves to the next data line with the right number of fields, now in <see cref="Fields"/>.
    /// Returns false at the end of the file. Malformed lines are counted in <see cref="Malformed"/> and skipped.
    /// </summary>
    [MethodImpl(Hot.Path)]
    public bool Next()
    {
        LogSchema schema = Schema ?? throw new InvalidOperationException("The file has no known format.");
        while (true)
        {
            if (_pending)
            {
                _pending = false;
            }
            else if (!_reader.ReadLine())
            {
                return false;
            }

            if (_reader.LineTooLong)
            {
                Malformed.Add(MalformedReason.TooLong, _reader.LineNumber);
                continue;
            }

            if (_reader.LineLength == 0)
            {
                continue;
            }

            byte[] buffer = _reader.Buffer;
            if (buffer[_reader.LineStart] == (byte)'#')
            {
                Directive();
                schema = Schema!;
                continue;
            }

            if (_reader.LineUnterminated)
            {
                Malformed.Add(MalformedReason.Truncated, _reader.LineNumber);
                continue;
            }

            _recordLine = _reader.LineNumber;
            SplitResult result = Fields.Split(buffer, _reader.LineStart, _reader.LineLength, schema.Separator, schema.Quoted, schema.DashIsEmpty);
            if (result == SplitResult.OpenQuote)
            {
                result = ExtendQuotedRecord(schema);
                if (_reader.LineTooLong)
                {
                    // A stray quote ran into a line too long to keep: both are lost, reading goes on after it.
                    Malformed.Add(MalformedReason.TooLong, _reader.LineNumber);
                    continue;
                }
            }

            if (result is SplitResult.OpenQuote or SplitResult.BadQuote)
            {
                Malformed.Add(MalformedReason.BadQuoting, _reader.LineNumber);
                continue;
            }

            if (result == SplitResult.TooManyFields || Fields.Count != schema.Columns.Length)
            {
                Malformed.Add(MalformedReason.WrongFieldCount, _reader.LineNumber);
                continue;
            }

            if (IsHeaderRepeat(schema))
            {
                continue;
            }

            return true;
        }
    }

    /// <summary>Counts a line that split well but whose values do not parse.</summary>
    public void ReportBadValue() => Malformed.Add(MalformedReason.BadValue, _recordLine);

    /// <summary>
    /// A quoted field may hold line breaks: join the next lines until the quote closes (bounded). The joined
    /// record is taken only if it then splits into exactly the header's fields; otherwise the quote was a stray
    /// one, only the first line is bad, and reading goes on right after it.
    /// </summary>
    private SplitResult ExtendQuotedRecord(LogSchema schema)
    {
        LineBookmark firstLine = _reader.Bookmark();
        for (int extra = 1; extra < MaxLinesPerRecord; extra++)
        {
            bool extended = _reader.ExtendLine();
            if (_reader.LineTooLong)
            {
                // The buffered lines are gone: no rewind; the caller counts the loss.
                return SplitResult.BadQuote;
            }

            if (!extended || _reader.LineUnterminated || _reader.LineLength > MaxRecordBytes)
            {
                break;
            }

            SplitResult result = Fields.Split(_reader.Buffer, _reader.LineStart, _reader.LineLength, schema.Separator, schema.Quoted, schema.DashIsEmpty);
            if (result == SplitResult.OpenQuote)
            {
                continue;
            }

            if (result == SplitResult.Ok && Fields.Count == schema.Columns.Length)
            {
                return result;
            }

            break;
        }

        _reader.Rewind(firstLine);
        return SplitResult.BadQuote;
    }

    private void Directive()
    {
        string line = Encoding.UTF8.GetString(_reader.Buffer, _reader.LineStart, Math.Min(_reader.LineLength, 64 * 1024));
        if (Directive(line, "#Fields:") is not string fields)
        {
            return;
        }

        // IIS starts a new header block when its settings or the service restart; the fields may change.
        string[] columns = LogFormatDetector.SplitHeader(fields, out byte separator);
        LogSchema? schema = LogFormatDetector.Detect(columns, separator, Schema?.LogType, Schema?.Software, out _);
        if (schema is not null && schema.Kind == Schema!.Kind)
        {
            Schema = schema;
        }
    }

    private bool IsHeaderRepeat(LogSchema schema) =>
        schema.Separator == (byte)',' && Fields.EqualsAscii(0, schema.Columns[0]) && Fields.EqualsAscii(Fields.Count - 1, schema.Columns[schema.Columns.Length - 1]);

    public void Dispose() => _reader.Dispose();
}
