using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Probing;

/// <summary>
/// Probes the MAPI/HTTP path hop by hop (DNS, TCP, TLS, healthcheck.htm, anonymous emsmdb/nspi, authenticated
/// PING) for each URL and each address, and maps every failure to one cause of DESIGN.md.
/// </summary>
internal sealed class EndpointProber
{
    internal static readonly string ClientApplication = "MapiHttpTools/" + typeof(EndpointProber).Assembly.GetName().Version!.ToString(3);

    private readonly ProbeOptions _options;

    public EndpointProber(ProbeOptions options) => _options = options;

    /// <summary>
    /// Probes every target; <paramref name="emit"/> receives results as they complete (from worker threads),
    /// <paramref name="progress"/> (done, total) after each address.
    /// </summary>
    public async Task ProbeAsync(IReadOnlyList<ProbeTarget> targets, Action<MapiHttpEndpointResult> emit, Action<int, int>? progress, CancellationToken cancellation)
    {
        var jobs = new List<(ProbeTarget Target, IPAddress Address, string Label, bool Sole)>();
        foreach (ProbeTarget target in targets)
        {
            IReadOnlyList<(IPAddress, string)> addresses = await ResolveAsync(target, emit, cancellation).ConfigureAwait(false);
            foreach ((IPAddress address, string label) in addresses)
            {
                jobs.Add((target, address, label, addresses.Count == 1 && AddressesFor(target) is not { Count: > 0 }));
            }
        }

        int done = 0;
        progress?.Invoke(0, jobs.Count);
        using var throttle = new SemaphoreSlim(Math.Max(1, _options.ThrottleLimit));
        IEnumerable<Task> running = jobs.Select(async job =>
        {
            await throttle.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                await new AddressProbe(_options, job.Target, job.Address, job.Label, job.Sole, emit).RunAsync(cancellation).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }

            progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
        });
        await Task.WhenAll(running.ToArray()).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<(IPAddress, string)>> ResolveAsync(ProbeTarget target, Action<MapiHttpEndpointResult> emit, CancellationToken cancellation)
    {
        string host = target.Uri.DnsSafeHost;
        var watch = Stopwatch.StartNew();
        var result = new List<(IPAddress, string)>();

        if (AddressesFor(target) is { Count: > 0 } addresses)
        {
            var unresolved = new List<string>();
            foreach (string address in addresses)
            {
                if (IPAddress.TryParse(address, out IPAddress? ip))
                {
                    result.Add((ip, address));
                    continue;
                }

                try
                {
                    IPAddress[] resolved = await ResolveWithTimeoutAsync(address, cancellation).ConfigureAwait(false);
                    result.AddRange(resolved.Select(r => (r, $"{address} ({r})")));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    unresolved.Add(address);
                }
            }

            var evidence = new Dictionary<string, object?> { ["Host"] = host, ["TargetAddress"] = string.Join(", ", addresses) };
            if (unresolved.Count > 0)
            {
                emit(Result(target, ProbeSteps.Dns, CheckStatus.Fail, MapiHttpCause.Network, null, watch, null,
                    $"-TargetAddress {string.Join(", ", unresolved)} does not resolve.", "Pass an IP address or a resolvable host name to -TargetAddress.", evidence));
            }
            else
            {
                emit(Result(target, ProbeSteps.Dns, CheckStatus.Skipped, MapiHttpCause.None, null, watch, null,
                    $"Not resolved: -TargetAddress given; connecting to {string.Join(", ", addresses)} with '{host}' in SNI and Host.", null, evidence));
            }

            return result;
        }

        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            emit(Result(target, ProbeSteps.Dns, CheckStatus.Pass, MapiHttpCause.None, null, watch, null,
                $"The URL names an address ({host}); nothing to resolve.", null, new Dictionary<string, object?> { ["Host"] = host }));
            return new[] { (literal, host) };
        }

        try
        {
            IPAddress[] resolved = await ResolveWithTimeoutAsync(host, cancellation).ConfigureAwait(false);
            IPAddress[] usable = resolved.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().ToArray();
            if (usable.Length == 0)
            {
                emit(Result(target, ProbeSteps.Dns, CheckStatus.Fail, MapiHttpCause.Network, null, watch, null,
                    $"'{host}' resolves to no IPv4 or IPv6 address.", $"Create the DNS record for '{host}' (A/AAAA) pointing at the load balancer or the Exchange servers.",
                    new Dictionary<string, object?> { ["Host"] = host }));
                return result;
            }

            emit(Result(target, ProbeSteps.Dns, CheckStatus.Pass, MapiHttpCause.None, null, watch, null,
                $"'{host}' resolves to {string.Join(", ", usable.Select(a => a.ToString()))}; each address is tested.", null,
                new Dictionary<string, object?> { ["Host"] = host, ["Addresses"] = usable.Select(a => a.ToString()).ToArray() }));
            return usable.Select(a => (a, a.ToString())).ToArray();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            bool timedOut = ex is OperationCanceledException;
            emit(Result(target, ProbeSteps.Dns, CheckStatus.Fail, MapiHttpCause.Network, null, watch, null,
                timedOut ? $"Resolving '{host}' did not finish within {_options.Timeout.TotalSeconds:0} s." : $"'{host}' does not resolve: {ProbeTransport.Describe(ex)}",
                $"Check the DNS record for '{host}' and that the virtual directory URL is right: Get-MapiVirtualDirectory | Format-List Server,InternalUrl,ExternalUrl",
                new Dictionary<string, object?> { ["Host"] = host, ["Error"] = ProbeTransport.Describe(ex) }));
            return result;
        }
    }

    private IReadOnlyList<string>? AddressesFor(ProbeTarget target) => target.TargetAddresses ?? _options.TargetAddresses;

    private async Task<IPAddress[]> ResolveWithTimeoutAsync(string host, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.Timeout);
        return await _options.Resolver.ResolveAsync(host, timeout.Token).ConfigureAwait(false);
    }

    private MapiHttpEndpointResult Result(ProbeTarget target, string check, CheckStatus status, MapiHttpCause cause, string? address, Stopwatch watch, int? statusCode, string message, string? recommendation, IEnumerable<KeyValuePair<string, object?>>? evidence) =>
        new(check, status, cause, target.Uri.ToString(), address, target.Server, target.Identity, watch.Elapsed.TotalMilliseconds, statusCode, _options.SkipCertificateCheck, message, recommendation, evidence);

    /// <summary>The steps against one address of one URL. Later steps are skipped once the path is known broken.</summary>
    private sealed class AddressProbe
    {
        private readonly ProbeOptions _options;
        private readonly ProbeTarget _target;
        private readonly IPAddress _address;
        private readonly string _label;
        private readonly bool _soleAddressOfName;
        private readonly Action<MapiHttpEndpointResult> _emit;
        private readonly string _host;
        private readonly bool _https;
        private string? _server;
        private string? _blockedReason;
        private bool _mapiOnlyFailure;
        private bool _frontEndWideFailure;

        public AddressProbe(ProbeOptions options, ProbeTarget target, IPAddress address, string label, bool soleAddressOfName, Action<MapiHttpEndpointResult> emit)
        {
            _soleAddressOfName = soleAddressOfName;
            _options = options;
            _target = target;
            _address = address;
            _label = label;
            _emit = emit;
            _host = target.Uri.DnsSafeHost;
            _https = string.Equals(target.Uri.Scheme, "https", StringComparison.OrdinalIgnoreCase);
            _server = target.Server;
        }

        private string HostHeader => _target.Uri.IsDefaultPort ? _target.Uri.Host : _target.Uri.Host + ":" + _target.Uri.Port.ToString(CultureInfo.InvariantCulture);

        private string ServerOrHost => _server ?? _host;

        private string IdentityForCommand => _target.Identity ?? (_target.Server is not null ? $"{_target.Server}\\mapi (Default Web Site)" : "<Server>\\mapi (Default Web Site)");

        public async Task RunAsync(CancellationToken cancellation)
        {
            Stream? first = await ConnectStepsAsync(cancellation).ConfigureAwait(false);
            await HealthCheckAsync(first, cancellation).ConfigureAwait(false);
            foreach (string vdir in _options.CompareVirtualDirectories)
            {
                await OtherHealthCheckAsync(vdir, cancellation).ConfigureAwait(false);
            }

            IReadOnlyList<string>? offered = await AnonymousAsync(ProbeSteps.EmsmdbAnonymous, "emsmdb", "Connect", cancellation).ConfigureAwait(false);
            IReadOnlyList<string>? nspiOffered = await AnonymousAsync(ProbeSteps.NspiAnonymous, "nspi", "Bind", cancellation).ConfigureAwait(false);
            await PingAsync(ProbeSteps.EmsmdbPing, "emsmdb", offered, cancellation).ConfigureAwait(false);
            await PingAsync(ProbeSteps.NspiPing, "nspi", nspiOffered, cancellation).ConfigureAwait(false);
        }

        // --- TCP and TLS ------------------------------------------------------------------------------------

        private async Task<Stream?> ConnectStepsAsync(CancellationToken cancellation)
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
                        : ProbeTransport.Describe(ex);
                    Emit(ProbeSteps.TcpConnect, CheckStatus.Fail, MapiHttpCause.Network, watch, null,
                        $"TCP connect to {_label}:{port} failed: {what}.",
                        $"Check the network path to {_label}:{port}: Windows Firewall on the server (Get-NetFirewallRule -DisplayGroup 'World Wide Web Services (HTTP)'), firewalls between client and server, and the load balancer's virtual server and pool members.",
                        Evidence(("Port", port), ("SocketError", error?.ToString()), ("TimedOut", timedOut)));
                    _blockedReason = "not attempted: the TCP connection failed";
                    if (_https)
                    {
                        Blocked(ProbeSteps.Tls);
                    }

                    return null;
                }
            }

            Emit(ProbeSteps.TcpConnect, CheckStatus.Pass, MapiHttpCause.None, watch, null, $"Connected to {_label}:{port}.", null, Evidence(("Port", port)));

            if (!_https)
            {
                Emit(ProbeSteps.Tls, CheckStatus.Fail, MapiHttpCause.VirtualDirectory, Stopwatch.StartNew(), null,
                    $"The URL uses http: Outlook only uses MAPI/HTTP over https.",
                    $"Set-MapiVirtualDirectory -Identity '{IdentityForCommand}' -InternalUrl https://{_host}/mapi -ExternalUrl https://{_host}/mapi", null);
                return client.GetStream();
            }

            return await TlsStepAsync(client, cancellation).ConfigureAwait(false);
        }

        private async Task<Stream?> TlsStepAsync(TcpClient client, CancellationToken cancellation)
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
                    Emit(ProbeSteps.Tls, CheckStatus.Fail, MapiHttpCause.Network, watch, null,
                        $"The TLS handshake with {_label} did not finish within {_options.Timeout.TotalSeconds:0} s.",
                        "Check load balancer or proxy TLS settings (a device that accepts TCP but never completes TLS), and that the server's HTTPS binding answers on this port.", null);
                    _blockedReason = "not attempted: the TLS handshake did not complete";
                    return null;
                }
            }

            CertificateFacts? cert = outcome.Certificate;
            var evidence = new Dictionary<string, object?> { ["SniHost"] = _host };
            if (outcome.Stream is not null)
            {
                evidence["TlsProtocol"] = outcome.Protocol.ToString();
            }

            if (cert is not null)
            {
                evidence["CertificateSubject"] = cert.Subject;
                evidence["CertificateIssuer"] = cert.Issuer;
                evidence["CertificateThumbprint"] = cert.Thumbprint;
                evidence["CertificateNotAfter"] = cert.NotAfter;
                evidence["CertificateDnsNames"] = cert.DnsNames.ToArray();
                evidence["KeyAlgorithm"] = cert.KeyAlgorithm;
                evidence["KeySize"] = cert.KeySize;
                evidence["PolicyErrors"] = cert.PolicyErrors.ToString();
                evidence["ChainStatus"] = cert.ChainStatus.ToString();
            }

            if (_options.SkipCertificateCheck)
            {
                evidence["CertificateValidation"] = "Skipped (-SkipCertificateCheck)";
            }

            if (cert is null && outcome.Stream is null)
            {
                client.Dispose();
                Exception error = outcome.Error!;
                bool reset = ProbeTransport.IsReset(error);
                evidence["Error"] = ProbeTransport.Describe(error);
                Emit(ProbeSteps.Tls, CheckStatus.Fail, MapiHttpCause.Network, watch, null,
                    reset ? $"The connection to {_label} was reset during the TLS handshake: a firewall, load balancer or TLS-inspection device is cutting /mapi traffic."
                          : $"The TLS handshake with {_label} failed before a certificate was seen: {ProbeTransport.Describe(error)}",
                    "Check TLS settings on the path (load balancer SSL profile, TLS inspection bypass for the Exchange namespace) and the protocols enabled on the server (TLS 1.2).",
                    evidence);
                _blockedReason = "not attempted: the TLS handshake failed";
                return null;
            }

            var problems = new List<string>();
            var warnings = new List<string>();
            if (cert is not null)
            {
                if (cert.NameMismatch || !cert.Covers(_host))
                {
                    problems.Add($"it does not cover '{_host}' (names: {string.Join(", ", cert.DnsNames)})");
                }

                if (cert.NotAfter < DateTime.UtcNow)
                {
                    problems.Add($"it expired on {cert.NotAfter:yyyy-MM-dd}");
                }
                else if (cert.NotBefore > DateTime.UtcNow)
                {
                    problems.Add($"it is not valid before {cert.NotBefore:yyyy-MM-dd}");
                }
                else if (cert.NotAfter < DateTime.UtcNow.AddDays(_options.CertificateExpiryWarningDays))
                {
                    warnings.Add($"it expires on {cert.NotAfter:yyyy-MM-dd}, within {_options.CertificateExpiryWarningDays} days");
                }

                if (cert.Untrusted)
                {
                    problems.Add($"its chain does not lead to a trusted root on this machine (issuer: {cert.Issuer}; {cert.ChainStatus}); a TLS-inspection device re-signing traffic looks the same");
                }

                if (cert.KeyAlgorithm == "RSA" && cert.KeySize > 0 && cert.KeySize < 2048)
                {
                    warnings.Add($"its RSA key has {cert.KeySize} bits (2048 or more expected)");
                }
            }

            if (outcome.Stream is null && problems.Count == 0)
            {
                // The platform refused the certificate for a reason none of the named checks covers: never call it a pass.
                problems.Add($"the platform's validation refused it ({cert?.PolicyErrors}; chain: {cert?.ChainStatus})");
            }

            if (outcome.Stream is not null && (outcome.Protocol == SslProtocols.Tls || outcome.Protocol == SslProtocols.Tls11))
            {
                warnings.Add($"the server negotiated {outcome.Protocol}; enable TLS 1.2");
            }

            string certificateFix = $"Assign a valid certificate that covers '{_host}' to IIS on {ServerOrHost}: Get-ExchangeCertificate -Server {ServerOrHost} | Where-Object {{ $_.CertificateDomains -contains '{_host}' -and $_.NotAfter -gt (Get-Date) }}, then Enable-ExchangeCertificate -Server {ServerOrHost} -Thumbprint <thumbprint> -Services IIS";
            if (problems.Count > 0)
            {
                string suffix = _options.SkipCertificateCheck ? " Validation was skipped (-SkipCertificateCheck), so the probe went on." : string.Empty;
                Emit(ProbeSteps.Tls, CheckStatus.Fail, MapiHttpCause.Certificate, watch, null,
                    $"The certificate served by {_label} is not valid for Outlook: {string.Join("; ", problems)}.{suffix}", certificateFix, evidence);
                if (outcome.Stream is null)
                {
                    client.Dispose();
                    _blockedReason = "not sent: the server's certificate did not validate (-SkipCertificateCheck probes past it)";
                    return null;
                }
            }
            else if (warnings.Count > 0)
            {
                Emit(ProbeSteps.Tls, CheckStatus.Warning, MapiHttpCause.Certificate, watch, null,
                    $"TLS works with {_label}, but {string.Join("; ", warnings)}.", certificateFix, evidence);
            }
            else
            {
                string skipped = _options.SkipCertificateCheck ? " (validation skipped: -SkipCertificateCheck)" : string.Empty;
                Emit(ProbeSteps.Tls, CheckStatus.Pass, MapiHttpCause.None, watch, null,
                    $"{outcome.Protocol} with a certificate for '{_host}' valid until {cert?.NotAfter:yyyy-MM-dd}{skipped}.", null, evidence);
            }

            return outcome.Stream;
        }

        // --- HTTP steps --------------------------------------------------------------------------------------

        private async Task HealthCheckAsync(Stream? first, CancellationToken cancellation)
        {
            if (Blocked(ProbeSteps.HealthCheck))
            {
                first?.Dispose();
                return;
            }

            var watch = Stopwatch.StartNew();
            Exchange exchange = await SendAsync(new WireRequest("GET", "/mapi/healthcheck.htm", HostHeader), first, cancellation).ConfigureAwait(false);
            if (exchange.Response is not { } response)
            {
                EmitTransportFailure(ProbeSteps.HealthCheck, watch, exchange, "GET /mapi/healthcheck.htm");
                _blockedReason = "not attempted: GET /mapi/healthcheck.htm got no answer";
                return;
            }

            Dictionary<string, object?> evidence = ResponseEvidence(response);
            string body = response.BodyText.Trim();
            if (response.StatusCode == 200 && body.StartsWith("200 OK", StringComparison.OrdinalIgnoreCase))
            {
                int br = body.IndexOf("<br/>", StringComparison.OrdinalIgnoreCase);
                string? server = br >= 0 ? body.Substring(br + 5).Trim() : null;
                if (!string.IsNullOrEmpty(server))
                {
                    _server ??= server;
                    evidence["HealthCheckServer"] = server;
                }

                Emit(ProbeSteps.HealthCheck, CheckStatus.Pass, MapiHttpCause.None, watch, 200,
                    $"The MAPI health page answers 200 OK{(server is null ? string.Empty : " from " + server)}.", null, evidence);
                return;
            }

            IReadOnlyDictionary<string, int?> others = await CompareOthersAsync(cancellation).ConfigureAwait(false);
            evidence["OtherHealthChecks"] = string.Join(", ", others.Select(o => $"{o.Key}={(o.Value?.ToString(CultureInfo.InvariantCulture) ?? "no answer")}"));
            bool othersHealthy = others.Values.Any(v => v == 200);
            _mapiOnlyFailure = othersHealthy;
            _frontEndWideFailure = !othersHealthy;

            if (response.StatusCode == 200)
            {
                Emit(ProbeSteps.HealthCheck, CheckStatus.Warning, MapiHttpCause.Network, watch, 200,
                    $"/mapi/healthcheck.htm answers 200 but not with Exchange's health page ('{Short(body)}'): something other than Exchange answers, e.g. a load balancer or proxy page.",
                    "Check the load balancer or reverse proxy rules for /mapi/*: they must pass requests through to Exchange.", evidence);
                return;
            }

            (MapiHttpCause cause, string message, string recommendation) = ClassifyHttpFailure(response.StatusCode, "/mapi/healthcheck.htm");
            Emit(ProbeSteps.HealthCheck, CheckStatus.Fail, cause, watch, response.StatusCode, message, recommendation, evidence);
        }

        private async Task OtherHealthCheckAsync(string vdir, CancellationToken cancellation)
        {
            string check = ProbeSteps.HealthCheckOf(vdir);
            if (Blocked(check))
            {
                return;
            }

            var watch = Stopwatch.StartNew();
            Exchange exchange = await SendAsync(new WireRequest("GET", $"/{vdir}/healthcheck.htm", HostHeader), null, cancellation).ConfigureAwait(false);
            if (exchange.Response is not { } response)
            {
                EmitTransportFailure(check, watch, exchange, $"GET /{vdir}/healthcheck.htm");
                return;
            }

            bool healthy = response.StatusCode == 200 && response.BodyText.TrimStart().StartsWith("200 OK", StringComparison.OrdinalIgnoreCase);
            Emit(check, healthy ? CheckStatus.Pass : CheckStatus.Fail, healthy ? MapiHttpCause.None : MapiHttpCause.Network, watch, response.StatusCode,
                healthy ? $"/{vdir}/healthcheck.htm answers 200 OK." : $"/{vdir}/healthcheck.htm answers {response.StatusCode}: this protocol fails too.",
                healthy ? null : $"Not a MAPI/HTTP problem alone: check the front end {ServerOrHost} as a whole (Get-ServerComponentState -Identity {ServerOrHost}, IIS, the load balancer).",
                ResponseEvidence(response));
        }

        private async Task<IReadOnlyDictionary<string, int?>> CompareOthersAsync(CancellationToken cancellation)
        {
            var results = new Dictionary<string, int?>();
            foreach (string vdir in new[] { "owa", "ews" })
            {
                Exchange exchange = await SendAsync(new WireRequest("GET", $"/{vdir}/healthcheck.htm", HostHeader), null, cancellation).ConfigureAwait(false);
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
            WireRequest request = MapiRequest(endpoint, requestType);
            Exchange exchange = await SendAsync(request, null, cancellation).ConfigureAwait(false);
            if (exchange.Response is not { } response)
            {
                EmitTransportFailure(check, watch, exchange, $"POST /mapi/{endpoint}/");
                return null;
            }

            Dictionary<string, object?> evidence = ResponseEvidence(response);
            IReadOnlyList<string> offered = AuthenticationSchemes.Offered(response.HeaderValues("WWW-Authenticate"));
            evidence["OfferedAuthentication"] = offered.ToArray();
            evidence["ExpectedAuthentication"] = _target.ExpectedSchemes.ToArray();

            if (response.StatusCode == 401)
            {
                string[] missing = _target.ExpectedSchemes.Where(e => !offered.Contains(e, StringComparer.OrdinalIgnoreCase)).ToArray();
                string[] extra = offered.Where(o => !_target.ExpectedSchemes.Contains(o, StringComparer.OrdinalIgnoreCase)).ToArray();
                string offeredText = offered.Count == 0 ? "no method" : string.Join(", ", offered);
                if (missing.Length > 0)
                {
                    string kerberos = missing.Contains("Negotiate", StringComparer.OrdinalIgnoreCase)
                        ? " Without Negotiate, Kerberos clients cannot authenticate; also check the HTTP SPNs of the namespace (setspn -Q http/" + _host + ")."
                        : string.Empty;
                    Emit(check, CheckStatus.Fail, MapiHttpCause.Authentication, watch, 401,
                        $"/mapi/{endpoint}/ offers {offeredText}; expected {string.Join(", ", _target.ExpectedSchemes)} ({_target.ExpectedSource}), missing {string.Join(", ", missing)}.{kerberos}",
                        $"Set-MapiVirtualDirectory -Identity '{IdentityForCommand}' -IISAuthenticationMethods {ExchangeMethods(_target.ExpectedSchemes.Union(offered, StringComparer.OrdinalIgnoreCase))}; if Exchange already lists them, the IIS Windows authentication providers of 'Default Web Site/mapi' differ: Get-MapiAppPoolHealth -Server {ServerOrHost}",
                        evidence);
                }
                else if (extra.Length > 0)
                {
                    Emit(check, CheckStatus.Warning, MapiHttpCause.Authentication, watch, 401,
                        $"/mapi/{endpoint}/ offers {offeredText}; {string.Join(", ", extra)} is not expected ({_target.ExpectedSource}).",
                        $"If {string.Join(", ", extra)} is not wanted: Set-MapiVirtualDirectory -Identity '{IdentityForCommand}' -IISAuthenticationMethods {ExchangeMethods(_target.ExpectedSchemes)}",
                        evidence);
                }
                else
                {
                    Emit(check, CheckStatus.Pass, MapiHttpCause.None, watch, 401,
                        $"/mapi/{endpoint}/ challenges anonymous requests with {offeredText}, as expected.", null, evidence);
                }

                return offered;
            }

            if (response.StatusCode >= 200 && response.StatusCode < 300)
            {
                Emit(check, CheckStatus.Fail, MapiHttpCause.Authentication, watch, response.StatusCode,
                    $"/mapi/{endpoint}/ accepted an anonymous request ({response.StatusCode}, X-ResponseCode {response.Header("X-ResponseCode") ?? "none"}): anonymous authentication is on for /mapi.",
                    $"Turn anonymous authentication off on 'Default Web Site/mapi' on {ServerOrHost}: Set-WebConfigurationProperty -PSPath 'IIS:\\' -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/anonymousAuthentication -Name enabled -Value $false",
                    evidence);
                return offered;
            }

            (MapiHttpCause cause, string message, string recommendation) = ClassifyHttpFailure(response.StatusCode, $"/mapi/{endpoint}/");
            Emit(check, CheckStatus.Fail, cause, watch, response.StatusCode, message, recommendation, evidence);
            return null;
        }

        private async Task PingAsync(string check, string endpoint, IReadOnlyList<string>? offered, CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            if (Blocked(check))
            {
                return;
            }

            if (_options.Credential is null && !_options.UseDefaultCredentials)
            {
                Emit(check, CheckStatus.Skipped, MapiHttpCause.None, watch, null, "Authenticated PING not attempted: pass -Credential (or -UseDefaultCredentials on Windows).", null, null);
                return;
            }

            if (offered is null)
            {
                Emit(check, CheckStatus.Skipped, MapiHttpCause.None, watch, null, $"Authenticated PING not attempted: the anonymous request to /mapi/{endpoint}/ did not get a 401 challenge.", null, null);
                return;
            }

            bool basic = _options.Credential is not null && offered.Contains("Basic", StringComparer.OrdinalIgnoreCase);
            if (!basic)
            {
                await SystemStackPingAsync(check, endpoint, offered, watch, cancellation).ConfigureAwait(false);
                return;
            }

            WireRequest request = MapiRequest(endpoint, "PING");
            string pair = _options.Credential!.Domain is { Length: > 0 } domain
                ? $"{domain}\\{_options.Credential.UserName}:{_options.Credential.Password}"
                : $"{_options.Credential.UserName}:{_options.Credential.Password}";
            request.With("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
            Exchange exchange = await SendAsync(request, null, cancellation).ConfigureAwait(false);
            if (exchange.Response is not { } response)
            {
                EmitTransportFailure(check, watch, exchange, $"PING /mapi/{endpoint}/");
                return;
            }

            EmitPingOutcome(check, endpoint, watch, response.StatusCode, response.Header("X-ResponseCode"), response.Header("X-ServerApplication"), ResponseEvidence(response), "Basic");
        }

        // NTLM/Negotiate need the platform's HTTP stack; it connects by host name, so it cannot honour one address.
        private async Task SystemStackPingAsync(string check, string endpoint, IReadOnlyList<string> offered, Stopwatch watch, CancellationToken cancellation)
        {
            if (!_soleAddressOfName)
            {
                Emit(check, CheckStatus.Skipped, MapiHttpCause.None, watch, null,
                    $"Authenticated PING not attempted at {_label}: the endpoint offers {string.Join(", ", offered)}, which the probe can only send through the system HTTP stack, and that connects by host name, not to one chosen address. Run without -TargetAddress against a name that resolves to one server.",
                    null, null);
                return;
            }

            if (_options.UseDefaultCredentials && _options.Credential is null && Environment.OSVersion.Platform != PlatformID.Win32NT)
            {
                Emit(check, CheckStatus.Skipped, MapiHttpCause.None, watch, null, "Authenticated PING not attempted: -UseDefaultCredentials works on Windows only; pass -Credential.", null, null);
                return;
            }

            SystemHttpPing.Outcome outcome = await SystemHttpPing.SendAsync(_target.Uri, endpoint, _options, cancellation).ConfigureAwait(false);
            if (outcome.Error is not null)
            {
                bool timedOut = outcome.Error is OperationCanceledException;
                Emit(check, CheckStatus.Fail, MapiHttpCause.Network, watch, null,
                    timedOut ? $"Authenticated PING to /mapi/{endpoint}/ got no answer within {_options.Timeout.TotalSeconds:0} s." : $"Authenticated PING to /mapi/{endpoint}/ failed: {ProbeTransport.Describe(outcome.Error)}",
                    "Check the network path and TLS to the server (see the TcpConnect and Tls results).", Evidence(("Error", ProbeTransport.Describe(outcome.Error))));
                return;
            }

            var evidence = new Dictionary<string, object?>(outcome.Headers, StringComparer.OrdinalIgnoreCase) { ["ConnectedVia"] = "host name (system HTTP stack)" };
            outcome.Headers.TryGetValue("X-ResponseCode", out object? code);
            outcome.Headers.TryGetValue("X-ServerApplication", out object? application);
            EmitPingOutcome(check, endpoint, watch, outcome.StatusCode, code as string, application as string, evidence, string.Join("/", offered));
        }

        private void EmitPingOutcome(string check, string endpoint, Stopwatch watch, int status, string? responseCode, string? serverApplication, Dictionary<string, object?> evidence, string scheme)
        {
            evidence["AuthenticationScheme"] = scheme;
            if (status == 401)
            {
                Emit(check, CheckStatus.Fail, MapiHttpCause.Authentication, watch, 401,
                    $"The credentials were rejected by /mapi/{endpoint}/ ({scheme}).",
                    "Check the user name and password, that the account is not locked, and the authentication methods of the MAPI virtual directory (Get-MapiVirtualDirectory | Format-List *Authentication*).",
                    evidence);
                return;
            }

            if (status != 200)
            {
                (MapiHttpCause cause, string message, string recommendation) = ClassifyHttpFailure(status, $"/mapi/{endpoint}/ (authenticated PING)");
                Emit(check, CheckStatus.Fail, cause, watch, status, message, recommendation, evidence);
                return;
            }

            if (!int.TryParse(responseCode, NumberStyles.Integer, CultureInfo.InvariantCulture, out int code))
            {
                Emit(check, CheckStatus.Fail, MapiHttpCause.Network, watch, 200,
                    $"/mapi/{endpoint}/ answered the PING with 200 but without X-ResponseCode: something other than Exchange answered.",
                    "Check the load balancer or reverse proxy rules for /mapi/*.", evidence);
                return;
            }

            if (code == 0)
            {
                Emit(check, CheckStatus.Pass, MapiHttpCause.None, watch, 200,
                    $"Authenticated PING to /mapi/{endpoint}/ succeeded (X-ResponseCode 0{(serverApplication is null ? string.Empty : ", " + serverApplication)}).", null, evidence);
                return;
            }

            (CheckStatus resultStatus, MapiHttpCause cause2, string meaning, string? fix) = code switch
            {
                16 => (CheckStatus.Fail, MapiHttpCause.NotEnabled, "Endpoint Disabled: MAPI/HTTP is disabled on the server", (string?)"Set-OrganizationConfig -MapiHttpEnabled $true"),
                18 => (CheckStatus.Fail, MapiHttpCause.AppPool, "Endpoint Shutting Down: the MAPI app pool is recycling or stopping", $"Get-MapiAppPoolHealth -Server {ServerOrHost}"),
                8 or 11 => (CheckStatus.Fail, MapiHttpCause.Authentication, code == 8 ? "Anonymous Not Allowed" : "No Privilege", "Check the account's mailbox and its MAPI settings: Get-CASMailbox <user> | Format-List Mapi*"),
                _ => (CheckStatus.Error, MapiHttpCause.None, MapiResponseCodes.Describe(code) + " (the server rejected the probe's request itself)", null),
            };
            Emit(check, resultStatus, cause2, watch, 200, $"/mapi/{endpoint}/ answered the PING with X-ResponseCode {code}: {meaning}.", fix, evidence);
        }

        // --- helpers ---------------------------------------------------------------------------------------

        private (MapiHttpCause Cause, string Message, string Recommendation) ClassifyHttpFailure(int status, string what)
        {
            string otherText = _frontEndWideFailure
                ? "OWA and EWS fail on this front end too"
                : _mapiOnlyFailure ? "OWA/EWS on the same front end answer 200" : "other protocols were not compared";
            if (status == 503 || status == 502 || status == 500)
            {
                if (_frontEndWideFailure)
                {
                    return (MapiHttpCause.Network, $"{what} answers {status}, and {otherText}: all protocols on this front end fail, not a MAPI/HTTP handler problem (the front end is down, or a load balancer/proxy answers for it).",
                        $"Check the front end {ServerOrHost} as a whole: Get-ServerComponentState -Identity {ServerOrHost}; IIS and the MSExchange* services; the load balancer pool.");
                }

                return (MapiHttpCause.AppPool, $"{what} answers {status} while {otherText}: the MAPI application pool is stopped or failing.",
                    $"Get-MapiAppPoolHealth -Server {ServerOrHost}; to start it: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool (on {ServerOrHost})");
            }

            if (status == 404)
            {
                if (_frontEndWideFailure)
                {
                    return (MapiHttpCause.Network, $"{what} answers 404, and {otherText}: this address does not route to an Exchange front end.",
                        $"Check what answers at {_label} (load balancer virtual server, reverse proxy publishing rules) and that /mapi is published.");
                }

                return (MapiHttpCause.VirtualDirectory, $"{what} answers 404 while {otherText}: the /mapi virtual directory is missing in IIS or not published.",
                    $"Get-MapiVirtualDirectory -Server {ServerOrHost} | Format-List; if it is missing in IIS: Repair-MapiVirtualDirectory -Server {ServerOrHost} -Recreate -Force (backs up first)");
            }

            if (status == 401 || status == 403 || status == 407)
            {
                return (MapiHttpCause.Network, $"{what} answers {status} to a request Exchange answers without authentication: a reverse proxy or load balancer in front demands authentication.",
                    "Check pre-authentication rules on the reverse proxy for /mapi/* (MAPI/HTTP must be passed through).");
            }

            return (MapiHttpCause.Network, $"{what} answers {status}, which Exchange does not send here: something on the path answers instead.",
                "Check the load balancer or reverse proxy rules for /mapi/*.");
        }

        private WireRequest MapiRequest(string endpoint, string requestType)
        {
            string id = Guid.NewGuid().ToString("B").ToUpperInvariant();
            return new WireRequest("POST", $"/mapi/{endpoint}/", HostHeader)
                .With("Content-Type", "application/mapi-http")
                .With("X-RequestType", requestType)
                .With("X-RequestId", id + ":1")
                .With("X-ClientInfo", id + ":1")
                .With("X-ClientApplication", ClientApplication)
                .With("User-Agent", ClientApplication)
                .With("Accept", "application/mapi-http");
        }

        private async Task<Exchange> SendAsync(WireRequest request, Stream? existing, CancellationToken cancellation)
        {
            using var timeout = Linked(cancellation);
            Stream? stream = existing;
            try
            {
                if (stream is null)
                {
                    TcpClient client = await ProbeTransport.ConnectAsync(_address, _target.Uri.Port, timeout.Token).ConfigureAwait(false);
                    if (_https)
                    {
                        TlsOutcome tls = await ProbeTransport.AuthenticateAsync(client.GetStream(), _host, _options.SkipCertificateCheck, timeout.Token).ConfigureAwait(false);
                        if (tls.Stream is null)
                        {
                            client.Dispose();
                            return new Exchange(null, tls.Error ?? new AuthenticationException("The certificate did not validate."), false);
                        }

                        stream = tls.Stream;
                    }
                    else
                    {
                        stream = client.GetStream();
                    }
                }

                using (timeout.Token.Register(stream.Dispose))
                {
                    WireResponse response = await HttpWire.SendAsync(stream, request, timeout.Token).ConfigureAwait(false);
                    return new Exchange(response, null, false);
                }
            }
            catch (Exception ex) when (!cancellation.IsCancellationRequested)
            {
                return new Exchange(null, ex, timeout.IsCancellationRequested);
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

        private void EmitTransportFailure(string check, Stopwatch watch, Exchange exchange, string what)
        {
            Exception error = exchange.Error!;
            bool reset = ProbeTransport.IsReset(error);
            string message = exchange.TimedOut
                ? $"{what} got no answer within {_options.Timeout.TotalSeconds:0} s: the server or a device on the path holds the request (hung app pool, proxy or load balancer)."
                : reset ? $"{what}: the connection was reset: a firewall, load balancer or TLS-inspection device is cutting /mapi traffic."
                : $"{what} failed: {ProbeTransport.Describe(error)}.";
            Emit(check, CheckStatus.Fail, MapiHttpCause.Network, watch, null, message,
                $"Check the path from this client to {_label}:{_target.Uri.Port} for /mapi: load balancer persistence and idle timeouts, TLS inspection bypass, reverse proxy rules; then Get-MapiAppPoolHealth -Server {ServerOrHost}.",
                Evidence(("Error", ProbeTransport.Describe(error)), ("TimedOut", exchange.TimedOut), ("Reset", reset)));
        }

        private bool Blocked(string check)
        {
            if (_blockedReason is null)
            {
                return false;
            }

            Emit(check, CheckStatus.Skipped, MapiHttpCause.None, Stopwatch.StartNew(), null, $"{Capitalize(_blockedReason)}.", null, null);
            return true;
        }

        private CancellationTokenSource Linked(CancellationToken cancellation)
        {
            var source = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            source.CancelAfter(_options.Timeout);
            return source;
        }

        private void Emit(string check, CheckStatus status, MapiHttpCause cause, Stopwatch watch, int? statusCode, string message, string? recommendation, IEnumerable<KeyValuePair<string, object?>>? evidence) =>
            _emit(new MapiHttpEndpointResult(check, status, cause, _target.Uri.ToString(), _label, _server, _target.Identity,
                Math.Round(watch.Elapsed.TotalMilliseconds, 1), statusCode, _options.SkipCertificateCheck, message, recommendation, evidence));

        private static Dictionary<string, object?> ResponseEvidence(WireResponse response)
        {
            var evidence = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["HttpStatus"] = response.StatusCode };
            foreach (string name in new[] { "X-FEServer", "X-BEServer", "X-CalculatedBETarget", "request-id", "X-FailureContext", "X-ResponseCode", "X-ServerApplication", "X-RequestType", "X-ExpirationInfo", "X-PendingPeriod", "Server" })
            {
                if (response.Header(name) is { } value)
                {
                    evidence[name] = value;
                }
            }

            string[] challenges = response.HeaderValues("WWW-Authenticate").ToArray();
            if (challenges.Length > 0)
            {
                evidence["WWW-Authenticate"] = challenges;
            }

            return evidence;
        }

        private static IEnumerable<KeyValuePair<string, object?>> Evidence(params (string Key, object? Value)[] pairs) =>
            pairs.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value));

        private static string ExchangeMethods(IEnumerable<string> schemes) =>
            string.Join(",", schemes.Select(AuthenticationSchemes.ToExchangeMethod).Distinct(StringComparer.OrdinalIgnoreCase));

        private static string Short(string text) => text.Length <= 60 ? text : text.Substring(0, 60) + "...";

        private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);
    }

    private readonly struct Exchange
    {
        public Exchange(WireResponse? response, Exception? error, bool timedOut)
        {
            Response = response;
            Error = error;
            TimedOut = timedOut;
        }

        public WireResponse? Response { get; }

        public Exception? Error { get; }

        public bool TimedOut { get; }
    }
}

/// <summary>X-ResponseCode values of MS-OXCMAPIHTTP section 2.2.2.2.3.</summary>
internal static class MapiResponseCodes
{
    public static string Describe(int code) => code switch
    {
        0 => "Success",
        1 => "Unknown Failure",
        2 => "Invalid Verb",
        3 => "Invalid Path",
        4 => "Invalid Header",
        5 => "Invalid Request Type",
        6 => "Invalid Context Cookie",
        7 => "Missing Header",
        8 => "Anonymous Not Allowed",
        9 => "Too Large",
        10 => "Context Not Found",
        11 => "No Privilege",
        12 => "Invalid Request Body",
        13 => "Missing Cookie",
        15 => "Invalid Sequence",
        16 => "Endpoint Disabled",
        17 => "Invalid Response",
        18 => "Endpoint Shutting Down",
        _ => "Unknown code",
    };
}
