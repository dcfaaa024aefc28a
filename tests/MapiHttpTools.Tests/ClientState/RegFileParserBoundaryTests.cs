using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MapiHttpTools.ClientState;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>
/// Issue 19: the .reg reader's boundaries the fixtures never reached: every Windows-1252 byte that differs from Latin-1,
/// UTF-16BE, files that are only a byte-order mark, hex(4)/hex(5) byte order, the hex(n) type digits, dword: digit counts,
/// the last reported problem. Every expected value is written out here from the .reg format and Windows-1252, not taken
/// from the parser.
/// </summary>
public sealed class RegFileParserBoundaryTests : IDisposable
{
    private const string Key = @"HKEY_CURRENT_USER\Software\Contoso";

    // Windows-1252 0x80-0x9F as Windows' MultiByteToWideChar decodes them (the five unassigned bytes become C1 controls).
    private const string Cp1252Row8And9 =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteBytes(string name, params byte[][] parts)
    {
        string path = _temp.Combine(name);
        File.WriteAllBytes(path, parts.SelectMany(p => p).ToArray());
        return path;
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text.Replace("\n", "\r\n"));

    private static byte[] Bytes(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => (byte)i).ToArray();

    /// <summary>A regedit (version 5) file holding the value lines under [HKEY_CURRENT_USER\Software\Contoso].</summary>
    private string Version5(params string[] valueLines) =>
        ClientStateFixtures.WriteReg(_temp, Guid.NewGuid().ToString("N") + ".reg", "Windows Registry Editor Version 5.00\n\n[" + Key + "]\n" + string.Join("\n", valueLines) + "\n");

    private static InMemoryRegistry Load(string path, out string encoding)
    {
        var registry = new InMemoryRegistry();
        encoding = RegFileParser.Load(path, registry);
        return registry;
    }

    private static RegistryValue Value(string path, string name)
    {
        RegistryValue? value = Load(path, out _).GetValueAt(Key, name);
        Assert.NotNull(value);
        return value!;
    }

    private static RegistryExportException Refused(string path) => Assert.Throws<RegistryExportException>(() => Load(path, out _));

    [Fact]
    public void Every_Windows_1252_byte_from_0x80_to_0x9F_in_an_ANSI_line_is_the_character_Windows_shows()
    {
        string path = WriteBytes("ansi.reg",
            Ascii("REGEDIT4\n\n[" + Key + "]\n\"Row89\"=\""), Bytes(0x80, 0x9F),
            Ascii("\"\n\"Edges\"=\""), new byte[] { 0x7F, 0xA0, 0xFF }, Ascii("\"\n"));

        InMemoryRegistry registry = Load(path, out string encoding);

        Assert.Equal("ANSI (Windows-1252)", encoding);
        Assert.Equal(Cp1252Row8And9, registry.GetValueAt(Key, "Row89")!.Data);
        Assert.Equal("\u007F\u00A0\u00FF", registry.GetValueAt(Key, "Edges")!.Data);
    }

    [Fact]
    public void REGEDIT4_hex_strings_decode_every_Windows_1252_high_byte_and_leave_Latin_1_alone()
    {
        string row = string.Join(",", Bytes(0x80, 0x9F).Select(b => b.ToString("x2")));
        string path = WriteBytes("regedit4-hex.reg", Ascii(
            "REGEDIT4\n\n[" + Key + "]\n" +
            "\"Row89\"=hex(2):" + row + ",00\n" +
            "\"Edges\"=hex(1):41,7f,a0,ff,00\n" +
            "\"Odd\"=hex(1):e9,74,e9\n"));

        InMemoryRegistry registry = Load(path, out string encoding);

        Assert.Equal("UTF-8 (no BOM)", encoding);
        Assert.Equal((RegistryValueType.ExpandString, (object)Cp1252Row8And9), (registry.GetValueAt(Key, "Row89")!.Type, registry.GetValueAt(Key, "Row89")!.Data));
        Assert.Equal((RegistryValueType.String, (object)"A\u007F\u00A0\u00FF"), (registry.GetValueAt(Key, "Edges")!.Type, registry.GetValueAt(Key, "Edges")!.Data));
        Assert.Equal("\u00E9t\u00E9", registry.GetValueAt(Key, "Odd")!.Data);
    }

    [Theory]
    [InlineData(true, "UTF-16BE")]
    [InlineData(false, "UTF-16BE (no BOM)")]
    public void A_UTF_16_big_endian_export_is_read_with_or_without_its_BOM(bool bom, string expected)
    {
        byte[] body = new UnicodeEncoding(true, false).GetBytes("Windows Registry Editor Version 5.00\r\n\r\n[" + Key + "]\r\n\"Owner\"=\"J\u00FCrgen \u20AC\"\r\n\"MapiHttpDisabled\"=dword:00000001\r\n");
        string path = WriteBytes("be.reg", bom ? new byte[] { 0xFE, 0xFF } : Array.Empty<byte>(), body);

        InMemoryRegistry registry = Load(path, out string encoding);

        Assert.Equal(expected, encoding);
        Assert.Equal("J\u00FCrgen \u20AC", registry.GetValueAt(Key, "Owner")!.Data);
        Assert.Equal(1u, registry.GetValueAt(Key, "MapiHttpDisabled")!.Data);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    [InlineData(new byte[] { 0xFE, 0xFF })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF, 0x0D, 0x0A, 0x20, 0x09, 0x0D, 0x0A })]
    public void A_file_that_is_only_a_byte_order_mark_or_blank_lines_is_empty_for_the_file_as_a_whole(byte[] content)
    {
        string path = WriteBytes("bom-only.reg", content);

        RegistryExportException ex = Refused(path);

        Assert.Equal(0, ex.LineNumber);
        Assert.Equal($"{path}: is empty: a registry export starts with 'Windows Registry Editor Version 5.00' or 'REGEDIT4'.", ex.Message);
    }

    [Fact]
    public void A_second_byte_order_mark_before_the_header_is_not_taken_for_text()
    {
        // A tool that writes a string already starting with U+FEFF into a stream that writes its own BOM.
        string path = WriteBytes("two-boms.reg", new byte[] { 0xFF, 0xFE }, new UnicodeEncoding(false, false).GetBytes("\uFEFFWindows Registry Editor Version 5.00\r\n\r\n[" + Key + "]\r\n\"A\"=\"b\"\r\n"));

        Assert.Equal("b", Value(path, "A").Data);
    }

    [Fact]
    public void A_file_that_ends_inside_a_UTF_8_sequence_is_ANSI_not_UTF_8()
    {
        // The last byte, 0xC3, starts a two-byte UTF-8 sequence that never ends; in Windows-1252 it is a letter.
        string path = WriteBytes("ends-mid-sequence.reg", Ascii("REGEDIT4\n\n[" + Key + "]\n\"A\"=\"b\"\n; caf"), new byte[] { 0xC3 });

        Load(path, out string encoding);

        Assert.Equal("ANSI (Windows-1252)", encoding);
    }

    [Fact]
    public void The_header_is_matched_without_regard_to_case()
    {
        string path = WriteBytes("lower.reg", Ascii("windows registry editor version 5.00\n\n[" + Key + "]\n\"A\"=hex(1):41,00,00,00\n"));

        Assert.Equal("A", Value(path, "A").Data);
    }

    [Fact]
    public void Fifty_bad_lines_are_all_reported_and_the_fifty_first_is_counted_alone()
    {
        string fifty = Version5(Enumerable.Repeat("\"v\"=dword:1x", 50).ToArray());
        string fiftyOne = Version5(Enumerable.Repeat("\"v\"=dword:1x", 51).ToArray());
        var atFifty = new List<RegistryExportException>();
        var atFiftyOne = new List<RegistryExportException>();

        RegFileParser.Load(fifty, new InMemoryRegistry(), CancellationToken.None, atFifty.Add);
        RegFileParser.Load(fiftyOne, new InMemoryRegistry(), CancellationToken.None, atFiftyOne.Add);

        Assert.Equal(50, atFifty.Count);
        Assert.Equal(53, atFifty[49].LineNumber);
        Assert.Equal(51, atFiftyOne.Count);
        Assert.Equal(53, atFiftyOne[49].LineNumber);
        Assert.Equal(0, atFiftyOne[50].LineNumber);
        Assert.Equal($"{fiftyOne}: 1 more bad lines were skipped (only the first 50 are reported one by one).", atFiftyOne[50].Message);
    }

    [Theory]
    [InlineData("dword:00000000", 0u)]
    [InlineData("dword:12345678", 0x12345678u)]
    [InlineData("dword:ffffffff", 0xFFFFFFFFu)]
    [InlineData("DWORD:0000000A", 10u)]
    [InlineData("dword:1", 1u)]
    public void A_dword_takes_one_to_eight_hex_digits(string data, uint expected)
    {
        RegistryValue value = Value(Version5("\"D\"=" + data), "D");

        Assert.Equal((RegistryValueType.DWord, (object)expected), (value.Type, value.Data));
    }

    [Theory]
    [InlineData("dword:", "'dword:' is not a DWORD: 'dword:' takes up to 8 hexadecimal digits.")]
    [InlineData("dword:000000001", "'dword:000000001' is not a DWORD: 'dword:' takes up to 8 hexadecimal digits.")]
    [InlineData("dword:123456789", "'dword:123456789' is not a DWORD: 'dword:' takes up to 8 hexadecimal digits.")]
    [InlineData("dword:-1", "'dword:-1' is not a DWORD: 'dword:' takes up to 8 hexadecimal digits.")]
    public void A_dword_with_no_digits_or_nine_digits_is_refused(string data, string problem)
    {
        string path = Version5("\"D\"=" + data);

        RegistryExportException ex = Refused(path);

        Assert.Equal(4, ex.LineNumber);
        Assert.Equal(problem, ex.Problem);
        Assert.Equal($"{path}, line 4: {problem}", ex.Message);
    }

    [Fact]
    public void hex4_is_a_little_endian_DWORD_and_hex5_a_big_endian_one()
    {
        string path = Version5("\"Little\"=hex(4):01,02,03,04", "\"Big\"=hex(5):01,02,03,04", "\"High\"=hex(4):f0,e1,d2,c3", "\"Q\"=hex(b):01,02,03,04,05,06,07,88");
        InMemoryRegistry registry = Load(path, out _);

        Assert.Equal((RegistryValueType.DWord, (object)0x04030201u), (registry.GetValueAt(Key, "Little")!.Type, registry.GetValueAt(Key, "Little")!.Data));
        Assert.Equal((RegistryValueType.DWordBigEndian, (object)0x01020304u), (registry.GetValueAt(Key, "Big")!.Type, registry.GetValueAt(Key, "Big")!.Data));
        Assert.Equal(0xC3D2E1F0u, registry.GetValueAt(Key, "High")!.Data);
        Assert.Equal((RegistryValueType.QWord, (object)0x8807060504030201UL), (registry.GetValueAt(Key, "Q")!.Type, registry.GetValueAt(Key, "Q")!.Data));
    }

    [Theory]
    [InlineData("hex(4):01,02,03", "'D' is a DWORD (hex(4)) but has 3 bytes instead of 4.")]
    [InlineData("hex(5):01,02,03,04,05", "'D' is a DWORD (hex(5)) but has 5 bytes instead of 4.")]
    [InlineData("hex(b):01,02,03,04,05,06,07", "'D' is a QWORD (hex(b)) but has 7 bytes instead of 8.")]
    [InlineData("hex(7):41,00,42", "the string data of 'D' has 3 bytes, which is not UTF-16 (an even number).")]
    [InlineData("hex:001", "'001' in the hex data of 'D' is not a byte (two hexadecimal digits).")]
    [InlineData("hex:01,02,", "the hex data of 'D' has an empty byte (two commas in a row, or a comma at the end).")]
    [InlineData("hex(7)", "'hex(7)' is missing ':' after hex.")]
    [InlineData("hex():00", "'hex()' is not a value type: expected 'hex:' or 'hex(n):' with n in hexadecimal.")]
    [InlineData("hex(000000007):41,00", "'hex(000000007)' is not a value type: expected 'hex:' or 'hex(n):' with n in hexadecimal.")]
    [InlineData("hex(7:41,00", "'hex(7' is not a value type: expected 'hex:' or 'hex(n):' with n in hexadecimal.")]
    [InlineData("hexa:00", "'hexa' is not a value type: expected 'hex:' or 'hex(n):' with n in hexadecimal.")]
    [InlineData("word:1", "unrecognised data for 'D': 'word:1' (expected \"string\", dword:, hex:, hex(n): or -).")]
    [InlineData("\"x\\", "the string data is not closed with '\"': '\"x\\'.")]
    [InlineData("\"x\"   trailing", "unexpected text after the string data of 'D': 'trailing'.")]
    public void Each_bad_value_is_refused_with_its_exact_problem(string data, string problem)
    {
        RegistryExportException ex = Refused(Version5("\"D\"=" + data));

        Assert.Equal((4, problem), (ex.LineNumber, ex.Problem));
    }

    [Theory]
    [InlineData("\"D\"", "expected '=' after the value name 'D'.")]
    [InlineData("[]", "'' does not start with a registry hive (HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, HKEY_USERS, HKEY_CLASSES_ROOT, HKEY_CURRENT_CONFIG).")]
    [InlineData("\"D", "the value name is not closed with '\"': '\"D'.")]
    public void Each_bad_line_shape_is_refused_with_its_exact_problem(string line, string problem)
    {
        RegistryExportException ex = Refused(Version5(line));

        Assert.Equal((4, problem), (ex.LineNumber, ex.Problem));
    }

    [Fact]
    public void hex_type_numbers_take_up_to_eight_hex_digits_and_each_string_type_drops_its_terminator()
    {
        string path = Version5(
            "\"Multi8\"=hex(00000007):41,00,00,00,00,00",
            "\"MultiGap\"=hex(7):41,00,00,00,00,00,42,00,00,00,00,00",
            "\"MultiEmpty\"=hex(7):00,00",
            "\"MultiNothing\"=hex(7):",
            "\"Str\"=hex(1):41,00,42,00,00,00",
            "\"Link\"=hex(6):5c,00,3f,00,00,00",
            "\"Expand\"=hex(2):25,00,54,00,25,00,00,00",
            "\"Res\"=hex(a):01,02",
            "\"None\"=hex(0):",
            "\"One\"=hex:1",
            "\"Empty\"=hex:");
        InMemoryRegistry registry = Load(path, out _);
        RegistryValue Get(string name) => registry.GetValueAt(Key, name)!;

        Assert.Equal(RegistryValueType.MultiString, Get("Multi8").Type);
        Assert.Equal(new[] { "A" }, (string[])Get("Multi8").Data);
        Assert.Equal(new[] { "A", "", "B" }, (string[])Get("MultiGap").Data);
        Assert.Empty((string[])Get("MultiEmpty").Data);
        Assert.Empty((string[])Get("MultiNothing").Data);
        Assert.Equal((RegistryValueType.String, (object)"AB"), (Get("Str").Type, Get("Str").Data));
        Assert.Equal((RegistryValueType.Link, (object)"\\?"), (Get("Link").Type, Get("Link").Data));
        Assert.Equal((RegistryValueType.ExpandString, (object)"%T%"), (Get("Expand").Type, Get("Expand").Data));
        Assert.Equal(RegistryValueType.ResourceRequirementsList, Get("Res").Type);
        Assert.Equal(new byte[] { 0x01, 0x02 }, (byte[])Get("Res").Data);
        Assert.Equal(RegistryValueType.None, Get("None").Type);
        Assert.Empty((byte[])Get("None").Data);
        Assert.Equal(RegistryValueType.Binary, Get("One").Type);
        Assert.Equal(new byte[] { 0x01 }, (byte[])Get("One").Data);
        Assert.Equal(RegistryValueType.Binary, Get("Empty").Type);
        Assert.Empty((byte[])Get("Empty").Data);
    }

    [Fact]
    public void Hex_data_over_three_lines_is_joined_and_a_bad_byte_is_reported_on_its_own_line()
    {
        string good = Version5("\"Bin\"=hex:01,02,\\", "  03,04,\\", "  05");
        string bad = Version5("\"Bin\"=hex:01,02,\\", "  03,04,\\", "  05,zz", "\"After\"=dword:00000002");
        var problems = new List<RegistryExportException>();
        var registry = new InMemoryRegistry();

        RegFileParser.Load(bad, registry, CancellationToken.None, problems.Add);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, (byte[])Value(good, "Bin").Data);
        RegistryExportException problem = Assert.Single(problems);
        Assert.Equal((6, "'zz' in the hex data of 'Bin' is not a byte (two hexadecimal digits)."), (problem.LineNumber, problem.Problem));
        Assert.Null(registry.GetValueAt(Key, "Bin"));
        Assert.Equal(2u, registry.GetValueAt(Key, "After")!.Data);
    }

    [Fact]
    public void Hex_data_continued_onto_a_blank_line_is_refused_on_the_line_with_the_backslash()
    {
        string path = Version5("\"Bin\"=hex:01,02,\\", "  03,\\", "", "\"After\"=dword:00000002");
        var problems = new List<RegistryExportException>();
        var registry = new InMemoryRegistry();

        RegFileParser.Load(path, registry, CancellationToken.None, problems.Add);

        RegistryExportException problem = Assert.Single(problems);
        Assert.Equal((5, "the hex data of 'Bin' ends with '\\' but the next line is empty or the file ends there."), (problem.LineNumber, problem.Problem));
        Assert.Null(registry.GetValueAt(Key, "Bin"));
        Assert.Equal(2u, registry.GetValueAt(Key, "After")!.Data);
    }

    [Fact]
    public void Spaces_and_tabs_around_the_equals_sign_and_lone_backslashes_in_strings_are_kept_as_regedit_reads_them()
    {
        string path = Version5("\"Spaced\" \t= \t\"x\"", "@ = \"default\"", "\"Path\"=\"C:\\temp\\new\"");
        InMemoryRegistry registry = Load(path, out _);

        Assert.Equal("x", registry.GetValueAt(Key, "Spaced")!.Data);
        Assert.Equal("default", registry.GetValueAt(Key, "")!.Data);
        Assert.Equal(@"C:\temp\new", registry.GetValueAt(Key, "Path")!.Data);
    }

    [Fact]
    public void A_cancelled_read_of_a_UTF_16_export_stops()
    {
        string path = Version5("\"A\"=\"b\"");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => RegFileParser.Load(path, new InMemoryRegistry(), cancelled.Token, p => throw p));
    }
}
