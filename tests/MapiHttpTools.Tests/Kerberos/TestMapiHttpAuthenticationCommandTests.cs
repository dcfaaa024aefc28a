using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Xml.Linq;
using MapiHttpTools.Kerberos;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using MapiHttpTools.Tests.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>
/// Test-MapiHttpAuthentication run as an admin would (issue 14): live through stand-in Exchange cmdlets, Active Directory
/// and IIS stood in through the session's services; offline from setspn output, a Get-ClientAccessService export and
/// applicationHost.config variants of the real E19 file; the wire side from piped Test-MapiHttpEndpoint results.
/// </summary>
public sealed class TestMapiHttpAuthenticationCommandTests : IDisposable
{
    private const string Mapi = "Default Web Site/mapi";
    // Deserialized as Import-Clixml does (the hosted session has no Microsoft.PowerShell.Utility).
    private const string GetCas =
        "function global:Get-ClientAccessService { [CmdletBinding()] param([Parameter(Position = 0)] $Identity, [switch] $IncludeAlternateServiceAccountCredentialStatus) " +
        "$global:ExchangeCalls.Add([pscustomobject]@{ Command = 'Get-ClientAccessService'; Parameters = @{} + $PSBoundParameters }); [System.Management.Automation.PSSerializer]::DeserializeAsList([System.IO.File]::ReadAllText($global:CasExport)) }";

    private readonly IisFixture _iis = new();

    public void Dispose() => _iis.Dispose();

    [Fact]
    public void Live_run_with_the_asa_everywhere_and_the_spn_on_it_passes_all_three_checks()
    {
        using ModuleSession session = Live("GetClientAccessService-Asa.xml", "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=lab", IisFixture.ConfigPath);

        ScriptResult run = session.Invoke("Test-MapiHttpAuthentication -SkipEndpointTest");

        Assert.Empty(run.Errors);
        MapiHttpConfigurationResult[] results = run.Objects<MapiHttpConfigurationResult>().ToArray();
        Assert.Equal(new[] { "AlternateServiceAccount", "KerberosSpn", "AuthenticationProviders" }, results.Select(r => r.Check).ToArray());
        Assert.All(results, r => Assert.Equal((CheckStatus.Pass, ConfigurationArea.Authentication), (r.Status, r.Area)));
        Assert.Equal("mail.contoso.lab", results[1].Target);
        Assert.Equal(@"HTTP/mail.contoso.lab is registered on CONTOSO\EXCH-ASA$ only, the Alternate Service Account the Client Access servers hold.", results[1].Message);
        Assert.Equal("Negotiate, NTLM", results[2].Value);
        Assert.Equal("EX01\\mapi (Default Web Site)", results[2].Identity);

        // Exchange was asked with the switch that fills AlternateServiceAccountConfiguration, and for the vdirs.
        var calls = ExchangeLab.Calls(session);
        Assert.Contains(calls, c => c.Command == "Get-ClientAccessService" && c.Parameters.ContainsKey("IncludeAlternateServiceAccountCredentialStatus"));
        Assert.Contains(calls, c => c.Command == "Get-MapiVirtualDirectory");
    }

    [Fact]
    public void Live_run_with_the_asa_on_one_server_and_the_spn_on_a_computer_fails_authentication()
    {
        using ModuleSession session = Live("GetClientAccessService-Partial.xml", "CN=EX01,OU=Exchange Servers,DC=contoso,DC=lab", IisFixture.ConfigPath);

        MapiHttpConfigurationResult[] results = session.Invoke("Test-MapiHttpAuthentication -SkipEndpointTest").Objects<MapiHttpConfigurationResult>().ToArray();

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (results[0].Status, results[0].Cause));
        Assert.Equal(@"cd $exscripts; .\RollAlternateServiceAccountPassword.ps1 -ToSpecificServers EX01, EX02 -GenerateNewPasswordFor 'CONTOSO\EXCH-ASA$'", results[0].Recommendation);
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (results[1].Status, results[1].Cause));
        Assert.Equal(@"setspn -D HTTP/mail.contoso.lab CONTOSO\EX01$; setspn -S HTTP/mail.contoso.lab CONTOSO\EXCH-ASA$", results[1].Recommendation);
    }

    [Fact]
    public void Offline_files_judge_a_duplicate_spn_and_ntlm_ahead_of_negotiate_with_an_asa()
    {
        string config = _iis.Variant(d => MapiWindowsAuthentication(d).Add(new XElement("providers", new XElement("clear"), new XElement("add", new XAttribute("value", "NTLM")), new XElement("add", new XAttribute("value", "Negotiate")))));
        using var session = new ModuleSession();
        ExchangeLab.Contoso("EX01").Install(session);

        ScriptResult run = session.Invoke(
            "Get-MapiVirtualDirectory | Test-MapiHttpAuthentication -Namespace mail.contoso.com -SetspnOutputPath $spn, $scan -ClientAccessServicePath $cas -ApplicationHostConfigPath $config -SkipEndpointTest",
            new() { ["spn"] = KerberosFixture.File("setspn-Q-asa.txt"), ["scan"] = KerberosFixture.File("setspn-X-duplicate.txt"), ["cas"] = KerberosFixture.File("GetClientAccessService-Asa.xml"), ["config"] = config });

        Assert.Empty(run.Errors);
        MapiHttpConfigurationResult[] results = run.Objects<MapiHttpConfigurationResult>().ToArray();
        MapiHttpConfigurationResult spn = results.Single(r => r.Check == "KerberosSpn");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (spn.Status, spn.Cause));
        Assert.Equal(@"setspn -D HTTP/mail.contoso.com CONTOSO\EX01$", spn.Recommendation);
        MapiHttpConfigurationResult providers = results.Single(r => r.Check == "AuthenticationProviders");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, "EX01"), (providers.Status, providers.Cause, providers.Server));
        Assert.Equal(
            "The providers of Default Web Site/mapi list NTLM before Negotiate (NTLM, Negotiate): clients that take the first method they support use NTLM, never Kerberos, although an Alternate Service Account is set up for Kerberos.",
            providers.Message);
        Assert.Equal(config, providers.Evidence["IisSource"]);
    }

    [Fact]
    public void Piped_probe_results_are_the_wire_side_of_the_comparison()
    {
        using var session = new ModuleSession();
        var probe = new MapiHttpEndpointResult("EmsmdbAnonymous", CheckStatus.Pass, MapiHttpCause.None, "https://mail.contoso.com/mapi", "127.0.0.10", "EX01", null, 3, 401, false,
            "401 with NTLM.", null, new Dictionary<string, object?> { ["OfferedAuthentication"] = new[] { "NTLM" } });

        ScriptResult run = session.Invoke(
            "$probe | Test-MapiHttpAuthentication -SetspnOutputPath $spn -ClientAccessServicePath $cas -ApplicationHostConfigPath $config",
            new() { ["probe"] = probe, ["spn"] = KerberosFixture.File("setspn-Q-asa.txt"), ["cas"] = KerberosFixture.File("GetClientAccessService-Asa.xml"), ["config"] = IisFixture.ConfigPath });

        MapiHttpConfigurationResult[] results = run.Objects<MapiHttpConfigurationResult>().ToArray();
        Assert.Equal((CheckStatus.Pass, "mail.contoso.com"), (results.Single(r => r.Check == "KerberosSpn").Status, results.Single(r => r.Check == "KerberosSpn").Target));
        MapiHttpConfigurationResult providers = results.Single(r => r.Check == "AuthenticationProviders");
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Network), (providers.Status, providers.Cause));
        Assert.StartsWith("IIS offers Negotiate at Default Web Site/mapi, but the probe did not see it in WWW-Authenticate", providers.Message);
        Assert.Equal(new[] { "NTLM" }, (string[])providers.Evidence["OfferedOnTheWire"]!);
    }

    [Fact]
    public void Probe_results_passed_by_parameter_leave_the_piped_virtual_directory_its_methods()
    {
        using var session = new ModuleSession();
        ExchangeLab.Contoso("EX01").Install(session);
        var probe = new MapiHttpEndpointResult("EmsmdbAnonymous", CheckStatus.Pass, MapiHttpCause.None, "https://mail.contoso.lab/mapi", "127.0.0.10", "EX01", null, 3, 401, false,
            "401 with Negotiate, NTLM, Bearer.", null, new Dictionary<string, object?> { ["OfferedAuthentication"] = new[] { "Negotiate", "NTLM", "Bearer" } });

        ScriptResult run = session.Invoke(
            "Get-MapiVirtualDirectory | Test-MapiHttpAuthentication -ProbeResult $probe -SetspnOutputPath $spn -ClientAccessServicePath $cas -ApplicationHostConfigPath $config",
            new() { ["probe"] = probe, ["spn"] = KerberosFixture.File("setspn-Q-none.txt"), ["cas"] = KerberosFixture.File("GetClientAccessService-Asa.xml"), ["config"] = IisFixture.ConfigPath });

        MapiHttpConfigurationResult providers = run.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "AuthenticationProviders");
        Assert.Equal((CheckStatus.Pass, "EX01\\mapi (Default Web Site)", "EX01"), (providers.Status, providers.Identity, providers.Server));
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, (string[])providers.Evidence["IISAuthenticationMethods"]!);
        Assert.Equal(new[] { "Negotiate", "NTLM", "Bearer" }, (string[])providers.Evidence["OfferedOnTheWire"]!);
        Assert.Equal("mail.contoso.lab", run.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "KerberosSpn").Target);
    }

    [Theory]
    [InlineData("-SetspnOutputPath $bad", "SetspnOutputInvalid", "InvalidData")]
    [InlineData("-SetspnOutputPath $missing", "SetspnOutputNotFound", "ObjectNotFound")]
    [InlineData("-ClientAccessServicePath $bad", "ClientAccessServiceFileInvalid", "InvalidData")]
    [InlineData("-ApplicationHostConfigPath $bad", "ConfigurationFileInvalid", "InvalidData")]
    public void A_bad_input_file_stops_with_its_error_id_and_the_path_as_target(string parameter, string errorId, string category)
    {
        string bad = _iis.Text("HTTP/mail.contoso.com is on the ASA\r\n", "notes.txt");
        string missing = Path.Combine(_iis.Folder, "nothing-here.txt");
        using var session = new ModuleSession();

        // try/catch sees only a terminating error; nothing else is written.
        ScriptResult run = session.Invoke($"try {{ Test-MapiHttpAuthentication -Namespace mail.contoso.com -SkipEndpointTest {parameter} }} catch {{ $_ }}", new() { ["bad"] = bad, ["missing"] = missing });

        Assert.Empty(run.Errors);
        ErrorRecord error = Assert.IsType<ErrorRecord>(Assert.Single(run.Output).BaseObject);
        Assert.Equal(errorId + ",MapiHttpTools.Commands.TestMapiHttpAuthenticationCommand", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category.ToString());
        Assert.Equal(parameter.Contains("$missing", StringComparison.Ordinal) ? missing : bad, error.TargetObject);
    }

    /// <summary>contoso.lab with EX01 and EX02, Get-ClientAccessService from an export, AD and IIS stood in.</summary>
    private static ModuleSession Live(string casExport, string spnHolder, string config)
    {
        var session = new ModuleSession();
        ExchangeLab.Contoso().Install(session);
        session.Invoke("$global:CasExport = $cas; " + GetCas, new() { ["cas"] = KerberosFixture.File(casExport) });
        string setspn = $"Checking domain DC=contoso,DC=lab\r\n{spnHolder}\r\n\tHTTP/mail.contoso.lab\r\n\r\nExisting SPN found!\r\n";
        session.Services().SpnSource = new SetspnFileSource(new[] { ("setspn -Q", SetspnOutputParser.Parse(setspn, "test")) });
        session.Services().MapiIisSideReader = server => AuthenticationFactReader.ReadIisFile(config, config, server ?? "EX01", CancellationToken.None);
        return session;
    }

    private static XElement MapiWindowsAuthentication(XDocument document) =>
        document.Root!.Elements("location").Single(l => (string?)l.Attribute("path") == Mapi).Descendants("windowsAuthentication").Single();
}
