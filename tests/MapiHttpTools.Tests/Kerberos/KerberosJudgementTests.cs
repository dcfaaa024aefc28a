using System;
using System.Linq;
using System.Threading;
using MapiHttpTools.Kerberos;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>
/// The truth table of issue 14 on facts read from real-shaped files (setspn output, Get-ClientAccessService exports):
/// HTTP/&lt;namespace&gt; on exactly one account, the Alternate Service Account every Client Access server holds.
/// </summary>
public sealed class KerberosJudgementTests
{
    private const string Mail = "mail.contoso.com";
    private const string Roll = @"cd $exscripts; .\RollAlternateServiceAccountPassword.ps1";

    [Fact]
    public void No_asa_and_the_spn_on_the_computer_of_the_one_server_passes()
    {
        AsaInventory asa = Asa("GetClientAccessService-NoAsa.xml");

        ConfigurationFinding server = KerberosJudgement.AlternateServiceAccount(asa);
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, Spn("setspn-Q-computer.txt"), asa, Array.Empty<string>());

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (server.Status, server.Cause));
        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (spn.Status, spn.Cause));
        Assert.Equal(@"HTTP/mail.contoso.com is registered on CONTOSO\EX01$ only, the computer account of the one Client Access server: Kerberos to mail.contoso.com works without an Alternate Service Account.", spn.Message);
        Assert.Null(spn.Recommendation);
    }

    [Fact]
    public void Asa_on_every_server_and_the_spn_on_the_asa_passes()
    {
        AsaInventory asa = Asa("GetClientAccessService-Asa.xml");

        ConfigurationFinding server = KerberosJudgement.AlternateServiceAccount(asa);
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, Spn("setspn-Q-asa.txt"), asa, Array.Empty<string>());

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (server.Status, server.Cause));
        Assert.Equal(@"Every Client Access server read (EX01, EX02) holds the Alternate Service Account CONTOSO\EXCH-ASA$.", server.Message);
        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (spn.Status, spn.Cause));
        Assert.Equal(@"HTTP/mail.contoso.com is registered on CONTOSO\EXCH-ASA$ only, the Alternate Service Account the Client Access servers hold.", spn.Message);
        Assert.Equal(@"CONTOSO\EXCH-ASA$", spn.Value);
    }

    [Fact]
    public void Asa_on_some_servers_only_fails_with_the_roll_script_for_all_of_them()
    {
        ConfigurationFinding server = KerberosJudgement.AlternateServiceAccount(Asa("GetClientAccessService-Partial.xml"));

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (server.Status, server.Cause));
        Assert.Equal(@"EX01 holds the Alternate Service Account CONTOSO\EXCH-ASA$, EX02 does not: Kerberos tickets for the namespace fail on EX02 whenever the load balancer sends a client there.", server.Message);
        Assert.Equal(Roll + @" -ToSpecificServers EX01, EX02 -GenerateNewPasswordFor 'CONTOSO\EXCH-ASA$'", server.Recommendation);
    }

    [Fact]
    public void Duplicate_spn_fails_and_removes_it_from_the_computer_account()
    {
        AsaInventory asa = Asa("GetClientAccessService-Asa.xml");

        ConfigurationFinding fromQuery = KerberosJudgement.Spn(Mail, Spn("setspn-Q-duplicate.txt"), asa, Array.Empty<string>());
        ConfigurationFinding fromScan = KerberosJudgement.Spn(Mail, Spn("setspn-X-duplicate.txt"), asa, Array.Empty<string>());

        foreach (ConfigurationFinding spn in new[] { fromQuery, fromScan })
        {
            Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (spn.Status, spn.Cause));
            Assert.Equal("HTTP/mail.contoso.com is registered on 2 accounts (CN=EXCH-ASA,CN=Computers,DC=contoso,DC=com; CN=EX01,OU=Exchange Servers,DC=contoso,DC=com): a duplicate SPN, so the KDC cannot tell whose key to use and Kerberos to mail.contoso.com fails.", spn.Message);
            Assert.Equal(@"setspn -D HTTP/mail.contoso.com CONTOSO\EX01$", spn.Recommendation);
        }
    }

    [Fact]
    public void Missing_spn_warns_that_outlook_falls_back_to_ntlm_and_names_the_asa()
    {
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, Spn("setspn-Q-none.txt"), Asa("GetClientAccessService-Asa.xml"), Array.Empty<string>());

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (spn.Status, spn.Cause));
        Assert.Equal($"No account holds HTTP/mail.contoso.com (setspn output {KerberosFixture.File("setspn-Q-none.txt")}): Outlook gets no Kerberos ticket for mail.contoso.com and falls back to NTLM.", spn.Message);
        Assert.Equal(@"setspn -S HTTP/mail.contoso.com CONTOSO\EXCH-ASA$", spn.Recommendation);
    }

    [Fact]
    public void Spn_on_a_computer_account_while_the_servers_use_an_asa_fails_with_both_setspn_steps()
    {
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, Spn("setspn-Q-computer.txt"), Asa("GetClientAccessService-Asa.xml"), Array.Empty<string>());

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (spn.Status, spn.Cause));
        Assert.Equal(@"HTTP/mail.contoso.com is registered on the computer account of EX01, not on the Alternate Service Account CONTOSO\EXCH-ASA$ the Client Access servers use: clients get tickets they cannot present to the other servers, and Kerberos to mail.contoso.com fails.", spn.Message);
        Assert.Equal(@"setspn -D HTTP/mail.contoso.com CONTOSO\EX01$; setspn -S HTTP/mail.contoso.com CONTOSO\EXCH-ASA$", spn.Recommendation);
    }

    [Fact]
    public void No_asa_on_two_servers_with_the_spn_on_one_computer_fails()
    {
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, Spn("setspn-Q-computer.txt"), Asa("GetClientAccessService-NoAsaTwo.xml"), Array.Empty<string>());

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (spn.Status, spn.Cause));
        Assert.Equal("HTTP/mail.contoso.com is registered on the computer account of EX01, but 2 Client Access servers (EX01, EX02) serve mail.contoso.com without an Alternate Service Account: tickets only open on EX01, Kerberos fails on the others.", spn.Message);
        Assert.Equal(Roll + @" -ToSpecificServers EX01, EX02 -GenerateNewPasswordFor 'CONTOSO\<ASA computer account>$'; setspn -D HTTP/mail.contoso.com CONTOSO\EX01$; setspn -S HTTP/mail.contoso.com CONTOSO\<ASA computer account>$", spn.Recommendation);
    }

    [Fact]
    public void Spn_on_an_account_no_server_holds_as_asa_fails_with_the_roll_script_for_it()
    {
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, Spn("setspn-Q-asa.txt"), Asa("GetClientAccessService-NoAsaTwo.xml"), Array.Empty<string>());

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (spn.Status, spn.Cause));
        Assert.Equal(@"HTTP/mail.contoso.com is registered on CONTOSO\EXCH-ASA, but no Client Access server holds it as Alternate Service Account: Exchange cannot open the Kerberos tickets clients get for mail.contoso.com.", spn.Message);
        Assert.Equal(Roll + @" -ToSpecificServers EX01, EX02 -GenerateNewPasswordFor 'CONTOSO\EXCH-ASA'", spn.Recommendation);
    }

    [Fact]
    public void A_url_that_names_a_server_itself_needs_no_http_spn()
    {
        ConfigurationFinding byExport = KerberosJudgement.Spn("EX02.contoso.com", Spn("setspn-Q-none.txt", "EX02.contoso.com"), Asa("GetClientAccessService-Asa.xml"), Array.Empty<string>());
        ConfigurationFinding byServers = KerberosJudgement.Spn("ex03.contoso.com", Spn("setspn-Q-none.txt", "ex03.contoso.com"), AsaInventory.Unavailable("not asked"), new[] { "EX03" }, new[] { "EX03.contoso.com" });

        Assert.Equal(CheckStatus.Pass, byExport.Status);
        Assert.Equal("No account holds HTTP/EX02.contoso.com explicitly, but EX02.contoso.com is the server EX02 itself: its computer account's HOST/EX02.contoso.com covers HTTP.", byExport.Message);
        Assert.Equal(CheckStatus.Pass, byServers.Status);
    }

    [Fact]
    public void Nothing_to_look_in_is_skipped_with_the_reason_and_what_to_save()
    {
        AsaInventory asa = AsaInventory.Unavailable("Get-ClientAccessService is not in this session (run in the Exchange Management Shell), and no -ClientAccessServicePath was given");

        ConfigurationFinding server = KerberosJudgement.AlternateServiceAccount(asa);
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, SpnFacts.Unavailable("HTTP/mail.contoso.com", "Active Directory can only be asked from Windows; this is Unix"), asa, Array.Empty<string>());

        Assert.Equal(CheckStatus.Skipped, server.Status);
        Assert.Equal("The Alternate Service Account of the Client Access servers was not read: Get-ClientAccessService is not in this session (run in the Exchange Management Shell), and no -ClientAccessServicePath was given.", server.Message);
        Assert.Equal(CheckStatus.Skipped, spn.Status);
        Assert.Equal("HTTP/mail.contoso.com was not looked up: Active Directory can only be asked from Windows; this is Unix.", spn.Message);
        Assert.Equal("On a domain-joined machine: setspn -Q HTTP/mail.contoso.com > spn.txt; setspn -X >> spn.txt; then Test-MapiHttpAuthentication -Namespace mail.contoso.com -SetspnOutputPath spn.txt", spn.Recommendation);
    }

    [Fact]
    public void Export_without_the_status_switch_is_skipped_not_taken_for_no_asa()
    {
        ConfigurationFinding server = KerberosJudgement.AlternateServiceAccount(Asa("GetClientAccessService-NotRead.xml"));

        Assert.Equal(CheckStatus.Skipped, server.Status);
        Assert.Equal(
            $"AlternateServiceAccountConfiguration of EX01, EX02 is empty in the export {KerberosFixture.File("GetClientAccessService-NotRead.xml")}: Get-ClientAccessService ran without " +
            "-IncludeAlternateServiceAccountCredentialStatus, so whether the servers hold an Alternate Service Account is unknown.",
            server.Message);
        Assert.Equal("Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus | Export-Clixml cas.xml; then Test-MapiHttpAuthentication -ClientAccessServicePath cas.xml", server.Recommendation);
    }

    [Fact]
    public void Live_ad_account_matches_the_asa_by_sam_account_name()
    {
        var account = new SpnAccount("CN=Exchange ASA,OU=Service Accounts,DC=contoso,DC=com", new[] { "HTTP/mail.contoso.com" }) { SamAccountName = "EXCH-ASA$", IsComputer = true };
        var facts = new SpnFacts("HTTP/mail.contoso.com", new[] { account }, "Active Directory (LDAP://DC=contoso,DC=com)", "CONTOSO");

        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, facts, Asa("GetClientAccessService-Asa.xml"), Array.Empty<string>());

        Assert.Equal(CheckStatus.Pass, spn.Status);
    }

    [Fact]
    public void Names_from_data_reach_message_and_fix_with_control_characters_made_visible_and_never_change_an_ldap_filter()
    {
        var account = new SpnAccount("CN=EVIL\u001b]0;owned\u0007,CN=Computers,DC=contoso,DC=com", new[] { "HTTP/mail.contoso.com" });
        ConfigurationFinding spn = KerberosJudgement.Spn(Mail, new SpnFacts("HTTP/mail.contoso.com", new[] { account }, "test", "CONTOSO"), Asa("GetClientAccessService-Asa.xml"), Array.Empty<string>());

        Assert.DoesNotContain('\u001b', spn.Message);
        Assert.DoesNotContain('\u001b', spn.Recommendation!);
        Assert.DoesNotContain('\u0007', spn.Recommendation!);
        Assert.Equal(@"(servicePrincipalName=HTTP/x\2a\29\28objectClass=\2a)", "(servicePrincipalName=" + ActiveDirectorySpnSource.Escape("HTTP/x*)(objectClass=*") + ")");
    }

    private static AsaInventory Asa(string file) => AlternateServiceAccountReader.ReadFile(KerberosFixture.File(file), CancellationToken.None);

    private static SpnFacts Spn(string file, string host = Mail) =>
        new SetspnFileSource(new[] { (KerberosFixture.File(file), SetspnOutputParser.ReadFile(KerberosFixture.File(file))) }).Lookup("HTTP/" + host);
}
