using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Iis;
using MapiHttpTools.Tests.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Diagnostics;

/// <summary>
/// Issue 11 and 19: the verdict's order of findings as a table (each pair of adjacent scopes, ties by count), the
/// headline's Cause, Message and Recommendation from one finding, hardening warnings last, the front-end decisions,
/// and one name per server. Results are built as the checks and the probe build them; expectations are literal.
/// </summary>
public sealed class VerdictRankingTests
{
    private static readonly ServerInventory Contoso = new(new[]
    {
        new ExchangeServerFacts("EX01", "ex01.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false),
        new ExchangeServerFacts("EX02", "ex02.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false),
        new ExchangeServerFacts("EX03", "ex03.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false),
    });

    private static MapiHttpEndpointResult Probe(string check, CheckStatus status, MapiHttpCause cause, string? server, string message = "", string? recommendation = null, string uri = "https://mail.contoso.lab/mapi") =>
        new(check, status, cause, uri, "127.0.0.1", server, null, 12, status == CheckStatus.Pass ? 200 : 503, false, message.Length > 0 ? message : $"{check} {status}", recommendation, null);

    private static MapiHttpConfigurationResult Config(string check, CheckStatus status, MapiHttpCause cause, string? server, string message, string? recommendation) =>
        new ConfigurationFinding(check, ConfigurationArea.VirtualDirectory, status, cause, message) { Server = server, Target = server ?? "organisation", Recommendation = recommendation }.ToResult();

    private static MapiHttpMailboxStateResult Mailbox(string name, bool? mapiHttpEnabled = false, bool mapiEnabled = true, string? blockedVersions = null) =>
        MailboxProtocolEvaluator.Evaluate(true, new CasMailboxFacts(name, name, name, $"{name}@contoso.lab", name, mapiEnabled, mapiHttpEnabled, false, false, blockedVersions));

    /// <summary>The real Exchange 2019 applicationHost.config: Extended Protection None on the three MAPI applications.</summary>
    private static IReadOnlyList<MapiAppPoolHealthResult> ExtendedProtectionWarnings() =>
        new MapiAppPoolHealthChecker(IisFixture.Load(IisFixture.ConfigPath), null, "no events in this test", TimeSpan.FromHours(24), null, "EX01")
            .Run(CancellationToken.None)
            .Where(r => r.Status == CheckStatus.Warning)
            .ToArray();

    private const string PoolFix = "Get-MapiAppPoolHealth -Server EX02; to start it: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on EX02)";
    private const string OrgFix = "Set-OrganizationConfig -MapiHttpEnabled $true";
    private const string CertificateFix = "New-ExchangeCertificate -Server 'EX01' -DomainName mail.contoso.lab";
    private const string AuthFix = "Renew the Auth certificate: New-ExchangeCertificate -KeySize 2048 -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' -Services SMTP, then Set-AuthConfig -NewCertificateThumbprint <thumbprint>";

    /// <summary>One sample of each scope, as the checks and the probe report it.</summary>
    private static MapiHttpResult[] Sample(MapiHttpVerdictScope scope) => scope switch
    {
        MapiHttpVerdictScope.FrontEndDown => new MapiHttpResult[]
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX03", "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -Server EX03"),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "EX03", "/owa/healthcheck.htm answers 503: this protocol fails too."),
            Probe("HealthCheck:ews", CheckStatus.Fail, MapiHttpCause.Network, "EX03", "/ews/healthcheck.htm answers 503: this protocol fails too."),
        },
        MapiHttpVerdictScope.MapiOnServers => new MapiHttpResult[]
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/healthcheck.htm answers 503: the MAPI app pool is stopped.", PoolFix),
            Probe("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "EX02"),
        },
        MapiHttpVerdictScope.OrganizationNotEnabled => new MapiHttpResult[]
        {
            Config(ConfigurationCheckNames.OrganizationMapiHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, null, "MAPI/HTTP is disabled for the organisation Contoso.", OrgFix),
        },
        MapiHttpVerdictScope.Certificate => new MapiHttpResult[]
        {
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Fail, MapiHttpCause.Certificate, "EX01", "No certificate of EX01 covers mail.contoso.lab.", CertificateFix),
        },
        MapiHttpVerdictScope.Authentication => new MapiHttpResult[]
        {
            Config(ConfigurationCheckNames.AuthCertificate, CheckStatus.Fail, MapiHttpCause.Authentication, null, "The Auth certificate expired on 2026-11-30.", AuthFix),
        },
        MapiHttpVerdictScope.Mailbox => new MapiHttpResult[] { Mailbox("bob") },
        _ => ExtendedProtectionWarnings().ToArray<MapiHttpResult>(),
    };

    public static TheoryData<MapiHttpVerdictScope, MapiHttpVerdictScope, MapiHttpCause, string?, string> AdjacentScopes => new()
    {
        { MapiHttpVerdictScope.FrontEndDown, MapiHttpVerdictScope.MapiOnServers, MapiHttpCause.Network,
            "Get-ServerComponentState -Identity 'EX03' | Where-Object State -ne 'Active'; on EX03 (ex03.contoso.lab): Get-Service W3SVC, WAS; Get-Website 'Default Web Site'; then the load balancer's health of ex03.contoso.lab",
            "All protocols on EX03 fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it)." },
        { MapiHttpVerdictScope.MapiOnServers, MapiHttpVerdictScope.OrganizationNotEnabled, MapiHttpCause.AppPool, PoolFix,
            "AppPool on EX02: /mapi/healthcheck.htm answers 503: the MAPI app pool is stopped. Only MAPI/HTTP fails on EX02; its other protocols answer (the \"OWA works, Outlook does not\" pattern)." },
        { MapiHttpVerdictScope.OrganizationNotEnabled, MapiHttpVerdictScope.Certificate, MapiHttpCause.NotEnabled, OrgFix,
            "MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless a mailbox enables MAPI/HTTP itself." },
        { MapiHttpVerdictScope.Certificate, MapiHttpVerdictScope.Authentication, MapiHttpCause.Certificate, CertificateFix,
            "Certificate on EX01: No certificate of EX01 covers mail.contoso.lab." },
        { MapiHttpVerdictScope.Authentication, MapiHttpVerdictScope.Mailbox, MapiHttpCause.Authentication, AuthFix,
            "Authentication on the organisation: The Auth certificate expired on 2026-11-30." },
        { MapiHttpVerdictScope.Mailbox, MapiHttpVerdictScope.Warning, MapiHttpCause.NotEnabled, "Set-CASMailbox -Identity 'bob' -MapiHttpEnabled $true",
            "NotEnabled on 1 mailbox: MAPI/HTTP is off for bob@contoso.lab (set on the mailbox): Autodiscover gives Outlook Outlook Anywhere (RPC/HTTP)." },
    };

    [Theory]
    [MemberData(nameof(AdjacentScopes))]
    public void Of_two_adjacent_scopes_the_wider_outage_is_the_headline_with_its_own_cause_and_fix(MapiHttpVerdictScope wider, MapiHttpVerdictScope narrower, MapiHttpCause cause, string? recommendation, string headline)
    {
        // The narrower finding comes first in the input, so input order cannot decide.
        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(Sample(narrower).Concat(Sample(wider)).ToArray(), Contoso, r => false);

        Assert.Equal(new[] { wider, narrower }, verdict.Findings.Select(f => f.Scope).Distinct());
        Assert.Equal((cause, recommendation, headline), (verdict.Cause, verdict.Recommendation, verdict.Headline));
        AssertAgree(verdict);
    }

    [Fact]
    public void Every_scope_at_once_is_ordered_widest_first()
    {
        MapiHttpResult[] all = Enum.GetValues(typeof(MapiHttpVerdictScope)).Cast<MapiHttpVerdictScope>().Reverse().SelectMany(Sample).ToArray();

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(all, Contoso, r => false);

        Assert.Equal(
            new[] { "FrontEndDown", "MapiOnServers", "OrganizationNotEnabled", "Certificate", "Authentication", "Mailbox", "Warning" },
            verdict.Findings.Select(f => f.Scope.ToString()));
        Assert.Equal(new[] { "EX01", "EX02", "EX03" }, verdict.AffectedServers);
        Assert.Equal(new[] { "EX03" }, verdict.ServersWithAllProtocolsFailing);
        Assert.Equal((CheckStatus.Fail, 2), (verdict.Status, verdict.ExitCode));
        AssertAgree(verdict);
    }

    [Fact]
    public void Issue_11_one_mailbox_opted_out_and_EX02s_MAPI_pool_down_leads_with_the_pool_on_EX02()
    {
        MapiHttpResult[] results = Sample(MapiHttpVerdictScope.Mailbox).Concat(Sample(MapiHttpVerdictScope.MapiOnServers)).ToArray();

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Equal(MapiHttpCause.AppPool, verdict.Cause);
        Assert.Equal(PoolFix, verdict.Recommendation);
        Assert.Equal(
            "AppPool on EX02: /mapi/healthcheck.htm answers 503: the MAPI app pool is stopped. Only MAPI/HTTP fails on EX02; its other protocols answer (the \"OWA works, Outlook does not\" pattern). Also: NotEnabled (Fail) on 1 mailbox.",
            verdict.Message);
        Assert.Equal(new[] { MapiHttpCause.AppPool, MapiHttpCause.NotEnabled }, verdict.Causes);
    }

    [Fact]
    public void Issue_11_a_front_end_down_and_an_expired_Auth_certificate_do_not_mix_the_headline()
    {
        MapiHttpResult[] results = Sample(MapiHttpVerdictScope.Authentication).Concat(Sample(MapiHttpVerdictScope.FrontEndDown)).ToArray();

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Equal(MapiHttpCause.Network, verdict.Cause);
        Assert.StartsWith("Get-ServerComponentState -Identity 'EX03'", verdict.Recommendation);
        Assert.DoesNotContain("Auth", verdict.Recommendation);
        Assert.Equal(
            "All protocols on EX03 fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it). Also: Authentication (Fail) on the organisation.",
            verdict.Message);
    }

    [Fact]
    public void Within_a_scope_the_finding_on_more_servers_comes_first_whatever_the_cause()
    {
        MapiHttpResult[] results =
        {
            Probe("TcpConnect", CheckStatus.Fail, MapiHttpCause.Network, "EX03", "The connection to ex03.contoso.lab:443 was refused.", "Check the firewall between this computer and EX03."),
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503.", "Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on EX01)"),
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "/mapi/healthcheck.htm answers 503.", "Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on EX02)"),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Equal(new[] { MapiHttpCause.AppPool, MapiHttpCause.Network }, verdict.Causes);
        Assert.Equal(new[] { 2, 1 }, verdict.Findings.Select(f => f.AffectedCount));
        Assert.Equal("AppPool (Fail) on EX01, EX02: /mapi/healthcheck.htm answers 503. (and 1 more)", verdict.Findings[0].ToString());
        Assert.Equal("Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on EX01)", verdict.Recommendation);

        // One server each: the fixed order of causes decides (Network before AppPool), not the input order.
        MapiHttpVerdictResult single = MapiHttpVerdict.From(results.Take(2).Reverse().ToArray(), Contoso, r => false);
        Assert.Equal(new[] { MapiHttpCause.Network, MapiHttpCause.AppPool }, single.Causes);
    }

    [Fact]
    public void Mailboxes_count_as_users_affected_and_a_blocked_Outlook_version_only_warns()
    {
        MapiHttpResult[] results = { Mailbox("bob"), Mailbox("carol", true, blockedVersions: "-16.0.4229"), Mailbox("dave", null, mapiEnabled: false), Mailbox("erin", false) };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Equal(new[] { (MapiHttpVerdictScope.Mailbox, MapiHttpCause.NotEnabled, 3), (MapiHttpVerdictScope.Warning, MapiHttpCause.Client, 1) }, verdict.Findings.Select(f => (f.Scope, f.Cause, f.AffectedCount)));
        Assert.Equal("NotEnabled on 3 mailboxes: MAPI/HTTP is off for bob@contoso.lab (set on the mailbox): Autodiscover gives Outlook Outlook Anywhere (RPC/HTTP). Also: Client (Warning) on 1 mailbox.", verdict.Message);
        Assert.Equal("Set-CASMailbox -Identity 'bob' -MapiHttpEnabled $true", verdict.Recommendation);
    }

    [Fact]
    public void Hardening_warnings_never_outrank_a_failure_and_alone_are_a_warning()
    {
        IReadOnlyList<MapiAppPoolHealthResult> hardening = ExtendedProtectionWarnings();
        Assert.Equal(3, hardening.Count);

        MapiHttpVerdictResult withFailure = MapiHttpVerdict.From(hardening.Cast<MapiHttpResult>().Append(Mailbox("bob")).ToArray(), Contoso, r => false);
        Assert.Equal((MapiHttpVerdictScope.Mailbox, MapiHttpCause.NotEnabled, "Set-CASMailbox -Identity 'bob' -MapiHttpEnabled $true"), (withFailure.Findings[0].Scope, withFailure.Cause, withFailure.Recommendation));
        Assert.Equal(MapiHttpVerdictScope.Warning, withFailure.Findings.Last().Scope);

        MapiHttpVerdictResult alone = MapiHttpVerdict.From(hardening.ToArray(), Contoso, r => false);
        Assert.Equal((CheckStatus.Warning, 1), (alone.Status, alone.ExitCode));
        Assert.StartsWith("No failure; warning", alone.Headline);
        Assert.Equal(new[] { "EX01" }, alone.AffectedServers);
        AssertAgree(alone);
    }

    [Fact]
    public void A_hardening_warning_without_a_cause_is_listed_last_and_reads_as_a_warning()
    {
        MapiHttpResult[] results =
        {
            Config("ExtendedProtection", CheckStatus.Warning, MapiHttpCause.None, "EX01", "Extended Protection is None at Default Web Site/mapi, not Require: hardening, not an outage cause.", "ExchangeExtendedProtectionManagement.ps1"),
            Sample(MapiHttpVerdictScope.Certificate)[0],
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Equal(new[] { MapiHttpCause.Certificate, MapiHttpCause.None }, verdict.Causes);
        Assert.Equal("Certificate on EX01: No certificate of EX01 covers mail.contoso.lab. Also: warning (Warning) on EX01.", verdict.Message);
        Assert.Equal("No failure; warning on EX01: Extended Protection is None at Default Web Site/mapi, not Require: hardening, not an outage cause.", MapiHttpVerdict.From(results.Take(1), Contoso, r => false).Headline);
    }

    // --- Issue 19: what is a whole front end and what is MAPI alone -------------------------------------------

    [Fact]
    public void A_mapi_health_failure_with_no_other_page_probed_is_not_all_protocols()
    {
        MapiHttpResult[] results = { Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -Server EX01") };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        Assert.Equal("AppPool on EX01: /mapi/healthcheck.htm answers 503.", verdict.Message);
        Assert.Equal(MapiHttpVerdictScope.MapiOnServers, verdict.Findings.Single().Scope);
    }

    [Fact]
    public void A_mixed_front_end_is_neither_all_protocols_nor_MAPI_only()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -Server EX01"),
            Probe("HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "EX01"),
            Probe("HealthCheck:ews", CheckStatus.Fail, MapiHttpCause.Network, "EX01", "/ews/healthcheck.htm answers 503: this protocol fails too."),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, r => false);

        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        Assert.Equal(
            "Network on EX01: /ews/healthcheck.htm answers 503: this protocol fails too. MAPI/HTTP fails on EX01 while owa answers; ews fails as well. Also: AppPool (Fail) on EX01.",
            verdict.Message);
    }

    [Fact]
    public void Every_probed_page_failing_is_a_front_end_down_and_skipped_pages_do_not_count()
    {
        MapiHttpResult[] skipped =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01", "/mapi/healthcheck.htm answers 503."),
            Probe("HealthCheck:owa", CheckStatus.Skipped, MapiHttpCause.None, "EX01", "Not attempted."),
        };
        Assert.Empty(MapiHttpVerdict.From(skipped, Contoso, r => false).ServersWithAllProtocolsFailing);

        MapiHttpVerdictResult down = MapiHttpVerdict.From(Sample(MapiHttpVerdictScope.FrontEndDown), Contoso, r => false);
        Assert.Equal(new[] { "EX03" }, down.ServersWithAllProtocolsFailing);
        Assert.Equal(new[] { MapiHttpCause.Network }, down.Causes);
        Assert.Equal("Network (Fail) on EX03: Every protocol page probed on EX03 fails: not a MAPI/HTTP handler problem. (and 2 more)", down.Findings.Single().ToString());
    }

    // --- Issue 11: one server, one name ---------------------------------------------------------------------

    [Fact]
    public void A_server_is_named_once_by_its_Exchange_name_and_a_namespace_is_never_a_server()
    {
        // The namespace probe's results name the server its health page answered from (an FQDN) and its fixes name
        // the namespace host; the server probe names EX01; a configuration result names EX01 as well.
        var fromNamespace = new HashSet<MapiHttpResult>();
        MapiHttpEndpointResult Namespace(MapiHttpEndpointResult r)
        {
            fromNamespace.Add(r);
            return r;
        }

        MapiHttpResult[] results =
        {
            Namespace(Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX01.contoso.lab", "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -Server mail.contoso.lab; to start it: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on mail.contoso.lab)")),
            Namespace(Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, null, "/owa/healthcheck.htm answers 503: this protocol fails too.")),
            Namespace(Probe("HealthCheck:ews", CheckStatus.Fail, MapiHttpCause.Network, null, "/ews/healthcheck.htm answers 503: this protocol fails too.")),
            Probe("EmsmdbAnonymous", CheckStatus.Fail, MapiHttpCause.AppPool, "ex01.contoso.lab", "/mapi/emsmdb answers 503.", "Get-MapiAppPoolHealth -Server EX01"),
            Config(ConfigurationCheckNames.UrlCertificate, CheckStatus.Warning, MapiHttpCause.Certificate, "EX01", "The certificate for mail.contoso.lab expires in 12 days.", CertificateFix),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results, Contoso, fromNamespace.Contains);

        Assert.Equal(new[] { "EX01" }, verdict.AffectedServers);
        Assert.Empty(verdict.ServersWithAllProtocolsFailing);
        MapiHttpVerdictFinding first = verdict.Findings[0];
        Assert.Equal(MapiHttpCause.AppPool, first.Cause);
        Assert.Equal(new[] { "EX01" }, first.Servers);
        Assert.Equal(new[] { "mail.contoso.lab" }, first.Namespaces);
        Assert.Equal("Get-MapiAppPoolHealth -Server EX01", verdict.Recommendation);
        Assert.All(verdict.Findings, f => Assert.DoesNotContain("contoso.lab", string.Join(",", f.Servers)));
    }

    [Fact]
    public void The_fix_for_a_namespace_probes_the_url_that_failed_even_on_another_port()
    {
        // Issue 19 (Verdict survivor VerdictFindings.cs:108): the tests' namespace URL equalled the fallback URL.
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, null, "/mapi/healthcheck.htm answers 503.", uri: "https://mail.contoso.lab:8443/mapi"),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal("Test-MapiHttpEndpoint -Uri https://mail.contoso.lab:8443/mapi -TargetAddress <each server behind mail.contoso.lab>, then check the load balancer's pool and health probe for /mapi", verdict.Recommendation);
    }

    [Fact]
    public void A_namespace_given_as_a_bare_name_is_still_named_as_the_namespace()
    {
        // Issue 19 (Verdict survivor VerdictFindings.cs:153): a Target that is not a URL is the namespace itself.
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, null, "/mapi/healthcheck.htm answers 503.", uri: "mail.contoso.lab"),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal("AppPool through mail.contoso.lab: Through the namespace mail.contoso.lab: /mapi/healthcheck.htm answers 503.", verdict.Headline);
        Assert.Equal(new[] { "mail.contoso.lab" }, verdict.Findings[0].Namespaces);
    }

    [Fact]
    public void When_only_the_namespace_fails_the_fix_names_the_real_servers_not_the_namespace()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, null, "/mapi/healthcheck.htm answers 503.", "Get-MapiAppPoolHealth -Server mail.contoso.lab; to start it: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on mail.contoso.lab)"),
            Probe("HealthCheck", CheckStatus.Pass, MapiHttpCause.None, "EX01"),
            Probe("HealthCheck", CheckStatus.Pass, MapiHttpCause.None, "EX02"),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Empty(verdict.AffectedServers);
        Assert.Equal("AppPool through mail.contoso.lab: Through the namespace mail.contoso.lab: /mapi/healthcheck.htm answers 503.", verdict.Headline);
        Assert.Equal("Test-MapiHttpEndpoint -Uri https://mail.contoso.lab/mapi -TargetAddress <each server behind mail.contoso.lab>, then check the load balancer's pool and health probe for /mapi", verdict.Recommendation);

        MapiHttpVerdictResult known = MapiHttpVerdict.From(results, Contoso, r => r.Server is null);
        Assert.Equal("Test-MapiHttpEndpoint -Uri https://mail.contoso.lab/mapi -TargetAddress ex01.contoso.lab, ex02.contoso.lab, ex03.contoso.lab, then check the load balancer's pool and health probe for /mapi", known.Recommendation);
        Assert.DoesNotContain("(on mail.contoso.lab)", known.Recommendation);
    }

    [Fact]
    public void The_verdict_reads_as_its_headline()
    {
        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(Sample(MapiHttpVerdictScope.Certificate).Concat(Sample(MapiHttpVerdictScope.Mailbox)).ToArray(), Contoso, r => false);

        Assert.Equal("Certificate on EX01: No certificate of EX01 covers mail.contoso.lab.", verdict.ToString());
        Assert.Equal("Certificate on EX01: No certificate of EX01 covers mail.contoso.lab. Also: NotEnabled (Fail) on 1 mailbox.", verdict.Message);
    }

    [Theory]
    [InlineData(CheckStatus.Fail, MapiHttpCause.AppPool, false, true, MapiHttpVerdictScope.MapiOnServers)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, false, true, MapiHttpVerdictScope.MapiOnServers)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Network, false, false, MapiHttpVerdictScope.MapiOnServers)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.NotEnabled, false, true, MapiHttpVerdictScope.MapiOnServers)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.NotEnabled, false, false, MapiHttpVerdictScope.OrganizationNotEnabled)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Certificate, false, true, MapiHttpVerdictScope.Certificate)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Authentication, false, false, MapiHttpVerdictScope.Authentication)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.NotEnabled, true, false, MapiHttpVerdictScope.Mailbox)]
    [InlineData(CheckStatus.Fail, MapiHttpCause.Client, true, false, MapiHttpVerdictScope.Mailbox)]
    [InlineData(CheckStatus.Warning, MapiHttpCause.AppPool, false, true, MapiHttpVerdictScope.Warning)]
    [InlineData(CheckStatus.Warning, MapiHttpCause.Authentication, false, true, MapiHttpVerdictScope.Warning)]
    [InlineData(CheckStatus.Warning, MapiHttpCause.None, false, true, MapiHttpVerdictScope.Warning)]
    public void The_scope_of_a_result(CheckStatus status, MapiHttpCause cause, bool isMailbox, bool hasServer, MapiHttpVerdictScope expected) =>
        Assert.Equal(expected, VerdictRanking.ScopeOf(status, cause, isMailbox, hasServer));

    [Fact]
    public void A_server_name_with_control_characters_reaches_the_verdict_escaped()
    {
        MapiHttpResult[] results =
        {
            Probe("HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool, "EX\u001b]0;pwned\u0007", "/mapi/healthcheck.htm answers 503."),
            Probe("HealthCheck:owa", CheckStatus.Fail, MapiHttpCause.Network, "EX\u001b]0;pwned\u0007", "/owa/healthcheck.htm answers 503."),
        };

        MapiHttpVerdictResult verdict = MapiHttpVerdict.From(results);

        Assert.Equal(@"All protocols on EX\e]0;pwned\a fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it).", verdict.Headline);
        Assert.DoesNotContain('\u001b', verdict.Message + verdict.Recommendation);
    }

    [Fact]
    public void The_about_topic_documents_the_order_the_code_ranks_by()
    {
        string about = System.IO.File.ReadAllText(System.IO.Path.Combine(MapiHttpTools.Lab.ModuleSession.RepoRoot, "en-US", "about_MapiHttpTools.md"));
        string section = about.Substring(about.IndexOf("## The verdict", StringComparison.Ordinal));
        string[] documented = section.Split('\n')
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\d\. (\w+):"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToArray();

        Assert.Equal(new[] { "FrontEndDown", "MapiOnServers", "OrganizationNotEnabled", "Certificate", "Authentication", "Mailbox", "Warning" }, documented);
        Assert.Equal(documented, Enum.GetValues(typeof(MapiHttpVerdictScope)).Cast<MapiHttpVerdictScope>().OrderBy(v => v).Select(v => v.ToString()));
        Assert.Contains("- 3: a check could not run, or nothing could be checked.", section);
    }

    /// <summary>Cause, Recommendation and the first sentence of Message come from the same (first) finding.</summary>
    private static void AssertAgree(MapiHttpVerdictResult verdict)
    {
        MapiHttpVerdictFinding first = verdict.Findings[0];
        Assert.Equal((first.Cause, first.Recommendation, first.Headline), (verdict.Cause, verdict.Recommendation, verdict.Headline));
        Assert.StartsWith(verdict.Headline, verdict.Message, StringComparison.Ordinal);
        Assert.Equal(verdict.Headline, verdict.ToString());
    }
}
