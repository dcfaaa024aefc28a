using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using Xunit;

namespace MapiHttpTools.Tests.Diagnostics;

/// <summary>
/// Issue 19: the verdict's findings, case by case: servers in maintenance mode, every page failing on several front
/// ends, mixed pages on several servers, which result speaks for a finding, what never becomes a finding, and the
/// fixed order of causes. Results are built as the checks and the probe build them; expectations are literal.
/// </summary>
public sealed class VerdictFindingsTests
{
    private static readonly ExchangeServerFacts Ex01 = new("EX01", "ex01.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false);
    private static readonly ExchangeServerFacts Ex02 = new("EX02", "ex02.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false);
    private static readonly ExchangeServerFacts Ex03 = new("EX03", "ex03.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false);
    private static readonly ServerInventory Contoso = new(new[] { Ex01, Ex02, Ex03 });

    private static MapiHttpEndpointResult Probe(string check, CheckStatus status, MapiHttpCause cause, string? server, string message = "", string? recommendation = null) =>
        new(check, status, cause, "https://mail.contoso.lab/mapi", "127.0.0.1", server, null, 12, status == CheckStatus.Pass ? 200 : 503, false, message.Length > 0 ? message : $"{check} {status}", recommendation, null);

    private static MapiHttpConfigurationResult Config(string check, CheckStatus status, MapiHttpCause cause, string? server, string message, string? recommendation) =>
        new ConfigurationFinding(check, ConfigurationArea.VirtualDirectory, status, cause, message) { Server = server, Target = server ?? "organisation", Recommendation = recommendation }.ToResult();

    /// <summary>What the component state check reports for a server with ServerWideOffline in <paramref name="state"/> and MapiProxy active.</summary>
    private static IEnumerable<MapiHttpResult> ComponentStates(ExchangeServerFacts server, string state) =>
        ComponentStateChecks.Check(server, new[]
        {
            new ServerComponentStateFacts(server.Name, server.Fqdn, MapiComponents.ServerWideOffline, state, new[] { "Maintenance" }),
            new ServerComponentStateFacts(server.Name, server.Fqdn, MapiComponents.MapiProxy, "Active", Array.Empty<string>()),
        });

    private static MapiHttpVerdictResult Verdict(IEnumerable<MapiHttpResult> results) => MapiHttpVerdict.From(results.ToArray(), Contoso, r => false);

    // --- Servers in maintenance mode ----------------------------------------------------------------------------

    [Fact]
    public void A_server_set_offline_leads_as_a_front_end_down_and_its_probe_failures_are_not_blamed_on_mapi()
    {
        MapiHttpResult[] results = ComponentStates(Ex02, "Inactive").Concat(new MapiHttpResult[]
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/healthcheck.htm answers 503."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "EX02", "/owa/healthcheck.htm answers 503: this protocol fails too."),
            Probe("EmsmdbAnonymous", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/emsmdb/ answers 503."),
            // Its configuration stays a finding: it is true whatever the server's state.
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Fail, MapiHttpCause.Certificate, "EX02", "No certificate of EX02 covers mail.contoso.lab.", "New-ExchangeCertificate -Server 'EX02' -DomainName mail.contoso.lab"),
        }).ToArray();

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Equal(
            new[] { (MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.NotEnabled, "EX02"), (MapiHttpVerdictScope.Certificate, MapiHttpCause.Certificate, "EX02") },
            verdict.Findings.Select(f => (f.Scope, f.Cause, string.Join(",", f.Servers))));
        MapiHttpVerdictFinding offline = verdict.Findings[0];
        Assert.Equal("EX02 is offline (ServerWideOffline inactive): every protocol on it is off, not a MAPI/HTTP problem.", offline.Headline);
        Assert.Equal("ServerWideOffline is Inactive on EX02 (set by Maintenance): the server is in maintenance mode and every protocol on it is off, so every health page of its front end fails.", offline.Message);
        Assert.Equal("Set-ServerComponentState -Identity 'EX02' -Component ServerWideOffline -State Active -Requester Maintenance", offline.Recommendation);
        Assert.Equal((CheckStatus.Fail, 1, 0, false), (offline.Status, offline.ResultCount, offline.MailboxCount, offline.Organization));
        Assert.Empty(offline.Namespaces);
        Assert.Equal(new[] { "EX02" }, verdict.ServersWithAllProtocolsFailing);
    }

    [Fact]
    public void Two_servers_set_offline_are_named_together_in_the_plural()
    {
        MapiHttpResult[] results = ComponentStates(Ex03, "Inactive").Concat(ComponentStates(Ex01, "Inactive")).ToArray();

        MapiHttpVerdictResult verdict = Verdict(results);

        MapiHttpVerdictFinding offline = Assert.Single(verdict.Findings);
        Assert.Equal("EX01, EX03 are offline (ServerWideOffline inactive): every protocol on them is off, not a MAPI/HTTP problem.", offline.Headline);
        Assert.Equal(new[] { "EX01", "EX03" }, offline.Servers);
        Assert.Equal(2, offline.ResultCount);

        // Message and fix come from the first such result received.
        Assert.Equal("ServerWideOffline is Inactive on EX03 (set by Maintenance): the server is in maintenance mode and every protocol on it is off, so every health page of its front end fails.", offline.Message);
        Assert.Equal(new[] { "EX01", "EX03" }, verdict.ServersWithAllProtocolsFailing);
    }

    [Fact]
    public void A_server_draining_is_a_warning_not_a_server_down()
    {
        MapiHttpResult[] results = ComponentStates(Ex01, "Draining").Append(Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503.")).ToArray();

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        Assert.Equal(
            new[] { (MapiHttpVerdictScope.MapiOnServers, MapiHttpCause.AppPool), (MapiHttpVerdictScope.Warning, MapiHttpCause.NotEnabled) },
            verdict.Findings.Select(f => (f.Scope, f.Cause)));
        Assert.Equal("No failure; warning: NotEnabled on EX01: ServerWideOffline is Draining on EX01 (set by Maintenance): the server is in maintenance mode and every protocol on it is off, so every health page of its front end fails.", verdict.Findings[1].Headline);
    }

    [Fact]
    public void Mapi_proxy_inactive_takes_mapi_alone_off_that_server()
    {
        MapiHttpResult[] results = ComponentStateChecks.Check(Ex01, new[]
        {
            new ServerComponentStateFacts("EX01", "ex01.contoso.lab", MapiComponents.ServerWideOffline, "Active", Array.Empty<string>()),
            new ServerComponentStateFacts("EX01", "ex01.contoso.lab", MapiComponents.MapiProxy, "Inactive", new[] { "HealthApi" }),
        }).ToArray();

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        MapiHttpVerdictFinding finding = Assert.Single(verdict.Findings);
        Assert.Equal((MapiHttpVerdictScope.MapiOnServers, MapiHttpCause.NotEnabled), (finding.Scope, finding.Cause));
        Assert.Equal("Set-ServerComponentState -Identity 'EX01' -Component MapiProxy -State Active -Requester HealthApi", finding.Recommendation);
    }

    // --- Every page failing -------------------------------------------------------------------------------------

    [Fact]
    public void Every_page_failing_on_two_front_ends_names_both_and_counts_their_failing_pages()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX03", "/mapi/healthcheck.htm answers 503."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "EX03", "/owa/healthcheck.htm answers 503: this protocol fails too."),
            // A page that could not be read at all (Error) fails too.
            Probe("HealthCheck:ews", CheckStatus.Error, MapiHttpCause.None, "EX03", "/ews/healthcheck.htm could not be read."),
            Probe("EmsmdbAnonymous", CheckStatus.Fail, MapiHttpCause.AppPool, "EX03", "/mapi/emsmdb/ answers 503."),
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Fail, MapiHttpCause.Certificate, "EX03", "No certificate of EX03 covers mail.contoso.lab.", "New-ExchangeCertificate -Server 'EX03' -DomainName mail.contoso.lab"),
            // "HealthCheck:mapi" is /mapi's page as well.
            Probe("HealthCheck:mapi", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/healthcheck.htm answers 500."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "EX02", "/owa/healthcheck.htm answers 500: this protocol fails too."),
        };

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Equal(new[] { "EX02", "EX03" }, verdict.ServersWithAllProtocolsFailing);
        Assert.Equal(new[] { MapiHttpCause.Network, MapiHttpCause.Certificate }, verdict.Causes);
        MapiHttpVerdictFinding down = verdict.Findings[0];
        Assert.Equal(MapiHttpVerdictScope.FrontEndDown, down.Scope);
        Assert.Equal(new[] { "EX02", "EX03" }, down.Servers);
        Assert.Equal("All protocols on EX02, EX03 fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it).", down.Headline);
        Assert.Equal("Every protocol page probed on EX02, EX03 fails: not a MAPI/HTTP handler problem.", down.Message);
        Assert.Equal("Get-ServerComponentState -Identity 'EX02' | Where-Object State -ne 'Active'; on EX02 (ex02.contoso.lab): Get-Service W3SVC, WAS; Get-Website 'Default Web Site'; then the load balancer's health of ex02.contoso.lab", down.Recommendation);
        Assert.Equal((CheckStatus.Fail, 5), (down.Status, down.ResultCount));
        Assert.Equal("Certificate on EX03: No certificate of EX03 covers mail.contoso.lab.", verdict.Findings[1].Headline);
    }

    [Fact]
    public void The_pages_of_one_server_are_one_front_end_whatever_the_case_of_its_name()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "ex01", "/owa/healthcheck.htm answers 503: this protocol fails too."),
        };

        Assert.Equal(new[] { "EX01" }, MapiHttpVerdict.From(results).ServersWithAllProtocolsFailing);
    }

    [Fact]
    public void Another_page_failing_while_mapi_answers_is_not_a_front_end_decision()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Pass, MapiHttpCause.None, "EX01", "The MAPI health page answers 200 OK from EX01.contoso.lab."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "EX01", "/owa/healthcheck.htm answers 503: this protocol fails too."),
        };

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        MapiHttpVerdictFinding finding = Assert.Single(verdict.Findings);
        Assert.Equal("Network on EX01: /owa/healthcheck.htm answers 503: this protocol fails too.", finding.Headline);
    }

    [Fact]
    public void Pages_failing_only_through_a_namespace_never_make_a_server_down()
    {
        // The namespace's own probe (no server named): its pages fail, but no Exchange server is thereby down.
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, null, "/mapi/healthcheck.htm answers 503."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, null, "/owa/healthcheck.htm answers 503: this protocol fails too."),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        Assert.Equal(new[] { MapiHttpVerdictScope.MapiOnServers, MapiHttpVerdictScope.MapiOnServers }, verdict.Findings.Select(f => f.Scope));
        Assert.Equal("Network through mail.contoso.lab: Through the namespace mail.contoso.lab: /owa/healthcheck.htm answers 503: this protocol fails too.", verdict.Headline);
    }

    // --- Mixed pages on several servers ---------------------------------------------------------------------------

    [Fact]
    public void Each_server_with_mapi_failing_says_which_of_its_pages_answer_and_which_fail()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -ComputerName EX01"),
            Probe("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "EX01"),
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -ComputerName EX02"),
            Probe("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "EX02"),
            Probe("HealthCheck:ecp", CheckStatus.Pass, MapiHttpCause.None, "EX02"),
            Probe("HealthCheck:ews", CheckStatus.Fail, MapiHttpCause.Network, "EX02", "/ews/healthcheck.htm answers 503: this protocol fails too."),
            Probe("HealthCheck:oab", CheckStatus.Fail, MapiHttpCause.Network, "EX02", "/oab/healthcheck.htm answers 503: this protocol fails too."),
        };

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        Assert.Equal(new[] { (MapiHttpCause.AppPool, 2, 2), (MapiHttpCause.Network, 1, 2) }, verdict.Findings.Select(f => (f.Cause, f.AffectedCount, f.ResultCount)));
        Assert.Equal(
            "AppPool on EX01, EX02: /mapi/healthcheck.htm answers 503. Only MAPI/HTTP fails on EX01; its other protocols answer (the \"OWA works, Outlook does not\" pattern). MAPI/HTTP fails on EX02 while owa, ecp answer; ews, oab fail as well.",
            verdict.Findings[0].Headline);
        Assert.Equal("Get-MapiAppPoolHealth -ComputerName EX01", verdict.Recommendation);
        Assert.Equal(
            "Network on EX02: /ews/healthcheck.htm answers 503: this protocol fails too. MAPI/HTTP fails on EX02 while owa, ecp answer; ews, oab fail as well.",
            verdict.Findings[1].Headline);
    }

    // --- Which result speaks for a finding ------------------------------------------------------------------------

    [Fact]
    public void A_result_about_a_server_with_a_fix_speaks_for_the_finding()
    {
        MapiHttpResult[] results =
        {
            Config(ConfigurationCheckNames.AuthCertificate, CheckStatus.Fail, MapiHttpCause.Authentication, null, "The Auth certificate expired on 2026-11-30.", "Set-AuthConfig -NewCertificateThumbprint <thumbprint>"),
            Config("IisAuthentication", CheckStatus.Fail, MapiHttpCause.Authentication, "EX01", "EX01 offers no Negotiate on /mapi.", null),
            Config("IisAuthentication", CheckStatus.Fail, MapiHttpCause.Authentication, "EX02", "EX02 offers no Negotiate on /mapi.", "Set-MapiVirtualDirectory -Identity 'EX02\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate"),
        };

        MapiHttpVerdictResult verdict = Verdict(results);

        MapiHttpVerdictFinding finding = Assert.Single(verdict.Findings);
        Assert.Equal("Authentication on EX01, EX02 and on the organisation: EX02 offers no Negotiate on /mapi.", finding.Headline);
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX02\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", finding.Recommendation);
        Assert.Equal((true, 0, 3, 2), (finding.Organization, finding.MailboxCount, finding.ResultCount, finding.AffectedCount));
    }

    [Fact]
    public void Servers_are_named_by_their_exchange_name_unknown_ones_as_given_and_no_name_is_the_organisation()
    {
        MapiHttpResult[] results =
        {
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Fail, MapiHttpCause.Certificate, "ex02.contoso.lab", "No certificate of ex02.contoso.lab covers mail.contoso.lab.", "fix 2"),
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Fail, MapiHttpCause.Certificate, "EX09", "No certificate of EX09 covers mail.contoso.lab.", "fix 9"),
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Fail, MapiHttpCause.Certificate, "", "The namespace certificate is missing.", "fix org"),
        };

        MapiHttpVerdictFinding finding = Assert.Single(Verdict(results).Findings);

        Assert.Equal(new[] { "EX02", "EX09" }, finding.Servers);
        Assert.True(finding.Organization);
        Assert.Equal("Certificate on EX02, EX09 and on the organisation: No certificate of ex02.contoso.lab covers mail.contoso.lab.", finding.Headline);
    }

    [Fact]
    public void A_warning_with_a_cause_reads_as_no_failure_with_that_cause()
    {
        MapiHttpResult[] results =
        {
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Warning, MapiHttpCause.Certificate, "EX01", "The certificate for mail.contoso.lab expires in 12 days.", "New-ExchangeCertificate -Server 'EX01' -DomainName mail.contoso.lab"),
        };

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Equal("No failure; warning: Certificate on EX01: The certificate for mail.contoso.lab expires in 12 days.", verdict.Headline);
        Assert.Equal(MapiHttpVerdictScope.Warning, verdict.Findings.Single().Scope);
    }

    [Fact]
    public void The_organisation_switch_off_has_its_own_headline()
    {
        MapiHttpResult[] results =
        {
            Config(ConfigurationCheckNames.OrganizationMapiHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, null, "MapiHttpEnabled is False on the organisation.", "Set-OrganizationConfig -MapiHttpEnabled $true"),
        };

        MapiHttpVerdictFinding finding = Assert.Single(Verdict(results).Findings);

        Assert.Equal((MapiHttpVerdictScope.OrganizationNotEnabled, "MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless a mailbox enables MAPI/HTTP itself."), (finding.Scope, finding.Headline));
        Assert.Equal("MapiHttpEnabled is False on the organisation.", finding.Message);
    }

    [Fact]
    public void Autodiscover_withholding_mapi_from_a_mailbox_is_about_that_mailbox()
    {
        MapiHttpResult[] results =
        {
            new MapiHttpAutodiscoverResult("MapiHttp", CheckStatus.Fail, MapiHttpCause.NotEnabled, "bob@contoso.lab", "https://autodiscover.contoso.lab/autodiscover/autodiscover.xml", 1, "10.0.0.11", null, 200, false,
                "Autodiscover for bob@contoso.lab offers no MAPI/HTTP: the mailbox has MapiHttpEnabled $false, which overrides the organisation.", "Set-CASMailbox -Identity 'bob@contoso.lab' -MapiHttpEnabled $true", null),
            new MapiHttpAutodiscoverResult("TcpConnect", CheckStatus.Fail, MapiHttpCause.Network, "bob@contoso.lab", "https://autodiscover.contoso.lab/autodiscover/autodiscover.xml", 1, "10.0.0.12", null, null, false,
                "The connection to 10.0.0.12:443 was refused.", "Check the firewall between this computer and 10.0.0.12.", null),
            Config(ConfigurationCheckNames.MailboxProtocol, CheckStatus.Fail, MapiHttpCause.Client, null, "carol@contoso.lab blocks Outlook 16.0.4229 and older.", null),
        };

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Equal(
            new[] { (MapiHttpVerdictScope.MapiOnServers, MapiHttpCause.Network, "on the organisation"), (MapiHttpVerdictScope.Mailbox, MapiHttpCause.NotEnabled, "on 1 mailbox"), (MapiHttpVerdictScope.Mailbox, MapiHttpCause.Client, "on 1 mailbox") },
            verdict.Findings.Select(f => (f.Scope, f.Cause, f.Where)));
        Assert.Equal("NotEnabled on 1 mailbox: Autodiscover for bob@contoso.lab offers no MAPI/HTTP: the mailbox has MapiHttpEnabled $false, which overrides the organisation.", verdict.Findings[1].Headline);
    }

    // --- What never becomes a finding -----------------------------------------------------------------------------

    [Fact]
    public void Only_failures_with_a_cause_and_warnings_become_findings()
    {
        MapiHttpVerdictResult earlier = Verdict(new MapiHttpResult[] { Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/healthcheck.htm answers 503.") });
        MapiHttpResult[] results =
        {
            // A verdict of an earlier run piped back in is not a result of this one.
            earlier,
            Probe("TcpConnect", CheckStatus.Fail, MapiHttpCause.None, "EX01", "failed without a cause"),
            Probe("Tls", CheckStatus.Error, MapiHttpCause.Network, "EX01", "could not run"),
            Probe("EmsmdbPing", CheckStatus.Skipped, MapiHttpCause.Network, "EX01", "not attempted"),
            Probe("Dns", CheckStatus.Pass, MapiHttpCause.None, "EX01", "resolved"),
            new ExchangeClientProtocolResult("TcpConnect", CheckStatus.Fail, MapiHttpCause.Network, ExchangeClientProtocol.Imap4, "imaps://ex01.contoso.lab:993", "10.0.0.11", "EX01", MailSecurity.Tls, 1, false, "The connection to ex01.contoso.lab:993 was refused.", null, null),
            Config("ExtendedProtection", CheckStatus.Warning, MapiHttpCause.None, "EX01", "Extended Protection is None at Default Web Site/mapi, not Require: hardening, not an outage cause.", "ExchangeExtendedProtectionManagement.ps1"),
        };

        (IReadOnlyList<MapiHttpVerdictFinding> findings, VerdictFindings.FrontEnds frontEnds) = VerdictFindings.From(results, Contoso, r => false);

        MapiHttpVerdictFinding only = Assert.Single(findings);
        Assert.Equal((MapiHttpVerdictScope.Warning, MapiHttpCause.None, CheckStatus.Warning, 1), (only.Scope, only.Cause, only.Status, only.ResultCount));
        Assert.Equal("No failure; warning on EX01: Extended Protection is None at Default Web Site/mapi, not Require: hardening, not an outage cause.", only.Headline);
        Assert.Empty(frontEnds.Down);
    }

    // --- The fixed order of causes and the last tie-breakers ------------------------------------------------------

    [Fact]
    public void Causes_of_equal_scope_and_reach_follow_the_documented_order()
    {
        MapiHttpCause[] documented =
        {
            MapiHttpCause.Network, MapiHttpCause.AppPool, MapiHttpCause.VirtualDirectory, MapiHttpCause.NotEnabled,
            MapiHttpCause.Certificate, MapiHttpCause.Authentication, MapiHttpCause.Client, MapiHttpCause.None, MapiHttpCause.Service,
        };
        MapiHttpResult[] results = documented.Reverse().Select(c => (MapiHttpResult)Config("Check" + c, CheckStatus.Warning, c, "EX01", $"{c} on EX01.", null)).ToArray();

        MapiHttpVerdictResult verdict = Verdict(results);

        Assert.Equal(documented, verdict.Causes);
    }

    private static MapiHttpVerdictFinding Made(MapiHttpVerdictScope scope, MapiHttpCause cause, CheckStatus status, string server, string message) =>
        new(scope, cause, status, new[] { server }, Array.Empty<string>(), 0, false, message, message, null, 1);

    [Fact]
    public void Ties_are_broken_by_status_then_where_then_message()
    {
        MapiHttpVerdictFinding[] findings =
        {
            Made(MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.Network, CheckStatus.Fail, "EX02", "b"),
            Made(MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.Network, CheckStatus.Fail, "EX02", "a"),
            Made(MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.Network, CheckStatus.Fail, "ex01", "c"),
            Made(MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.Network, CheckStatus.Warning, "EX00", "d"),
            Made(MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.Network, CheckStatus.Error, "EX03", "e"),
        };

        Assert.Equal(new[] { "e", "c", "a", "b", "d" }, VerdictRanking.Order(findings).Select(f => f.Message));
    }

    [Theory]
    [InlineData(CheckStatus.Error, MapiHttpCause.AppPool, false, true, MapiHttpVerdictScope.Warning)]
    [InlineData(CheckStatus.Skipped, MapiHttpCause.Network, false, true, MapiHttpVerdictScope.Warning)]
    [InlineData(CheckStatus.Pass, MapiHttpCause.None, false, true, MapiHttpVerdictScope.Warning)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.NotEnabled, false, true, MapiHttpVerdictScope.MapiOnServers)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.NotEnabled, false, false, MapiHttpVerdictScope.OrganizationNotEnabled)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Certificate, true, true, MapiHttpVerdictScope.Mailbox)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Client, false, true, MapiHttpVerdictScope.Mailbox)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Service, false, true, MapiHttpVerdictScope.Mailbox)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.None, false, true, MapiHttpVerdictScope.Mailbox)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Authentication, false, true, MapiHttpVerdictScope.Authentication)]
    public void More_scopes_of_a_result(CheckStatus status, MapiHttpCause cause, bool isMailbox, bool hasServer, MapiHttpVerdictScope expected) =>
        Assert.Equal(expected, VerdictRanking.ScopeOf(status, cause, isMailbox, hasServer));
}
