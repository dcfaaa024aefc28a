using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>
/// Issue 19: the probe's judgement word for word. A wrong cause, a swapped pool or a lost sentence in what an admin
/// reads at 3 a.m. must fail a test, so every message and command here is written out in full.
/// </summary>
public sealed class ProbeJudgementTextTests
{
    private static readonly ProbeSubject Unknown = new("mail.contoso.com", "10.0.0.11", 443, null, null);
    private static readonly ProbeSubject Ex01 = new("mail.contoso.com", "10.0.0.11", 443, "EX01", "EX01\\mapi (Default Web Site)");

    private const string NetworkFix = "Check the load balancer or reverse proxy rules for /mapi/*: MAPI/HTTP requests (verb, path, headers, body, cookies) must pass through unchanged, with session persistence.";
    private const string AuthenticationFix = "Check the account's mailbox and its MAPI settings: Get-CASMailbox <user> | Format-List Mapi*";
    private const string MailboxPoolFix = "Get-MapiAppPoolHealth -ComputerName EX01; on the mailbox server that EX01 proxies to: Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool";

    // --- X-ResponseCode: MS-OXCMAPIHTTP 2.2.3.3.3, codes 0-18 -------------------------------------------------

    [Theory]
    [InlineData(1, "X-ResponseCode 1 (Unknown Failure): the MAPI application on the server failed.", MailboxPoolFix)]
    [InlineData(2, "X-ResponseCode 2 (Invalid Verb): the server saw another verb than the POST the probe sent: something on the path rewrote it.", NetworkFix)]
    [InlineData(3, "X-ResponseCode 3 (Invalid Path): the server saw another path than the probe sent: something on the path rewrote it.", NetworkFix)]
    [InlineData(4, "X-ResponseCode 4 (Invalid Header): a header arrived changed (Content-Type application/mapi-http): something on the path rewrote it.", NetworkFix)]
    [InlineData(5, "X-ResponseCode 5 (Invalid Request Type): X-RequestType arrived changed: something on the path rewrote it.", NetworkFix)]
    [InlineData(6, "X-ResponseCode 6 (Invalid Context Cookie): the session cookie arrived changed: a load balancer or proxy alters cookies.", NetworkFix)]
    [InlineData(7, "X-ResponseCode 7 (Missing Header): a MAPI/HTTP header the probe sent did not arrive: something on the path strips X- headers.", NetworkFix)]
    [InlineData(8, "X-ResponseCode 8 (Anonymous Not Allowed): the request reached MAPI without an authenticated user.", AuthenticationFix)]
    [InlineData(9, "X-ResponseCode 9 (Too Large): the server saw a larger request than the empty PING the probe sent: something on the path changed it.", NetworkFix)]
    [InlineData(10, "X-ResponseCode 10 (Context Not Found): the server lost the session: a load balancer without persistence sends requests to another server.", NetworkFix)]
    [InlineData(11, "X-ResponseCode 11 (No Privilege): the account may not use this mailbox or MAPI.", AuthenticationFix)]
    [InlineData(12, "X-ResponseCode 12 (Invalid Request Body): the body arrived changed: something on the path rewrote it.", NetworkFix)]
    [InlineData(13, "X-ResponseCode 13 (Missing Cookie): a session cookie did not arrive: a load balancer or proxy strips cookies.", NetworkFix)]
    [InlineData(14, "X-ResponseCode 14 (Reserved): MS-OXCMAPIHTTP reserves code 14 and a client ignores it; Exchange does not send it.", null)]
    [InlineData(15, "X-ResponseCode 15 (Invalid Sequence): requests arrived out of sequence: a load balancer without persistence splits the session.", NetworkFix)]
    [InlineData(16, "X-ResponseCode 16 (Endpoint Disabled): the MAPI endpoint is disabled on the server.", MailboxPoolFix)]
    [InlineData(17, "X-ResponseCode 17 (Invalid Response): the MAPI application on the server produced an invalid response.", MailboxPoolFix)]
    [InlineData(18, "X-ResponseCode 18 (Endpoint Shutting Down): the MAPI application pool is recycling or stopping.", MailboxPoolFix)]
    [InlineData(19, "X-ResponseCode 19 (Unknown code): MS-OXCMAPIHTTP defines no such code.", null)]
    [InlineData(-1, "X-ResponseCode -1 (Unknown code): MS-OXCMAPIHTTP defines no such code.", null)]
    public void Each_x_response_code_reads_as_the_specification_means_it(int code, string message, string? recommendation)
    {
        Finding finding = ProbeJudgement.ResponseCode("emsmdb", code, "Exchange/15.02.1258.012", "Basic", null, Ex01);

        Assert.Equal("/mapi/emsmdb/ answered the PING with " + message, finding.Message);
        Assert.Equal(recommendation, finding.Recommendation);
    }

    [Fact]
    public void Code_0_passes_and_names_the_scheme_and_the_server_application()
    {
        Finding withApplication = ProbeJudgement.ResponseCode("nspi", 0, "Exchange/15.02.1258.012", "Basic", "EX02", Unknown);
        Finding without = ProbeJudgement.ResponseCode("emsmdb", 0, null, "Negotiate", null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, "Authenticated PING to /mapi/nspi/ succeeded (Basic; X-ResponseCode 0, Exchange/15.02.1258.012)."), withApplication);
        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, "Authenticated PING to /mapi/emsmdb/ succeeded (Negotiate; X-ResponseCode 0)."), without);
    }

    [Fact]
    public void An_app_pool_code_on_nspi_names_the_address_book_pool_and_the_back_end_that_answered()
    {
        Finding finding = ProbeJudgement.ResponseCode("nspi", 17, null, "Basic", "EX02", Ex01);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (finding.Status, finding.Cause));
        Assert.Equal("Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiAddressBookAppPool }", finding.Recommendation);
    }

    // --- HTTP statuses where Exchange answers otherwise ----------------------------------------------------------

    public static TheoryData<int, bool, string, MapiHttpCause, string> HealthStatuses => new()
    {
        { 503, false, "MapiOnly", MapiHttpCause.AppPool, "/mapi/healthcheck.htm answers 503 while OWA/EWS on the same front end answer 200: the application answered 503 itself, so MSExchangeMapiFrontEndAppPool runs but fails (crashing, recycling, or its back end unavailable)." },
        { 503, true, "NotCompared", MapiHttpCause.AppPool, "/mapi/healthcheck.htm answers 503 from HTTP.sys itself (Server: Microsoft-HTTPAPI/2.0) while other protocols were not compared: the MAPI application pool MSExchangeMapiFrontEndAppPool is stopped." },
        { 500, false, "NotCompared", MapiHttpCause.AppPool, "/mapi/healthcheck.htm answers 500 while other protocols were not compared: the MAPI application fails on the server (MSExchangeMapiFrontEndAppPool)." },
        { 500, true, "MapiOnly", MapiHttpCause.AppPool, "/mapi/healthcheck.htm answers 500 while OWA/EWS on the same front end answer 200: the MAPI application fails on the server (MSExchangeMapiFrontEndAppPool)." },
        { 503, true, "FrontEndWide", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 503, and OWA and EWS fail on this front end too: all protocols on this front end fail, not a MAPI/HTTP handler problem (the front end is down, or a load balancer/proxy answers for it)." },
        { 500, false, "FrontEndWide", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 500, and OWA and EWS fail on this front end too: all protocols on this front end fail, not a MAPI/HTTP handler problem (the front end is down, or a load balancer/proxy answers for it)." },
        { 404, false, "FrontEndWide", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 404, and OWA and EWS fail on this front end too: this address does not route to an Exchange front end." },
        { 404, false, "MapiOnly", MapiHttpCause.VirtualDirectory, "/mapi/healthcheck.htm answers 404 while OWA/EWS on the same front end answer 200: the /mapi virtual directory is missing in IIS or not published." },
        { 401, false, "FrontEndWide", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 401 to a request Exchange answers without that: a reverse proxy or load balancer in front demands authentication where Exchange does not." },
        { 403, false, "NotCompared", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 403 to a request Exchange answers without that: something refuses the request: a reverse proxy rule, an IP restriction, or IIS requiring TLS (403.4 for an http URL)." },
        { 407, false, "MapiOnly", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 407 to a request Exchange answers without that: a proxy on the path demands proxy authentication." },
        { 502, false, "FrontEndWide", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 502: a load balancer or reverse proxy on the path could not get an answer from the Exchange server behind it (Bad Gateway)." },
        { 504, false, "MapiOnly", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 504: a load balancer or reverse proxy on the path timed out waiting for the Exchange server behind it (Gateway Timeout)." },
        { 302, false, "MapiOnly", MapiHttpCause.Network, "/mapi/healthcheck.htm answers 302, which Exchange does not send here: something on the path answers instead." },
    };

    [Theory]
    [MemberData(nameof(HealthStatuses))]
    public void A_failing_health_page_says_what_answered_and_what_the_other_pages_showed(int status, bool httpSys, string comparison, MapiHttpCause cause, string message)
    {
        Finding finding = ProbeJudgement.HealthCheck(status, "<html><body>Service Unavailable</body></html>", httpSys, Enum.Parse<FrontEndComparison>(comparison), Ex01);

        Assert.Equal((CheckStatus.Fail, cause, message), (finding.Status, finding.Cause, finding.Message));
    }

    [Theory]
    [InlineData(503, false, "emsmdb", "EX02", "Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool }")]
    [InlineData(503, false, "emsmdb", null, "Get-MapiAppPoolHealth -ComputerName EX01; On the mailbox server that EX01 proxies to: Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool")]
    [InlineData(500, false, "nspi", null, "Get-MapiAppPoolHealth -ComputerName EX01; On the mailbox server that EX01 proxies to: Restart-WebAppPool -Name MSExchangeMapiAddressBookAppPool")]
    [InlineData(500, true, "nspi", "EX02", "Get-MapiAppPoolHealth -ComputerName EX01; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiFrontEndAppPool }")]
    [InlineData(503, true, "emsmdb", "EX02", "Invoke-Command -ComputerName EX01 -ScriptBlock { Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool }")]
    public void A_failing_mapi_endpoint_restarts_the_pool_that_serves_it_where_it_runs(int status, bool httpSys, string endpoint, string? backEnd, string recommendation)
    {
        Finding finding = ProbeJudgement.Challenge(endpoint, status, null, Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", httpSys, FrontEndComparison.MapiOnly, backEnd, Ex01);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (finding.Status, finding.Cause));
        Assert.Equal(recommendation, finding.Recommendation);
    }

    [Fact]
    public void An_app_pool_failure_behind_an_address_says_where_to_look_without_inventing_a_server()
    {
        Finding front = ProbeJudgement.HealthCheck(500, string.Empty, false, FrontEndComparison.NotCompared, Unknown);
        Finding back = ProbeJudgement.Challenge("emsmdb", 500, null, Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal("On the server behind 10.0.0.11: Get-MapiAppPoolHealth; On the server behind 10.0.0.11: Restart-WebAppPool -Name MSExchangeMapiFrontEndAppPool", front.Recommendation);
        Assert.Equal("On the server behind 10.0.0.11: Get-MapiAppPoolHealth; On the mailbox server that the server behind 10.0.0.11 proxies to: Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool", back.Recommendation);
    }

    [Fact]
    public void A_missing_virtual_directory_behind_an_address_says_to_find_the_server_first()
    {
        Finding finding = ProbeJudgement.HealthCheck(404, string.Empty, false, FrontEndComparison.MapiOnly, Unknown);

        Assert.Equal("Find the Exchange server behind 10.0.0.11, then: Get-MapiVirtualDirectory -Server <server> | Format-List Identity,InternalUrl,ExternalUrl; if it is missing in IIS: Repair-MapiVirtualDirectory -Server <server> -Recreate -Force (backs up first)", finding.Recommendation);
    }

    [Fact]
    public void A_status_exchange_never_sends_points_at_the_path()
    {
        Finding finding = ProbeJudgement.Challenge("nspi", 418, null, Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.FrontEndWide, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Network,
            "/mapi/nspi/ answers 418, which Exchange does not send here: something on the path answers instead.",
            "Check the load balancer or reverse proxy rules for /mapi/* in front of 10.0.0.11: they must pass MAPI/HTTP through to Exchange."), finding);
    }

    [Theory]
    [InlineData("NotCompared", "other protocols were not compared")]
    [InlineData("MapiOnly", "OWA/EWS on the same front end answer 200")]
    [InlineData("FrontEndWide", "OWA and EWS fail on this front end too")]
    public void Each_comparison_of_health_pages_has_its_words(string comparison, string words) =>
        Assert.Equal(words, ProbeJudgement.Describe(Enum.Parse<FrontEndComparison>(comparison)));

    [Fact]
    public void No_other_health_page_read_is_not_compared_and_a_missing_answer_is_not_a_200()
    {
        Assert.Equal(FrontEndComparison.NotCompared, ProbeJudgement.Compare(new Dictionary<string, int?>()));
        Assert.Equal(FrontEndComparison.FrontEndWide, ProbeJudgement.Compare(new Dictionary<string, int?> { ["owa"] = null }));
        Assert.Equal(FrontEndComparison.MapiOnly, ProbeJudgement.Compare(new Dictionary<string, int?> { ["ews"] = 200 }));
        Assert.Equal(FrontEndComparison.FrontEndWide, ProbeJudgement.Compare(new Dictionary<string, int?> { ["owa"] = 204, ["ews"] = 302 }));
    }

    // --- Health pages -----------------------------------------------------------------------------------------

    [Theory]
    [InlineData("200 OK<br/>EX01.contoso.com", "EX01.contoso.com")]
    [InlineData("  200 OK<br/>  EX01.contoso.com \r\n", "EX01.contoso.com")]
    [InlineData("200 ok<BR/>ex01", "ex01")]
    [InlineData("200 OK<br/>", null)]
    [InlineData("200 OK<br/>   ", null)]
    [InlineData("200 OK", null)]
    [InlineData("500 Error<br/>EX01", null)]
    [InlineData("<b>200 OK</b><br/>EX01", null)]
    public void The_server_name_comes_from_exchanges_health_page_only(string body, string? server) =>
        Assert.Equal(server, ProbeJudgement.HealthCheckServer(body));

    [Theory]
    [InlineData("200 OK", "The MAPI health page answers 200 OK.")]
    [InlineData("\r\n 200 ok<br/>EX01.contoso.com\r\n", "The MAPI health page answers 200 OK from EX01.contoso.com.")]
    [InlineData("200 OK<br/>EX01\u001b]0;x\u0007", "The MAPI health page answers 200 OK from EX01\\e]0;x\\a.")]
    public void A_healthy_mapi_page_passes_and_names_its_server_safely(string body, string message)
    {
        Finding finding = ProbeJudgement.HealthCheck(200, body, false, FrontEndComparison.NotCompared, Ex01);

        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, message), finding);
    }

    [Fact]
    public void A_200_page_that_is_not_exchanges_quotes_at_most_60_characters()
    {
        string body = "  <html><head><title>F5 maintenance page</title></head><body>Down for maintenance tonight</body></html>  ";

        Finding finding = ProbeJudgement.HealthCheck(200, body, false, FrontEndComparison.MapiOnly, Ex01);

        Assert.Equal(new Finding(CheckStatus.Warning, MapiHttpCause.Network,
            "/mapi/healthcheck.htm answers 200 but not with Exchange's health page ('<html><head><title>F5 maintenance page</title></head><body>D… (41 more characters)'): something other than Exchange answers, e.g. a load balancer or proxy page.",
            "Check the load balancer or reverse proxy rules for /mapi/*: they must pass requests through to Exchange."), finding);
    }

    [Fact]
    public void A_failing_status_with_exchanges_health_text_still_fails()
    {
        Finding finding = ProbeJudgement.HealthCheck(503, "200 OK<br/>EX01.contoso.com", false, FrontEndComparison.MapiOnly, Ex01);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (finding.Status, finding.Cause));
    }

    [Theory]
    [InlineData("owa", 200, "200 OK<br/>EX01.contoso.com", true)]
    [InlineData("ews", 200, "\r\n200 ok", true)]
    [InlineData("owa", 200, "<html>OK</html>", false)]
    [InlineData("ecp", 200, "", false)]
    [InlineData("owa", 503, "200 OK", false)]
    [InlineData("ews", 404, "", false)]
    public void Another_protocols_health_page_is_healthy_only_as_exchange_writes_it(string vdir, int status, string body, bool healthy)
    {
        Finding known = ProbeJudgement.OtherHealthCheck(vdir, status, body, Ex01);
        Finding behind = ProbeJudgement.OtherHealthCheck(vdir, status, body, Unknown);

        if (healthy)
        {
            Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/{vdir}/healthcheck.htm answers 200 OK."), known);
            Assert.Equal(known, behind);
        }
        else
        {
            Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"/{vdir}/healthcheck.htm answers {status}: this protocol fails too.",
                "Not a MAPI/HTTP problem alone: Get-ServerComponentState -Identity EX01 | Where-Object State -ne Active; then IIS and the load balancer"), known);
            Assert.Equal("Not a MAPI/HTTP problem alone: check the Exchange server behind 10.0.0.11 as a whole (Get-ServerComponentState -Identity <server>, IIS) and the load balancer.", behind.Recommendation);
        }
    }

    // --- The anonymous challenge ------------------------------------------------------------------------------

    [Fact]
    public void Missing_negotiate_fails_names_the_spn_check_and_keeps_what_is_offered()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "NTLM" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Authentication,
            "/mapi/emsmdb/ offers NTLM; expected Negotiate, NTLM (the default, Negotiate and NTLM), missing Negotiate. Without Negotiate, Kerberos clients cannot authenticate; also check the HTTP SPNs of the namespace (setspn -Q http/mail.contoso.com).",
            "Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Negotiate,Ntlm; if Exchange already lists them, the IIS authentication of 'Default Web Site/mapi' differs: Get-MapiAppPoolHealth -ComputerName EX01"), finding);
    }

    [Fact]
    public void Missing_ntlm_fails_without_the_kerberos_sentence()
    {
        Finding finding = ProbeJudgement.Challenge("nspi", 401, null, new[] { "Negotiate" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Authentication,
            "/mapi/nspi/ offers Negotiate; expected Negotiate, NTLM (the default, Negotiate and NTLM), missing NTLM.",
            "Set-MapiVirtualDirectory -Identity '<Server>\\mapi (Default Web Site)' -IISAuthenticationMethods Negotiate,Ntlm; if Exchange already lists them, the IIS authentication of 'Default Web Site/mapi' differs: on the server behind 10.0.0.11, Get-MapiAppPoolHealth"), finding);
    }

    [Fact]
    public void Missing_bearer_only_warns_that_oauth_fails()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "negotiate", "ntlm" }, new[] { "NTLM", "Negotiate", "Bearer" }, "IISAuthenticationMethods of the virtual directory", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
            "/mapi/emsmdb/ offers negotiate, ntlm; expected NTLM, Negotiate, Bearer (IISAuthenticationMethods of the virtual directory), missing Bearer. OAuth (modern authentication, hybrid free/busy and the Outlook clients that use it) fails.",
            "Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,Negotiate,OAuth; if Exchange already lists them, the IIS authentication of 'Default Web Site/mapi' differs: Get-MapiAppPoolHealth -ComputerName EX01"), finding);
    }

    [Fact]
    public void No_method_offered_at_all_is_said_so()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.StartsWith("/mapi/emsmdb/ offers no method; expected Negotiate, NTLM (the default, Negotiate and NTLM), missing Negotiate, NTLM. Without Negotiate,", finding.Message);
    }

    [Fact]
    public void Missing_negotiate_and_bearer_fails_because_of_negotiate()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "NTLM" }, new[] { "Negotiate", "NTLM", "Bearer" }, "IISAuthenticationMethods of the virtual directory", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (finding.Status, finding.Cause));
        Assert.Equal("/mapi/emsmdb/ offers NTLM; expected Negotiate, NTLM, Bearer (IISAuthenticationMethods of the virtual directory), missing Negotiate, Bearer. Without Negotiate, Kerberos clients cannot authenticate; also check the HTTP SPNs of the namespace (setspn -Q http/mail.contoso.com).", finding.Message);
    }

    [Fact]
    public void An_unexpected_method_warns_and_the_fix_keeps_the_rest()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "Negotiate", "NTLM", "Basic" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
            "/mapi/emsmdb/ offers Negotiate, NTLM, Basic; Basic is not expected (the default, Negotiate and NTLM).",
            "If Basic is not wanted: Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Negotiate,Ntlm"), finding);
    }

    [Fact]
    public void Two_unexpected_methods_are_both_named_in_the_warning_and_its_fix()
    {
        // Issue 19 (Probe survivors ProbeJudgement.cs:234-235): with one unexpected method the separator was never seen.
        Finding finding = ProbeJudgement.Challenge("nspi", 401, null, new[] { "Negotiate", "Basic", "NTLM", "Digest" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
            "/mapi/nspi/ offers Negotiate, Basic, NTLM, Digest; Basic, Digest is not expected (the default, Negotiate and NTLM).",
            "If Basic, Digest is not wanted: Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Negotiate,Ntlm"), finding);
    }

    [Fact]
    public void Bearer_expected_and_offered_passes_without_the_oauth_note()
    {
        Finding finding = ProbeJudgement.Challenge("nspi", 401, null, new[] { "Negotiate", "NTLM", "Bearer" }, new[] { "NTLM", "Bearer", "Negotiate" }, "IISAuthenticationMethods of the virtual directory", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, "/mapi/nspi/ challenges anonymous requests with Negotiate, NTLM, Bearer, as expected."), finding);
    }

    [Theory]
    [InlineData(200, "0", "/mapi/emsmdb/ accepted an anonymous request (200, X-ResponseCode 0): anonymous authentication is on for /mapi.")]
    [InlineData(204, null, "/mapi/emsmdb/ accepted an anonymous request (204, X-ResponseCode none): anonymous authentication is on for /mapi.")]
    [InlineData(299, "0", "/mapi/emsmdb/ accepted an anonymous request (299, X-ResponseCode 0): anonymous authentication is on for /mapi.")]
    public void Any_2xx_to_the_anonymous_post_means_anonymous_access(int status, string? responseCode, string message)
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", status, responseCode, Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Authentication, message,
            "Invoke-Command -ComputerName EX01 -ScriptBlock { Set-WebConfigurationProperty -PSPath 'IIS:\\' -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/anonymousAuthentication -Name enabled -Value $false }"), finding);
    }

    [Theory]
    [InlineData(199)]
    [InlineData(300)]
    public void Statuses_just_outside_2xx_are_not_anonymous_access(int status)
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", status, "0", Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Network), (finding.Status, finding.Cause));
        Assert.Equal($"/mapi/emsmdb/ answers {status}, which Exchange does not send here: something on the path answers instead.", finding.Message);
    }

    [Fact]
    public void Only_known_scheme_names_reach_a_command_each_once()
    {
        Assert.Equal("Negotiate,Ntlm,OAuth,Basic,Digest,Kerberos", ProbeJudgement.ExchangeMethods(new[] { "negotiate", "NTLM", "Bearer", "Basic", "Digest", "Kerberos", "OAuth", "Ntlm", "Evil;Remove-Item", "" }));
        Assert.Equal(string.Empty, ProbeJudgement.ExchangeMethods(new[] { "X-Custom" }));
        Assert.Equal("OAuth", ProbeJudgement.ExchangeMethods(new[] { "Bearer" }));
        Assert.Equal("OAuth", ProbeJudgement.ExchangeMethods(new[] { "OAuth" }));
        Assert.Equal("Ntlm", ProbeJudgement.ExchangeMethods(new[] { "ntlm" }));
    }

    // --- The authenticated PING -------------------------------------------------------------------------------

    private static PingFacts Ping401(string? sent, bool known, string[] anonymous, string[] final) =>
        new(401, null, null, sent, known, anonymous, final, false);

    [Fact]
    public void A_weaker_challenge_than_the_anonymous_one_is_a_downgrade_and_nothing_is_sent()
    {
        Finding finding = ProbeJudgement.Ping("emsmdb", Ping401(null, true, new[] { "Negotiate", "NTLM" }, new[] { "Basic" }), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Network,
            "/mapi/emsmdb/ answered the authenticated PING with a Basic challenge though the anonymous request offered Negotiate, NTLM: a downgrade to a weaker scheme; the credentials were not sent.",
            "Find what answers for mail.contoso.com with that challenge (a reverse proxy doing pre-authentication, or something impersonating Exchange) before sending credentials to it."), finding);
    }

    [Fact]
    public void A_downgrade_to_two_weaker_schemes_names_both()
    {
        // Issue 19 (Probe survivor ProbeJudgement.cs:357): the final challenge had one scheme in every other test.
        Finding finding = ProbeJudgement.Ping("emsmdb", Ping401(null, true, new[] { "Negotiate", "NTLM" }, new[] { "Basic", "Digest" }), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal("/mapi/emsmdb/ answered the authenticated PING with a Basic, Digest challenge though the anonymous request offered Negotiate, NTLM: a downgrade to a weaker scheme; the credentials were not sent.", finding.Message);
    }

    [Theory]
    // The same challenge again (any case) is the platform failing to produce it, not a downgrade.
    [InlineData(new[] { "Negotiate", "NTLM" }, new[] { "ntlm" })]
    // No final challenge at all.
    [InlineData(new[] { "Negotiate", "NTLM" }, new string[0])]
    public void The_same_or_no_final_challenge_without_credentials_is_skipped(string[] anonymous, string[] final)
    {
        Finding finding = ProbeJudgement.Ping("nspi", Ping401(null, true, anonymous, final), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Skipped, MapiHttpCause.None,
            "Authenticated PING not sent: /mapi/nspi/ offers Negotiate, NTLM, and this platform's HTTP stack could not produce credentials for it (on Linux and macOS it needs Kerberos or gss-ntlmssp); nothing was sent. Run the probe on Windows for the authenticated PING."), finding);
    }

    [Fact]
    public void A_final_challenge_that_still_offers_an_anonymous_scheme_is_no_downgrade()
    {
        Finding finding = ProbeJudgement.Ping("emsmdb", Ping401(null, true, new[] { "Negotiate", "NTLM" }, new[] { "Basic", "NTLM" }), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal((CheckStatus.Skipped, MapiHttpCause.None), (finding.Status, finding.Cause));
    }

    [Fact]
    public void A_changed_challenge_after_credentials_went_out_is_a_rejection_not_a_downgrade()
    {
        Finding finding = ProbeJudgement.Ping("emsmdb", Ping401("NTLM", true, new[] { "Negotiate", "NTLM" }, new[] { "Basic" }), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, "The credentials were rejected by /mapi/emsmdb/ (NTLM)."), (finding.Status, finding.Cause, finding.Message));
    }

    [Fact]
    public void Without_a_windows_scheme_offered_a_changed_challenge_is_not_called_a_downgrade()
    {
        Finding finding = ProbeJudgement.Ping("emsmdb", Ping401(null, true, new[] { "Basic" }, new[] { "Bearer" }), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal((CheckStatus.Skipped, MapiHttpCause.None), (finding.Status, finding.Cause));
    }

    [Theory]
    [InlineData("Basic", true, "The credentials were rejected by /mapi/emsmdb/ (Basic).")]
    [InlineData(null, false, "The credentials were rejected by /mapi/emsmdb/ (Negotiate or NTLM, chosen by Windows).")]
    public void A_401_after_credentials_went_out_is_a_rejection_naming_the_scheme_sent(string? sent, bool known, string message)
    {
        Finding finding = ProbeJudgement.Ping("emsmdb", Ping401(sent, known, new[] { "Negotiate", "NTLM", "Basic" }, new[] { "Negotiate", "NTLM", "Basic" }), FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Authentication, message,
            "Check the user name and password, that the account is not locked, and the authentication methods of the MAPI virtual directory (Get-MapiVirtualDirectory | Format-List *Authentication*)."), finding);
    }

    [Fact]
    public void A_failing_status_on_the_ping_is_judged_as_an_http_failure_of_the_ping()
    {
        var facts = new PingFacts(503, null, null, "Basic", true, new[] { "Basic" }, Array.Empty<string>(), false);

        Finding finding = ProbeJudgement.Ping("emsmdb", facts, FrontEndComparison.MapiOnly, "EX02", Ex01);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.AppPool,
            "/mapi/emsmdb/ (authenticated PING) answers 503 while OWA/EWS on the same front end answer 200: the application answered 503 itself, so MSExchangeMapiMailboxAppPool runs but fails (crashing, recycling, or its back end unavailable).",
            "Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool }"), finding);
    }

    [Fact]
    public void Http_sys_answering_the_ping_means_the_front_end_pool_is_stopped()
    {
        var facts = new PingFacts(503, null, null, "Basic", true, new[] { "Basic" }, Array.Empty<string>(), true);

        Finding finding = ProbeJudgement.Ping("nspi", facts, FrontEndComparison.MapiOnly, "EX02", Ex01);

        Assert.Equal("Invoke-Command -ComputerName EX01 -ScriptBlock { Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool }", finding.Recommendation);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("zero")]
    public void A_200_without_a_numeric_x_response_code_is_not_exchange(string? responseCode)
    {
        var facts = new PingFacts(200, responseCode, null, "Basic", true, new[] { "Basic" }, Array.Empty<string>(), false);

        Finding finding = ProbeJudgement.Ping("emsmdb", facts, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Network,
            "/mapi/emsmdb/ answered the PING with 200 but without X-ResponseCode: something other than Exchange answered.",
            "Check the load balancer or reverse proxy rules for /mapi/*."), finding);
    }

    [Theory]
    [InlineData("Basic", true, "0", "Authenticated PING to /mapi/emsmdb/ succeeded (Basic; X-ResponseCode 0, Exchange/15.02.1544.004).")]
    [InlineData(null, false, " 0 ", "Authenticated PING to /mapi/emsmdb/ succeeded (Negotiate or NTLM, chosen by Windows; X-ResponseCode 0, Exchange/15.02.1544.004).")]
    [InlineData(null, true, "0", "Authenticated PING to /mapi/emsmdb/ succeeded (none; X-ResponseCode 0, Exchange/15.02.1544.004).")]
    public void A_200_with_x_response_code_0_passes_with_the_scheme_sent(string? sent, bool known, string responseCode, string message)
    {
        var facts = new PingFacts(200, responseCode, "Exchange/15.02.1544.004", sent, known, new[] { "Negotiate", "NTLM", "Basic" }, Array.Empty<string>(), false);

        Finding finding = ProbeJudgement.Ping("emsmdb", facts, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, message), finding);
    }

    [Fact]
    public void A_200_with_a_failing_x_response_code_is_that_codes_verdict()
    {
        var facts = new PingFacts(200, "18", null, "Basic", true, new[] { "Basic" }, Array.Empty<string>(), false);

        Finding finding = ProbeJudgement.Ping("nspi", facts, FrontEndComparison.NotCompared, "EX02", Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.AppPool,
            "/mapi/nspi/ answered the PING with X-ResponseCode 18 (Endpoint Shutting Down): the MAPI application pool is recycling or stopping.",
            "Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiAddressBookAppPool }"), finding);
    }

    // --- TLS and the certificate ------------------------------------------------------------------------------

    private static readonly DateTime Now = new(2026, 12, 4, 22, 0, 0, DateTimeKind.Utc);

    private static CertificateFacts Certificate(string name, DateTime notBefore, DateTime notAfter, SslPolicyErrors errors = SslPolicyErrors.None, X509ChainStatusFlags chain = X509ChainStatusFlags.NoError, int keySize = 2048)
    {
        using RSA key = RSA.Create(keySize);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(notBefore, notAfter);
        return new CertificateFacts(certificate, errors, chain);
    }

    private const string UnknownServerFix = "On the Exchange server behind 10.0.0.11: Get-ExchangeCertificate -Server <server> | Where-Object { $_.CertificateDomains -contains 'mail.contoso.com' -and $_.NotAfter -gt (Get-Date) }, then Enable-ExchangeCertificate -Server <server> -Thumbprint <thumbprint> -Services IIS";

    [Fact]
    public void A_reset_during_the_handshake_is_the_path_cutting_tls()
    {
        Finding finding = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.None, null, new IOException("Connection reset by peer"), true), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Network,
            "The connection to 10.0.0.11 was reset during the TLS handshake: a firewall, load balancer or TLS-inspection device is cutting /mapi traffic.",
            "Check TLS settings on the path (load balancer SSL profile, TLS inspection bypass for the Exchange namespace) and the protocols enabled on the server (TLS 1.2)."), finding);
    }

    [Theory]
    [InlineData(true, "The TLS handshake with 10.0.0.11 failed before a certificate was seen: Authentication failed (handshake failure alert)")]
    [InlineData(false, "The TLS handshake with 10.0.0.11 failed before a certificate was seen: no certificate")]
    public void A_handshake_that_failed_before_any_certificate_says_why(bool withError, string message)
    {
        Exception? error = withError ? new AuthenticationException("Authentication failed", new IOException("handshake failure alert")) : null;

        Finding finding = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.None, null, error, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Network, message), (finding.Status, finding.Cause, finding.Message));
    }

    [Fact]
    public void A_certificate_the_platform_refused_for_no_named_reason_never_passes()
    {
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365), SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.RevocationStatusUnknown);

        Finding finding = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Certificate,
            "The certificate served by 10.0.0.11 is not valid for Outlook: the platform's validation refused it (RemoteCertificateChainErrors; chain: RevocationStatusUnknown).", UnknownServerFix), finding);
    }

    [Fact]
    public void Every_problem_is_listed_and_skipping_validation_is_said()
    {
        CertificateFacts cert = Certificate("wrong.contoso.com", Now.AddDays(-400), Now.AddDays(-2), SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.NotTimeValid);

        Finding finding = ProbeJudgement.Tls(new TlsFacts(true, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, true, Ex01);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Certificate,
            "The certificate served by 10.0.0.11 is not valid for Outlook: it does not cover 'mail.contoso.com' (names: wrong.contoso.com); it expired on 2026-12-02. Validation was skipped (-SkipCertificateCheck), so the probe went on.",
            "Get-ExchangeCertificate -Server EX01 | Where-Object { $_.CertificateDomains -contains 'mail.contoso.com' -and $_.NotAfter -gt (Get-Date) }, then Enable-ExchangeCertificate -Server EX01 -Thumbprint <thumbprint> -Services IIS"), finding);
    }

    [Fact]
    public void A_certificate_that_covers_none_of_its_names_lists_them_all()
    {
        // Issue 19 (Probe survivor ProbeJudgement.cs:276): every other test certificate carries one name.
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=owa.fabrikam.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("owa.fabrikam.com");
        san.AddDnsName("autodiscover.fabrikam.com");
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(365));
        var cert = new CertificateFacts(certificate, SslPolicyErrors.RemoteCertificateNameMismatch, X509ChainStatusFlags.NoError);

        Finding finding = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal("The certificate served by 10.0.0.11 is not valid for Outlook: it does not cover 'mail.contoso.com' (names: owa.fabrikam.com, autodiscover.fabrikam.com).", finding.Message);
    }

    [Fact]
    public void A_name_mismatch_the_platform_reports_fails_even_when_a_name_looks_covered()
    {
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365), SslPolicyErrors.RemoteCertificateNameMismatch);

        Finding finding = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal("The certificate served by 10.0.0.11 is not valid for Outlook: it does not cover 'mail.contoso.com' (names: mail.contoso.com).", finding.Message);
    }

    [Fact]
    public void An_untrusted_chain_fails_with_its_issuer_and_chain_status()
    {
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365), SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot);

        Finding refused = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);
        Finding skipped = ProbeJudgement.Tls(new TlsFacts(true, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, true, Unknown);

        Assert.Equal("The certificate served by 10.0.0.11 is not valid for Outlook: its chain does not lead to a root trusted by this machine (issuer: CN=mail.contoso.com; UntrustedRoot); a TLS-inspection device re-signing traffic looks the same.", refused.Message);
        Assert.Equal(new Finding(CheckStatus.Warning, MapiHttpCause.Certificate,
            "TLS works with 10.0.0.11, but its chain does not lead to a root trusted by this machine (issuer: CN=mail.contoso.com; UntrustedRoot); a TLS-inspection device re-signing traffic looks the same; Outlook's machines may trust that CA: check that they do.", UnknownServerFix), skipped);
    }

    [Theory]
    // Valid from this very second: not "not yet valid".
    [InlineData(0, 365 * 86400, CheckStatus.Pass, "Tls12 with a certificate for 'mail.contoso.com' valid until 2027-12-04.")]
    // One second before it becomes valid.
    [InlineData(1, 365 * 86400, CheckStatus.Fail, "The certificate served by 10.0.0.11 is not valid for Outlook: it is not valid before 2026-12-04.")]
    // Ends this very second: not expired yet, but within the warning days.
    [InlineData(-86400, 0, CheckStatus.Warning, "TLS works with 10.0.0.11, but it expires on 2026-12-04, within 30 days.")]
    // Ended one second ago.
    [InlineData(-86400, -1, CheckStatus.Fail, "The certificate served by 10.0.0.11 is not valid for Outlook: it expired on 2026-12-04.")]
    // Ends exactly 30 days from now: outside the warning window.
    [InlineData(-86400, 30 * 86400, CheckStatus.Pass, "Tls12 with a certificate for 'mail.contoso.com' valid until 2027-01-03.")]
    // One second inside the warning window.
    [InlineData(-86400, 30 * 86400 - 1, CheckStatus.Warning, "TLS works with 10.0.0.11, but it expires on 2027-01-03, within 30 days.")]
    public void Validity_boundaries_to_the_second(int fromSeconds, int toSeconds, CheckStatus status, string message)
    {
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddSeconds(fromSeconds), Now.AddSeconds(toSeconds));

        Finding finding = ProbeJudgement.Tls(new TlsFacts(status != CheckStatus.Fail, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal((status, message), (finding.Status, finding.Message));
    }

    [Theory]
#pragma warning disable SYSLIB0039 // TLS 1.0/1.1 are what the judgement must flag.
    [InlineData(SslProtocols.Tls, 2048, "TLS works with 10.0.0.11, but the server negotiated Tls; enable TLS 1.2.")]
    [InlineData(SslProtocols.Tls11, 2048, "TLS works with 10.0.0.11, but the server negotiated Tls11; enable TLS 1.2.")]
    [InlineData(SslProtocols.Tls11, 1024, "TLS works with 10.0.0.11, but its RSA key has 1024 bits (2048 or more expected); the server negotiated Tls11; enable TLS 1.2.")]
#pragma warning restore SYSLIB0039
    [InlineData(SslProtocols.Tls12, 1024, "TLS works with 10.0.0.11, but its RSA key has 1024 bits (2048 or more expected).")]
    [InlineData(SslProtocols.Tls12, 2048, null)]
    [InlineData(SslProtocols.Tls13, 4096, null)]
    public void Old_tls_and_short_rsa_keys_warn(SslProtocols protocol, int keySize, string? warning)
    {
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365), keySize: keySize);

        Finding finding = ProbeJudgement.Tls(new TlsFacts(true, protocol, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal(warning is null ? CheckStatus.Pass : CheckStatus.Warning, finding.Status);
        Assert.Equal(warning ?? $"{protocol} with a certificate for 'mail.contoso.com' valid until 2027-12-04.", finding.Message);
    }

    [Fact]
    public void An_ecdsa_p256_key_is_not_a_short_rsa_key()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=mail.contoso.com", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("mail.contoso.com");
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(Now.AddDays(-1), Now.AddDays(365));

        Finding finding = ProbeJudgement.Tls(new TlsFacts(true, SslProtocols.Tls12, new CertificateFacts(certificate, SslPolicyErrors.None, X509ChainStatusFlags.NoError), null, false), "mail.contoso.com", "10.0.0.11", Now, 30, false, Unknown);

        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, "Tls12 with a certificate for 'mail.contoso.com' valid until 2027-12-04."), finding);
    }

    [Fact]
    public void A_pass_under_skip_certificate_check_says_validation_was_skipped()
    {
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365));

        Finding finding = ProbeJudgement.Tls(new TlsFacts(true, SslProtocols.Tls13, cert, null, false), "mail.contoso.com", "10.0.0.11", Now, 30, true, Ex01);

        Assert.Equal(new Finding(CheckStatus.Pass, MapiHttpCause.None, "Tls13 with a certificate for 'mail.contoso.com' valid until 2027-12-04 (validation skipped: -SkipCertificateCheck)."), finding);
    }

    [Fact]
    public void Another_use_of_the_certificate_names_its_clients_service_and_next_step()
    {
        // Issue 16: IMAP4 reuses the judgement; its fix binds the certificate to IMAP and then sets X509CertificateName.
        var imap = new CertificateUse("IMAP4 clients", "IMAP4 traffic", "IMAP", server => $"Set-ImapSettings -Server {server} -X509CertificateName mail.contoso.com");
        CertificateFacts cert = Certificate("mail.contoso.com", Now.AddDays(-30), Now.AddDays(-1), SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid);

        Finding finding = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.Tls12, cert, null, false), "mail.contoso.com", "10.0.0.11:993", Now, 30, false, Ex01, imap);
        Finding reset = ProbeJudgement.Tls(new TlsFacts(false, SslProtocols.None, null, null, true), "mail.contoso.com", "10.0.0.11:993", Now, 30, false, Ex01, imap);

        Assert.Equal(new Finding(CheckStatus.Fail, MapiHttpCause.Certificate,
            "The certificate served by 10.0.0.11:993 is not valid for IMAP4 clients: it expired on 2026-12-03.",
            "Get-ExchangeCertificate -Server EX01 | Where-Object { $_.CertificateDomains -contains 'mail.contoso.com' -and $_.NotAfter -gt (Get-Date) }, then Enable-ExchangeCertificate -Server EX01 -Thumbprint <thumbprint> -Services IMAP; Set-ImapSettings -Server EX01 -X509CertificateName mail.contoso.com"), finding);
        // The device on the path cuts IMAP4 traffic here, not /mapi traffic.
        Assert.Equal("The connection to 10.0.0.11:993 was reset during the TLS handshake: a firewall, load balancer or TLS-inspection device is cutting IMAP4 traffic.", reset.Message);
    }

    [Fact]
    public void Validated_means_a_certificate_without_any_policy_error()
    {
        Assert.False(ProbeJudgement.Validated(null));
        Assert.True(ProbeJudgement.Validated(Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365))));
        Assert.False(ProbeJudgement.Validated(Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365), SslPolicyErrors.RemoteCertificateNameMismatch)));
        Assert.False(ProbeJudgement.Validated(Certificate("mail.contoso.com", Now.AddDays(-1), Now.AddDays(365), SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot)));
    }
}
