using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using System.Linq;
using System.Threading;
using System.Xml.Linq;
using MapiHttpTools.Kerberos;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using MapiHttpTools.Tests.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>Invoke-MapiHttpDiagnostic runs the ASA, SPN and three-sided checks, and the verdict names Authentication from them (issue 14).</summary>
public sealed class AuthenticationDiagnosticTests : IDisposable
{
    private readonly IisFixture _iis = new();

    public void Dispose() => _iis.Dispose();

    [Fact]
    public void Asa_on_one_server_and_the_spn_on_a_computer_reach_the_verdict_as_authentication()
    {
        using ModuleSession session = Contoso("GetClientAccessService-Partial.xml", "CN=EX01,OU=Exchange Servers,DC=contoso,DC=lab", IisFixture.ConfigPath);

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic");

        MapiHttpConfigurationResult[] results = run.Objects<MapiHttpConfigurationResult>().Where(r => r.Area == ConfigurationArea.Authentication).ToArray();
        MapiHttpConfigurationResult asa = results.Single(r => r.Check == "AlternateServiceAccount");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (asa.Status, asa.Cause));
        MapiHttpConfigurationResult spn = results.Single(r => r.Check == "KerberosSpn");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, "mail.contoso.lab"), (spn.Status, spn.Cause, spn.Target));
        Assert.Equal(@"setspn -D HTTP/mail.contoso.lab CONTOSO\EX01$; setspn -S HTTP/mail.contoso.lab CONTOSO\EXCH-ASA$", spn.Recommendation);
        // The real E19 IIS configuration on both servers agrees with IISAuthenticationMethods.
        Assert.Equal(new[] { ("EX01", CheckStatus.Pass), ("EX02", CheckStatus.Pass) },
            results.Where(r => r.Check == "AuthenticationProviders").Select(r => (r.Server!, r.Status)).ToArray());

        MapiHttpVerdictResult verdict = run.Objects<MapiHttpVerdictResult>().Single();
        Assert.Contains(MapiHttpCause.Authentication, verdict.Causes);
        MapiHttpVerdictFinding finding = Assert.Single(verdict.Findings);
        Assert.Equal((MapiHttpVerdictScope.Authentication, MapiHttpCause.Authentication, 2), (finding.Scope, finding.Cause, finding.ResultCount));
        Assert.Equal(@"Authentication on the organisation: EX01 holds the Alternate Service Account CONTOSO\EXCH-ASA$, EX02 does not: Kerberos tickets for the namespace fail on EX02 whenever the load balancer sends a client there.", finding.Headline);
        Assert.Equal(asa.Recommendation, finding.Recommendation);
        Assert.Contains(ExchangeLab.Calls(session), c => c.Command == "Get-ClientAccessService" && c.Parameters.ContainsKey("IncludeAlternateServiceAccountCredentialStatus"));
    }

    [Fact]
    public void Ntlm_ahead_of_negotiate_on_the_servers_is_named_per_server()
    {
        string config = _iis.Variant(d => d.Root!.Elements("location").Single(l => (string?)l.Attribute("path") == "Default Web Site/mapi").Descendants("windowsAuthentication").Single()
            .Add(new XElement("providers", new XElement("clear"), new XElement("add", new XAttribute("value", "NTLM")), new XElement("add", new XAttribute("value", "Negotiate")))));
        using ModuleSession session = Contoso("GetClientAccessService-Asa.xml", "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=lab", config);

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic");

        MapiHttpConfigurationResult[] providers = run.Objects<MapiHttpConfigurationResult>().Where(r => r.Check == "AuthenticationProviders").ToArray();
        Assert.Equal(new[] { "EX01", "EX02" }, providers.Select(p => p.Server).ToArray());
        Assert.All(providers, p => Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (p.Status, p.Cause)));
        Assert.Equal(CheckStatus.Pass, run.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "KerberosSpn").Status);
        MapiHttpVerdictResult verdict = run.Objects<MapiHttpVerdictResult>().Single();
        Assert.Contains(verdict.Findings, f => f.Cause == MapiHttpCause.Authentication && f.Servers.SequenceEqual(new[] { "EX01", "EX02" }));
    }

    [Fact]
    public void With_skip_iis_check_only_the_kerberos_checks_run_and_with_skip_endpoint_test_none()
    {
        using ModuleSession session = Contoso("GetClientAccessService-Asa.xml", "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=lab", IisFixture.ConfigPath);

        Assert.Equal(new[] { "AlternateServiceAccount", "KerberosSpn" }, Checks(session.Invoke("Invoke-MapiHttpDiagnostic -SkipIisCheck")));
        Assert.Empty(Checks(session.Invoke("Invoke-MapiHttpDiagnostic -SkipEndpointTest")));

        static string[] Checks(ScriptResult run) => run.Objects<MapiHttpConfigurationResult>()
            .Where(r => r.Area == ConfigurationArea.Authentication && r.Property is "AlternateServiceAccountConfiguration" or "servicePrincipalName" or "windowsAuthentication/providers")
            .Select(r => r.Check).ToArray();
    }

    [Fact]
    public void A_get_client_access_service_that_writes_null_is_no_server_and_no_crash()
    {
        using ModuleSession session = Contoso("GetClientAccessService-Asa.xml", "CN=EXCH-ASA,CN=Computers,DC=contoso,DC=lab", IisFixture.ConfigPath);
        session.Invoke("function global:Get-ClientAccessService { [CmdletBinding()] param([switch] $IncludeAlternateServiceAccountCredentialStatus) $null }");

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic");

        Assert.Empty(run.Errors);
        MapiHttpConfigurationResult asa = run.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "AlternateServiceAccount");
        Assert.Equal(CheckStatus.Skipped, asa.Status);
        Assert.Equal("The Alternate Service Account of the Client Access servers was not read: Get-ClientAccessService returned no server.", asa.Message);
    }

    private sealed class NoProbe : IEndpointProbeStage
    {
        public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation) => Task.CompletedTask;
    }

    private static ModuleSession Contoso(string casExport, string spnHolder, string config)
    {
        var session = new ModuleSession();
        ExchangeLab.Contoso().Install(session);
        session.Invoke(
            "$global:CasExport = $cas; function global:Get-ClientAccessService { [CmdletBinding()] param([Parameter(Position = 0)] $Identity, [switch] $IncludeAlternateServiceAccountCredentialStatus) " +
            "$global:ExchangeCalls.Add([pscustomobject]@{ Command = 'Get-ClientAccessService'; Parameters = @{} + $PSBoundParameters }); " +
            "[System.Management.Automation.PSSerializer]::DeserializeAsList([System.IO.File]::ReadAllText($global:CasExport)) }",
            new() { ["cas"] = KerberosFixture.File(casExport) });
        string setspn = $"Checking domain DC=contoso,DC=lab\r\n{spnHolder}\r\n\tHTTP/mail.contoso.lab\r\n\r\nExisting SPN found!\r\n";
        session.Services().SpnSource = new SetspnFileSource(new[] { ("setspn -Q", SetspnOutputParser.Parse(setspn, "test")) });
        session.Services().MapiIisSideReader = server => AuthenticationFactReader.ReadIisFile(config, config, server, CancellationToken.None);
        session.Services().EndpointProbeStageFactory = _ => new NoProbe();
        return session;
    }
}
