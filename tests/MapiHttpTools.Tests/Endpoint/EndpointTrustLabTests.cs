using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>
/// Verdicts an admin can trust against servers that are wrong or hostile (issues 11 and 20): what the probe says,
/// and what reached the lab on the wire.
/// </summary>
[Collection("Lab")]
public sealed class EndpointTrustLabTests
{
    private static readonly string[] StepOrder = { "TcpConnect", "Tls", "HealthCheck", "EmsmdbAnonymous", "NspiAnonymous", "EmsmdbPing", "NspiPing" };

    private readonly LabFixture _lab;

    public EndpointTrustLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Bearer_offered_to_a_plain_uri_probe_passes_and_nothing_recommends_dropping_oauth()
    {
        await using LabServer server = await Start(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "OAuth" } });
        ScriptResult run = Run("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5", server);

        MapiHttpEndpointResult[] anonymous = run.Objects<MapiHttpEndpointResult>().Where(r => r.Check.EndsWith("Anonymous")).ToArray();
        Assert.Equal(2, anonymous.Length);
        Assert.All(anonymous, r => Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (r.Status, r.Cause)));
        Assert.All(anonymous, r => Assert.Equal(new[] { "Negotiate", "NTLM", "Bearer" }, (string[])r.Evidence["OfferedAuthentication"]!));
        Assert.DoesNotContain(run.Objects<MapiHttpEndpointResult>(), r => r.Recommendation is not null && r.Recommendation.Contains("IISAuthenticationMethods"));
    }

    [Fact]
    public async Task A_stopped_pool_behind_an_address_is_named_honestly_and_a_known_server_by_its_name()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.MapiAppPoolStopped });

        ScriptResult byUri = Run("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5", server);
        ScriptResult byServer = Run("Test-MapiHttpEndpoint -Uri $u -Server EX01 -TargetAddress 127.0.0.1 -TimeoutSec 5", server);

        Assert.Equal("On the server behind 127.0.0.1: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool",
            byUri.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "HealthCheck").Recommendation);
        Assert.Equal("Invoke-Command -ComputerName EX01 -ScriptBlock { Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool }",
            byServer.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "HealthCheck").Recommendation);
        Assert.DoesNotContain(byUri.Objects<MapiHttpEndpointResult>(), r => r.Recommendation is not null && r.Recommendation.Contains("mail.contoso.lab") && r.Recommendation.Contains("WebAppPool"));
    }

    [Fact]
    public async Task Rows_of_one_address_come_out_together_and_in_step_order()
    {
        await using LabServer first = await Start(new LabOptions { ServerName = "EX01.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.1") });
        await using LabServer second = await Start(new LabOptions { ServerName = "EX02.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.4"), Port = first.Port, Fault = LabFault.MapiAppPoolStopped });
        ScriptResult run = Run("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1, 127.0.0.4 -TimeoutSec 5", first);

        MapiHttpEndpointResult[] rows = run.Objects<MapiHttpEndpointResult>().ToArray();
        Assert.Equal(("Dns", (string?)null), (rows[0].Check, rows[0].Address));
        string[] addresses = rows.Skip(1).Select(r => r.Address!).ToArray();
        string firstAddress = addresses[0];
        string otherAddress = firstAddress == "127.0.0.1" ? "127.0.0.4" : "127.0.0.1";
        Assert.Equal(Enumerable.Repeat(firstAddress, 7).Concat(Enumerable.Repeat(otherAddress, 7)).ToArray(), addresses);
        Assert.Equal(StepOrder.Concat(StepOrder).ToArray(), rows.Skip(1).Select(r => r.Check).ToArray());
    }

    [Fact]
    public async Task Credentials_are_not_sent_over_plain_http_without_the_switch()
    {
        await using LabServer server = await Start(new LabOptions { PlainHttp = true, AuthenticationMethods = new[] { "Negotiate", "NTLM", "Basic" } });
        ScriptResult run = Run("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -Credential $cred -ExpectedAuthenticationMethods Negotiate,Ntlm,Basic", server, LabCredential(server));

        foreach (string check in new[] { "EmsmdbPing", "NspiPing" })
        {
            MapiHttpEndpointResult ping = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == check);
            Assert.Equal(CheckStatus.Skipped, ping.Status);
            Assert.Contains("is http, and credentials are never sent unencrypted", ping.Message);
            Assert.Contains("-AllowUnencryptedAuthentication", ping.Message);
        }

        Assert.NotEmpty(server.Requests);
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));

        // With the explicit switch the admin chose it: Basic goes out, and the result names it.
        ScriptResult allowed = Run("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -Credential $cred -ExpectedAuthenticationMethods Negotiate,Ntlm,Basic -AllowUnencryptedAuthentication", server, LabCredential(server));
        MapiHttpEndpointResult passed = allowed.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbPing");
        Assert.Equal(CheckStatus.Pass, passed.Status);
        Assert.Equal("Basic", passed.Evidence["AuthenticationScheme"]);
        Assert.Contains(allowed.Warnings, w => w.Contains("-AllowUnencryptedAuthentication"));
    }

    [Fact]
    public async Task Credentials_are_not_sent_to_an_unvalidated_certificate_without_the_switch()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.CertificateUntrusted, AuthenticationMethods = new[] { "Negotiate", "NTLM", "Basic" } });
        ScriptResult run = Run("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -SkipCertificateCheck -Credential $cred -ExpectedAuthenticationMethods Negotiate,Ntlm,Basic", server, LabCredential(server));

        MapiHttpEndpointResult ping = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbPing");
        Assert.Equal(CheckStatus.Skipped, ping.Status);
        Assert.Equal("Authenticated PING not sent: the certificate of 127.0.0.1 was not validated (-SkipCertificateCheck), so the peer could be anyone. Pass -AllowUnencryptedAuthentication to send credentials to it anyway.", ping.Message);
        Assert.NotEmpty(server.Requests);
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
    }

    [Fact]
    public async Task A_server_that_answers_the_ping_with_a_basic_challenge_gets_no_password()
    {
        // Negotiate/NTLM to the anonymous probe, then Basic for the PING: the system HTTP stack must not answer it.
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.BasicDowngrade });
        ScriptResult run = RunLocalhost(server, "-Credential $cred", LabCredential(server));

        MapiHttpEndpointResult ping = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbPing");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Network, 401), (ping.Status, ping.Cause, ping.StatusCode));
        Assert.Contains("a downgrade to a weaker scheme; the credentials were not sent", ping.Message);
        Assert.Equal("none (no credentials were sent)", ping.Evidence["AuthenticationScheme"]);
        Assert.Contains(server.Requests, r => r.Headers.TryGetValue("X-RequestType", out string? t) && t == "PING");
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
    }

    [Fact]
    public async Task Negotiate_and_ntlm_the_platform_cannot_produce_are_skipped_not_called_rejected()
    {
        // The CI platform (Linux without gss-ntlmssp): its HTTP stack has no NTLM/Negotiate to send. On Windows SSPI
        // would send NTLM and this test does not apply.
        Assert.False(SystemHttpPing.PlatformHasWindowsAuthentication);
        await using LabServer server = await Start(new LabOptions());
        ScriptResult run = RunLocalhost(server, "-Credential $cred", LabCredential(server));

        MapiHttpEndpointResult ping = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbPing");
        Assert.Equal((CheckStatus.Skipped, MapiHttpCause.None), (ping.Status, ping.Cause));
        Assert.StartsWith("Authenticated PING not sent: /mapi/emsmdb/ offers Negotiate, NTLM, and this platform's HTTP stack could not produce credentials for it", ping.Message);
        Assert.DoesNotContain("rejected", ping.Message);
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
    }

    [Fact]
    public async Task Control_characters_from_the_server_are_shown_escaped()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.HostileText });
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 | Out-Default; Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5", new() { ["u"] = server.MapiUri });
        MapiHttpEndpointResult[] results = run.Objects<MapiHttpEndpointResult>().ToArray();

        const string Escaped = "\\e]0;pwned\\a\\e[2J";
        MapiHttpEndpointResult health = results.Single(r => r.Check == "HealthCheck");
        Assert.Equal("EX01.contoso.lab" + Escaped, health.Server);
        Assert.Equal("The MAPI health page answers 200 OK from EX01.contoso.lab" + Escaped + ".", health.Message);
        Assert.Equal("Microsoft-IIS/10.0" + Escaped, health.Evidence["Server"]);
        Assert.Equal("EX01" + Escaped, health.Evidence["X-FEServer"]);
        MapiHttpEndpointResult emsmdb = results.Single(r => r.Check == "EmsmdbAnonymous");
        Assert.EndsWith(";;" + Escaped, (string)emsmdb.Evidence["X-FailureContext"]!);
        Assert.Contains("NTLM realm=\"" + Escaped + "\"", (string[])emsmdb.Evidence["WWW-Authenticate"]!);

        string everything = PSSerializer.Serialize(run.Output, 5) + session.Host.Output;
        Assert.DoesNotContain('\u001b', everything);
        Assert.DoesNotContain('\u0007', everything);
    }

    private Task<LabServer> Start(LabOptions options) => LabServer.StartAsync(options, _lab.Certificates);

    private static ScriptResult Run(string script, LabServer server, PSCredential? credential = null)
    {
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke(script, new() { ["u"] = server.MapiUri, ["cred"] = credential });
        Assert.Empty(run.Errors);
        return run;
    }

    /// <summary>
    /// The system HTTP stack connects by name: probe https://localhost:port/mapi (localhost is on the lab certificate)
    /// with the stand-in DNS giving the probe one address, so the Negotiate/NTLM path really runs.
    /// </summary>
    private static ScriptResult RunLocalhost(LabServer server, string extra, PSCredential credential)
    {
        using var session = new ModuleSession();
        session.Services().HostResolver = new OneAddress(IPAddress.Loopback);
        ScriptResult run = session.Invoke($"Test-MapiHttpEndpoint -Uri $u -TimeoutSec 5 {extra}",
            new() { ["u"] = new Uri($"https://localhost:{server.Port}/mapi"), ["cred"] = credential });
        Assert.Empty(run.Errors);
        return run;
    }

    private static PSCredential LabCredential(LabServer server)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in server.Options.BasicPassword)
        {
            secure.AppendChar(c);
        }

        return new PSCredential(server.Options.BasicUser, secure);
    }

    private sealed class OneAddress : IHostResolver
    {
        private readonly IPAddress _address;

        public OneAddress(IPAddress address) => _address = address;

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) => Task.FromResult(new[] { _address });
    }
}
