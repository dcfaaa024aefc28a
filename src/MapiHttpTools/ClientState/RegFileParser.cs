using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MapiHttpTools.ClientState;

/// <summary>A .reg file that cannot be read as a registry export, with the file and the line at fault.</summary>
internal sealed class RegistryExportException : Exception
{
    public RegistryExportException(string path, int line, string problem)
        : base(line > 0 ? $"{path}, line {line}: {problem}" : $"{path}: {problem}")
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

    /// <summary>Reads <paramref name="path"/> into <paramref name="target"/>; returns the encoding the file was read with.</summary>
    public static string Load(string path, InMemoryRegistry target)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RegistryExportException(path, 0, "cannot be read: " + ex.Message);
        }

        string text = Decode(bytes, out string encoding);
        Parse(path, text, target);
        return encoding;
    }

    /// <summary>Decodes the file's bytes: BOM first, then UTF-16 without BOM (NUL in every other byte), strict UTF-8, else ANSI.</summary>
    internal static string Decode(byte[] bytes, out string encoding)
    {
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE)
        {
            encoding = "UTF-16LE";
            return Utf16(bytes, 2, littleEndian: true);
        }

        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF)
        {
            encoding = "UTF-16BE";
            return Utf16(bytes, 2, littleEndian: false);
        }

        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
        {
            encoding = "UTF-8";
            return StrictUtf8(bytes, 3) ?? Ansi(bytes, 3);
        }

        if (bytes.Length >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0)
        {
            encoding = "UTF-16LE (no BOM)";
            return Utf16(bytes, 0, littleEndian: true);
        }

        if (bytes.Length >= 4 && bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0 && bytes[3] != 0)
        {
            encoding = "UTF-16BE (no BOM)";
            return Utf16(bytes, 0, littleEndian: false);
        }

        string? utf8 = StrictUtf8(bytes, 0);
        if (utf8 is not null)
        {
            encoding = "UTF-8 (no BOM)";
            return utf8;
        }

        encoding = "ANSI (Windows-1252)";
        return Ansi(bytes, 0);
    }

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

    private static string Utf16(byte[] bytes, int offset, bool littleEndian)
    {
        Encoding encoding = littleEndian ? new UnicodeEncoding(false, false) : new UnicodeEncoding(true, false);
        return encoding.GetString(bytes, offset, bytes.Length - offset);
    }

    private static string? StrictUtf8(byte[] bytes, int offset)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, offset, bytes.Length - offset);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>Parses decoded .reg text and applies it to <paramref name="target"/>.</summary>
    internal static void Parse(string path, string text, InMemoryRegistry target)
    {
        string[] lines = SplitLines(text);
        int index = 0;
        while (index < lines.Length && lines[index].Trim().Length == 0)
        {
            index++;
        }

        if (index == lines.Length)
        {
            throw new RegistryExportException(path, 0, $"is empty: a registry export starts with '{Version5Header}' or '{Version4Header}'.");
        }

        string header = lines[index].Trim().TrimStart('\uFEFF');
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
            throw new RegistryExportException(path, index + 1, $"not a registry export: the first line must be '{Version5Header}' or '{Version4Header}', found '{Shorten(header)}'.");
        }

        string? currentKey = null;
        for (index++; index < lines.Length; index++)
        {
            int lineNumber = index + 1;
            string line = lines[index].Trim();
            if (line.Length == 0 || line[0] == ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                currentKey = ParseKeyLine(path, lineNumber, line, target);
                continue;
            }

            if (line[0] != '"' && line[0] != '@')
            {
                throw new RegistryExportException(path, lineNumber, $"expected a key ([HKEY_...]), a value (\"name\"= or @=), a comment or an empty line, found '{Shorten(line)}'.");
            }

            if (currentKey is null)
            {
                throw new RegistryExportException(path, lineNumber, "a value appears before any [key] line (or after a [-key] deletion).");
            }

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
                throw new RegistryExportException(path, lineNumber, $"expected '=' after the value name '{name}'.");
            }

            position++;
            SkipSpaces(line, ref position);
            string data = line.Substring(position);

            // hex data may run over several lines, each but the last ending in a backslash; keep each line's number
            // so a bad byte is reported on the line it is on.
            int startLine = lineNumber;
            var segments = new List<(string Text, int Line)>();
            if (data.StartsWith("hex", StringComparison.OrdinalIgnoreCase))
            {
                string segment = data;
                int segmentLine = lineNumber;
                while (segment.EndsWith("\\", StringComparison.Ordinal))
                {
                    segments.Add((segment.Substring(0, segment.Length - 1), segmentLine));
                    index++;
                    if (index >= lines.Length || lines[index].Trim().Length == 0)
                    {
                        throw new RegistryExportException(path, segmentLine, $"the hex data of '{name}' ends with '\\' but the next line is empty or the file ends there.");
                    }

                    segment = lines[index].Trim();
                    segmentLine = index + 1;
                }

                segments.Add((segment, segmentLine));
                data = string.Concat(segments.Select(x => x.Text));
            }

            ApplyValue(path, startLine, currentKey, name, data, segments, unicode, target);
        }
    }

    private static string[] SplitLines(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');

    private static string? ParseKeyLine(string path, int lineNumber, string line, InMemoryRegistry target)
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

        target.CreateKey(fullPath);
        return fullPath;
    }

    private static void ApplyValue(string path, int lineNumber, string key, string name, string data, List<(string Text, int Line)> segments, bool unicode, InMemoryRegistry target)
    {
        if (data == "-")
        {
            target.DeleteValueAt(key, name);
            return;
        }

        if (data.StartsWith("\"", StringComparison.Ordinal))
        {
            int position = 0;
            string value = ReadQuoted(path, lineNumber, data, ref position, "string data");
            SkipSpaces(data, ref position);
            if (position != data.Length)
            {
                throw new RegistryExportException(path, lineNumber, $"unexpected text after the string data of '{name}': '{Shorten(data.Substring(position))}'.");
            }

            target.SetValueAt(key, RegistryValue.String(name, value));
            return;
        }

        if (data.StartsWith("dword:", StringComparison.OrdinalIgnoreCase))
        {
            string digits = data.Substring(6).Trim();
            if (digits.Length is < 1 or > 8 || !uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint dword))
            {
                throw new RegistryExportException(path, lineNumber, $"'{Shorten(data)}' is not a DWORD: 'dword:' takes up to 8 hexadecimal digits.");
            }

            target.SetValueAt(key, RegistryValue.DWord(name, dword));
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

            target.SetValueAt(key, FromBytes(path, lineNumber, name, (RegistryValueType)type, bytes.ToArray(), unicode));
            return;
        }

        throw new RegistryExportException(path, lineNumber, $"unrecognised data for '{name}': '{Shorten(data)}' (expected \"string\", dword:, hex:, hex(n): or -).");
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

                throw new RegistryExportException(path, lineNumber, $"the hex data of '{name}' has an empty byte (two commas in a row, or a comma at the end).");
            }

            if (item.Length > 2 || !byte.TryParse(item, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
            {
                throw new RegistryExportException(path, lineNumber, $"'{Shorten(item)}' in the hex data of '{name}' is not a byte (two hexadecimal digits).");
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
                    throw new RegistryExportException(path, lineNumber, $"'{name}' is a DWORD (hex({(int)type:x})) but has {bytes.Length} bytes instead of 4.");
                }

                uint dword = type == RegistryValueType.DWord
                    ? (uint)(bytes[0] | bytes[1] << 8 | bytes[2] << 16 | bytes[3] << 24)
                    : (uint)(bytes[3] | bytes[2] << 8 | bytes[1] << 16 | bytes[0] << 24);
                return new RegistryValue(name, type, dword);
            case RegistryValueType.QWord:
                if (bytes.Length != 8)
                {
                    throw new RegistryExportException(path, lineNumber, $"'{name}' is a QWORD (hex(b)) but has {bytes.Length} bytes instead of 8.");
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
            throw new RegistryExportException(path, lineNumber, $"the string data of '{name}' has {bytes.Length} bytes, which is not UTF-16 (an even number).");
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

    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
}
