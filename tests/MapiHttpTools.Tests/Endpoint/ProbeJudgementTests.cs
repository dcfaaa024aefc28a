using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Authentication;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>
/// The probe's judgement as tables: facts in, findings out (issue 12). Every expected value is written out here,
/// never taken from the code under test.
/// </summary>
public sealed class ProbeJudgementTests
{
    private static readonly ProbeSubject Unknown = new("mail.contoso.com", "10.0.0.11", 443, null, null);
    private static readonly ProbeSubject Ex01 = new("mail.contoso.com", "10.0.0.11", 443, "EX01", "EX01\\mapi (Default Web Site)");

    [Theory]
    [InlineData(0, CheckStatus.Pass, MapiHttpCause.None, "Success")]
    [InlineData(1, CheckStatus.Fail, MapiHttpCause.AppPool, "Unknown Failure")]
    [InlineData(2, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Verb")]
    [InlineData(3, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Path")]
    [InlineData(4, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Header")]
    [InlineData(5, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Request Type")]
    [InlineData(6, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Context Cookie")]
    [InlineData(7, CheckStatus.Fail, MapiHttpCause.Network, "Missing Header")]
    [InlineData(8, CheckStatus.Fail, MapiHttpCause.Authentication, "Anonymous Not Allowed")]
    [InlineData(9, CheckStatus.Fail, MapiHttpCause.Network, "Too Large")]
    [InlineData(10, CheckStatus.Fail, MapiHttpCause.Network, "Context Not Found")]
    [InlineData(11, CheckStatus.Fail, MapiHttpCause.Authentication, "No Privilege")]
    [InlineData(12, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Request Body")]
    [InlineData(13, CheckStatus.Fail, MapiHttpCause.Network, "Missing Cookie")]
    [InlineData(14, CheckStatus.Error, MapiHttpCause.None, "Reserved")]
    [InlineData(15, CheckStatus.Fail, MapiHttpCause.Network, "Invalid Sequence")]
    [InlineData(16, CheckStatus.Fail, MapiHttpCause.AppPool, "Endpoint Disabled")]
    [InlineData(17, CheckStatus.Fail, MapiHttpCause.AppPool, "Invalid Response")]
    [InlineData(18, CheckStatus.Fail, MapiHttpCause.AppPool, "Endpoint Shutting Down")]
    [InlineData(99, CheckStatus.Error, MapiHttpCause.None, "Unknown code")]
    public void Every_x_response_code_has_its_status_and_cause(int code, CheckStatus status, MapiHttpCause cause, string name)
    {
        Finding finding = ProbeJudgement.ResponseCode("emsmdb", code, "Exchange/15.02.1258.012", "Basic", null, Ex01);

        Assert.Equal((status, cause), (finding.Status, finding.Cause));
        Assert.Contains(code == 0 ? "succeeded" : $"X-ResponseCode {code} ({name})", finding.Message);
    }

    [Fact]
    public void Endpoint_shutting_down_restarts_the_back_end_pool_on_the_server_that_answered()
    {
        Finding withBackEnd = ProbeJudgement.ResponseCode("emsmdb", 18, null, "Basic", "EX02", Unknown);
        Finding without = ProbeJudgement.ResponseCode("nspi", 16, null, "Basic", null, Unknown);

        Assert.Equal("Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool }", withBackEnd.Recommendation);
        Assert.Equal("On the server behind 10.0.0.11: Get-MapiAppPoolHealth; on the mailbox server that the server behind 10.0.0.11 proxies to: Restart-WebAppPool -Name MSExchangeMapiAddressBookAppPool", without.Recommendation);
    }

    [Theory]
    // The health page, MAPI-only failure (OWA/EWS answer 200), pool stopped: HTTP.sys answers 503 itself.
    [InlineData("healthcheck", 503, true, "MapiOnly", CheckStatus.Fail, MapiHttpCause.AppPool, "Invoke-Command -ComputerName EX01 -ScriptBlock { Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool }")]
    // The application answers 503 itself: the pool runs and fails, so it is restarted, not started.
    [InlineData("healthcheck", 503, false, "MapiOnly", CheckStatus.Fail, MapiHttpCause.AppPool, "Get-MapiAppPoolHealth -ComputerName EX01; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiFrontEndAppPool }")]
    [InlineData("healthcheck", 503, true, "FrontEndWide", CheckStatus.Fail, MapiHttpCause.Network, "Get-ServerComponentState -Identity EX01 | Where-Object State -ne Active")]
    [InlineData("healthcheck", 500, false, "MapiOnly", CheckStatus.Fail, MapiHttpCause.AppPool, "Get-MapiAppPoolHealth -ComputerName EX01; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiFrontEndAppPool }")]
    [InlineData("healthcheck", 500, false, "FrontEndWide", CheckStatus.Fail, MapiHttpCause.Network, "Get-ServerComponentState -Identity EX01 | Where-Object State -ne Active")]
    [InlineData("healthcheck", 404, false, "MapiOnly", CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "Get-MapiVirtualDirectory -Server EX01 | Format-List Identity,InternalUrl,ExternalUrl; if it is missing in IIS: Repair-MapiVirtualDirectory -Server EX01 -Recreate -Force (backs up first)")]
    [InlineData("healthcheck", 404, false, "FrontEndWide", CheckStatus.Fail, MapiHttpCause.Network, "Get-ServerComponentState -Identity EX01 | Where-Object State -ne Active")]
    [InlineData("healthcheck", 401, false, "MapiOnly", CheckStatus.Fail, MapiHttpCause.Network, "Check pre-authentication and access rules on the reverse proxy or load balancer for /mapi/* (MAPI/HTTP must be passed through).")]
    [InlineData("healthcheck", 403, false, "MapiOnly", CheckStatus.Fail, MapiHttpCause.Network, "Check pre-authentication and access rules on the reverse proxy or load balancer for /mapi/* (MAPI/HTTP must be passed through).")]
    [InlineData("healthcheck", 502, false, "MapiOnly", CheckStatus.Fail, MapiHttpCause.Network, "Check the load balancer or reverse proxy in front of 10.0.0.11: the health of its pool members and its timeouts for /mapi/* (MAPI/HTTP holds NotificationWait requests open for minutes).")]
    [InlineData("healthcheck", 504, false, "FrontEndWide", CheckStatus.Fail, MapiHttpCause.Network, "Check the load balancer or reverse proxy in front of 10.0.0.11: the health of its pool members and its timeouts for /mapi/* (MAPI/HTTP holds NotificationWait requests open for minutes).")]
    [InlineData("emsmdb", 503, true, "NotCompared", CheckStatus.Fail, MapiHttpCause.AppPool, "Invoke-Command -ComputerName EX01 -ScriptBlock { Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool }")]
    [InlineData("emsmdb", 503, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.AppPool, "Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool }")]
    [InlineData("nspi", 500, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.AppPool, "Get-MapiAppPoolHealth -ComputerName EX02; Invoke-Command -ComputerName EX02 -ScriptBlock { Restart-WebAppPool -Name MSExchangeMapiAddressBookAppPool }")]
    [InlineData("emsmdb", 404, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "Get-MapiVirtualDirectory -Server EX01 | Format-List Identity,InternalUrl,ExternalUrl; if it is missing in IIS: Repair-MapiVirtualDirectory -Server EX01 -Recreate -Force (backs up first)")]
    [InlineData("nspi", 403, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.Network, "Check pre-authentication and access rules on the reverse proxy or load balancer for /mapi/* (MAPI/HTTP must be passed through).")]
    [InlineData("emsmdb", 502, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.Network, "Check the load balancer or reverse proxy in front of 10.0.0.11: the health of its pool members and its timeouts for /mapi/* (MAPI/HTTP holds NotificationWait requests open for minutes).")]
    [InlineData("nspi", 504, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.Network, "Check the load balancer or reverse proxy in front of 10.0.0.11: the health of its pool members and its timeouts for /mapi/* (MAPI/HTTP holds NotificationWait requests open for minutes).")]
    [InlineData("emsmdb", 418, false, "NotCompared", CheckStatus.Fail, MapiHttpCause.Network, "Check the load balancer or reverse proxy rules for /mapi/* in front of 10.0.0.11: they must pass MAPI/HTTP through to Exchange.")]
    public void Http_statuses_map_to_status_cause_and_an_exact_command(string endpoint, int status, bool httpSys, string comparisonName, CheckStatus expectedStatus, MapiHttpCause cause, string recommendation)
    {
        var comparison = Enum.Parse<FrontEndComparison>(comparisonName);
        Finding finding = endpoint == "healthcheck"
            ? ProbeJudgement.HealthCheck(status, "<html>error</html>", httpSys, comparison, Ex01)
            : ProbeJudgement.Challenge(endpoint, status, null, Array.Empty<string>(), new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", httpSys, comparison, "EX02", Ex01);

        Assert.Equal((expectedStatus, cause), (finding.Status, finding.Cause));
        Assert.Equal(recommendation, finding.Recommendation);
    }

    [Theory]
    [InlineData(200, "200 OK<br/>EX01.contoso.com", CheckStatus.Pass, MapiHttpCause.None, "The MAPI health page answers 200 OK from EX01.contoso.com.")]
    [InlineData(200, "<html>Welcome to nginx</html>", CheckStatus.Warning, MapiHttpCause.Network, "/mapi/healthcheck.htm answers 200 but not with Exchange's health page ('<html>Welcome to nginx</html>'): something other than Exchange answers, e.g. a load balancer or proxy page.")]
    public void Health_page_bodies(int status, string body, CheckStatus expectedStatus, MapiHttpCause cause, string message)
    {
        Finding finding = ProbeJudgement.HealthCheck(status, body, false, FrontEndComparison.NotCompared, Unknown);

        Assert.Equal((expectedStatus, cause, message), (finding.Status, finding.Cause, finding.Message));
    }

    [Theory]
    [InlineData(200, "200 OK<br/>EX02.contoso.com", CheckStatus.Pass, MapiHttpCause.None)]
    [InlineData(503, "", CheckStatus.Fail, MapiHttpCause.Network)]
    [InlineData(200, "<html>maintenance</html>", CheckStatus.Fail, MapiHttpCause.Network)]
    public void Other_health_pages(int status, string body, CheckStatus expectedStatus, MapiHttpCause cause)
    {
        Finding finding = ProbeJudgement.OtherHealthCheck("owa", status, body, Ex01);

        Assert.Equal((expectedStatus, cause), (finding.Status, finding.Cause));
    }

    [Theory]
    [InlineData(200, 200, "MapiOnly")]
    [InlineData(200, 503, "MapiOnly")]
    [InlineData(null, 200, "MapiOnly")]
    [InlineData(503, 503, "FrontEndWide")]
    [InlineData(404, null, "FrontEndWide")]
    [InlineData(null, null, "FrontEndWide")]
    public void Mixed_health_pages_tell_a_mapi_only_failure_from_a_front_end_wide_one(int? owa, int? ews, string expected)
    {
        var pages = new System.Collections.Generic.Dictionary<string, int?> { ["owa"] = owa, ["ews"] = ews };

        Assert.Equal(expected, ProbeJudgement.Compare(pages).ToString());
    }

    [Fact]
    public void A_mixed_set_of_health_pages_reads_as_mapi_only_when_one_other_page_is_healthy()
    {
        // What the prober concludes from owa/ews: one 200 is enough to say the front end itself is alive.
        Assert.Equal("OWA/EWS on the same front end answer 200", ProbeJudgement.Describe(FrontEndComparison.MapiOnly));
        Finding mapiOnly = ProbeJudgement.HealthCheck(503, string.Empty, true, FrontEndComparison.MapiOnly, Unknown);
        Finding wide = ProbeJudgement.HealthCheck(503, string.Empty, true, FrontEndComparison.FrontEndWide, Unknown);

        Assert.Equal("/mapi/healthcheck.htm answers 503 from HTTP.sys itself (Server: Microsoft-HTTPAPI/2.0) while OWA/EWS on the same front end answer 200: the MAPI application pool MSExchangeMapiFrontEndAppPool is stopped.", mapiOnly.Message);
        Assert.Equal("On the server behind 10.0.0.11: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool", mapiOnly.Recommendation);
        Assert.Equal(MapiHttpCause.Network, wide.Cause);
        Assert.Equal("Check what answers at 10.0.0.11 (load balancer virtual server, reverse proxy publishing rules), then Get-ServerComponentState -Identity <server> on the Exchange server behind it", wide.Recommendation);
    }

    [Fact]
    public void Bearer_offered_beside_the_default_methods_passes_and_nothing_recommends_removing_oauth()
    {
        // Issue 11: -Uri without a piped vdir expects Negotiate and NTLM; Bearer beside them is normal with OAuth.
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "Negotiate", "NTLM", "Bearer" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal(CheckStatus.Pass, finding.Status);
        Assert.Null(finding.Recommendation);
        Assert.Equal("/mapi/emsmdb/ challenges anonymous requests with Negotiate, NTLM, Bearer, as expected. Bearer (OAuth) is offered too, as it is when the virtual directory has OAuth.", finding.Message);
    }

    [Fact]
    public void An_unwanted_method_beside_bearer_is_removed_without_removing_oauth()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "Negotiate", "NTLM", "Basic", "Bearer" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (finding.Status, finding.Cause));
        Assert.Equal("If Basic is not wanted: Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Negotiate,Ntlm,OAuth", finding.Recommendation);
    }

    [Fact]
    public void A_missing_bearer_where_oauth_is_configured_is_a_warning_as_the_configuration_check_says()
    {
        Finding finding = ProbeJudgement.Challenge("nspi", 401, null, new[] { "Negotiate", "NTLM" }, new[] { "NTLM", "Bearer", "Negotiate" }, "IISAuthenticationMethods of the virtual directory", false, FrontEndComparison.NotCompared, null, Ex01);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (finding.Status, finding.Cause));
        Assert.StartsWith("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate;", finding.Recommendation);
    }

    [Fact]
    public void A_missing_windows_method_fails_and_the_fix_keeps_the_offered_oauth()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "NTLM", "Bearer" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (finding.Status, finding.Cause));
        Assert.StartsWith("Set-MapiVirtualDirectory -Identity '<Server>\\mapi (Default Web Site)' -IISAuthenticationMethods Negotiate,Ntlm,OAuth;", finding.Recommendation);
    }

    [Fact]
    public void A_hostile_scheme_name_never_reaches_a_command()
    {
        Finding finding = ProbeJudgement.Challenge("emsmdb", 401, null, new[] { "NTLM", "Evil;Remove-Item" }, new[] { "Negotiate", "NTLM" }, "the default, Negotiate and NTLM", false, FrontEndComparison.NotCompared, null, Unknown);

        Assert.DoesNotContain("Remove-Item", finding.Recommendation);
    }

    [Theory]
    [InlineData(null, true, "Negotiate", CheckStatus.Skipped, MapiHttpCause.None)]
    [InlineData("NTLM", true, "Negotiate", CheckStatus.Fail, MapiHttpCause.Authentication)]
    [InlineData(null, false, "Negotiate", CheckStatus.Fail, MapiHttpCause.Authentication)]
    [InlineData(null, true, "Basic", CheckStatus.Fail, MapiHttpCause.Network)]
    [InlineData(null, false, "Basic", CheckStatus.Fail, MapiHttpCause.Network)]
    public void A_401_on_the_ping_is_a_rejection_only_when_credentials_went_out(string? sent, bool schemeKnown, string finalChallenge, CheckStatus status, MapiHttpCause cause)
    {
        var facts = new PingFacts(401, null, null, sent, schemeKnown, new[] { "Negotiate", "NTLM" }, new[] { finalChallenge }, false);

        Finding finding = ProbeJudgement.Ping("emsmdb", facts, FrontEndComparison.NotCompared, null, Unknown);

        Assert.Equal((status, cause), (finding.Status, finding.Cause));
    }

    [Theory]
    // Under -SkipCertificateCheck only an untrusted chain drops to a Warning: Outlook's machines may trust that CA.
    [InlineData("mail.contoso.com", -1, 365, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot, true, CheckStatus.Warning, "its chain does not lead to a root trusted by this machine")]
    [InlineData("mail.contoso.com", -1, 365, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot, false, CheckStatus.Fail, "its chain does not lead to a root trusted by this machine")]
    [InlineData("wrong.contoso.com", -1, 365, SslPolicyErrors.RemoteCertificateNameMismatch, X509ChainStatusFlags.NoError, true, CheckStatus.Fail, "it does not cover 'mail.contoso.com' (names: wrong.contoso.com)")]
    [InlineData("mail.contoso.com", -365, -1, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid, true, CheckStatus.Fail, "it expired on 2026-12-03")]
    [InlineData("mail.contoso.com", 1, 365, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid, true, CheckStatus.Fail, "it is not valid before 2026-12-05")]
    [InlineData("mail.contoso.com", -1, 10, SslPolicyErrors.None, X509ChainStatusFlags.NoError, false, CheckStatus.Warning, "it expires on 2026-12-14, within 30 days")]
    [InlineData("mail.contoso.com", -1, 365, SslPolicyErrors.None, X509ChainStatusFlags.NoError, false, CheckStatus.Pass, "Tls12 with a certificate for 'mail.contoso.com' valid until 2027-12-04.")]
    public void Certificate_verdicts(string name, int fromDays, int toDays, SslPolicyErrors errors, X509ChainStatusFlags chain, bool skip, CheckStatus status, string words)
    {
        DateTime now = new(2026, 12, 4, 22, 0, 0, DateTimeKind.Utc);
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(fromDays), now.AddDays(toDays));
        var facts = new TlsFacts(errors == SslPolicyErrors.None || skip, SslProtocols.Tls12, new CertificateFacts(certificate, errors, chain), null, false);

        Finding finding = ProbeJudgement.Tls(facts, "mail.contoso.com", "10.0.0.11", now, 30, skip, Unknown);

        Assert.Equal(status, finding.Status);
        Assert.Equal(status == CheckStatus.Pass ? MapiHttpCause.None : MapiHttpCause.Certificate, finding.Cause);
        Assert.Contains(words, finding.Message);
    }

    [Fact]
    public void A_1024_bit_rsa_key_is_a_finding()
    {
        DateTime now = new(2026, 12, 4, 22, 0, 0, DateTimeKind.Utc);
        using RSA key = RSA.Create(1024);
        var request = new CertificateRequest("CN=mail.contoso.com", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(365));

        Finding finding = ProbeJudgement.Tls(new TlsFacts(true, SslProtocols.Tls12, new CertificateFacts(certificate, SslPolicyErrors.None, X509ChainStatusFlags.NoError), null, false), "mail.contoso.com", "10.0.0.11", now, 30, false, Unknown);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (finding.Status, finding.Cause));
        Assert.Equal("TLS works with 10.0.0.11, but its RSA key has 1024 bits (2048 or more expected).", finding.Message);
        Assert.Equal("On the Exchange server behind 10.0.0.11: Get-ExchangeCertificate -Server <server> | Where-Object { $_.CertificateDomains -contains 'mail.contoso.com' -and $_.NotAfter -gt (Get-Date) }, then Enable-ExchangeCertificate -Server <server> -Thumbprint <thumbprint> -Services IIS", finding.Recommendation);
    }

    [Fact]
    public void The_ping_handler_pins_its_own_tls_protocols_and_never_holds_a_basic_credential()
    {
        var options = new ProbeOptions { Credential = new NetworkCredential("labuser", "P@ssw0rd!lab", "CONTOSO") };
        var root = new Uri("https://mail.contoso.lab/");

        using HttpClientHandler handler = SystemHttpPing.CreateHandler(root, new[] { "Negotiate", "NTLM" }, options);

        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, handler.SslProtocols);
        Assert.False(handler.UseDefaultCredentials);
        Assert.False(handler.AllowAutoRedirect);
        var cache = Assert.IsType<CredentialCache>(handler.Credentials);
        Assert.Same(options.Credential, cache.GetCredential(root, "NTLM"));
        Assert.Same(options.Credential, cache.GetCredential(root, "Negotiate"));
        Assert.Null(cache.GetCredential(root, "Basic"));
        Assert.Null(cache.GetCredential(root, "Digest"));
    }
}
