using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Commands;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>
/// Test-MapiHttpEndpoint against the lab Exchange front end, one fault at a time, as an admin would run it.
/// </summary>
[Collection("Lab")]
public sealed class EndpointLabTests
{
    private readonly LabFixture _lab;

    public EndpointLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Healthy_front_end_passes_every_anonymous_step_and_sends_exchange_shaped_requests()
    {
        await using LabServer server = await Start(new LabOptions());
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        Assert.Equal(new[] { "Dns", "TcpConnect", "Tls", "HealthCheck", "EmsmdbAnonymous", "NspiAnonymous", "EmsmdbPing", "NspiPing" }, results.Select(r => r.Check).ToArray());
        Assert.All(results.Where(r => r.Check is "TcpConnect" or "Tls" or "HealthCheck" or "EmsmdbAnonymous" or "NspiAnonymous"), r =>
        {
            Assert.Equal(CheckStatus.Pass, r.Status);
            Assert.Equal(MapiHttpCause.None, r.Cause);
            Assert.Equal("127.0.0.1", r.Address);
            Assert.NotNull(r.LatencyMs);
        });
        Assert.Equal(CheckStatus.Skipped, results.Single(r => r.Check == "Dns").Status);
        Assert.All(results.Where(r => r.Check.EndsWith("Ping")), r => Assert.Equal(CheckStatus.Skipped, r.Status));
        Assert.Equal("EX01.contoso.lab", results.Single(r => r.Check == "HealthCheck").Server);
        Assert.Equal(401, results.Single(r => r.Check == "EmsmdbAnonymous").StatusCode);
        Assert.Equal("EX01", results.Single(r => r.Check == "EmsmdbAnonymous").Evidence["X-FEServer"]);
        Assert.Equal(new[] { "Negotiate", "NTLM" }, (string[])results.Single(r => r.Check == "NspiAnonymous").Evidence["OfferedAuthentication"]!);

        // What reached the server: the URL's host in SNI and Host, MAPI/HTTP headers on the POSTs.
        Assert.All(server.Requests, r =>
        {
            Assert.Equal("mail.contoso.lab", r.SniHostName);
            Assert.Equal($"mail.contoso.lab:{server.Port}", r.Host);
        });
        LabRequest connect = server.Requests.Single(r => r.Path.Equals("/mapi/emsmdb/", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("POST", connect.Method);
        Assert.Equal("Connect", connect.Headers["X-RequestType"]);
        Assert.Equal("application/mapi-http", connect.Headers["Content-Type"]);
        Assert.Matches(@"^\{[0-9A-F-]{36}\}:1$", connect.Headers["X-RequestId"]);
        Assert.Matches(@"^\{[0-9A-F-]{36}\}:1$", connect.Headers["X-ClientInfo"]);
        Assert.StartsWith("MapiHttpTools/", connect.Headers["X-ClientApplication"]);
        Assert.Equal("Bind", server.Requests.Single(r => r.Path.Equals("/mapi/nspi/", StringComparison.OrdinalIgnoreCase)).Headers["X-RequestType"]);
    }

    [Theory]
    [InlineData(LabFault.MapiAppPoolStopped, "HealthCheck", MapiHttpCause.AppPool, 503, "MAPI application pool")]
    [InlineData(LabFault.FrontEndDown, "HealthCheck", MapiHttpCause.Network, 503, "all protocols on this front end fail")]
    [InlineData(LabFault.MapiMissing, "HealthCheck", MapiHttpCause.VirtualDirectory, 404, "virtual directory is missing")]
    [InlineData(LabFault.NegotiateMissing, "EmsmdbAnonymous", MapiHttpCause.Authentication, 401, "missing Negotiate")]
    [InlineData(LabFault.AnonymousAllowed, "EmsmdbAnonymous", MapiHttpCause.Authentication, 200, "accepted an anonymous request")]
    public async Task Each_server_fault_is_told_apart_by_cause(LabFault fault, string check, MapiHttpCause cause, int status, string words)
    {
        await using LabServer server = await Start(new LabOptions { Fault = fault });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        MapiHttpEndpointResult failing = results.Single(r => r.Check == check);
        Assert.Equal(CheckStatus.Fail, failing.Status);
        Assert.Equal(cause, failing.Cause);
        Assert.Equal(status, failing.StatusCode);
        Assert.Contains(words, failing.Message);
        Assert.False(string.IsNullOrEmpty(failing.Recommendation));
        Assert.Equal(CheckStatus.Pass, results.Single(r => r.Check == "Tls").Status);
    }

    [Fact]
    public async Task App_pool_stopped_recommends_the_pool_and_the_mapi_endpoints_say_apppool_too()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.MapiAppPoolStopped });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        Assert.Contains("MSExchangeMapiFrontEndAppPool", results.Single(r => r.Check == "HealthCheck").Recommendation);
        Assert.Equal("owa=200, ews=200", results.Single(r => r.Check == "HealthCheck").Evidence["OtherHealthChecks"]);
        Assert.All(results.Where(r => r.Check.EndsWith("Anonymous")), r => Assert.Equal(MapiHttpCause.AppPool, r.Cause));
    }

    [Theory]
    [InlineData(LabFault.CertificateExpired, "expired on")]
    [InlineData(LabFault.CertificateWrongName, "does not cover 'mail.contoso.lab'")]
    [InlineData(LabFault.CertificateUntrusted, "root trusted by this machine")]
    [InlineData(LabFault.CertificateNotYetValid, "is not valid before")]
    public async Task Certificate_faults_fail_tls_and_nothing_is_sent_over_the_unvalidated_connection(LabFault fault, string words)
    {
        await using LabServer server = await Start(new LabOptions { Fault = fault });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        MapiHttpEndpointResult tls = results.Single(r => r.Check == "Tls");
        Assert.Equal(CheckStatus.Fail, tls.Status);
        Assert.Equal(MapiHttpCause.Certificate, tls.Cause);
        Assert.Contains(words, tls.Message);
        Assert.Equal(server.ServerCertificate.Thumbprint, tls.Evidence["CertificateThumbprint"]);
        Assert.Contains("Enable-ExchangeCertificate", tls.Recommendation);
        Assert.All(results.Where(r => r.Check is "HealthCheck" or "EmsmdbAnonymous" or "NspiAnonymous"), r => Assert.Equal(CheckStatus.Skipped, r.Status));
        Assert.Empty(server.Requests);
    }

    [Theory]
    // Issue 11: with -SkipCertificateCheck an untrusted chain is a Warning (Outlook's machines may trust that CA);
    // name mismatch, expiry and not-yet-valid stay Fail, as Outlook rejects them everywhere.
    [InlineData(LabFault.CertificateUntrusted, CheckStatus.Warning, "root trusted by this machine")]
    [InlineData(LabFault.CertificateWrongName, CheckStatus.Fail, "does not cover 'mail.contoso.lab'")]
    [InlineData(LabFault.CertificateExpired, CheckStatus.Fail, "expired on")]
    [InlineData(LabFault.CertificateNotYetValid, CheckStatus.Fail, "is not valid before")]
    public async Task Skip_certificate_check_is_explicit_reported_and_lets_the_probe_go_on(LabFault fault, CheckStatus status, string words)
    {
        await using LabServer server = await Start(new LabOptions { Fault = fault });
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -SkipCertificateCheck", new() { ["u"] = server.MapiUri });
        MapiHttpEndpointResult[] results = run.Objects<MapiHttpEndpointResult>().ToArray();

        Assert.Contains(run.Warnings, w => w.Contains("-SkipCertificateCheck"));
        Assert.All(results, r => Assert.True(r.CertificateCheckSkipped));
        MapiHttpEndpointResult tls = results.Single(r => r.Check == "Tls");
        Assert.Equal((status, MapiHttpCause.Certificate), (tls.Status, tls.Cause));
        Assert.Contains(words, tls.Message);
        Assert.Equal("Skipped (-SkipCertificateCheck)", tls.Evidence["CertificateValidation"]);
        Assert.Equal(CheckStatus.Pass, results.Single(r => r.Check == "HealthCheck").Status);
    }

    [Fact]
    public async Task A_1024_bit_rsa_certificate_is_a_warning()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.CertificateWeakKey });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        MapiHttpEndpointResult tls = results.Single(r => r.Check == "Tls");
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (tls.Status, tls.Cause));
        Assert.Equal(1024, tls.Evidence["KeySize"]);
        Assert.Contains("its RSA key has 1024 bits (2048 or more expected)", tls.Message);
    }

    [Fact]
    public async Task Certificate_expiring_within_the_warning_days_warns_and_the_probe_goes_on()
    {
        await using LabServer server = await StartWithCertificate(_lab.Certificates.ExpiringSoon);
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        MapiHttpEndpointResult tls = results.Single(r => r.Check == "Tls");
        Assert.Equal(CheckStatus.Warning, tls.Status);
        Assert.Equal(MapiHttpCause.Certificate, tls.Cause);
        Assert.Contains("within 30 days", tls.Message);
        Assert.Equal(CheckStatus.Pass, results.Single(r => r.Check == "HealthCheck").Status);

        IReadOnlyList<MapiHttpEndpointResult> relaxed = Probe(server, "-CertificateExpiryWarningDays 5");
        Assert.Equal(CheckStatus.Pass, relaxed.Single(r => r.Check == "Tls").Status);
    }

    [Fact]
    public async Task Connection_reset_is_a_network_failure()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.ConnectionReset });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        MapiHttpEndpointResult failed = results.First(r => r.Status == CheckStatus.Fail);
        Assert.Equal(MapiHttpCause.Network, failed.Cause);
        Assert.Contains(failed.Check, new[] { "Tls", "TcpConnect" });
        Assert.All(results.Where(r => r.Check is "HealthCheck" or "EmsmdbAnonymous"), r => Assert.Equal(CheckStatus.Skipped, r.Status));
    }

    [Fact]
    public async Task Slow_server_beyond_the_timeout_is_a_network_timeout()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.Slow, SlowDelay = TimeSpan.FromSeconds(4) });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server, timeoutSec: 1);

        MapiHttpEndpointResult health = results.Single(r => r.Check == "HealthCheck");
        Assert.Equal(CheckStatus.Fail, health.Status);
        Assert.Equal(MapiHttpCause.Network, health.Cause);
        Assert.Equal(true, health.Evidence["TimedOut"]);
        Assert.Contains("no answer within 1 s", health.Message);
    }

    /// <summary>
    /// Stop cancels the hung request instead of waiting for the 120 s timeout. No wall-clock bound below that (the
    /// standards: no timed assertions; how fast Stop is belongs in the benchmark): a 1 s bound failed at load 75.
    /// </summary>
    [Fact]
    public async Task Ctrl_c_stops_a_hung_probe_long_before_its_timeout()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.Hang });
        using var session = new ModuleSession();
        using PowerShell shell = session.Prepare("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 120", new() { ["u"] = server.MapiUri });
        IAsyncResult running = shell.BeginInvoke();

        var deadline = Stopwatch.StartNew();
        while (server.Requests.Count == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.NotEmpty(server.Requests);
        shell.Stop();
        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)));
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public async Task Authenticated_ping_succeeds_with_basic_and_the_password_appears_nowhere()
    {
        await using LabServer server = await Start(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "Basic" } });
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke(
            "Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -Credential $cred -ExpectedAuthenticationMethods Negotiate,Ntlm,Basic",
            new() { ["u"] = server.MapiUri, ["cred"] = Credential(server.Options.BasicUser, server.Options.BasicPassword) });
        MapiHttpEndpointResult[] results = run.Objects<MapiHttpEndpointResult>().ToArray();

        foreach (string check in new[] { "EmsmdbPing", "NspiPing" })
        {
            MapiHttpEndpointResult ping = results.Single(r => r.Check == check);
            Assert.Equal(CheckStatus.Pass, ping.Status);
            Assert.Equal("0", ping.Evidence["X-ResponseCode"]);
            Assert.Equal("Exchange/15.02.1258.012", ping.Evidence["X-ServerApplication"]);
            Assert.Equal("EX02", ping.Evidence["X-BEServer"]);
        }

        LabRequest sent = server.Requests.First(r => r.Headers.TryGetValue("X-RequestType", out string? t) && t == "PING");
        Assert.StartsWith("Basic ", sent.Headers["Authorization"]);
        string everything = PSSerializer.Serialize(run.Output, 5) + string.Join("", run.Warnings) + string.Join("", run.Verbose) + session.Host.Output;
        Assert.DoesNotContain(server.Options.BasicPassword, everything);
        Assert.DoesNotContain(sent.Headers["Authorization"].Substring(6), everything);
    }

    [Theory]
    // Issue 19: what the authenticated PING's X-ResponseCode means, read off the wire (MS-OXCMAPIHTTP 2.2.3.3.3).
    [InlineData(18, CheckStatus.Fail, MapiHttpCause.AppPool, "X-ResponseCode 18 (Endpoint Shutting Down): the MAPI application pool is recycling or stopping.")]
    [InlineData(10, CheckStatus.Fail, MapiHttpCause.Network, "X-ResponseCode 10 (Context Not Found): the server lost the session: a load balancer without persistence sends requests to another server.")]
    [InlineData(11, CheckStatus.Fail, MapiHttpCause.Authentication, "X-ResponseCode 11 (No Privilege): the account may not use this mailbox or MAPI.")]
    [InlineData(14, CheckStatus.Error, MapiHttpCause.None, "X-ResponseCode 14 (Reserved): MS-OXCMAPIHTTP reserves code 14 and a client ignores it; Exchange does not send it.")]
    public async Task An_x_response_code_on_the_wire_is_judged_by_its_documented_meaning(int code, CheckStatus status, MapiHttpCause cause, string words)
    {
        await using LabServer server = await Start(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "Basic" }, PingResponseCode = code });
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke(
            "Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -Credential $cred -ExpectedAuthenticationMethods Negotiate,Ntlm,Basic",
            new() { ["u"] = server.MapiUri, ["cred"] = Credential(server.Options.BasicUser, server.Options.BasicPassword) });

        MapiHttpEndpointResult ping = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbPing");
        Assert.Equal((status, cause, 200), (ping.Status, ping.Cause, ping.StatusCode));
        Assert.Equal(code.ToString(System.Globalization.CultureInfo.InvariantCulture), ping.Evidence["X-ResponseCode"]);
        Assert.Equal("/mapi/emsmdb/ answered the PING with " + words, ping.Message);
    }

    [Theory]
    // Issue 19: OWA answering while EWS fails beside a failing /mapi is not "all protocols fail": one page answering shows the front end alive.
    [InlineData(new[] { "mapi", "ews" }, MapiHttpCause.AppPool, "owa=200, ews=503", "/mapi/healthcheck.htm answers 503 while OWA/EWS on the same front end answer 200: the application answered 503 itself, so MSExchangeMapiFrontEndAppPool runs but fails (crashing, recycling, or its back end unavailable).")]
    [InlineData(new[] { "mapi", "owa", "ews" }, MapiHttpCause.Network, "owa=503, ews=503", "/mapi/healthcheck.htm answers 503, and OWA and EWS fail on this front end too: all protocols on this front end fail, not a MAPI/HTTP handler problem (the front end is down, or a load balancer/proxy answers for it).")]
    public async Task Health_pages_of_a_mixed_front_end_are_compared_page_by_page(string[] failing, MapiHttpCause cause, string others, string message)
    {
        await using LabServer server = await Start(new LabOptions { HealthPageStatus = failing.ToDictionary(v => v, v => 503) });
        IReadOnlyList<MapiHttpEndpointResult> results = Probe(server);

        MapiHttpEndpointResult health = results.Single(r => r.Check == "HealthCheck");
        Assert.Equal((CheckStatus.Fail, cause, 503), (health.Status, health.Cause, health.StatusCode));
        Assert.Equal(others, health.Evidence["OtherHealthChecks"]);
        Assert.Equal(message, health.Message);
    }

    [Fact]
    public async Task Wrong_password_is_an_authentication_failure()
    {
        await using LabServer server = await Start(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "Basic" } });
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke(
            "Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 -Credential $cred -ExpectedAuthenticationMethods Negotiate,Ntlm,Basic",
            new() { ["u"] = server.MapiUri, ["cred"] = Credential(@"CONTOSO\labuser", "wrong-password") });

        MapiHttpEndpointResult ping = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbPing");
        Assert.Equal(CheckStatus.Fail, ping.Status);
        Assert.Equal(MapiHttpCause.Authentication, ping.Cause);
        Assert.Equal(401, ping.StatusCode);
    }

    [Fact]
    public async Task Piped_virtual_directories_set_the_expected_methods_and_carry_identity_and_server()
    {
        await using LabServer plain = await Start(new LabOptions { ServerName = "EX01.contoso.lab" });
        await using LabServer withOAuth = await Start(new LabOptions { ServerName = "EX02.contoso.lab", AuthenticationMethods = new[] { "Negotiate", "NTLM", "OAuth" } });
        using var session = new ModuleSession();
        session.Invoke(StandInVirtualDirectories);

        ScriptResult run = session.Invoke(
            "Get-MapiVirtualDirectory -Uris $uris | Test-MapiHttpEndpoint -UrlType Internal -TargetAddress 127.0.0.1 -TimeoutSec 5",
            new() { ["uris"] = new[] { plain.MapiUri.ToString(), withOAuth.MapiUri.ToString() } });
        MapiHttpEndpointResult[] results = run.Objects<MapiHttpEndpointResult>().ToArray();

        Assert.Empty(run.Errors);
        MapiHttpEndpointResult ex01 = results.Single(r => r.Check == "EmsmdbAnonymous" && r.Server == "EX01");
        Assert.Equal("EX01\\mapi (Default Web Site)", ex01.Identity);
        // Issue 11: a missing Bearer where OAuth is configured is a Warning, as the configuration check says.
        Assert.Equal(CheckStatus.Warning, ex01.Status);
        Assert.Equal(MapiHttpCause.Authentication, ex01.Cause);
        Assert.Contains("missing Bearer", ex01.Message);
        Assert.Contains("IISAuthenticationMethods of the virtual directory", ex01.Message);
        Assert.Contains("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods", ex01.Recommendation);
        Assert.Contains("OAuth", ex01.Recommendation);

        MapiHttpEndpointResult ex02 = results.Single(r => r.Check == "EmsmdbAnonymous" && r.Server == "EX02");
        Assert.Equal(CheckStatus.Pass, ex02.Status);
        Assert.DoesNotContain(results, r => r.Uri.Contains("external"));
    }

    [Fact]
    public async Task Deserialized_virtual_directories_from_a_remote_session_bind_too()
    {
        await using LabServer server = await Start(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "OAuth" } });
        using var session = new ModuleSession();
        session.Invoke(StandInVirtualDirectories);

        // What Import-PSSession / Invoke-Command hand back: property bags, Uri kept as Uri, collections as lists.
        ScriptResult run = session.Invoke(
            "$remote = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize((Get-MapiVirtualDirectory -Uris $uris), 3)); " +
            "$remote.PSObject.TypeNames[0]; $remote | Test-MapiHttpEndpoint -UrlType Internal -TargetAddress 127.0.0.1 -TimeoutSec 5",
            new() { ["uris"] = new[] { server.MapiUri.ToString() } });

        Assert.Empty(run.Errors);
        Assert.Equal("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ADMapiVirtualDirectory", run.Output[0].BaseObject);
        MapiHttpEndpointResult emsmdb = run.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbAnonymous");
        Assert.Equal(CheckStatus.Pass, emsmdb.Status);
        Assert.Equal(new[] { "NTLM", "Bearer", "Negotiate" }, (string[])emsmdb.Evidence["ExpectedAuthentication"]!);
        Assert.Equal("EX01\\mapi (Default Web Site)", emsmdb.Identity);
        Assert.Equal("EX01", emsmdb.Server);
    }

    [Fact]
    public async Task Deserialized_identity_objects_keep_the_server_in_the_identity()
    {
        await using LabServer server = await Start(new LabOptions());
        using var session = new ModuleSession();

        // Exchange's ADObjectId as a remote session (or Export-Clixml) delivers it: a property bag whose <ToString>
        // is the full identity while Name lacks the server (shape of the CSS-Exchange GetOwaVirtualDirectory.xml export).
        const string identityXml = "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj RefId=\"0\">" +
            "<TN RefId=\"0\"><T>Microsoft.Exchange.Data.Directory.ADObjectId</T><T>Microsoft.Exchange.Data.ObjectId</T><T>System.Object</T></TN>" +
            "<ToString>EX01\\mapi (Default Web Site)</ToString><Props><S N=\"Rdn\">CN=mapi (Default Web Site)</S><S N=\"Name\">mapi (Default Web Site)</S>" +
            "<S N=\"DistinguishedName\">CN=mapi (Default Web Site),CN=HTTP,CN=Protocols,CN=EX01,CN=Servers</S></Props></Obj></Objs>";
        ScriptResult run = session.Invoke(
            "$id = [System.Management.Automation.PSSerializer]::Deserialize($xml); " +
            "[pscustomobject]@{ Identity = $id; Server = 'EX01'; InternalUrl = [uri]$u } | Test-MapiHttpEndpoint -TargetAddress 127.0.0.1 -TimeoutSec 5",
            new() { ["u"] = server.MapiUri.ToString(), ["xml"] = identityXml });

        Assert.Empty(run.Errors);
        Assert.All(run.Objects<MapiHttpEndpointResult>(), r => Assert.Equal("EX01\\mapi (Default Web Site)", r.Identity));
    }

    [Fact]
    public async Task Progress_is_reported_per_address_and_completes()
    {
        await using LabServer server = await Start(new LabOptions());
        using var session = new ModuleSession();
        using PowerShell shell = session.Prepare("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1, 127.0.0.1 -TimeoutSec 5", new() { ["u"] = server.MapiUri });
        shell.Invoke();

        ProgressRecord[] progress = shell.Streams.Progress.ToArray();
        Assert.Contains(progress, p => p.StatusDescription == "0 of 2 addresses probed");
        Assert.Contains(progress, p => p.StatusDescription == "1 of 2 addresses probed" && p.PercentComplete == 50);
        Assert.Equal(ProgressRecordType.Completed, progress.Last().RecordType);
        Assert.Equal("Testing MAPI/HTTP endpoints", progress.Last().Activity);
    }

    [Fact]
    public async Task Target_address_reaches_each_node_behind_one_name()
    {
        await using LabServer healthy = await Start(new LabOptions { ServerName = "EX01.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.1") });
        await using LabServer broken = await Start(new LabOptions { ServerName = "EX02.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.2"), Port = healthy.Port, Fault = LabFault.MapiAppPoolStopped });
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1, 127.0.0.2 -TimeoutSec 5", new() { ["u"] = healthy.MapiUri });
        MapiHttpEndpointResult[] health = run.Objects<MapiHttpEndpointResult>().Where(r => r.Check == "HealthCheck").ToArray();

        Assert.Equal(CheckStatus.Pass, health.Single(r => r.Address == "127.0.0.1").Status);
        Assert.Equal("EX01.contoso.lab", health.Single(r => r.Address == "127.0.0.1").Server);
        Assert.Equal(MapiHttpCause.AppPool, health.Single(r => r.Address == "127.0.0.2").Cause);
        Assert.NotEmpty(healthy.Requests);
        Assert.NotEmpty(broken.Requests);
        Assert.All(broken.Requests, r => Assert.Equal("mail.contoso.lab", r.SniHostName));
    }

    [Fact]
    public async Task Without_target_address_every_address_of_the_name_is_tested()
    {
        await using LabServer first = await Start(new LabOptions { ServerName = "EX01.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.1") });
        await using LabServer second = await Start(new LabOptions { ServerName = "EX02.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.3"), Port = first.Port, Fault = LabFault.MapiMissing });
        {
            using var session = new ModuleSession();
            session.Services().HostResolver = new LabResolver(("mail.contoso.lab", new[] { "127.0.0.1", "127.0.0.3" }));
            ScriptResult run = session.Invoke("Test-MapiHttpEndpoint $u -TimeoutSec 5", new() { ["u"] = first.MapiUri.ToString() });
            MapiHttpEndpointResult[] results = run.Objects<MapiHttpEndpointResult>().ToArray();

            MapiHttpEndpointResult dns = results.Single(r => r.Check == "Dns");
            Assert.Equal(CheckStatus.Pass, dns.Status);
            Assert.Equal(new[] { "127.0.0.1", "127.0.0.3" }, (string[])dns.Evidence["Addresses"]!);
            Assert.Equal(CheckStatus.Pass, results.Single(r => r.Check == "HealthCheck" && r.Address == "127.0.0.1").Status);
            Assert.Equal(MapiHttpCause.VirtualDirectory, results.Single(r => r.Check == "HealthCheck" && r.Address == "127.0.0.3").Cause);
        }
    }

    [Fact]
    public async Task Default_view_is_a_table_an_admin_can_read()
    {
        await using LabServer server = await Start(new LabOptions { Fault = LabFault.MapiAppPoolStopped });
        using var session = new ModuleSession();
        session.Invoke("Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -TimeoutSec 5 | Out-Default", new() { ["u"] = server.MapiUri });
        string screen = session.Host.Output;

        Assert.Contains("Uri: " + server.MapiUri, screen);
        Assert.Matches(@"Status\s+Cause\s+Check\s+Address\s+Ms\s+Message", screen);
        Assert.Matches(@"Fail\s+AppPool\s+HealthCheck\s+127\.0\.0\.1", screen);
        Assert.DoesNotContain("MapiHttpTools.MapiHttpEndpointResult", screen);

        // At 120 columns no word of a message is cut across lines (PowerShell's table wrap alone cuts mid-word).
        string[] words = screen.Split(new[] { ' ', '\n', '\r' }, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("MSExchangeMapiFrontEndAppPool", words);
        Assert.Contains("Microsoft-HTTPAPI/2.0)", words);
        Assert.Contains("-TargetAddress", words);
        Assert.Contains("'mail.contoso.lab'", words);
        Assert.All(screen.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 120, line));
    }

    private const string StandInVirtualDirectories = @"
function global:Get-MapiVirtualDirectory {
    param([string[]] $Uris)
    $i = 0
    foreach ($u in $Uris) {
        $i++
        $vdir = [pscustomobject]@{
            PSTypeName = 'Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ADMapiVirtualDirectory'
            Identity = ""EX0$i\mapi (Default Web Site)""
            Name = 'mapi (Default Web Site)'
            Server = ""EX0$i""
            InternalUrl = [uri]$u
            ExternalUrl = [uri]('https://external.contoso.lab/mapi')
            IISAuthenticationMethods = [System.Collections.ArrayList]@('Ntlm', 'OAuth', 'Negotiate')
            InternalAuthenticationMethods = [System.Collections.ArrayList]@('Ntlm', 'OAuth', 'Negotiate')
            ExternalAuthenticationMethods = [System.Collections.ArrayList]@('Ntlm', 'OAuth', 'Negotiate')
            MetabasePath = 'IIS://EX0' + $i + '.contoso.lab/W3SVC/1/ROOT/mapi'
            Path = 'C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\mapi'
            ExchangeVersion = '0.10 (14.0.100.0)'
            WhenChanged = [datetime]'2026-01-05'
        }
        $vdir
    }
}";

    private Task<LabServer> Start(LabOptions options) => LabServer.StartAsync(options, _lab.Certificates);

    private Task<LabServer> StartWithCertificate(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        LabServer.StartAsync(new LabOptions { ServerCertificateOverride = certificate }, _lab.Certificates);

    private static PSCredential Credential(string user, string password)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in password)
        {
            secure.AppendChar(c);
        }

        return new PSCredential(user, secure);
    }

    private static IReadOnlyList<MapiHttpEndpointResult> Probe(LabServer server, string extra = "", int timeoutSec = 5)
    {
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke($"Test-MapiHttpEndpoint -Uri $u -TargetAddress {server.Address} -TimeoutSec {timeoutSec} {extra}", new() { ["u"] = server.MapiUri });
        Assert.Empty(run.Errors);
        return run.Objects<MapiHttpEndpointResult>().ToArray();
    }

    private sealed class LabResolver : IHostResolver
    {
        private readonly Dictionary<string, IPAddress[]> _names;

        public LabResolver(params (string Name, string[] Addresses)[] names) =>
            _names = names.ToDictionary(n => n.Name, n => n.Addresses.Select(IPAddress.Parse).ToArray(), StringComparer.OrdinalIgnoreCase);

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) =>
            _names.TryGetValue(host, out IPAddress[]? addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001));
    }
}
