using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Probing;

/// <summary>
/// The steps against one address of one URL: gathers the facts of each hop (connections, handshakes, HTTP exchanges),
/// asks <see cref="ProbeJudgement"/> what they mean, and keeps the rows in step order. Later steps are skipped once
/// the path is known broken.
/// </summary>
internal sealed class AddressProbe
{
    private readonly ProbeOptions _options;
    private readonly ProbeTarget _target;
    private readonly IPAddress _address;
    private readonly string _label;
    private readonly bool _soleAddressOfName;
    private readonly string _host;
    private readonly bool _https;
    private readonly ProbeSubject _subject;
    private readonly List<MapiHttpEndpointResult> _rows = new();
    private string? _server;
    private string? _blockedReason;
    private bool _tlsValidated;
    private FrontEndComparison _comparison = FrontEndComparison.NotCompared;

    public AddressProbe(ProbeOptions options, ProbeTarget target, IPAddress address, string label, bool soleAddressOfName)
    {
        _soleAddressOfName = soleAddressOfName;
        _options = options;
        _target = target;
        _address = address;
        _label = label;
        _host = target.Uri.DnsSafeHost;
        _https = string.Equals(target.Uri.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        _server = target.Server;
        _subject = new ProbeSubject(_host, label, target.Uri.Port, target.Server, target.Identity);
    }

    private string HostHeader => _target.Uri.IsDefaultPort ? _target.Uri.Host : _target.Uri.Host + ":" + _target.Uri.Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Runs every step and returns the rows, in step order.</summary>
    public async Task<IReadOnlyList<MapiHttpEndpointResult>> RunAsync(CancellationToken cancellation)
    {
        System.IO.Stream? first = await ConnectStepsAsync(cancellation).ConfigureAwait(false);
        await HealthCheckAsync(first, cancellation).ConfigureAwait(false);
        foreach (string vdir in _options.CompareVirtualDirectories)
        {
            await OtherHealthCheckAsync(vdir, cancellation).ConfigureAwait(false);
        }

        IReadOnlyList<string>? offered = await AnonymousAsync(ProbeSteps.EmsmdbAnonymous, "emsmdb", "Connect", cancellation).ConfigureAwait(false);
        IReadOnlyList<string>? nspiOffered = await AnonymousAsync(ProbeSteps.NspiAnonymous, "nspi", "Bind", cancellation).ConfigureAwait(false);
        await PingAsync(ProbeSteps.EmsmdbPing, "emsmdb", offered, cancellation).ConfigureAwait(false);
        await PingAsync(ProbeSteps.NspiPing, "nspi", nspiOffered, cancellation).ConfigureAwait(false);
        return _rows;
    }

    // --- TCP and TLS ------------------------------------------------------------------------------------

    private async Task<System.IO.Stream?> ConnectStepsAsync(CancellationToken cancellation)
    {
        int port = _target.Uri.Port;
        var watch = Stopwatch.StartNew();
        TcpClient client;
        using (var timeout = Linked(cancellation))
        {
            try
            {
                client = await ProbeTransport.ConnectAsync(_address, port, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                bool timedOut = ex is OperationCanceledException;
                SocketError? error = ProbeTransport.SocketErrorOf(ex);
                string what = timedOut ? $"no answer within {_options.Timeout.TotalSeconds:0} s (dropped by a firewall, or nothing at that address)"
                    : error == SocketError.ConnectionRefused ? "connection refused (nothing listens on that port, or a firewall rejects it)"
                    : DisplayText.Safe(ProbeTransport.Describe(ex));
                Emit(ProbeSteps.TcpConnect, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"TCP connect to {_label}:{port} failed: {what}.",
                    $"Check the network path to {_label}:{port}: Windows Firewall on the server (Get-NetFirewallRule -DisplayGroup 'World Wide Web Services (HTTP)'), firewalls between client and server, and the load balancer's virtual server and pool members."),
                    watch, null, Evidence(("Port", port), ("SocketError", error?.ToString()), ("TimedOut", timedOut)));
                _blockedReason = "not attempted: the TCP connection failed";
                if (_https)
                {
                    Blocked(ProbeSteps.Tls);
                }

                return null;
            }
        }

        Emit(ProbeSteps.TcpConnect, new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Connected to {_label}:{port}."), watch, null, Evidence(("Port", port)));

        if (!_https)
        {
            Emit(ProbeSteps.Tls, new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "The URL uses http: Outlook only uses MAPI/HTTP over https.",
                $"Set-MapiVirtualDirectory -Identity '{_subject.IdentityForCommand}' -InternalUrl https://{_host}/mapi -ExternalUrl https://{_host}/mapi"), Stopwatch.StartNew(), null, null);
            return client.GetStream();
        }

        return await TlsStepAsync(client, cancellation).ConfigureAwait(false);
    }

    private async Task<System.IO.Stream?> TlsStepAsync(TcpClient client, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        TlsOutcome outcome;
        using (var timeout = Linked(cancellation))
        {
            try
            {
                outcome = await ProbeTransport.AuthenticateAsync(client.GetStream(), _host, _options.SkipCertificateCheck, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                client.Dispose();
                Emit(ProbeSteps.Tls, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"The TLS handshake with {_label} did not finish within {_options.Timeout.TotalSeconds:0} s.",
                    "Check load balancer or proxy TLS settings (a device that accepts TCP but never completes TLS), and that the server's HTTPS binding answers on this port."), watch, null, null);
                _blockedReason = "not attempted: the TLS handshake did not complete";
                return null;
            }
        }

        CertificateFacts? cert = outcome.Certificate;
        var facts = new TlsFacts(outcome.Stream is not null, outcome.Protocol, cert, outcome.Error, outcome.Error is not null && ProbeTransport.IsReset(outcome.Error));
        Dictionary<string, object?> evidence = TlsEvidence.Of(outcome, _host, _options.SkipCertificateCheck);
        Emit(ProbeSteps.Tls, ProbeJudgement.Tls(facts, _host, _label, DateTime.UtcNow, _options.CertificateExpiryWarningDays, _options.SkipCertificateCheck, _subject), watch, null, evidence);
        if (outcome.Stream is null)
        {
            client.Dispose();
            _blockedReason = cert is null ? "not attempted: the TLS handshake failed" : "not sent: the server's certificate did not validate (-SkipCertificateCheck probes past it)";
            return null;
        }

        _tlsValidated = ProbeJudgement.Validated(cert);
        return outcome.Stream;
    }

    // --- HTTP steps --------------------------------------------------------------------------------------

    private async Task HealthCheckAsync(System.IO.Stream? first, CancellationToken cancellation)
    {
        if (Blocked(ProbeSteps.HealthCheck))
        {
            first?.Dispose();
            return;
        }

        var watch = Stopwatch.StartNew();
        HttpExchange exchange = await SendAsync(new WireRequest("GET", "/mapi/healthcheck.htm", HostHeader), first, false, cancellation).ConfigureAwait(false);
        if (exchange.Response is not { } response)
        {
            EmitTransportFailure(ProbeSteps.HealthCheck, watch, exchange, "GET /mapi/healthcheck.htm");
            _blockedReason = "not attempted: GET /mapi/healthcheck.htm got no answer";
            return;
        }

        Dictionary<string, object?> evidence = ResponseEvidence(response);
        string body = response.BodyText;
        if (ProbeJudgement.HealthCheckServer(body) is { } named)
        {
            _server ??= DisplayText.Safe(named);
            evidence["HealthCheckServer"] = DisplayText.Safe(named);
        }
        else if (response.StatusCode != 200 || !body.Trim().StartsWith("200 OK", StringComparison.OrdinalIgnoreCase))
        {
            IReadOnlyDictionary<string, int?> others = await CompareOthersAsync(cancellation).ConfigureAwait(false);
            evidence["OtherHealthChecks"] = string.Join(", ", others.Select(o => $"{o.Key}={(o.Value?.ToString(CultureInfo.InvariantCulture) ?? "no answer")}"));
            _comparison = ProbeJudgement.Compare(others);
        }

        Emit(ProbeSteps.HealthCheck, ProbeJudgement.HealthCheck(response.StatusCode, body, ServerNames.IsHttpSys(response), _comparison, _subject), watch, response.StatusCode, evidence);
    }

    private async Task OtherHealthCheckAsync(string vdir, CancellationToken cancellation)
    {
        string check = ProbeSteps.HealthCheckOf(vdir);
        if (Blocked(check))
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        HttpExchange exchange = await SendAsync(new WireRequest("GET", $"/{vdir}/healthcheck.htm", HostHeader), null, false, cancellation).ConfigureAwait(false);
        if (exchange.Response is not { } response)
        {
            EmitTransportFailure(check, watch, exchange, $"GET /{vdir}/healthcheck.htm");
            return;
        }

        Emit(check, ProbeJudgement.OtherHealthCheck(vdir, response.StatusCode, response.BodyText, _subject), watch, response.StatusCode, ResponseEvidence(response));
    }

    private async Task<IReadOnlyDictionary<string, int?>> CompareOthersAsync(CancellationToken cancellation)
    {
        var results = new Dictionary<string, int?>();
        foreach (string vdir in new[] { "owa", "ews" })
        {
            HttpExchange exchange = await SendAsync(new WireRequest("GET", $"/{vdir}/healthcheck.htm", HostHeader), null, false, cancellation).ConfigureAwait(false);
            results[vdir] = exchange.Response?.StatusCode;
        }

        return results;
    }

    private async Task<IReadOnlyList<string>?> AnonymousAsync(string check, string endpoint, string requestType, CancellationToken cancellation)
    {
        if (Blocked(check))
        {
            return null;
        }

        var watch = Stopwatch.StartNew();
        HttpExchange exchange = await SendAsync(MapiRequest(endpoint, requestType), null, false, cancellation).ConfigureAwait(false);
        if (exchange.Response is not { } response)
        {
            EmitTransportFailure(check, watch, exchange, $"POST /mapi/{endpoint}/");
            return null;
        }

        Dictionary<string, object?> evidence = ResponseEvidence(response);
        IReadOnlyList<string> offered = AuthenticationSchemes.Offered(response.HeaderValues("WWW-Authenticate"));
        evidence["OfferedAuthentication"] = offered.Select(o => DisplayText.Safe(o)).ToArray();
        evidence["ExpectedAuthentication"] = _target.ExpectedSchemes.ToArray();
        Finding finding = ProbeJudgement.Challenge(endpoint, response.StatusCode, response.Header("X-ResponseCode"), offered, _target.ExpectedSchemes, _target.ExpectedSource,
            ServerNames.IsHttpSys(response), _comparison, ServerNames.AsHostName(response.Header("X-BEServer")), _subject);
        Emit(check, finding, watch, response.StatusCode, evidence);
        return response.StatusCode == 401 || (response.StatusCode >= 200 && response.StatusCode < 300) ? offered : null;
    }

    /// <summary>
    /// The authenticated PING. Credentials go out only over https with a validated certificate unless
    /// -AllowUnencryptedAuthentication (issue 20, as Invoke-WebRequest), and only with a scheme the anonymous challenge
    /// offered: Negotiate/NTLM through the system HTTP stack where the platform has them, Basic when it was offered and
    /// the platform cannot do better.
    /// </summary>
    private async Task PingAsync(string check, string endpoint, IReadOnlyList<string>? offered, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        if (Blocked(check))
        {
            return;
        }

        if (_options.Credential is null && !_options.UseDefaultCredentials)
        {
            Skip(check, watch, "Authenticated PING not attempted: pass -Credential (or -UseDefaultCredentials on Windows).");
            return;
        }

        if (offered is null || offered.Count == 0)
        {
            Skip(check, watch, $"Authenticated PING not attempted: the anonymous request to /mapi/{endpoint}/ did not get a 401 challenge.");
            return;
        }

        if (!_options.AllowUnencryptedAuthentication && !_https)
        {
            Skip(check, watch, $"Authenticated PING not sent: {_target.Uri} is http, and credentials are never sent unencrypted. Pass -AllowUnencryptedAuthentication to send them anyway.");
            return;
        }

        if (!_options.AllowUnencryptedAuthentication && !_tlsValidated)
        {
            Skip(check, watch, $"Authenticated PING not sent: the certificate of {_label} was not validated (-SkipCertificateCheck), so the peer could be anyone. Pass -AllowUnencryptedAuthentication to send credentials to it anyway.");
            return;
        }

        IReadOnlyList<string> windows = ServerNames.WindowsSchemes(offered);
        bool basicOffered = offered.Contains("Basic", StringComparer.OrdinalIgnoreCase);
        if (_options.Credential is not null && basicOffered && (windows.Count == 0 || !SystemHttpPing.PlatformHasWindowsAuthentication))
        {
            await BasicPingAsync(check, endpoint, offered, watch, cancellation).ConfigureAwait(false);
            return;
        }

        if (windows.Count == 0)
        {
            Skip(check, watch, $"Authenticated PING not attempted: /mapi/{endpoint}/ offers {string.Join(", ", offered.Select(o => DisplayText.Safe(o)))}; the probe sends credentials only with Negotiate, NTLM or Basic{(basicOffered ? " (Basic needs -Credential)" : string.Empty)}.");
            return;
        }

        await SystemStackPingAsync(check, endpoint, offered, windows, watch, cancellation).ConfigureAwait(false);
    }

    private async Task BasicPingAsync(string check, string endpoint, IReadOnlyList<string> offered, Stopwatch watch, CancellationToken cancellation)
    {
        NetworkCredential credential = _options.Credential!;
        WireRequest request = MapiRequest(endpoint, "PING");
        string pair = credential.Domain is { Length: > 0 } domain ? $"{domain}\\{credential.UserName}:{credential.Password}" : $"{credential.UserName}:{credential.Password}";
        request.With("Authorization", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair)));
        HttpExchange exchange = await SendAsync(request, null, !_options.AllowUnencryptedAuthentication, cancellation).ConfigureAwait(false);
        if (exchange.Response is not { } response)
        {
            EmitTransportFailure(check, watch, exchange, $"PING /mapi/{endpoint}/");
            return;
        }

        Dictionary<string, object?> evidence = ResponseEvidence(response);
        evidence["AuthenticationScheme"] = "Basic";
        var facts = new PingFacts(response.StatusCode, response.Header("X-ResponseCode"), response.Header("X-ServerApplication"), "Basic", true, offered,
            AuthenticationSchemes.Offered(response.HeaderValues("WWW-Authenticate")), ServerNames.IsHttpSys(response));
        Emit(check, ProbeJudgement.Ping(endpoint, facts, _comparison, ServerNames.AsHostName(response.Header("X-BEServer")), _subject), watch, response.StatusCode, evidence);
    }

    // NTLM/Negotiate need the platform's HTTP stack; it connects by host name, so it cannot honour one address.
    private async Task SystemStackPingAsync(string check, string endpoint, IReadOnlyList<string> offered, IReadOnlyList<string> windows, Stopwatch watch, CancellationToken cancellation)
    {
        if (!_soleAddressOfName)
        {
            Skip(check, watch,
                $"Authenticated PING not attempted at {_label}: the endpoint offers {string.Join(", ", offered.Select(o => DisplayText.Safe(o)))}, which the probe can only send through the system HTTP stack, and that connects by host name, not to one chosen address. Run without -TargetAddress against a name that resolves to one server.");
            return;
        }

        if (_options.UseDefaultCredentials && _options.Credential is null && Environment.OSVersion.Platform != PlatformID.Win32NT)
        {
            Skip(check, watch, "Authenticated PING not attempted: -UseDefaultCredentials works on Windows only; pass -Credential.");
            return;
        }

        SystemHttpPing.Outcome outcome = await SystemHttpPing.SendAsync(_target.Uri, endpoint, windows, _options, cancellation).ConfigureAwait(false);
        if (outcome.Error is not null)
        {
            bool timedOut = outcome.Error is OperationCanceledException;
            string error = DisplayText.Safe(ProbeTransport.Describe(outcome.Error));
            Emit(check, new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                timedOut ? $"Authenticated PING to /mapi/{endpoint}/ got no answer within {_options.Timeout.TotalSeconds:0} s." : $"Authenticated PING to /mapi/{endpoint}/ failed: {error}",
                "Check the network path and TLS to the server (see the TcpConnect and Tls results)."), watch, null, Evidence(("Error", error)));
            return;
        }

        var evidence = new Dictionary<string, object?>(outcome.Headers, StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectedVia"] = "host name (system HTTP stack)",
            ["AuthenticationScheme"] = outcome.SchemeSent ?? (outcome.SchemeKnown ? "none (no credentials were sent)" : "Negotiate or NTLM, chosen by Windows"),
        };
        var facts = new PingFacts(outcome.StatusCode, outcome.ResponseCode, outcome.ServerApplication, outcome.SchemeSent, outcome.SchemeKnown, offered, outcome.FinalOffered, outcome.AnsweredByHttpSys);
        Emit(check, ProbeJudgement.Ping(endpoint, facts, _comparison, ServerNames.AsHostName(outcome.BackEnd), _subject), watch, outcome.StatusCode, evidence);
    }

    // --- helpers ---------------------------------------------------------------------------------------

    private WireRequest MapiRequest(string endpoint, string requestType)
    {
        string id = Guid.NewGuid().ToString("B").ToUpperInvariant();
        return new WireRequest("POST", $"/mapi/{endpoint}/", HostHeader)
            .With("Content-Type", "application/mapi-http")
            .With("X-RequestType", requestType)
            .With("X-RequestId", id + ":1")
            .With("X-ClientInfo", id + ":1")
            .With("X-ClientApplication", EndpointProber.ClientApplication)
            .With("User-Agent", EndpointProber.ClientApplication)
            .With("Accept", "application/mapi-http");
    }

    /// <summary>
    /// One request on <paramref name="existing"/> or a new connection to this address. With
    /// <paramref name="requireValidatedCertificate"/> the request (it carries credentials) is not written unless this
    /// connection's certificate validated.
    /// </summary>
    private async Task<HttpExchange> SendAsync(WireRequest request, System.IO.Stream? existing, bool requireValidatedCertificate, CancellationToken cancellation)
    {
        using var timeout = Linked(cancellation);
        System.IO.Stream? stream = existing;
        try
        {
            if (stream is null)
            {
                (System.IO.Stream? opened, Exception? refused) = await ProbeTransport.OpenAsync(_address, _target.Uri.Port, _https, _host, _options.SkipCertificateCheck, requireValidatedCertificate, timeout.Token).ConfigureAwait(false);
                if (opened is null)
                {
                    return new HttpExchange(null, refused, false);
                }

                stream = opened;
            }

            using (timeout.Token.Register(stream.Dispose))
            {
                WireResponse response = await HttpWire.SendAsync(stream, request, timeout.Token).ConfigureAwait(false);
                return new HttpExchange(response, null, false);
            }
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            return new HttpExchange(null, ex, timeout.IsCancellationRequested);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new OperationCanceledException("The probe was stopped.", ex, cancellation);
        }
        finally
        {
            stream?.Dispose();
        }
    }

    private void EmitTransportFailure(string check, Stopwatch watch, HttpExchange exchange, string what)
    {
        Exception error = exchange.Error!;
        bool reset = ProbeTransport.IsReset(error);
        string described = DisplayText.Safe(ProbeTransport.Describe(error));
        string message = exchange.TimedOut
            ? $"{what} got no answer within {_options.Timeout.TotalSeconds:0} s: the server or a device on the path holds the request (hung app pool, proxy or load balancer)."
            : reset ? $"{what}: the connection was reset: a firewall, load balancer or TLS-inspection device is cutting /mapi traffic."
            : $"{what} failed: {described}.";
        Emit(check, new Finding(CheckStatus.Fail, MapiHttpCause.Network, message,
            $"Check the path from this client to {_label}:{_target.Uri.Port} for /mapi: load balancer persistence and idle timeouts, TLS inspection bypass, reverse proxy rules; then {_subject.AppPoolHealthInSentence}."),
            watch, null, Evidence(("Error", described), ("TimedOut", exchange.TimedOut), ("Reset", reset)));
    }

    private bool Blocked(string check)
    {
        if (_blockedReason is null)
        {
            return false;
        }

        Skip(check, Stopwatch.StartNew(), $"{char.ToUpperInvariant(_blockedReason[0])}{_blockedReason.Substring(1)}.");
        return true;
    }

    private void Skip(string check, Stopwatch watch, string message) =>
        Emit(check, new Finding(CheckStatus.Skipped, MapiHttpCause.None, message), watch, null, null);

    private CancellationTokenSource Linked(CancellationToken cancellation)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        source.CancelAfter(_options.Timeout);
        return source;
    }

    private void Emit(string check, Finding finding, Stopwatch watch, int? statusCode, IEnumerable<KeyValuePair<string, object?>>? evidence) =>
        _rows.Add(new MapiHttpEndpointResult(check, finding.Status, finding.Cause, _target.Uri.ToString(), _label, _server, _target.Identity,
            Math.Round(watch.Elapsed.TotalMilliseconds, 1), statusCode, _options.SkipCertificateCheck, finding.Message, finding.Recommendation, evidence));

    /// <summary>The response headers worth keeping, escaped: they are the server's text (issue 20).</summary>
    private static Dictionary<string, object?> ResponseEvidence(WireResponse response)
    {
        var evidence = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["HttpStatus"] = response.StatusCode };
        foreach (string name in new[] { "X-FEServer", "X-BEServer", "X-CalculatedBETarget", "request-id", "X-FailureContext", "X-ResponseCode", "X-ServerApplication", "X-RequestType", "X-ExpirationInfo", "X-PendingPeriod", "Server" })
        {
            if (response.Header(name) is { } value)
            {
                evidence[name] = DisplayText.Safe(value);
            }
        }

        string[] challenges = response.HeaderValues("WWW-Authenticate").Select(c => DisplayText.Safe(c)).ToArray();
        if (challenges.Length > 0)
        {
            evidence["WWW-Authenticate"] = challenges;
        }

        return evidence;
    }

    private static IEnumerable<KeyValuePair<string, object?>> Evidence(params (string Key, object? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value));
}
