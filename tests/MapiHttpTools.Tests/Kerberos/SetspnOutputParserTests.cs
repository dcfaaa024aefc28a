using System;
using System.IO;
using System.Linq;
using System.Text;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Kerberos;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>setspn -Q, -X and -L text as Windows prints it, in the encodings a redirect leaves on disk (issue 14).</summary>
public sealed class SetspnOutputParserTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Spn." + Guid.NewGuid().ToString("N"));

    public SetspnOutputParserTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Query_output_redirected_by_powershell_as_utf16_lists_the_account_and_its_spns()
    {
        byte[] bytes = File.ReadAllBytes(KerberosFixture.File("setspn-Q-asa.txt"));
        Assert.Equal(new byte[] { 0xFF, 0xFE, (byte)'C', 0 }, bytes.Take(4).ToArray());

        SetspnReport report = SetspnOutputParser.ReadFile(KerberosFixture.File("setspn-Q-asa.txt"));

        Assert.Equal(new[] { "DC=contoso,DC=com" }, report.Domains);
        SpnAccount account = Assert.Single(report.Accounts);
        Assert.Equal("CN=EXCH-ASA,CN=Computers,DC=contoso,DC=com", account.DistinguishedName);
        Assert.Equal("EXCH-ASA", account.Name);
        Assert.Equal(new[] { "HTTP/mail.contoso.com", "HTTP/autodiscover.contoso.com" }, account.ServicePrincipalNames);
        Assert.True(report.QueryRan);
        Assert.False(report.DuplicateScanRan);
        Assert.Equal("CN=EXCH-ASA,CN=Computers,DC=contoso,DC=com", Assert.Single(report.AccountsHolding("http/MAIL.contoso.com")).DistinguishedName);
        Assert.Empty(report.AccountsHolding("HTTP/owa.contoso.com"));
    }

    [Fact]
    public void No_such_spn_found_from_cmd_is_a_query_with_no_account()
    {
        SetspnReport report = SetspnOutputParser.ReadFile(KerberosFixture.File("setspn-Q-none.txt"));

        Assert.True(report.QueryRan);
        Assert.Empty(report.Accounts);
        Assert.Empty(report.AccountsHolding("HTTP/mail.contoso.com"));
        Assert.Equal(new[] { "DC=contoso,DC=com" }, report.Domains);
    }

    [Fact]
    public void Query_that_finds_two_accounts_lists_both_with_every_spn_of_the_computer()
    {
        SetspnReport report = SetspnOutputParser.ReadFile(KerberosFixture.File("setspn-Q-duplicate.txt"));

        Assert.Equal(
            new[] { "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=com", "CN=EX01,OU=Exchange Servers,DC=contoso,DC=com" },
            report.AccountsHolding("HTTP/mail.contoso.com").Select(a => a.DistinguishedName).ToArray());
        SpnAccount ex01 = report.Accounts[1];
        Assert.Equal(15, ex01.ServicePrincipalNames.Count);
        Assert.Equal("exchangeAB/EX01", ex01.ServicePrincipalNames[0]);
        Assert.Equal("HOST/EX01.contoso.com", ex01.ServicePrincipalNames[14]);
    }

    [Fact]
    public void Duplicate_scan_reads_the_group_and_its_accounts()
    {
        SetspnReport report = SetspnOutputParser.ReadFile(KerberosFixture.File("setspn-X-duplicate.txt"));

        Assert.True(report.DuplicateScanRan);
        DuplicateSpn group = Assert.Single(report.Duplicates);
        Assert.Equal("HTTP/mail.contoso.com", group.ServicePrincipalName);
        Assert.Equal(new[] { "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=com", "CN=EX01,OU=Exchange Servers,DC=contoso,DC=com" }, group.AccountDistinguishedNames);
        Assert.Equal(new[] { "EXCH-ASA", "EX01" }, report.AccountsHolding("HTTP/mail.contoso.com").Select(a => a.Name).ToArray());
        Assert.Empty(report.Accounts);
    }

    [Fact]
    public void Duplicate_scan_that_found_none()
    {
        SetspnReport report = SetspnOutputParser.ReadFile(KerberosFixture.File("setspn-X-none.txt"));

        Assert.True(report.DuplicateScanRan);
        Assert.Empty(report.Duplicates);
        Assert.Empty(report.AccountsHolding("HTTP/mail.contoso.com"));
    }

    [Fact]
    public void List_output_and_several_runs_in_one_file_with_lf_line_ends()
    {
        string text = "Registered ServicePrincipalNames for CN=EXCH\\, ASA,OU=Service Accounts,DC=contoso,DC=com:\n\tHTTP/mail.contoso.com\n" +
                      "Checking domain DC=contoso,DC=com\nProcessing entry 0\n\nfound 0 group of duplicate SPNs.\n";

        SetspnReport report = SetspnOutputParser.Parse(text, "test");

        SpnAccount account = Assert.Single(report.Accounts);
        Assert.Equal("EXCH, ASA", account.Name);
        Assert.Equal(new[] { "HTTP/mail.contoso.com" }, account.ServicePrincipalNames);
        Assert.True(report.QueryRan);
        Assert.True(report.DuplicateScanRan);
    }

    [Theory]
    [InlineData("utf-16le-nobom")]
    [InlineData("utf-16be-bom")]
    [InlineData("utf-8-bom")]
    public void Other_encodings_read_the_same(string encoding)
    {
        string text = "Checking domain DC=contoso,DC=com\r\nCN=EXCH-ASA,CN=Computers,DC=contoso,DC=com\r\n\tHTTP/mail.contoso.com\r\n\r\nExisting SPN found!\r\n";
        byte[] bytes = encoding switch
        {
            "utf-16le-nobom" => Encoding.Unicode.GetBytes(text),
            "utf-16be-bom" => new byte[] { 0xFE, 0xFF }.Concat(Encoding.BigEndianUnicode.GetBytes(text)).ToArray(),
            _ => new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(text)).ToArray(),
        };
        string path = Path.Combine(_folder, encoding + ".txt");
        File.WriteAllBytes(path, bytes);

        SetspnReport report = SetspnOutputParser.ReadFile(path);

        Assert.Equal("EXCH-ASA", Assert.Single(report.AccountsHolding("HTTP/mail.contoso.com")).Name);
    }

    [Fact]
    public void Text_that_is_not_setspn_output_is_refused_with_what_to_run()
    {
        string path = Path.Combine(_folder, "notes.txt");
        File.WriteAllText(path, "HTTP/mail.contoso.com is on the ASA, I think\r\n");

        SetspnFormatException ex = Assert.Throws<SetspnFormatException>(() => SetspnOutputParser.ReadFile(path));

        Assert.Equal(
            $"{path} is not the output of setspn: it has none of the lines setspn prints (\"Checking domain DC=...\", \"Existing SPN found!\", \"No such SPN found.\", " +
            "\"found N group of duplicate SPNs.\"). Save it with: setspn -Q HTTP/<namespace> > spn.txt; setspn -X >> spn.txt",
            ex.Message);
    }

    [Fact]
    public void An_empty_file_is_refused_by_the_input_gate()
    {
        string path = Path.Combine(_folder, "empty.txt");
        File.WriteAllBytes(path, Array.Empty<byte>());

        InputFileException ex = Assert.Throws<InputFileException>(() => SetspnOutputParser.ReadFile(path));

        Assert.Equal(InputFile.NotRegularErrorId, ex.ErrorId);
    }
}
