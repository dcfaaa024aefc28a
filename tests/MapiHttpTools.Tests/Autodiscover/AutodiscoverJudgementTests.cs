using System;
using System.Linq;
using System.Text;
using MapiHttpTools.Autodiscover;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Autodiscover;

/// <summary>Test-MapiHttpAutodiscover's judgement, facts in and findings out (issue 14).</summary>
public sealed class AutodiscoverJudgementTests
{
    private static readonly PoxResponse WithBlock = PoxResponseParser.Parse(Encoding.UTF8.GetBytes(PoxResponseParserTests.MapiHttpAnswer));

    private static readonly PoxResponse WithoutBlock = new() { Kind = PoxKind.Settings, Protocols = new[] { new PoxProtocol("EXCH", null, null, null), new PoxProtocol("EXPR", "owa.contoso.com", "Ntlm", null) } };

    private static readonly MapiUrlHostFacts[] GoodHosts =
    {
        new("mail.contoso.com", 443, true, true, new[] { "mail.contoso.com", "owa.contoso.com" }),
        new("owa.contoso.com", 443, true, true, new[] { "mail.contoso.com", "owa.contoso.com" }),
    };

    [Fact]
    public void Block_whose_urls_are_the_virtual_directorys_passes()
    {
        var vdirs = new[] { new MapiVirtualDirectoryUrls("EX01\\mapi (Default Web Site)", "https://mail.contoso.com/mapi", "https://owa.contoso.com/mapi/") };
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(WithBlock, "alice@contoso.com", null, vdirs, GoodHosts);

        Assert.Equal(CheckStatus.Pass, finding.Status);
        Assert.Equal(
            "Autodiscover offers MAPI/HTTP to 'alice@contoso.com' (mapiHttp version 1): MailStore https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com; beside it EXCH, EXPR, WEB.",
            finding.Message);
    }

    [Fact]
    public void Block_that_differs_from_the_virtual_directory_is_a_virtual_directory_failure()
    {
        var vdirs = new[] { new MapiVirtualDirectoryUrls("EX01\\mapi (Default Web Site)", "https://ex01.contoso.com/mapi", "https://owa.contoso.com/mapi") };
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(WithBlock, "alice@contoso.com", null, vdirs, GoodHosts);

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, finding.Cause);
        Assert.Contains("MailStore/InternalUrl 'https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com' is not the InternalUrl of any MAPI virtual directory (EX01\\mapi (Default Web Site): https://ex01.contoso.com/mapi)", finding.Message);
        Assert.DoesNotContain("ExternalUrl 'https://owa", finding.Message);
        Assert.StartsWith("Set-MapiVirtualDirectory -Identity", finding.Recommendation);
    }

    [Fact]
    public void Host_that_does_not_resolve_or_is_not_on_the_certificate_is_a_virtual_directory_failure()
    {
        var hosts = new[]
        {
            new MapiUrlHostFacts("mail.contoso.com", 443, false, null, Array.Empty<string>()),
            new MapiUrlHostFacts("owa.contoso.com", 443, true, false, new[] { "mail.contoso.com", "autodiscover.contoso.com" }),
        };
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(WithBlock, "alice@contoso.com", null, null, hosts);

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, finding.Cause);
        Assert.Contains("'mail.contoso.com' does not resolve", finding.Message);
        Assert.Contains("the certificate served at 'owa.contoso.com:443' does not cover that name (names: mail.contoso.com, autodiscover.contoso.com)", finding.Message);
    }

    [Fact]
    public void Http_url_in_the_block_is_a_virtual_directory_failure()
    {
        var response = new PoxResponse { Kind = PoxKind.Settings, MapiHttp = new PoxMapiHttp("1", "http://mail.contoso.com/mapi/emsmdb/?MailboxId=x@contoso.com", null, null, null) };
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(response, "alice@contoso.com", null, null, Array.Empty<MapiUrlHostFacts>());

        Assert.Equal(MapiHttpCause.VirtualDirectory, finding.Cause);
        Assert.Contains("MailStore/InternalUrl 'http://mail.contoso.com/mapi/emsmdb/?MailboxId=x@contoso.com' is not an https URL", finding.Message);
    }

    [Fact]
    public void No_block_without_configuration_says_organisation_or_mailbox()
    {
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(WithoutBlock, "alice@contoso.com", null, null, Array.Empty<MapiUrlHostFacts>());

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.NotEnabled, finding.Cause);
        Assert.Equal(
            "Autodiscover did not offer MAPI/HTTP to 'alice@contoso.com' although the request carried X-MapiHttpCapability: 1 (the answer has EXCH, EXPR): Outlook stays on RPC/HTTP. MAPI/HTTP is off for the organisation or for this mailbox (Get-OrganizationConfig and Get-CASMailbox could not be read here to tell which).",
            finding.Message);
        Assert.Equal("Get-OrganizationConfig | Format-List MapiHttpEnabled; Get-CASMailbox -Identity 'alice@contoso.com' | Format-List MapiHttpEnabled,MAPIEnabled", finding.Recommendation);
    }

    [Theory]
    [InlineData(true, false, true, "the mailbox has MapiHttpEnabled $false, which overrides the organisation", "Set-CASMailbox -Identity 'contoso.com/Users/Alice' -MapiHttpEnabled $null (then the mailbox follows the organisation, which has it on)")]
    [InlineData(false, false, true, "the mailbox has MapiHttpEnabled $false", "Set-CASMailbox -Identity 'contoso.com/Users/Alice' -MapiHttpEnabled $true")]
    [InlineData(false, null, true, "MapiHttpEnabled is $false for the organisation, and the mailbox does not override it", "Set-OrganizationConfig -MapiHttpEnabled $true (for the whole organisation), or for this mailbox only: Set-CASMailbox -Identity 'contoso.com/Users/Alice' -MapiHttpEnabled $true")]
    [InlineData(true, null, false, "the mailbox has MAPIEnabled $false", "Set-CASMailbox -Identity 'contoso.com/Users/Alice' -MAPIEnabled $true")]
    public void No_block_names_which_setting_turned_it_off(bool? organization, bool? mailbox, bool? mapi, string words, string fix)
    {
        var configuration = new MapiHttpConfiguration(organization, mailbox, mapi, "contoso.com/Users/Alice");
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(WithoutBlock, "alice@contoso.com", configuration, null, Array.Empty<MapiUrlHostFacts>());

        Assert.Equal(MapiHttpCause.NotEnabled, finding.Cause);
        Assert.Contains(words, finding.Message);
        Assert.Equal(fix, finding.Recommendation);
    }

    [Fact]
    public void No_block_while_configuration_has_it_on_points_at_the_server_that_answered()
    {
        Finding finding = AutodiscoverJudgement.MapiHttpBlock(WithoutBlock, "alice@contoso.com", new MapiHttpConfiguration(true, null, true, "alice"), null, Array.Empty<MapiUrlHostFacts>());

        Assert.Equal(MapiHttpCause.NotEnabled, finding.Cause);
        Assert.Contains("yet the configuration has it on (organisation $true, mailbox $null)", finding.Message);
    }

    [Theory]
    [InlineData(600, MapiHttpCause.Network, "error 600 ('Invalid Request'): invalid request")]
    [InlineData(500, MapiHttpCause.Client, "error 500 ('Invalid Request'): the email address cannot be found")]
    [InlineData(501, MapiHttpCause.NotEnabled, "error 501 ('Invalid Request'): bad address")]
    [InlineData(601, MapiHttpCause.VirtualDirectory, "error 601 ('Invalid Request'): the Autodiscover server cannot provide configuration of the requested type")]
    [InlineData(602, MapiHttpCause.VirtualDirectory, "error 602 ('Invalid Request'): bad address: Exchange knows the address, but cannot provide its configuration because of configuration errors")]
    [InlineData(603, MapiHttpCause.AppPool, "error 603 ('Invalid Request'): the Autodiscover server threw an internal error")]
    [InlineData(999, MapiHttpCause.Network, "error 999 ('Invalid Request'), which MS-OXDSCLI does not define")]
    public void Error_codes_are_reported_with_their_meaning(int code, MapiHttpCause cause, string words)
    {
        Finding finding = AutodiscoverJudgement.ErrorAnswer(code, "Invalid Request", "127.0.0.1");

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(cause, finding.Cause);
        Assert.Contains(words, finding.Message);
    }

    [Fact]
    public void Server_text_in_an_error_is_escaped()
    {
        Finding finding = AutodiscoverJudgement.ErrorAnswer(600, "bad\u001b[2J", "127.0.0.1");

        Assert.DoesNotContain("\u001b", finding.Message, StringComparison.Ordinal);
        Assert.Contains("bad\\e[2J", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redirects_are_bounded_by_loops_hop_count_and_https()
    {
        var next = new Uri("https://autodiscover.fabrikam.com/autodiscover/autodiscover.xml");

        Assert.Equal(CheckStatus.Pass, AutodiscoverJudgement.Redirect("redirectUrl", next.AbsoluteUri, next, 1, false).Status);

        Finding loop = AutodiscoverJudgement.Redirect("redirectUrl", next.AbsoluteUri, next, 3, true);
        Assert.Equal(CheckStatus.Fail, loop.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, loop.Cause);
        Assert.Contains("a redirect loop", loop.Message);

        Finding tooMany = AutodiscoverJudgement.Redirect("redirectUrl", next.AbsoluteUri, next, 10, false);
        Assert.Equal(CheckStatus.Fail, tooMany.Status);
        Assert.Contains("would be hop 11; Outlook gives up after 10 redirects", tooMany.Message);

        var plain = new Uri("http://autodiscover.fabrikam.com/autodiscover/autodiscover.xml");
        Finding http = AutodiscoverJudgement.Redirect("redirectUrl", plain.AbsoluteUri, plain, 1, false);
        Assert.Equal(CheckStatus.Fail, http.Status);
        Assert.Contains("is not an https URL", http.Message);

        Assert.Equal(CheckStatus.Fail, AutodiscoverJudgement.Redirect("redirectAddr", null, null, 1, false).Status);
    }

    [Fact]
    public void Challenge_without_any_method_is_an_authentication_failure()
    {
        Finding none = AutodiscoverJudgement.Challenge(401, Array.Empty<string>(), false, "10.0.0.5");
        Assert.Equal(CheckStatus.Fail, none.Status);
        Assert.Equal(MapiHttpCause.Authentication, none.Cause);

        Finding offered = AutodiscoverJudgement.Challenge(401, new[] { "Negotiate", "NTLM", "Basic" }, false, "10.0.0.5");
        Assert.Equal(CheckStatus.Pass, offered.Status);
        Assert.Equal("/autodiscover at 10.0.0.5 asks for authentication: Negotiate, NTLM, Basic.", offered.Message);

        Assert.Equal(MapiHttpCause.VirtualDirectory, AutodiscoverJudgement.Challenge(404, Array.Empty<string>(), false, "10.0.0.5").Cause);
        Assert.Equal(MapiHttpCause.AppPool, AutodiscoverJudgement.Challenge(503, Array.Empty<string>(), true, "10.0.0.5").Cause);
        Assert.Contains("MSExchangeAutodiscoverAppPool is stopped", AutodiscoverJudgement.Challenge(503, Array.Empty<string>(), true, "10.0.0.5").Message);
    }

    [Fact]
    public void Rejected_credentials_are_an_authentication_failure()
    {
        Finding finding = AutodiscoverJudgement.Answer(401, "Basic", null, null, false, false, "10.0.0.5");

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.Authentication, finding.Cause);
        Assert.StartsWith("/autodiscover at 10.0.0.5 rejected the credentials sent with Basic (401 again)", finding.Message);
    }

    [Fact]
    public void An_oversized_answer_is_reported_as_such()
    {
        Finding finding = AutodiscoverJudgement.Answer(200, "Basic", null, null, true, false, "10.0.0.5");

        Assert.Equal(MapiHttpCause.Network, finding.Cause);
        Assert.Contains("the answer is larger than 64 KB", finding.Message);
    }

    [Theory]
    [InlineData("https://Mail.Contoso.com/mapi/emsmdb/?MailboxId=x@contoso.com", "https://mail.contoso.com/mapi")]
    [InlineData("https://mail.contoso.com:8443/mapi/", "https://mail.contoso.com:8443/mapi")]
    [InlineData("https://mail.contoso.com/owa/", null)]
    [InlineData("not a url", null)]
    public void Mapi_root_of_a_url(string url, string? root) => Assert.Equal(root, AutodiscoverJudgement.MapiRoot(url));

    [Fact]
    public void Candidates_follow_outlooks_order()
    {
        string[] candidates = AutodiscoverCandidates.For("contoso.com", new[] { "https://ex01.contoso.com/Autodiscover/Autodiscover.xml", "https://ex01.contoso.com/Autodiscover/Autodiscover.xml", "not a url" })
            .Select(c => $"{c.Method} {c.Uri}").ToArray();

        Assert.Equal(
            new[]
            {
                "Scp https://ex01.contoso.com/Autodiscover/Autodiscover.xml",
                "Domain https://contoso.com/autodiscover/autodiscover.xml",
                "AutodiscoverHost https://autodiscover.contoso.com/autodiscover/autodiscover.xml",
                "HttpRedirect http://autodiscover.contoso.com/autodiscover/autodiscover.xml",
                "SrvRecord https://_autodiscover._tcp.contoso.com/autodiscover/autodiscover.xml",
            },
            candidates);
    }

    [Theory]
    [InlineData("alice@contoso.com", "contoso.com")]
    [InlineData("alice@Contoso.COM.", "Contoso.COM")]
    [InlineData("alice", null)]
    [InlineData("alice@", null)]
    [InlineData("alice@con toso.com", null)]
    public void Domain_of_an_address(string address, string? domain) => Assert.Equal(domain, AutodiscoverCandidates.DomainOf(address));
}
