using System;
using System.Net;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Commands;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// The engine entry points (ConfigurationDiagnostics.RunAsync, MapiHttpVerdict.From) with one scenario per cause, and
/// Invoke-MapiHttpDiagnostic live against the stand-ins and offline from a snapshot, with identical results.
/// </summary>
[Collection("Lab")]
public sealed class DiagnosticTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Diagnostic." + Guid.NewGuid().ToString("N"));
    private readonly LabFixture _pki;

    public DiagnosticTests(LabFixture pki)
    {
        _pki = pki;
        Directory.CreateDirectory(_folder);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(List<MapiHttpResult> Results, List<ErrorRecord> Errors, ConfigurationRun Run)> RunAsync(ExchangeLab lab, IReadOnlyList<string>? mailboxes = null, IReadOnlyList<string>? servers = null)
    {
        var results = new List<MapiHttpResult>();
        var errors = new List<ErrorRecord>();
        var options = new ConfigurationDiagnosticOptions { Resolver = new LabResolver(), Mailboxes = mailboxes, Servers = servers, OnError = errors.Add };
        ConfigurationRun run = await ConfigurationDiagnostics.RunAsync(lab.Source(), options, results.Add, CancellationToken.None);
        return (results, errors, run);
    }

    private static MapiHttpEndpointResult Probe(string check, CheckStatus status, MapiHttpCause cause, string? server, string uri = "https://mail.contoso.lab/mapi") =>
        new(check, status, cause, uri, null, server, null, null, null, false, $"{check} {status}", null, null);

    [Fact]
    public async Task A_healthy_organisation_passes_every_check_and_the_verdict_says_look_elsewhere()
    {
        (List<MapiHttpResult> results, List<ErrorRecord> errors, ConfigurationRun run) = await RunAsync(ExchangeLab.Contoso());

        Assert.Empty(errors);
        Assert.All(results, r => Assert.True(r.Status == CheckStatus.Pass, $"{r.Check} {r.Server} {r.Status}: {r.Message}"));
        Assert.Equal(
            new[] { "OrganizationMapiHttp", "MapiVirtualDirectory", "VirtualDirectoryUrl", "UrlHostResolves", "UrlCertificate", "IisAuthenticationMethods", "AuthenticationMethodsAgree", "ComponentState", "OutlookAnywhereNamespace", "NamespaceConsistency", "AuthCertificate", "AuthNextCertificate", "AuthServer" },
            results.Select(r => r.Check).Distinct());
        Assert.Equal(new[] { "EX01", "EX02" }, run.Servers.Select(s => s.Name));

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);
        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, true, 0), (verdict.Status, verdict.Cause, verdict.Healthy, verdict.ExitCode));
        Assert.Empty(verdict.Causes);
        Assert.StartsWith($"MAPI/HTTP looks healthy: {results.Count} checks passed. If Outlook still fails, the problem is elsewhere", verdict.Message);
    }

    [Fact]
    public async Task NotEnabled_the_organisation_switch_is_the_verdict_first_sentence_with_its_fix()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Organization.Properties["MapiHttpEnabled"].Value = false;
        (List<MapiHttpResult> results, _, _) = await RunAsync(lab, mailboxes: new[] { "bob" });

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled, 2), (verdict.Status, verdict.Cause, verdict.ExitCode));
        Assert.Equal(new[] { MapiHttpCause.NotEnabled }, verdict.Causes);
        Assert.Equal("MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless a mailbox enables MAPI/HTTP itself. Also: NotEnabled (Fail) on 1 mailbox.", verdict.Message);
        Assert.Equal("Set-OrganizationConfig -MapiHttpEnabled $true", verdict.Recommendation);
    }

    [Fact]
    public async Task VirtualDirectory_a_wrong_InternalUrl_on_one_server()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.ReplaceVirtualDirectory("EX02", ExchangeObjects.MapiVirtualDirectory("EX02", "http://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi"));
        (List<MapiHttpResult> results, _, _) = await RunAsync(lab);

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal(new[] { MapiHttpCause.VirtualDirectory }, verdict.Causes);
        Assert.Equal(new[] { "EX02" }, verdict.AffectedServers);
        Assert.StartsWith("VirtualDirectory on EX02: InternalUrl http://mail.contoso.lab/mapi of EX02\\mapi (Default Web Site) uses http", verdict.Message);
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX02\\mapi (Default Web Site)' -InternalUrl 'https://mail.contoso.lab/mapi'", verdict.Recommendation);
        Assert.StartsWith("VirtualDirectory (Fail) on EX02: InternalUrl http://mail.contoso.lab/mapi of EX02\\mapi (Default Web Site) uses http", verdict.Findings.Single().ToString());
    }

    [Fact]
    public async Task Authentication_no_Windows_methods_on_one_server_and_an_expired_Auth_certificate()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.ReplaceVirtualDirectory("EX01", ExchangeObjects.MapiVirtualDirectory("EX01", "https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi", new[] { "Basic" }));
        var expiredAuth = LabPki.SelfSigned("CN=Microsoft Exchange Server Auth Certificate", Array.Empty<string>(), ExchangeLab.Now.AddYears(-5), ExchangeLab.Now.AddDays(-3));
        foreach (string server in new[] { "EX01", "EX02" })
        {
            lab.Certificates[server].Add(ExchangeObjects.Certificate(expiredAuth, "SMTP"));
        }

        lab.AuthConfig = ExchangeObjects.AuthConfig(expiredAuth.Thumbprint);
        (List<MapiHttpResult> results, _, _) = await RunAsync(lab);

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal(new[] { MapiHttpCause.Authentication }, verdict.Causes);
        Assert.Equal(new[] { "EX01" }, verdict.AffectedServers);
        Assert.StartsWith("Authentication on EX01 and on the organisation: ", verdict.Message);
        Assert.Equal(new[] { "EX01" }, verdict.Findings[0].Servers);
        Assert.True(verdict.Findings[0].Organization);
        Assert.Equal(new[] { (MapiHttpVerdictScope.Authentication, CheckStatus.Fail), (MapiHttpVerdictScope.Warning, CheckStatus.Warning) }, verdict.Findings.Select(f => (f.Scope, f.Status)));
        Assert.Contains(results, r => r.Check == "AuthCertificate" && r.Status == CheckStatus.Fail && r.Message.Contains("expired"));
    }

    [Fact]
    public async Task Certificate_no_certificate_for_the_namespace_on_one_server()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Certificates["EX02"].RemoveAt(0);
        (List<MapiHttpResult> results, _, _) = await RunAsync(lab);

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal((MapiHttpCause.Certificate, CheckStatus.Fail), (verdict.Cause, verdict.Status));
        Assert.Equal(new[] { "EX02" }, verdict.AffectedServers);
        Assert.StartsWith("New-ExchangeCertificate -Server 'EX02'", verdict.Recommendation);
    }

    [Fact]
    public async Task AppPool_and_Network_from_probe_results_read_by_Cause_Server_and_Check()
    {
        (List<MapiHttpResult> results, _, _) = await RunAsync(ExchangeLab.Contoso());
        results.Add(Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "https://ex01.contoso.lab/mapi"));
        results.Add(Probe("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "EX01", "https://ex01.contoso.lab/owa"));
        results.Add(Probe("HealthCheck:ews", CheckStatus.Pass, MapiHttpCause.None, "EX01", "https://ex01.contoso.lab/ews"));
        results.Add(Probe("TcpConnect", CheckStatus.Fail, MapiHttpCause.Network, null, "https://mail.contoso.lab/mapi"));

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal(new[] { MapiHttpCause.AppPool, MapiHttpCause.Network }, verdict.Causes);
        Assert.Equal("AppPool on EX01: HealthCheck Fail Only MAPI/HTTP fails on EX01; its other protocols answer (the \"OWA works, Outlook does not\" pattern). Also: Network (Fail) through mail.contoso.lab.", verdict.Message);
        Assert.Equal(new[] { "EX01" }, verdict.AffectedServers);
        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
    }

    [Fact]
    public async Task Every_protocol_failing_on_a_front_end_is_not_blamed_on_MAPI_HTTP()
    {
        (List<MapiHttpResult> results, _, _) = await RunAsync(ExchangeLab.Contoso());
        foreach (string check in new[] { "HealthCheck", "HealthCheck:owa", "HealthCheck:ews", "HealthCheck:Microsoft-Server-ActiveSync" })
        {
            results.Add(Probe(check, CheckStatus.Fail, MapiHttpCause.Network, "EX01"));
        }

        results.Add(Probe("EmsmdbAnonymous", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01"));

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal(CheckStatus.Fail, verdict.Status);
        Assert.Equal(new[] { MapiHttpCause.Network }, verdict.Causes);
        Assert.Equal(new[] { "EX01" }, verdict.ServersWithAllProtocolsFailing);
        Assert.Equal("All protocols on EX01 fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it).", verdict.Message);
    }

    [Fact]
    public async Task A_server_in_maintenance_mode_explains_itself_and_errors_are_counted()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.SetComponent("EX02", "ServerWideOffline", "Inactive", "Maintenance");
        lab.Failing.Add("Get-ExchangeCertificate:EX01");
        (List<MapiHttpResult> results, _, _) = await RunAsync(lab);

        MapiHttpResult unreadable = Assert.Single(results, r => r.Status == CheckStatus.Error);
        Assert.Equal(("UrlCertificate", "EX01"), (unreadable.Check, unreadable.Server));
        Assert.Contains("could not be read", unreadable.Message);

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);
        Assert.Equal((CheckStatus.Error, 3), (verdict.Status, verdict.ExitCode));
        Assert.Equal(new[] { "EX02" }, verdict.ServersWithAllProtocolsFailing);
        Assert.Equal("EX02 is offline (ServerWideOffline inactive): every protocol on it is off, not a MAPI/HTTP problem. 1 check(s) could not run.", verdict.Message);
    }

    [Fact]
    public async Task The_probe_plan_is_each_server_directly_and_each_namespace()
    {
        (_, _, ConfigurationRun run) = await RunAsync(ExchangeLab.Contoso());

        IReadOnlyList<EndpointProbeRequest> plan = EndpointProbePlan.From(run);

        // Each server under the namespace URL Outlook uses, connected to the server itself; the namespace through DNS.
        Assert.Equal(
            new[] { ("https://mail.contoso.lab/mapi", "EX01", false, "ex01.contoso.lab"), ("https://mail.contoso.lab/mapi", "EX02", false, "ex02.contoso.lab"), ("https://mail.contoso.lab/mapi", (string?)null, true, (string?)null) },
            plan.Select(p => (p.Url.OriginalString, p.Server, p.IsNamespace, p.TargetAddress)));
        Assert.All(plan, p => Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, p.IisAuthenticationMethods));
    }

    [Fact]
    public async Task Invoke_MapiHttpDiagnostic_probes_each_server_under_the_namespace_and_finds_the_stopped_pool()
    {
        // The stand-in DNS puts mail (the load balancer), ex01 and ex02 on 127.0.0.10, .11 and .12: one lab front end
        // on each, one port, EX02's MAPI pool stopped while its OWA still answers.
        string[] methods = { "Negotiate", "NTLM", "OAuth" };
        await using LabServer balancer = await LabServer.StartAsync(new LabOptions { ServerName = "EX01.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.10"), AuthenticationMethods = methods }, _pki.Certificates);
        await using LabServer ex01 = await LabServer.StartAsync(new LabOptions { ServerName = "EX01.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.11"), Port = balancer.Port, AuthenticationMethods = methods }, _pki.Certificates);
        await using LabServer ex02 = await LabServer.StartAsync(new LabOptions { ServerName = "EX02.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.12"), Port = balancer.Port, AuthenticationMethods = methods, Fault = LabFault.MapiAppPoolStopped }, _pki.Certificates);
        ExchangeLab lab = ExchangeLab.Contoso();
        string url = $"https://mail.contoso.lab:{balancer.Port}/mapi";
        foreach (string server in new[] { "EX01", "EX02" })
        {
            lab.ReplaceVirtualDirectory(server, ExchangeObjects.MapiVirtualDirectory(server, url, url));
        }

        using ModuleSession session = Session(lab);
        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -TimeoutSec 5");

        Assert.Empty(result.Errors);
        object[] output = result.Output.Select(o => o.BaseObject).ToArray();
        MapiHttpEndpointResult[] endpoint = output.OfType<MapiHttpEndpointResult>().ToArray();
        MapiHttpEndpointResult ex02Health = endpoint.Single(r => r.Server == "EX02" && r.Check == "HealthCheck");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (ex02Health.Status, ex02Health.Cause));
        Assert.Equal(CheckStatus.Pass, endpoint.Single(r => r.Server == "EX02" && r.Check == "HealthCheck:owa").Status);
        Assert.Equal(CheckStatus.Pass, endpoint.Single(r => r.Server == "EX01" && r.Check == "HealthCheck").Status);
        Assert.Equal(CheckStatus.Pass, endpoint.Single(r => r.Server == "EX01" && r.Check == "EmsmdbAnonymous").Status);
        Assert.Contains(endpoint, r => r.Address == "127.0.0.10" && r.Check == "HealthCheck" && r.Status == CheckStatus.Pass);
        Assert.All(ex01.Requests.Concat(ex02.Requests), r => Assert.Equal("mail.contoso.lab", r.SniHostName));

        // Issue 17: the other servers' IIS is read through WinRM remoting, which this platform lacks: one Skipped IIS result
        // per server, naming it and why, with the command to run instead.
        MapiHttpConfigurationResult[] iis = output.OfType<MapiHttpConfigurationResult>().Where(r => r.Check == "IisMapiApplications").ToArray();
        Assert.Equal(new[] { "EX01", "EX02" }, iis.Select(r => r.Server));
        Assert.All(iis, r => Assert.Equal(CheckStatus.Skipped, r.Status));
        Assert.All(iis, r => Assert.Equal("RemoteConnectionFailed", r.Evidence["ErrorId"]));
        Assert.Equal(new object?[] { "WinRM (EX01.contoso.lab)", "WinRM (EX02.contoso.lab)" }, iis.Select(r => r.Evidence["ReachedThrough"]));
        Assert.StartsWith("The IIS configuration of EX02 was not read through PowerShell remoting: Could not run Get-MapiAppPoolHealth on EX02: ", iis[1].Message, StringComparison.Ordinal);
        Assert.All(iis, r => Assert.Contains("Get-MapiAppPoolHealth -ConfigurationPath", r.Recommendation));

        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(output.Last());
        Assert.Equal(new[] { MapiHttpCause.AppPool }, verdict.Causes);
        Assert.Equal(new[] { "EX02" }, verdict.AffectedServers);
        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
    }

    private static ModuleSession Session(ExchangeLab lab)
    {
        var session = new ModuleSession();
        lab.Install(session);
        return session;
    }

    [Fact]
    public void Invoke_MapiHttpDiagnostic_writes_results_as_they_come_then_the_verdict()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -Mailbox bob -SkipEndpointTest");

        Assert.Empty(result.Errors);
        object[] output = result.Output.Select(o => o.BaseObject).ToArray();
        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(output.Last());
        Assert.Equal(new[] { MapiHttpCause.NotEnabled }, verdict.Causes);
        Assert.Equal("NotEnabled on 1 mailbox: MAPI/HTTP is off for bob@contoso.lab (set on the mailbox): Autodiscover gives Outlook Outlook Anywhere (RPC/HTTP).", verdict.Message);
        Assert.Contains(output.OfType<MapiHttpMailboxStateResult>(), r => r.PrimarySmtpAddress == "bob@contoso.lab");
        Assert.Empty(output.OfType<MapiHttpEndpointResult>());

        var calls = ExchangeLab.Calls(session);
        Assert.Empty(calls.First(c => c.Command == "Get-ExchangeServer").Parameters.Keys);
        Assert.All(calls.Where(c => c.Command is "Get-MapiVirtualDirectory" or "Get-OutlookAnywhere"), c => Assert.True(c.Parameters.ContainsKey("ADPropertiesOnly")));
        Assert.Equal(new object[] { "bob", "100" }, new[] { calls.Single(c => c.Command == "Get-CASMailbox").Parameters["Identity"]!, calls.Single(c => c.Command == "Get-CASMailbox").Parameters["ResultSize"]! });
    }

    [Fact]
    public void Summary_writes_only_the_verdict_with_an_exit_code_for_scheduled_tasks()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.ReplaceVirtualDirectory("EX01", ExchangeObjects.MapiVirtualDirectory("EX01", "https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi", new[] { "Ntlm", "Negotiate" }));
        using ModuleSession session = Session(lab);

        ScriptResult result = session.Invoke("(Invoke-MapiHttpDiagnostic -Server EX01, EX99 -Summary -SkipEndpointTest) | ForEach-Object { $_; $_.ExitCode }");

        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(result.Output[0].BaseObject);
        Assert.Equal(2, result.Output.Count);
        Assert.Equal(1, (int)result.Output[1].BaseObject);
        Assert.Equal(CheckStatus.Warning, verdict.Status);
        Assert.StartsWith("No failure; warning: Authentication on EX01: IISAuthenticationMethods of EX01\\mapi (Default Web Site) are Ntlm, Negotiate; OAuth missing", verdict.Message);
        ErrorRecord notFound = Assert.Single(result.Errors);
        Assert.Equal(("ServerNotFound,MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand", (object)"EX99"), (notFound.FullyQualifiedErrorId, notFound.TargetObject));
        Assert.Equal(new object[] { "EX01", "EX99" }, ExchangeLab.Calls(session).Where(c => c.Command == "Get-ExchangeServer").Select(c => c.Parameters["Identity"]!));
    }

    [Fact]
    public void Without_Exchange_cmdlets_or_a_snapshot_it_says_what_to_do()
    {
        using var session = new ModuleSession();

        ScriptResult result = session.InvokeCatching("Invoke-MapiHttpDiagnostic");

        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("ExchangeCmdletsNotFound,MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-SnapshotPath", error.Exception.Message);
    }

    [Fact]
    public void A_snapshot_gives_the_same_results_as_the_live_run_and_works_without_Exchange()
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01", "EX02", "EX03");
        lab.ReplaceVirtualDirectory("EX03", ExchangeObjects.MapiVirtualDirectory("EX03", "https://ex03.contoso.lab/mapi", "https://mail.contoso.lab/mapi", new[] { "Ntlm", "Negotiate" }, externalMethods: new[] { "Negotiate" }));
        lab.Certificates["EX02"].Add(ExchangeObjects.Certificate(LabPki.Server("CN=legacy.contoso.lab", new[] { "legacy.contoso.lab" }, ExchangeLab.Now.AddDays(-300), ExchangeLab.Now.AddDays(-1)), "IIS"));
        lab.Failing.Add("Get-OutlookAnywhere:EX02");
        lab.SetComponent("EX03", "MapiProxy", "Inactive", "HealthApi");
        lab.AuthServers.Add(ExchangeObjects.AuthServer("ACS - contoso", false, "MicrosoftACS"));
        string path = Path.Combine(_folder, "roundtrip.xml");
        using ModuleSession session = Session(lab);

        ScriptResult live = session.Invoke("Invoke-MapiHttpDiagnostic -Mailbox bob, dave, carol -SkipEndpointTest -SkipIisCheck");
        session.Invoke("Export-MapiHttpSnapshot -Path $p -Mailbox bob, dave, carol", new Dictionary<string, object?> { ["p"] = path });

        using var elsewhere = new ModuleSession();
        ScriptResult offline = elsewhere.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -SkipEndpointTest -SkipIisCheck", new Dictionary<string, object?> { ["p"] = path });

        Assert.Empty(offline.Errors);
        string[] liveLines = live.Objects<MapiHttpResult>().Select(Line).ToArray();
        string[] offlineLines = offline.Objects<MapiHttpResult>().Select(Line).ToArray();
        Assert.True(liveLines.Length > 40, $"{liveLines.Length} results");
        Assert.Equal(liveLines, offlineLines);
        Assert.Contains(liveLines, l => l.StartsWith("Error|None|OutlookAnywhereNamespace|EX02", StringComparison.Ordinal));
        Assert.Contains(liveLines, l => l.StartsWith("Fail|NotEnabled|ComponentState|EX03", StringComparison.Ordinal));
        MapiHttpVerdictResult verdict = offline.Objects<MapiHttpVerdictResult>().Single();
        // NotEnabled fails (MapiProxy on EX03, carol); VirtualDirectory and Authentication only warn, in that priority.
        Assert.Equal(new[] { MapiHttpCause.NotEnabled, MapiHttpCause.VirtualDirectory, MapiHttpCause.Authentication }, verdict.Causes);

        static string Line(MapiHttpResult r) => string.Join("|", r.Status, r.Cause, r.Check, r.Server, r.Target, r.Message, r.Recommendation, r.EvidenceText());
    }

    [Fact]
    public void Unknown_mailboxes_are_errors_and_a_snapshot_run_reports_the_endpoints_it_cannot_probe()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso("EX01"));
        string path = Path.Combine(_folder, "ex01.xml");

        ScriptResult live = session.Invoke("Invoke-MapiHttpDiagnostic -Mailbox nobody -SkipEndpointTest");
        session.Invoke("Export-MapiHttpSnapshot -Path $p", new Dictionary<string, object?> { ["p"] = path });
        ScriptResult offline = session.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p", new Dictionary<string, object?> { ["p"] = path });

        ErrorRecord error = Assert.Single(live.Errors);
        Assert.Equal(("MailboxNotFound,MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand", (object)"nobody", ErrorCategory.ObjectNotFound), (error.FullyQualifiedErrorId, error.TargetObject, error.CategoryInfo.Category));
        Assert.Empty(live.Objects<MapiHttpEndpointResult>());
        MapiHttpEndpointResult[] skipped = offline.Objects<MapiHttpEndpointResult>().ToArray();
        Assert.Equal(new[] { ("https://mail.contoso.lab/mapi", (string?)"EX01"), ("https://mail.contoso.lab/mapi", (string?)null) }, skipped.Select(r => (r.Uri, r.Server)));
        Assert.All(skipped, r => Assert.Contains("not probed from a snapshot", r.Message));
        Assert.Empty(offline.Objects<MapiHttpMailboxStateResult>());
    }

    [Fact]
    public void The_diagnostic_renders_as_one_table_and_the_summary_as_the_verdict_view()
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01");
        lab.Organization.Properties["MapiHttpEnabled"].Value = false;
        using ModuleSession session = Session(lab);

        session.Invoke("Invoke-MapiHttpDiagnostic -SkipEndpointTest -Mailbox bob | Where-Object { $_.Check -in 'OrganizationMapiHttp', 'MailboxProtocol', 'Verdict' } | Out-Default");

        string screen = session.Host.Output;
        Assert.Contains("Status  Cause            Check                      Server     Message", screen);
        Assert.Contains("Fail    NotEnabled       OrganizationMapiHttp                  MAPI/HTTP is disabled for the organisation", screen);
        Assert.Contains("Fail    NotEnabled       MailboxProtocol                       MAPI/HTTP is off for bob@contoso.lab", screen);
        Assert.Contains("Fail    NotEnabled       Verdict                               MAPI/HTTP is disabled for the organisation", screen);
        Assert.DoesNotContain("PassCount", screen);

        session.Host.ClearOutput();
        session.Invoke("Invoke-MapiHttpDiagnostic -SkipEndpointTest -Summary | Out-Default");
        Assert.Contains("Status  Causes           Servers         Verdict", session.Host.Output);
        Assert.Contains("Fail    NotEnabled                       MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless", session.Host.Output);
    }
}
