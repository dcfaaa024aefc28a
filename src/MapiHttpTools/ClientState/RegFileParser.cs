using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.ClientState;

/// <summary>A .reg file that cannot be read as a registry export, with the file and the line at fault.</summary>
internal sealed class RegistryExportException : Exception
{
    public RegistryExportException(string path, int line, string problem)
        : base(line > 0 ? $"{DisplayText.Safe(path)}, line {line}: {problem}" : $"{DisplayText.Safe(path)}: {problem}")
    {
        FilePath = path;
        LineNumber = line;
        Problem = problem;
    }

    public string FilePath { get; }

    /// <summary>1-based line number; 0 when the problem is the file as a whole.</summary>
    public int LineNumber { get; }

    public string Problem { get; }
}

/// <summary>
/// Reads .reg files the way regedit and <c>reg export</c> write them, into an <see cref="InMemoryRegistry"/>:
/// <list type="bullet">
/// <item>headers <c>Windows Registry Editor Version 5.00</c> (strings in hex(n) data are UTF-16LE) and <c>REGEDIT4</c> (ANSI);</item>
/// <item>files in UTF-16LE with BOM (what regedit writes), UTF-16BE, UTF-8 with or without BOM, or ANSI (read as Windows-1252);</item>
/// <item><c>[key]</c>, <c>[-key]</c> (deletes the key tree), <c>"name"=</c>, <c>@=</c> and <c>"name"=-</c> (deletes the value);</item>
/// <item><c>"string"</c> with <c>\\</c> and <c>\"</c> escapes, <c>dword:</c>, <c>hex:</c> and <c>hex(n):</c> for every type
/// (0 none, 2 expand_sz, 7 multi_sz, b qword, ...), hex data continued over lines ending in <c>\</c>; <c>;</c> comments.</item>
/// </list>
/// The file is applied in order, so a later line overrides an earlier one as <c>reg import</c> would. Anything else is an
/// error that names the file and the line.
/// </summary>
internal static class RegFileParser
{
    public const string Version5Header = "Windows Registry Editor Version 5.00";
    public const string Version4Header = "REGEDIT4";

    // Windows-1252 differs from ISO-8859-1 only in 0x80-0x9F; the five undefined bytes map to the C1 controls as Windows does.
    private static readonly char[] Cp1252High =
    {
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021', '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014', '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    };

    /// <summary>
    /// The largest .reg export read (issue 20, documented in Get-MapiHttpClientState's help): an export of a user's
    /// whole HKCU\Software is tens of MB; the file is streamed, so memory follows what it sets, not its size.
    /// </summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>How many bad lines one file reports one by one; the rest are counted in one last problem.</summary>
    public const int MaxReportedProblems = 50;

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="target"/> strictly: the first bad line throws (a repair
    /// backup must restore exactly or not at all). Returns the encoding the file was read with.
    /// </summary>
    public static string Load(string path, InMemoryRegistry target) =>
        Load(path, target, CancellationToken.None, problem => throw problem);

    /// <summary>
    /// Reads <paramref name="path"/> into <paramref name="target"/>, streaming. A problem with the file as a whole (not a
    /// regular file, too large, empty, no header) throws; a bad line goes to <paramref name="problem"/> with its line
    /// number and is skipped, and the rest of the file is still read (issue 20: one bad item is one error).
    /// </summary>
    public static string Load(string path, InMemoryRegistry target, CancellationToken cancellation, Action<RegistryExportException> problem)
    {
        try
        {
            Encoding encoding = Detect(path, cancellation, out int skip, out string name, out bool ansi);
            using Stream stream = InputFile.OpenRead(path, "a .reg export", MaxBytes);
            for (int i = 0; i < skip; i++)
            {
                stream.ReadByte();
            }

            using var reader = new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024);
            Parse(path, new LineSource(reader, ansi, cancellation), target, problem);
            return name;
        }
        catch (InputFileException)
        {
            throw;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryExportException(path, 0, "cannot be read: " + DisplayText.Safe(ex.Message));
        }
    }

    /// <summary>
    /// The encoding: BOM first, then UTF-16 without BOM (NUL in every other byte), strict UTF-8 (checked over the
    /// whole file in a streaming pass), else ANSI (Windows-1252, read as Latin-1 and mapped line by line).
    /// </summary>
    private static Encoding Detect(string path, CancellationToken cancellation, out int skip, out string name, out bool ansi)
    {
        var head = new byte[4];
        int count;
        using (Stream stream = InputFile.OpenRead(path, "a .reg export", MaxBytes))
        {
            count = 0;
            int n;
            while (count < head.Length && (n = stream.Read(head, count, head.Length - count)) > 0)
            {
                count += n;
            }
        }

        skip = 0;
        ansi = false;
        if (count >= 2 && head[0] == 0xFF && head[1] == 0xFE)
        {
            skip = 2;
            name = "UTF-16LE";
            return new UnicodeEncoding(false, false);
        }

        if (count >= 2 && head[0] == 0xFE && head[1] == 0xFF)
        {
            skip = 2;
            name = "UTF-16BE";
            return new UnicodeEncoding(true, false);
        }

        if (count >= 4 && head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0)
        {
            name = "UTF-16LE (no BOM)";
            return new UnicodeEncoding(false, false);
        }

        if (count >= 4 && head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0)
        {
            name = "UTF-16BE (no BOM)";
            return new UnicodeEncoding(true, false);
        }

        bool bom = count >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF;
        skip = bom ? 3 : 0;
        name = bom ? "UTF-8" : "UTF-8 (no BOM)";
        if (IsStrictUtf8(path, skip, cancellation))
        {
            return new UTF8Encoding(false, false);
        }

        ansi = true;
        if (!bom)
        {
            name = "ANSI (Windows-1252)";
        }

        return Latin1;
    }

    private static readonly Encoding Latin1 = Encoding.GetEncoding(28591);

    private static bool IsStrictUtf8(string path, int skip, CancellationToken cancellation)
    {
        Decoder decoder = new UTF8Encoding(false, true).GetDecoder();
        var buffer = new byte[64 * 1024];
        var chars = new char[(64 * 1024) + 4];
        using Stream stream = InputFile.OpenRead(path, "a .reg export", MaxBytes);
        int offset = skip;
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                int start = Math.Min(offset, n);
                offset -= start;
                decoder.GetChars(buffer, start, n - start, chars, 0, flush: false);
            }

            decoder.GetChars(buffer, 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Decodes bytes the way the file reader does (for tests and callers holding bytes).</summary>
    internal static string Ansi(byte[] bytes, int offset)
    {
        var chars = new char[bytes.Length - offset];
        for (int i = offset; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            chars[i - offset] = b >= 0x80 && b <= 0x9F ? Cp1252High[b - 0x80] : (char)b;
        }

        return new string(chars);
    }

    private static string MapAnsi(string line)
    {
        char[]? chars = null;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (c >= '\u0080' && c <= '\u009F')
            {
                chars ??= line.ToCharArray();
                chars[i] = Cp1252High[c - 0x80];
            }
        }

        return chars is null ? line : new string(chars);
    }

    /// <summary>Lines of the file, numbered from 1, checking the cancellation token at each (issue 20).</summary>
    private sealed class LineSource
    {
        private readonly TextReader _reader;
        private readonly bool _ansi;
        private readonly CancellationToken _cancellation;

        public LineSource(TextReader reader, bool ansi, CancellationToken cancellation)
        {
            _reader = reader;
            _ansi = ansi;
            _cancellation = cancellation;
        }

        public int Number { get; private set; }

        public string? Next()
        {
            _cancellation.ThrowIfCancellationRequested();
            string? line = _reader.ReadLine();
            if (line is null)
            {
                return null;
            }

            Number++;
            return _ansi ? MapAnsi(line) : line;
        }
    }

    /// <summary>Parses the lines and applies them to <paramref name="target"/>; bad lines go to <paramref name="report"/>.</summary>
    private static void Parse(string path, LineSource lines, InMemoryRegistry target, Action<RegistryExportException> report)
    {
        string? line;
        do
        {
            line = lines.Next();
        }
        while (line is not null && line.Trim().Length == 0);

        if (line is null)
        {
            throw new RegistryExportException(path, 0, $"is empty: a registry export starts with '{Version5Header}' or '{Version4Header}'.");
        }

        string header = line.Trim().TrimStart('\uFEFF');
        bool unicode;
        if (string.Equals(header, Version5Header, StringComparison.OrdinalIgnoreCase))
        {
            unicode = true;
        }
        else if (string.Equals(header, Version4Header, StringComparison.OrdinalIgnoreCase))
        {
            unicode = false;
        }
        else
        {
            throw new RegistryExportException(path, lines.Number, $"not a registry export: the first line must be '{Version5Header}' or '{Version4Header}', found '{Shorten(header)}'.");
        }

        int problems = 0;
        void Problem(RegistryExportException problem)
        {
            problems++;
            if (problems <= MaxReportedProblems)
            {
                report(problem);
            }
        }

        // The key the values below apply to, resolved once per [key] line (issue 20: resolving the path for every
        // value made a deep key with many values quadratic). badKey: the key line was refused, so its values are skipped.
        InMemoryRegistry.KeyHandle? currentKey = null;
        bool badKey = false;
        while ((line = lines.Next()) is not null)
        {
            int lineNumber = lines.Number;
            line = line.Trim();
            if (line.Length == 0 || line[0] == ';')
            {
                continue;
            }

            try
            {
                if (line[0] == '[')
                {
                    currentKey = null;
                    badKey = true;
                    currentKey = ParseKeyLine(path, lineNumber, line, target);
                    badKey = false;
                    continue;
                }

                if (line[0] != '"' && line[0] != '@')
                {
                    throw new RegistryExportException(path, lineNumber, $"expected a key ([HKEY_...]), a value (\"name\"= or @=), a comment or an empty line, found '{Shorten(line)}'.");
                }

                ParseValueLine(path, lineNumber, line, lines, currentKey, badKey, unicode);
            }
            catch (RegistryExportException problem)
            {
                Problem(problem);
            }
        }

        if (problems > MaxReportedProblems)
        {
            report(new RegistryExportException(path, 0, $"{problems - MaxReportedProblems} more bad lines were skipped (only the first {MaxReportedProblems} are reported one by one)."));
        }
    }

    private static void ParseValueLine(string path, int lineNumber, string line, LineSource lines, InMemoryRegistry.KeyHandle? currentKey, bool badKey, bool unicode)
    {
        int position = 0;
        string name;
        if (line[0] == '@')
        {
            name = string.Empty;
            position = 1;
        }
        else
        {
            name = ReadQuoted(path, lineNumber, line, ref position, "value name");
        }

        SkipSpaces(line, ref position);
        if (position >= line.Length || line[position] != '=')
        {
            throw new RegistryExportException(path, lineNumber, $"expected '=' after the value name '{Shorten(name)}'.");
        }

        position++;
        SkipSpaces(line, ref position);
        string data = line.Substring(position);

        // hex data may run over several lines, each but the last ending in a backslash; keep each line's number
        // so a bad byte is reported on the line it is on. The continuation lines are consumed even when the value is bad.
        var segments = new List<(string Text, int Line)>();
        if (data.StartsWith("hex", StringComparison.OrdinalIgnoreCase))
        {
            string segment = data;
            int segmentLine = lineNumber;
            while (segment.EndsWith("\\", StringComparison.Ordinal))
            {
                segments.Add((segment.Substring(0, segment.Length - 1), segmentLine));
                string? next = lines.Next();
                if (next is null || next.Trim().Length == 0)
                {
                    throw new RegistryExportException(path, segmentLine, $"the hex data of '{Shorten(name)}' ends with '\\' but the next line is empty or the file ends there.");
                }

                segment = next.Trim();
                segmentLine = lines.Number;
            }

            segments.Add((segment, segmentLine));
        }

        if (badKey)
        {
            return;
        }

        if (currentKey is null)
        {
            throw new RegistryExportException(path, lineNumber, "a value appears before any [key] line (or after a [-key] deletion).");
        }

        ApplyValue(path, lineNumber, currentKey, name, data, segments, unicode);
    }

    private static InMemoryRegistry.KeyHandle? ParseKeyLine(string path, int lineNumber, string line, InMemoryRegistry target)
    {
        if (line[line.Length - 1] != ']')
        {
            throw new RegistryExportException(path, lineNumber, $"a key line must end with ']': '{Shorten(line)}'.");
        }

        string inner = line.Substring(1, line.Length - 2).Trim();
        bool delete = inner.StartsWith("-", StringComparison.Ordinal);
        if (delete)
        {
            inner = inner.Substring(1).Trim();
        }

        string[] parts = RegistryPath.Split(inner);
        if (parts.Length == 0 || InMemoryRegistry.CanonicalHive(parts[0]) is null)
        {
            throw new RegistryExportException(path, lineNumber, $"'{Shorten(inner)}' does not start with a registry hive (HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, HKEY_USERS, HKEY_CLASSES_ROOT, HKEY_CURRENT_CONFIG).");
        }

        string fullPath = RegistryPath.Combine(new[] { InMemoryRegistry.CanonicalHive(parts[0])! }.Concat(parts.Skip(1)).ToArray());
        if (delete)
        {
            target.DeleteKeyTree(fullPath);
            return null;
        }

        return target.OpenOrCreateKey(fullPath);
    }

    private static void ApplyValue(string path, int lineNumber, InMemoryRegistry.KeyHandle key, string name, string data, List<(string Text, int Line)> segments, bool unicode)
    {
        if (data == "-")
        {
            key.DeleteValue(name);
            return;
        }

        if (data.StartsWith("\"", StringComparison.Ordinal))
        {
            int position = 0;
            string value = ReadQuoted(path, lineNumber, data, ref position, "string data");
            SkipSpaces(data, ref position);
            if (position != data.Length)
            {
                throw new RegistryExportException(path, lineNumber, $"unexpected text after the string data of '{Shorten(name)}': '{Shorten(data.Substring(position))}'.");
            }

            key.SetValue(RegistryValue.String(name, value));
            return;
        }

        if (data.StartsWith("dword:", StringComparison.OrdinalIgnoreCase))
        {
            string digits = data.Substring(6).Trim();
            if (digits.Length is < 1 or > 8 || !uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint dword))
            {
                throw new RegistryExportException(path, lineNumber, $"'{Shorten(data)}' is not a DWORD: 'dword:' takes up to 8 hexadecimal digits.");
            }

            key.SetValue(RegistryValue.DWord(name, dword));
            return;
        }

        if (data.StartsWith("hex", StringComparison.OrdinalIgnoreCase))
        {
            int colon = data.IndexOf(':');
            if (colon < 0)
            {
                throw new RegistryExportException(path, lineNumber, $"'{Shorten(data)}' is missing ':' after hex.");
            }

            string prefix = data.Substring(0, colon).Trim();
            int type;
            if (prefix.Equals("hex", StringComparison.OrdinalIgnoreCase))
            {
                type = (int)RegistryValueType.Binary;
            }
            else if (prefix.Length > 5 && prefix.StartsWith("hex(", StringComparison.OrdinalIgnoreCase) && prefix.EndsWith(")", StringComparison.Ordinal) &&
                     int.TryParse(prefix.Substring(4, prefix.Length - 5), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int parsed) && prefix.Length - 5 <= 8)
            {
                type = parsed;
            }
            else
            {
                throw new RegistryExportException(path, lineNumber, $"'{Shorten(prefix)}' is not a value type: expected 'hex:' or 'hex(n):' with n in hexadecimal.");
            }

            // The bytes, line by line: the first segment holds the prefix, which is cut off up to the colon.
            var bytes = new List<byte>();
            for (int i = 0; i < segments.Count; i++)
            {
                string text = i == 0 ? segments[0].Text.Substring(segments[0].Text.IndexOf(':') + 1) : segments[i].Text;
                bytes.AddRange(ParseBytes(path, segments[i].Line, name, text, last: i == segments.Count - 1));
            }

            key.SetValue(FromBytes(path, lineNumber, name, (RegistryValueType)type, bytes.ToArray(), unicode));
            return;
        }

        throw new RegistryExportException(path, lineNumber, $"unrecognised data for '{Shorten(name)}': '{Shorten(data)}' (expected \"string\", dword:, hex:, hex(n): or -).");
    }

    private static byte[] ParseBytes(string path, int lineNumber, string name, string text, bool last)
    {
        var bytes = new List<byte>();
        string[] items = text.Split(',');
        for (int i = 0; i < items.Length; i++)
        {
            string item = items[i].Trim();
            if (item.Length == 0)
            {
                // "hex:" with no data, or the comma regedit leaves before a line break.
                if (i == items.Length - 1 && (!last || items.Length == 1))
                {
                    continue;
                }

                throw new RegistryExportException(path, lineNumber, $"the hex data of '{Shorten(name)}' has an empty byte (two commas in a row, or a comma at the end).");
            }

            if (item.Length > 2 || !byte.TryParse(item, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                throw new RegistryExportException(path, lineNumber, $"'{Shorten(item)}' in the hex data of '{Shorten(name)}' is not a byte (two hexadecimal digits).");
            }

            bytes.Add(b);
        }

        return bytes.ToArray();
    }

    private static RegistryValue FromBytes(string path, int lineNumber, string name, RegistryValueType type, byte[] bytes, bool unicode)
    {
        switch (type)
        {
            case RegistryValueType.String:
            case RegistryValueType.ExpandString:
            case RegistryValueType.Link:
                return new RegistryValue(name, type, DecodeString(path, lineNumber, name, bytes, unicode).TrimEnd('\0'));
            case RegistryValueType.MultiString:
                var strings = DecodeString(path, lineNumber, name, bytes, unicode).Split('\0').ToList();
                while (strings.Count > 0 && strings[strings.Count - 1].Length == 0)
                {
                    strings.RemoveAt(strings.Count - 1);
                }

                return new RegistryValue(name, type, strings.ToArray());
            case RegistryValueType.DWord:
            case RegistryValueType.DWordBigEndian:
                if (bytes.Length != 4)
                {
                    throw new RegistryExportException(path, lineNumber, $"'{Shorten(name)}' is a DWORD (hex({(int)type:x})) but has {bytes.Length} bytes instead of 4.");
                }

                uint dword = type == RegistryValueType.DWord
                    ? (uint)(bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24)
                    : (uint)(bytes[3] | bytes[2] << 8 | bytes[1] << 16 | bytes[0] << 24);
                return new RegistryValue(name, type, dword);
            case RegistryValueType.QWord:
                if (bytes.Length != 8)
                {
                    throw new RegistryExportException(path, lineNumber, $"'{Shorten(name)}' is a QWORD (hex(b)) but has {bytes.Length} bytes instead of 8.");
                }

                ulong qword = 0;
                for (int i = 7; i >= 0; i--)
                {
                    qword = (qword << 8) | bytes[i];
                }

                return new RegistryValue(name, type, qword);
            default:
                return new RegistryValue(name, type, bytes);
        }
    }

    private static string DecodeString(string path, int lineNumber, string name, byte[] bytes, bool unicode)
    {
        if (!unicode)
        {
            return Ansi(bytes, 0);
        }

        if (bytes.Length % 2 != 0)
        {
            throw new RegistryExportException(path, lineNumber, $"the string data of '{Shorten(name)}' has {bytes.Length} bytes, which is not UTF-16 (an even number).");
        }

        return new UnicodeEncoding(false, false).GetString(bytes);
    }

    private static string ReadQuoted(string path, int lineNumber, string text, ref int position, string what)
    {
        // position is at the opening quote.
        var builder = new StringBuilder();
        for (int i = position + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\\' && i + 1 < text.Length && (text[i + 1] == '\\' || text[i + 1] == '"'))
            {
                builder.Append(text[i + 1]);
                i++;
                continue;
            }

            if (c == '"')
            {
                position = i + 1;
                return builder.ToString();
            }

            builder.Append(c);
        }

        throw new RegistryExportException(path, lineNumber, $"the {what} is not closed with '\"': '{Shorten(text)}'.");
    }

    private static void SkipSpaces(string text, ref int position)
    {
        while (position < text.Length && (text[position] == ' ' || text[position] == '\t'))
        {
            position++;
        }
    }

    // Text from the file in a message: control characters made visible, cut (issue 20).
    private static string Shorten(string text) => DisplayText.Safe(text, 80);
}
