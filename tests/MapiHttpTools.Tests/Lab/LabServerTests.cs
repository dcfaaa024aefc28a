using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Lab;

/// <summary>The lab front end behaves like Exchange on the wire, fault by fault.</summary>
[Collection("Lab")]
public sealed class LabServerTests
{
    private const string MailboxQuery = "?MailboxId=0b6e1c3a-5d4f-4a8e-9c2b-7f1e6d5c4b3a@contoso.lab";
    private static readonly Regex RequestIdPattern = new("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private readonly LabCertificates _pki;

    public LabServerTests(LabFixture fixture) => _pki = fixture.Certificates;

    [Fact]
    public async Task Healthcheck_answers_on_every_vdir_with_the_server_fqdn_and_Exchange_headers()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { ServerName = "EX07.contoso.lab" }, _pki);

        foreach (string vdir in new[] { "mapi", "OWA", "ews", "Microsoft-Server-ActiveSync", "oab", "ecp", "Autodiscover", "rpc" })
        {
            WireResponse response = await LabWire.SendAsync(server, _pki, "GET", $"/{vdir}/HealthCheck.htm");

            Assert.Equal(200, response.Status);
            Assert.Equal("text/html", response.Header("Content-Type"));
            Assert.Equal("200 OK<br/>EX07.contoso.lab", response.Body);
            Assert.Equal("EX07", response.Header("X-FEServer"));
            Assert.Matches(RequestIdPattern, response.Header("request-id"));
        }

        Assert.Equal(8, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task Anonymous_mapi_post_gets_one_challenge_per_method_and_the_request_is_recorded_as_sent()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions(), _pki);

        WireResponse emsmdb = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/" + MailboxQuery, LabWire.PingHeaders());
        WireResponse nspi = await LabWire.SendAsync(server, _pki, "POST", "/mapi/nspi/", LabWire.PingHeaders());

        foreach (WireResponse response in new[] { emsmdb, nspi })
        {
            Assert.Equal(401, response.Status);
            Assert.Equal(new[] { "Negotiate", "NTLM" }, response.Headers("WWW-Authenticate"));
            Assert.StartsWith("FrontEnd;401;", response.Header("X-FailureContext"));
            Assert.Equal("EX01", response.Header("X-FEServer"));
            Assert.Matches(RequestIdPattern, response.Header("request-id"));
            Assert.Equal("0", response.Header("Content-Length"));
            Assert.Null(response.Header("X-ResponseCode"));
        }

        LabRequest first = server.Requests[0];
        Assert.Equal("POST", first.Method);
        Assert.Equal("/mapi/emsmdb/", first.Path);
        Assert.Equal(MailboxQuery, first.QueryString);
        Assert.Equal($"mail.contoso.lab:{server.Port}", first.Host);
        Assert.Equal("mail.contoso.lab", first.SniHostName);
        Assert.Equal("PING", first.Headers["x-requesttype"]);
        Assert.Equal("application/mapi-http", first.Headers["Content-Type"]);
        Assert.Empty(first.Body);
        Assert.Equal("/mapi/nspi/", server.Requests[1].Path);
        Assert.Equal(string.Empty, server.Requests[1].QueryString);
    }

    [Fact]
    public async Task Challenges_follow_the_configured_methods_and_NegotiateMissing_drops_Negotiate()
    {
        await using LabServer all = await LabServer.StartAsync(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "Basic", "OAuth" } }, _pki);
        await using LabServer noKerberos = await LabServer.StartAsync(new LabOptions { Fault = LabFault.NegotiateMissing }, _pki);

        string[] offered = (await LabWire.SendAsync(all, _pki, "POST", "/mapi/emsmdb/", LabWire.PingHeaders())).Headers("WWW-Authenticate");
        string[] ntlmOnly = (await LabWire.SendAsync(noKerberos, _pki, "POST", "/mapi/nspi/" + MailboxQuery, LabWire.PingHeaders())).Headers("WWW-Authenticate");

        Assert.Equal(4, offered.Length);
        Assert.Equal("Negotiate", offered[0]);
        Assert.Equal("NTLM", offered[1]);
        Assert.Equal("Basic realm=\"mail.contoso.lab\"", offered[2]);
        Assert.StartsWith("Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=", offered[3]);
        Assert.Contains("authorization_uri=\"https://login.windows.net/common/oauth2/authorize\"", offered[3]);
        Assert.Equal(new[] { "NTLM" }, ntlmOnly);
    }

    [Fact]
    public async Task Basic_ping_is_answered_chunked_with_the_MAPI_HTTP_headers_and_meta_tags()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions(), _pki);

        WireResponse response = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/" + MailboxQuery,
            LabWire.PingHeaders(LabWire.Basic(@"contoso\LABUSER", "P@ssw0rd!lab")));

        Assert.Equal(200, response.Status);
        Assert.Equal("application/mapi-http", response.Header("Content-Type"));
        Assert.True(response.IsChunked);
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("PING", response.Header("X-RequestType"));
        Assert.Equal("0", response.Header("X-ResponseCode"));
        Assert.Equal("Exchange/15.02.1258.012", response.Header("X-ServerApplication"));
        Assert.Equal("900000", response.Header("X-ExpirationInfo"));
        Assert.Equal("15000", response.Header("X-PendingPeriod"));
        Assert.Equal("{6F6E0B7E-4E43-4A57-A2B4-6D1C6E1F2A11}:1", response.Header("X-RequestId"));
        Assert.Equal("{2B7F5E53-9C1D-4E8A-8C63-0A4A5C7B9E21}:1", response.Header("X-ClientInfo"));
        Assert.Equal("EX02", response.Header("X-BEServer"));
        Assert.Equal("ex02.contoso.lab", response.Header("X-CalculatedBETarget"));
        Assert.Equal("EX01", response.Header("X-FEServer"));
        Assert.Matches(RequestIdPattern, response.Header("request-id"));

        Assert.Equal(2, response.Chunks.Count);
        Assert.Equal("PROCESSING\r\n", response.Chunks[0]);
        Match done = Regex.Match(response.Chunks[1], "^DONE\r\nX-ElapsedTime: (\\d+)\r\nX-StartTime: (.+ GMT)\r\n\r\n$");
        Assert.True(done.Success, response.Chunks[1]);
        DateTime started = DateTime.ParseExact(done.Groups[2].Value, "R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange((DateTime.UtcNow - started.ToUniversalTime()).TotalMinutes, -1, 1);
    }

    [Fact]
    public async Task Wrong_password_is_challenged_again_and_a_missing_required_header_gets_response_code_7()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions(), _pki);

        WireResponse wrong = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/", LabWire.PingHeaders(LabWire.Basic(@"CONTOSO\labuser", "not-the-password")));
        (string, string)[] withoutClientInfo = LabWire.PingHeaders(LabWire.Basic(@"CONTOSO\labuser", "P@ssw0rd!lab")).Where(h => h.Name != "X-ClientInfo").ToArray();
        WireResponse missing = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/", withoutClientInfo);

        Assert.Equal(401, wrong.Status);
        Assert.Equal(new[] { "Negotiate", "NTLM" }, wrong.Headers("WWW-Authenticate"));
        Assert.Equal(200, missing.Status);
        Assert.Equal("7", missing.Header("X-ResponseCode"));
        Assert.Contains("X-ClientInfo", missing.Body);
    }

    [Fact]
    public async Task AnonymousAllowed_serves_an_anonymous_ping_without_a_challenge()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.AnonymousAllowed }, _pki);

        WireResponse response = await LabWire.SendAsync(server, _pki, "POST", "/mapi/nspi/" + MailboxQuery, LabWire.PingHeaders());

        Assert.Equal(200, response.Status);
        Assert.Empty(response.Headers("WWW-Authenticate"));
        Assert.Equal("0", response.Header("X-ResponseCode"));
        Assert.Equal("PING", response.Header("X-RequestType"));
        Assert.StartsWith("PROCESSING\r\nDONE\r\n", response.Body);
    }

    [Theory]
    [InlineData(LabFault.MapiAppPoolStopped, 503, 503, 200)]
    [InlineData(LabFault.FrontEndDown, 503, 503, 503)]
    [InlineData(LabFault.MapiMissing, 404, 404, 200)]
    [InlineData(LabFault.None, 200, 401, 200)]
    public async Task Faults_decide_what_mapi_and_the_other_vdirs_answer(LabFault fault, int mapiHealth, int emsmdb, int owaHealth)
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = fault }, _pki);

        WireResponse mapi = await LabWire.SendAsync(server, _pki, "GET", "/mapi/healthcheck.htm");
        WireResponse post = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/" + MailboxQuery, LabWire.PingHeaders());
        WireResponse owa = await LabWire.SendAsync(server, _pki, "GET", "/owa/healthcheck.htm");

        Assert.Equal(mapiHealth, mapi.Status);
        Assert.Equal(emsmdb, post.Status);
        Assert.Equal(owaHealth, owa.Status);
        foreach (WireResponse response in new[] { mapi, post, owa }.Where(r => r.Status == 503))
        {
            // HTTP.sys answers for a stopped pool: its own page and Server header, no Exchange headers.
            Assert.StartsWith("text/html", response.Header("Content-Type"));
            Assert.Contains("<h2>Service Unavailable</h2>", response.Body);
            Assert.Equal("Microsoft-HTTPAPI/2.0", response.Header("Server"));
            Assert.Null(response.Header("X-FEServer"));
        }

        foreach (WireResponse response in new[] { mapi, post, owa }.Where(r => r.Status == 404))
        {
            Assert.Equal("EX01", response.Header("X-FEServer"));
        }
    }

    [Fact]
    public async Task Unknown_paths_are_404_with_the_front_end_header()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions(), _pki);

        WireResponse response = await LabWire.SendAsync(server, _pki, "GET", "/mapi/notthere/");

        Assert.Equal(404, response.Status);
        Assert.Equal("EX01", response.Header("X-FEServer"));
        Assert.Matches(RequestIdPattern, response.Header("request-id"));
    }

    [Theory]
    [InlineData(LabFault.None, X509ChainStatusFlags.NoError, SslPolicyErrors.None)]
    [InlineData(LabFault.CertificateExpired, X509ChainStatusFlags.NotTimeValid, SslPolicyErrors.RemoteCertificateChainErrors)]
    [InlineData(LabFault.CertificateWrongName, X509ChainStatusFlags.NoError, SslPolicyErrors.RemoteCertificateNameMismatch)]
    [InlineData(LabFault.CertificateUntrusted, X509ChainStatusFlags.UntrustedRoot, SslPolicyErrors.RemoteCertificateChainErrors)]
    public async Task Each_certificate_fault_serves_its_certificate_and_default_validation_judges_it(LabFault fault, X509ChainStatusFlags chainFlag, SslPolicyErrors defaultErrors)
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = fault }, _pki);
        X509Certificate2 expected = fault switch
        {
            LabFault.CertificateExpired => _pki.Expired,
            LabFault.CertificateWrongName => _pki.WrongName,
            LabFault.CertificateUntrusted => _pki.Untrusted,
            _ => _pki.Valid,
        };

        // Default platform validation (the fixture trusted the lab root in CurrentUser\Root): record what it says.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address, server.Port);
        await using var tls = new SslStream(tcp.GetStream());
        X509Certificate2? served = null;
        SslPolicyErrors seen = (SslPolicyErrors)(-1);
        Exception? failure = await Record.ExceptionAsync(() => tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = LabServer.NamespaceHost,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                served = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                seen = errors;
                return errors == SslPolicyErrors.None;
            },
        }));

        Assert.Same(expected, server.ServerCertificate);
        Assert.NotNull(served);
        Assert.Equal(expected.Thumbprint, served!.Thumbprint);
        Assert.Equal(defaultErrors, seen);
        Assert.True((_pki.ValidateChain(served) & chainFlag) == chainFlag || chainFlag == X509ChainStatusFlags.NoError);
        if (chainFlag == X509ChainStatusFlags.NoError)
        {
            Assert.Equal(X509ChainStatusFlags.NoError, _pki.ValidateChain(served));
        }

        if (defaultErrors == SslPolicyErrors.None)
        {
            Assert.Null(failure);
        }
        else
        {
            Assert.IsType<AuthenticationException>(failure);
        }
    }

    [Fact]
    public async Task HttpClient_with_default_validation_trusts_the_lab_after_TrustRoot()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions(), _pki);
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(server.Address, server.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);

        string body = await client.GetStringAsync(new Uri(server.MapiUri, "healthcheck.htm"));

        Assert.Equal("200 OK<br/>EX01.contoso.lab", body);
        Assert.Equal(new Uri($"https://mail.contoso.lab:{server.Port}/mapi/"), server.MapiUri);
        Assert.Equal("mail.contoso.lab", server.Requests.Single().SniHostName);
    }

    [Fact]
    public async Task Sni_is_recorded_as_sent_and_absent_when_the_client_connects_by_address()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions(), _pki);

        foreach (string target in new[] { "autodiscover.contoso.lab", "127.0.0.1" })
        {
            await using SslStream tls = await LabWire.ConnectAsync(server, _pki, target);
            await tls.WriteAsync(LabWire.BuildRequest(server, "GET", "/ews/healthcheck.htm"));
            using var sink = new MemoryStream();
            await tls.CopyToAsync(sink);
            Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(sink.ToArray()));
        }

        Assert.Equal("autodiscover.contoso.lab", server.Requests[0].SniHostName);
        Assert.Null(server.Requests[1].SniHostName);
    }

    [Fact]
    public async Task ConnectionReset_resets_the_connection_at_the_tls_handshake()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.ConnectionReset }, _pki);

        IOException failure = await Assert.ThrowsAsync<IOException>(() => LabWire.ConnectAsync(server, _pki));

        var socketError = Assert.IsType<SocketException>(failure.InnerException);
        Assert.Equal(SocketError.ConnectionReset, socketError.SocketErrorCode);
        Assert.NotEqual(0, server.Port);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Hang_completes_tls_but_never_answers_and_dispose_releases_the_client()
    {
        LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.Hang }, _pki);
        SslStream tls;
        try
        {
            tls = await LabWire.ConnectAsync(server, _pki);
            await tls.WriteAsync(LabWire.BuildRequest(server, "GET", "/mapi/healthcheck.htm"));
            await tls.FlushAsync();
            byte[] buffer = new byte[256];
            using var oneSecond = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await tls.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: false, oneSecond.Token));
            Assert.Equal("/mapi/healthcheck.htm", Assert.Single(server.Requests).Path);
        }
        finally
        {
            Task dispose = server.DisposeAsync().AsTask();
            Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(5))));
            await dispose;
        }

        // The abandoned request's connection is closed, not answered.
        await using (tls)
        {
            using var sink = new MemoryStream();
            Exception? closed = await Record.ExceptionAsync(() => tls.CopyToAsync(sink));
            Assert.True(closed is null or IOException, closed?.ToString());
            Assert.Equal(0, sink.Length);
        }
    }

    [Fact]
    public async Task Slow_answers_normally_after_the_delay()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.Slow, SlowDelay = TimeSpan.FromMilliseconds(400) }, _pki);

        var clock = Stopwatch.StartNew();
        WireResponse response = await LabWire.SendAsync(server, _pki, "GET", "/mapi/healthcheck.htm");

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(400), clock.Elapsed.ToString());
        Assert.Equal(200, response.Status);
        Assert.Equal("200 OK<br/>EX01.contoso.lab", response.Body);
    }

    [Fact]
    public async Task Two_servers_share_one_port_on_two_loopback_addresses_and_answer_as_themselves()
    {
        await using LabServer first = await LabServer.StartAsync(new LabOptions { ServerName = "EX01.contoso.lab" }, _pki);
        await using LabServer second = await LabServer.StartAsync(new LabOptions { ServerName = "EX03.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.2"), Port = first.Port }, _pki);

        WireResponse one = await LabWire.SendAsync(first, _pki, "GET", "/mapi/healthcheck.htm");
        WireResponse two = await LabWire.SendAsync(second, _pki, "GET", "/mapi/healthcheck.htm");

        Assert.Equal(first.Port, second.Port);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), second.Address);
        Assert.Equal("200 OK<br/>EX01.contoso.lab", one.Body);
        Assert.Equal("200 OK<br/>EX03.contoso.lab", two.Body);
        Assert.Equal("EX03", two.Header("X-FEServer"));
        Assert.Single(first.Requests);
        Assert.Single(second.Requests);
    }

    [Fact]
    public void TrustRoot_puts_the_public_root_in_CurrentUser_Root_and_Dispose_takes_it_out()
    {
        string fixtureRoot = _pki.RootCa.Thumbprint;
        string ownRoot;
        using (LabCertificates own = LabCertificates.Create())
        {
            ownRoot = own.RootCa.Thumbprint;
            own.TrustRoot();
            own.TrustRoot();

            X509Certificate2 stored = Assert.Single(FindInUserRoot(ownRoot));
            Assert.False(stored.HasPrivateKey);
            Assert.Equal("CN=MapiHttpTools Lab Root CA, O=MapiHttpTools Lab", own.RootCa.Subject);
            Assert.False(own.RootCa.HasPrivateKey);
            Assert.Equal(X509ChainStatusFlags.NoError, own.ValidateChain(own.ExpiringSoon));
            Assert.InRange((own.ExpiringSoon.NotAfter - DateTime.Now).TotalDays, 9, 10.1);
            Assert.Contains("wrong.contoso.lab", own.WrongName.GetNameInfo(X509NameType.DnsName, false));
        }

        Assert.Empty(FindInUserRoot(ownRoot));
        Assert.Single(FindInUserRoot(fixtureRoot));
    }

    [Fact]
    public async Task Basic_downgrade_offers_windows_methods_anonymously_then_basic_for_the_ping()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.BasicDowngrade }, _pki);

        WireResponse connect = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/", new[] { ("Content-Type", "application/mapi-http"), ("X-RequestType", "Connect"), ("X-RequestId", "{A}:1"), ("X-ClientInfo", "{B}:1") });
        WireResponse ping = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/", LabWire.PingHeaders());
        WireResponse authenticated = await LabWire.SendAsync(server, _pki, "POST", "/mapi/emsmdb/", LabWire.PingHeaders(LabWire.Basic(server.Options.BasicUser, server.Options.BasicPassword)));

        Assert.Equal(401, connect.Status);
        Assert.Equal(new[] { "Negotiate", "NTLM" }, connect.Headers("WWW-Authenticate"));
        Assert.Equal(401, ping.Status);
        Assert.Equal(new[] { "Basic realm=\"mail.contoso.lab\"" }, ping.Headers("WWW-Authenticate"));
        Assert.Equal((200, "0"), (authenticated.Status, authenticated.Header("X-ResponseCode")));
    }

    [Fact]
    public async Task Hostile_text_reaches_the_wire_byte_for_byte_and_requests_are_recorded()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.HostileText }, _pki);

        WireResponse health = await LabWire.SendAsync(server, _pki, "GET", "/mapi/healthcheck.htm");
        WireResponse challenge = await LabWire.SendAsync(server, _pki, "POST", "/mapi/nspi/", LabWire.PingHeaders());

        Assert.Equal((200, "200 OK<br/>EX01.contoso.lab\u001b]0;pwned\u0007\u001b[2J"), (health.Status, health.Body));
        Assert.Equal("Microsoft-IIS/10.0\u001b]0;pwned\u0007\u001b[2J", health.Header("Server"));
        Assert.Equal("EX01\u001b]0;pwned\u0007\u001b[2J", health.Header("X-FEServer"));
        Assert.Equal(new[] { "Negotiate", "NTLM", "NTLM realm=\"\u001b]0;pwned\u0007\u001b[2J\"" }, challenge.Headers("WWW-Authenticate"));
        Assert.Equal(new[] { ("GET", "/mapi/healthcheck.htm", (string?)"mail.contoso.lab"), ("POST", "/mapi/nspi/", "mail.contoso.lab") },
            server.Requests.Select(r => (r.Method, r.Path, r.SniHostName)).ToArray());
    }

    [Fact]
    public async Task Plain_http_lab_answers_without_tls()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { PlainHttp = true }, _pki);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Address, server.Port);
        NetworkStream stream = tcp.GetStream();
        await stream.WriteAsync(LabWire.BuildRequest(server, "GET", "/owa/healthcheck.htm"));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received);

        Assert.Equal("http", server.MapiUri.Scheme);
        Assert.Equal("200 OK<br/>EX01.contoso.lab", WireResponse.Parse(received.ToArray()).Body);
    }

    [Fact]
    public void Not_yet_valid_and_weak_key_certificates_are_what_their_names_say()
    {
        Assert.True(_pki.NotYetValid.NotBefore > DateTime.Now);
        Assert.Equal(X509ChainStatusFlags.NotTimeValid, _pki.ValidateChain(_pki.NotYetValid));
        using System.Security.Cryptography.RSA? weak = _pki.WeakKey.GetRSAPublicKey();
        Assert.Equal(1024, weak!.KeySize);
        Assert.Equal(X509ChainStatusFlags.NoError, _pki.ValidateChain(_pki.WeakKey));
    }

    private static X509Certificate2Collection FindInUserRoot(string thumbprint)
    {
        using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly);
        return store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint, false);
    }
}
