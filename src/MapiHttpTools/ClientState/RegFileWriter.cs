using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MapiHttpTools.ClientState;

/// <summary>
/// Writes a .reg file the way regedit does (UTF-16LE with BOM, CRLF, "Windows Registry Editor Version 5.00", hex data
/// wrapped with a trailing backslash), so a repair's backup can be restored with <c>reg import</c> or a double-click.
/// </summary>
internal static class RegFileWriter
{
    private const int WrapColumn = 80;

    public static void Write(string path, string fullKeyPath, IEnumerable<RegistryValue> values)
    {
        var text = new StringBuilder();
        text.Append(RegFileParser.Version5Header).Append("\r\n\r\n");
        text.Append('[').Append(fullKeyPath).Append("]\r\n");
        foreach (RegistryValue value in values)
        {
            text.Append(Line(value)).Append("\r\n");
        }

        text.Append("\r\n");
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        byte[] bom = { 0xFF, 0xFE };
        stream.Write(bom, 0, bom.Length);
        byte[] body = new UnicodeEncoding(false, false).GetBytes(text.ToString());
        stream.Write(body, 0, body.Length);
    }

    /// <summary>One value line ("name"=data), wrapped as regedit wraps long hex data.</summary>
    internal static string Line(RegistryValue value)
    {
        string name = value.Name.Length == 0 ? "@" : Quote(value.Name);
        switch (value.Type)
        {
            case RegistryValueType.String when value.Data is string text:
                return $"{name}={Quote(text)}";
            case RegistryValueType.DWord when value.Data is uint dword:
                return $"{name}=dword:{dword.ToString("x8", CultureInfo.InvariantCulture)}";
        }

        byte[] bytes = value.Data switch
        {
            string s => new UnicodeEncoding(false, false).GetBytes(s + "\0"),
            string[] m => new UnicodeEncoding(false, false).GetBytes(string.Concat(m.Select(x => x + "\0")) + "\0"),
            uint d => new[] { (byte)d, (byte)(d >> 8), (byte)(d >> 16), (byte)(d >> 24) },
            ulong q => Enumerable.Range(0, 8).Select(i => (byte)(q >> (8 * i))).ToArray(),
            byte[] b => b,
            _ => new byte[0],
        };
        string prefix = value.Type == RegistryValueType.Binary ? $"{name}=hex:" : $"{name}=hex({((int)value.Type).ToString("x", CultureInfo.InvariantCulture)}):";
        var line = new StringBuilder(prefix);
        int column = prefix.Length;
        for (int i = 0; i < bytes.Length; i++)
        {
            string item = bytes[i].ToString("x2", CultureInfo.InvariantCulture) + (i < bytes.Length - 1 ? "," : string.Empty);
            if (column + item.Length > WrapColumn - 1 && i < bytes.Length)
            {
                line.Append("\\\r\n  ");
                column = 2;
            }

            line.Append(item);
            column += item.Length;
        }

        return line.ToString();
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
