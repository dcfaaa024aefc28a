using System;
using System.IO;
using System.Linq;
using System.Text;
using MapiHttpTools.ClientState;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>The .reg reader against files as regedit and reg export write them, odd encodings, and broken files.</summary>
public sealed class RegFileParserTests
{
    private const string Exchange = @"HKEY_CURRENT_USER\Software\Microsoft\Exchange";
    private const string General = @"HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Common\General";

    private static InMemoryRegistry Load(string path, out string encoding)
    {
        var registry = new InMemoryRegistry();
        encoding = RegFileParser.Load(path, registry);
        return registry;
    }

    [Fact]
    public void A_regedit_export_yields_every_value_type_with_its_exact_data()
    {
        InMemoryRegistry registry = Load(ClientStateFixtures.Reg("good-hkcu.reg"), out string encoding);

        Assert.Equal("UTF-16LE", encoding);
        Assert.True(registry.KeyExistsAt(Exchange + @"\Client"));
        Assert.Empty(registry.GetValuesAt(Exchange));

        RegistryValue? @default = registry.GetValueAt(General, "");
        Assert.Equal((RegistryValueType.String, "Office common settings"), (@default!.Type, @default.Data));

        RegistryValue escaped = registry.GetValueAt(General, "ShellDirectory")!;
        Assert.Equal(@"C:\Users\alice\AppData\Roaming\Microsoft ""Office""", escaped.Data);

        RegistryValue multi = registry.GetValueAt(General, "RecentPlaces")!;
        Assert.Equal(RegistryValueType.MultiString, multi.Type);
        Assert.Equal(new[] { @"C:\Users\alice\Documents", @"\\fs01\share\Team", @"D:\Projects" }, (string[])multi.Data);

        RegistryValue qword = registry.GetValueAt(General, "LastUpdateCheck")!;
        Assert.Equal((RegistryValueType.QWord, (object)0x01DA5F3C2B1A0900UL), (qword.Type, qword.Data));

        RegistryValue none = registry.GetValueAt(General, "Placeholder")!;
        Assert.Equal(RegistryValueType.None, none.Type);
        Assert.Empty((byte[])none.Data);

        RegistryValue binary = registry.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676\00000002", "Identity Eid")!;
        Assert.Equal(RegistryValueType.Binary, binary.Type);
        Assert.Equal(Enumerable.Range(0x10, 48).Select(i => (byte)i).ToArray(), (byte[])binary.Data);

        RegistryValue accountName = registry.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\Profiles\Outlook\9375CFF0413111d3B88A00104B2A6676\00000002", "Account Name")!;
        Assert.Equal(Encoding.Unicode.GetBytes("alice@contoso.com\0"), (byte[])accountName.Data);

        RegistryValue expand = registry.GetValueAt(@"HKEY_CURRENT_USER\Environment", "TEMP")!;
        Assert.Equal((RegistryValueType.ExpandString, (object)@"%USERPROFILE%\AppData\Local\Temp"), (expand.Type, expand.Data));

        RegistryValue dword = registry.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\AutoDiscover", "ExcludeExplicitO365Endpoint")!;
        Assert.Equal((RegistryValueType.DWord, (object)1u), (dword.Type, dword.Data));
    }

    [Theory]
    [InlineData("disabled-hkcu.reg", "UTF-16LE")]
    [InlineData("disabled-hkcu-utf8-bom.reg", "UTF-8")]
    [InlineData("disabled-hkcu-utf8.reg", "UTF-8 (no BOM)")]
    [InlineData("disabled-hkcu-utf16-nobom.reg", "UTF-16LE (no BOM)")]
    public void The_same_export_reads_the_same_in_every_encoding(string file, string expectedEncoding)
    {
        InMemoryRegistry registry = Load(ClientStateFixtures.Reg(file), out string encoding);

        Assert.Equal(expectedEncoding, encoding);
        Assert.Equal(1u, registry.GetValueAt(Exchange, "MapiHttpDisabled")!.Data);
        Assert.Equal(@"C:\Autodiscover\contoso.xml", registry.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Outlook\AutoDiscover", "contoso.com")!.Data);
        Assert.Equal(0u, registry.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Office\16.0\Common\Identity", "EnableADAL")!.Data);
    }

    [Fact]
    public void A_REGEDIT4_file_is_read_as_ANSI_including_its_hex2_strings()
    {
        InMemoryRegistry registry = Load(ClientStateFixtures.Reg("regedit4-ansi.reg"), out string encoding);

        Assert.Equal("ANSI (Windows-1252)", encoding);
        Assert.Equal("Jürgen Müller – Zürich", registry.GetValueAt(Exchange, "Owner")!.Data);
        Assert.Equal(@"%USERPROFILE%\AppData\Local\Temp", registry.GetValueAt(@"HKEY_CURRENT_USER\Environment", "TEMP")!.Data);
        Assert.Equal(1u, registry.GetValueAt(Exchange, "MapiHttpDisabled")!.Data);
    }

    [Theory]
    [InlineData("malformed-dword.reg", 4, "'dword:1x' is not a DWORD")]
    [InlineData("malformed-hex.reg", 7, "'zz' in the hex data of 'Identity Eid' is not a byte")]
    public void A_malformed_export_names_the_file_and_the_line(string file, int line, string problem)
    {
        string path = ClientStateFixtures.Reg(file);
        var ex = Assert.Throws<RegistryExportException>(() => Load(path, out _));

        Assert.Equal(line, ex.LineNumber);
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith($"{path}, line {line}: {problem}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REGEDIT5\n\n[HKEY_CURRENT_USER\\Software]\n", 1, "not a registry export")]
    [InlineData("\n\n[HKEY_CURRENT_USER\\Software]\n", 3, "not a registry export")]
    [InlineData("Windows Registry Editor Version 5.00\n\n\"Orphan\"=dword:00000001\n", 3, "before any [key]")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software\n", 3, "must end with ']'")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_NOWHERE\\Software]\n", 3, "does not start with a registry hive")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name=\"x\"\n", 4, "expected '='")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=\"open\n", 4, "not closed")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=\"a\" trailing\n", 4, "unexpected text after the string")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=dword:123456789\n", 4, "is not a DWORD")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=word:1\n", 4, "unrecognised data")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=hex(b):01,02,03,04\n", 4, "has 4 bytes instead of 8")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=hex(7):41,00,42\n", 4, "not UTF-16")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=hex(zz):00\n", 4, "is not a value type")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=hex:01,,02\n", 4, "empty byte")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\n\"Name\"=hex:01,02,\\\n", 4, "the file ends there")]
    [InlineData("Windows Registry Editor Version 5.00\n\n[HKEY_CURRENT_USER\\Software]\nName=1\n", 4, "expected a key")]
    [InlineData("", 0, "is empty")]
    public void Each_kind_of_broken_line_is_reported_with_its_line_number(string text, int line, string problem)
    {
        using var folder = new TempFolder();
        string path = ClientStateFixtures.WriteReg(folder, "broken.reg", text);

        var ex = Assert.Throws<RegistryExportException>(() => Load(path, out _));

        Assert.Equal(line, ex.LineNumber);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_and_value_deletions_apply_in_file_order_like_reg_import()
    {
        using var folder = new TempFolder();
        string path = ClientStateFixtures.WriteReg(folder, "patch.reg", """
            Windows Registry Editor Version 5.00

            ; comments and blank lines are ignored
            [HKEY_CURRENT_USER\Software\Contoso\Old]
            "Gone"="soon"

            [HKEY_CURRENT_USER\Software\Contoso]
            "Keep"=dword:00000002
            "Drop"=dword:00000003
            "Drop"=-

            [-HKEY_CURRENT_USER\Software\Contoso\Old]

            [HKCU\Software\Contoso\Short]
            @="hive abbreviations are accepted"
            """);

        InMemoryRegistry registry = Load(path, out _);

        Assert.False(registry.KeyExistsAt(@"HKEY_CURRENT_USER\Software\Contoso\Old"));
        Assert.Equal(new[] { "Keep" }, registry.GetValuesAt(@"HKEY_CURRENT_USER\Software\Contoso").Select(v => v.Name).ToArray());
        Assert.Equal("hive abbreviations are accepted", registry.GetValueAt(@"HKEY_CURRENT_USER\Software\Contoso\Short", "")!.Data);
    }

    [Fact]
    public void A_value_after_a_key_deletion_without_a_new_key_is_an_error()
    {
        using var folder = new TempFolder();
        string path = ClientStateFixtures.WriteReg(folder, "after-delete.reg", "Windows Registry Editor Version 5.00\n\n[-HKEY_CURRENT_USER\\Software\\X]\n\"Y\"=dword:00000001\n");

        var ex = Assert.Throws<RegistryExportException>(() => Load(path, out _));

        Assert.Equal(4, ex.LineNumber);
    }

    [Fact]
    public void The_backup_writer_produces_a_file_the_reader_restores_exactly()
    {
        using var folder = new TempFolder();
        string path = folder.Combine("backup.reg");
        RegistryValue[] values =
        {
            RegistryValue.DWord("MapiHttpDisabled", 1),
            RegistryValue.String("Quoted", @"C:\Path ""with"" quotes\"),
            new("Expand", RegistryValueType.ExpandString, @"%LOCALAPPDATA%\Microsoft\Outlook\a long value that wraps over more than one line of the file"),
            new("Multi", RegistryValueType.MultiString, new[] { "one", "two" }),
            new("Q", RegistryValueType.QWord, 0x0102030405060708UL),
            new("Bin", RegistryValueType.Binary, Enumerable.Range(0, 60).Select(i => (byte)i).ToArray()),
            new("", RegistryValueType.String, "default"),
        };

        RegFileWriter.Write(path, @"HKEY_USERS\S-1-5-21-1-2-3-1001\Software\Microsoft\Exchange", values);
        byte[] bytes = File.ReadAllBytes(path);
        var registry = new InMemoryRegistry();
        string encoding = RegFileParser.Load(path, registry);

        Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes.Take(2).ToArray());
        Assert.Equal("UTF-16LE", encoding);
        string[] lines = Encoding.Unicode.GetString(bytes, 2, bytes.Length - 2).Split("\r\n");
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"line longer than 80: {l}"));
        Assert.Contains(lines, l => l.StartsWith("  ", StringComparison.Ordinal));
        foreach (RegistryValue value in values)
        {
            RegistryValue read = registry.GetValueAt(@"HKEY_USERS\S-1-5-21-1-2-3-1001\Software\Microsoft\Exchange", value.Name)!;
            Assert.Equal(value.Type, read.Type);
            Assert.Equal(value.Data, read.Data);
        }
    }
}
