using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.DnsQuery;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;
using AuthenticationSchemes = MapiHttpTools.Probing.AuthenticationSchemes;

namespace MapiHttpTools.Autodiscover;

/// <summary>What Test-MapiHttpAutodiscover knows besides the probe options: Exchange's side, where it was read.</summary>
internal sealed class AutodiscoverOptions
{
    public AutodiscoverOptions(ProbeOptions probe) => Probe = probe;

    /// <summary>Connection, certificate and credential rules: the endpoint probe's own (issue 20).</summary>
    public ProbeOptions Probe { get; }

    /// <summary>The MAPI virtual directories' URLs (Get-MapiVirtualDirectory); null when not read.</summary>
    public IReadOnlyList<MapiVirtualDirectoryUrls>? VirtualDirectories { get; init; }

    /// <summary>Per address: the organisation's and the mailbox's MAPI/HTTP settings; absent when not read.</summary>
    public Func<string, MapiHttpConfiguration?> Configuration { get; init; } = _ => null;

    /// <summary>
    /// The DNS servers the SRV candidate asks (issue 14), chosen only when an SRV candidate is reached (the system's are
    /// not read for runs that never get there); null: none known, the SRV candidate is Skipped.
    /// </summary>
    public Lazy<DnsServerChoice>? DnsServers { get; init; }

    /// <summary>Stop after the first candidate that answers with settings, as Outlook does (default candidates only).</summary>
    public bool StopAtFirstAnswer { get; init; }
}

/// <summary>
/// Asks Autodiscover what Outlook is told, as Outlook asks (issue 14): per candidate URL the DNS, TCP and TLS hops
/// (the endpoint probe's transport and certificate judgement), the anonymous POST and its challenge, the authenticated
/// POX request with X-MapiHttpCapability: 1, redirects followed within <see cref="AutodiscoverJudgement.MaxHops"/>, then
/// the mapiHttp block judged and the /mapi URL it names probed with <see cref="EndpointProber"/>.
/// </summary>
internal sealed class AutodiscoverProber
{
    private readonly AutodiscoverOptions _options;
    private readonly ProbeOptions _probe;

    public AutodiscoverProber(AutodiscoverOptions options)
    {
        _options = options;
        _probe = options.Probe;
    }

    public async Task RunAsync(string emailAddress, IReadOnlyList<AutodiscoverCandidate> candidates, Action<MapiHttpAutodiscoverResult> emit, CancellationToken cancellation)
    {
        bool answered = false;
        foreach (AutodiscoverCandidate candidate in candidates)
        {
            var hop = new Hop(this, emailAddress, candidate.Uri, 1, emit);
            if (answered && _options.StopAtFirstAnswer)
            {
                hop.Emit(AutodiscoverSteps.Candidate, new Finding(CheckStatus.Skipped, MapiHttpCause.None,
                    $"Not asked ({candidate.Method}): Outlook stops at the first candidate that answers with settings."), null, Stopwatch.StartNew(), null);
                continue;
            }

            if (candidate.Method == CandidateMethod.SrvRecord)
            {
                answered |= await SrvAsync(emailAddress, candidate, emit, cancellation).ConfigureAwait(false);
                continue;
            }

            answered |= await FollowAsync(emailAddress, candidate, emit, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The SRV method: _autodiscover._tcp.&lt;domain&gt; asked of the DNS servers, the lookup reported, then each usable
    /// target in Outlook's order asked as https://&lt;target&gt;:&lt;port&gt;/autodiscover/autodiscover.xml until one answers.
    /// </summary>
    private async Task<bool> SrvAsync(string emailAddress, AutodiscoverCandidate candidate, Action<MapiHttpAutodiscoverResult> emit, CancellationToken cancellation)
    {
        string name = candidate.Uri.Host;
        var watch = Stopwatch.StartNew();
        DnsServerChoice servers = _options.DnsServers?.Value ?? new DnsServerChoice(Array.Empty<IPEndPoint>(), "none", "no DNS server was given to the probe");
        SrvLookupResult? answer = null;
        DnsLookupException? failure = null;
        if (!DnsMessage.IsQueryable(name, out string problem))
        {
            new Hop(this, emailAddress, candidate.Uri, 1, emit).Emit(AutodiscoverSrv.Check, new Finding(CheckStatus.Skipped, MapiHttpCause.None,
                $"The SRV record {DisplayText.Safe(name)} was not looked up: {DisplayText.Safe(problem, 512)}."), null, watch, null);
            return false;
        }

        if (servers.Servers.Count > 0)
        {
            try
            {
                answer = await new DnsClient(servers.Servers, _probe.Timeout).QuerySrvAsync(name, cancellation).ConfigureAwait(false);
            }
            catch (DnsLookupException ex)
            {
                failure = ex;
            }
        }

        var facts = new SrvLookupFacts(name, servers, _probe.Timeout, answer, failure);
        new Hop(this, emailAddress, candidate.Uri, 1, emit).Emit(AutodiscoverSrv.Check, AutodiscoverSrv.Judge(facts), null, watch, AutodiscoverSrv.Evidence(facts));
        if (answer is null)
        {
            return false;
        }

        foreach ((SrvRecord _, Uri target) in AutodiscoverSrv.Targets(answer.Records))
        {
            if (await FollowAsync(emailAddress, new AutodiscoverCandidate(target, CandidateMethod.SrvRecord), emit, cancellation).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One candidate and its redirects; true when it ended in a settings answer.</summary>
    private async Task<bool> FollowAsync(string emailAddress, AutodiscoverCandidate candidate, Action<MapiHttpAutodiscoverResult> emit, CancellationToken cancellation)
    {
        var asked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        Uri uri = candidate.Uri;
        string email = emailAddress;
        int number = 1;
        if (candidate.Method == CandidateMethod.HttpRedirect)
        {
            var first = new Hop(this, email, uri, number, emit);
            Uri? location = await first.HttpRedirectAsync(cancellation).ConfigureAwait(false);
            if (location is null)
            {
                return false;
            }

            uri = location;
            number++;
        }

        while (true)
        {
            asked.Add(uri.AbsoluteUri + "|" + email);
            var hop = new Hop(this, email, uri, number, emit);
            HopOutcome outcome = await hop.RunAsync(cancellation).ConfigureAwait(false);
            if (outcome.Settings is { } settings)
            {
                await hop.JudgeSettingsAsync(settings, cancellation).ConfigureAwait(false);
                return true;
            }

            if (outcome.RedirectKind is not { } kind)
            {
                return false;
            }

            string? target = outcome.RedirectTarget;
            Uri? next = kind == "redirectAddr" ? uri : Uri.TryCreate(target ?? string.Empty, UriKind.Absolute, out Uri? parsed) ? parsed : null;
            string nextEmail = kind == "redirectAddr" ? target ?? email : email;
            bool seen = next is not null && asked.Contains(next.AbsoluteUri + "|" + nextEmail);
            Finding finding = AutodiscoverJudgement.Redirect(kind, target, next, number, seen);
            hop.Emit(AutodiscoverSteps.Redirect, finding, null, Stopwatch.StartNew(), new Dictionary<string, object?>
            {
                ["Action"] = kind,
                ["RedirectTarget"] = DisplayText.Safe(target),
                ["Hop"] = number,
            });
            if (finding.Status != CheckStatus.Pass)
            {
                return false;
            }

            uri = next!;
            email = nextEmail;
            number++;
        }
    }

    private sealed record HopOutcome(PoxResponse? Settings, string? RedirectKind, string? RedirectTarget);

    private static readonly HopOutcome Ended = new(null, null, null);

    /// <summary>One URL asked for one address: the facts of its connection and requests, and their findings.</summary>
    private sealed class Hop
    {
        private readonly AutodiscoverProber _owner;
        private readonly string _email;
        private readonly Uri _uri;
        private readonly int _number;
        private readonly Action<MapiHttpAutodiscoverResult> _emit;
        private readonly bool _https;
        private IPAddress? _address;
        private string? _label;
        private string? _server;
        private bool _validated;

        public Hop(AutodiscoverProber owner, string email, Uri uri, int number, Action<MapiHttpAutodiscoverResult> emit)
        {
            _owner = owner;
            _email = email;
            _uri = uri;
            _number = number;
            _emit = emit;
            _https = uri.Scheme == Uri.UriSchemeHttps;
        }

        private ProbeOptions Probe => _owner._probe;

        private string Host => _uri.DnsSafeHost;

        private string HostHeader => _uri.IsDefaultPort ? _uri.Host : $"{_uri.Host}:{_uri.Port}";

        public async Task<HopOutcome> RunAsync(CancellationToken cancellation)
        {
            if (!await ConnectAsync(cancellation).ConfigureAwait(false))
            {
                return Ended;
            }

            byte[] body = PoxResponseParser.Request(_email);
            var watch = Stopwatch.StartNew();
            HttpExchange anonymous = await SendAsync(PoxRequest(body), false, cancellation).ConfigureAwait(false);
            if (anonymous.Response is not { } challenge)
            {
                TransportFailure(AutodiscoverSteps.Challenge, watch, anonymous);
                return Ended;
            }

            IReadOnlyList<string> offered = AuthenticationSchemes.Offered(challenge.HeaderValues("WWW-Authenticate"));
            Dictionary<string, object?> evidence = Evidence(challenge);
            evidence["OfferedAuthentication"] = offered.Select(o => DisplayText.Safe(o)).ToArray();
            Emit(AutodiscoverSteps.Challenge, AutodiscoverJudgement.Challenge(challenge.StatusCode, offered, ServerNames.IsHttpSys(challenge), _label!), challenge.StatusCode, watch, evidence);
            if (Location(challenge) is { } moved)
            {
                return new HopOutcome(null, "HTTP " + challenge.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), moved);
            }

            if (challenge.StatusCode == 200)
            {
                return Interpret(challenge, "no authentication", Stopwatch.StartNew());
            }

            if (challenge.StatusCode != 401 || offered.Count == 0)
            {
                return Ended;
            }

            return await AuthenticatedAsync(body, offered, cancellation).ConfigureAwait(false);
        }

        /// <summary>The HTTP redirect method: an anonymous GET over http whose 301/302 names the https URL to POST to.</summary>
        public async Task<Uri?> HttpRedirectAsync(CancellationToken cancellation)
        {
            if (!await ConnectAsync(cancellation).ConfigureAwait(false))
            {
                return null;
            }

            var watch = Stopwatch.StartNew();
            HttpExchange exchange = await SendAsync(new WireRequest("GET", _uri.PathAndQuery, HostHeader).With("User-Agent", EndpointProber.ClientApplication), false, cancellation).ConfigureAwait(false);
            if (exchange.Response is not { } response)
            {
                TransportFailure(AutodiscoverSteps.Redirect, watch, exchange);
                return null;
            }

            string? location = Location(response);
            Uri? target = location is not null && Uri.TryCreate(_uri, location, out Uri? resolved) ? resolved : null;
            Dictionary<string, object?> evidence = Evidence(response);
            evidence["Location"] = DisplayText.Safe(location);
            if (target is null)
            {
                Emit(AutodiscoverSteps.Redirect, new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    $"GET {DisplayText.Safe(_uri.AbsoluteUri)} answered {response.StatusCode} without a redirect: the HTTP redirect method finds nothing here.",
                    $"If clients should use this method, make http://{DisplayText.Safe(Host)}/autodiscover/autodiscover.xml answer 302 with Location https://<namespace>/autodiscover/autodiscover.xml."),
                    response.StatusCode, watch, evidence);
                return null;
            }

            Finding finding = AutodiscoverJudgement.Redirect("HTTP " + response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), target.AbsoluteUri, target, _number, false);
            Emit(AutodiscoverSteps.Redirect, finding, response.StatusCode, watch, evidence);
            return finding.Status == CheckStatus.Pass ? target : null;
        }

        private async Task<HopOutcome> AuthenticatedAsync(byte[] body, IReadOnlyList<string> offered, CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            if (Probe.Credential is null && !Probe.UseDefaultCredentials)
            {
                return Skip(watch, "The POX request was not sent: pass -Credential (or -UseDefaultCredentials on Windows); Exchange answers Autodiscover only to an authenticated user.");
            }

            if (!Probe.AllowUnencryptedAuthentication && !_https)
            {
                return Skip(watch, $"The POX request was not sent: {DisplayText.Safe(_uri.AbsoluteUri)} is http, and credentials are never sent unencrypted. Pass -AllowUnencryptedAuthentication to send them anyway.");
            }

            if (!Probe.AllowUnencryptedAuthentication && !_validated)
            {
                return Skip(watch, $"The POX request was not sent: the certificate of {_label} was not validated (-SkipCertificateCheck), so the peer could be anyone. Pass -AllowUnencryptedAuthentication to send credentials to it anyway.");
            }

            IReadOnlyList<string> windows = ServerNames.WindowsSchemes(offered);
            bool basicOffered = offered.Contains("Basic", StringComparer.OrdinalIgnoreCase);
            if (Probe.Credential is { } credential && basicOffered && (windows.Count == 0 || !SystemHttpPing.PlatformHasWindowsAuthentication))
            {
                string pair = credential.Domain is { Length: > 0 } domain ? $"{domain}\\{credential.UserName}:{credential.Password}" : $"{credential.UserName}:{credential.Password}";
                WireRequest request = PoxRequest(body).With("Authorization", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair)));
                HttpExchange exchange = await SendAsync(request, !Probe.AllowUnencryptedAuthentication, cancellation).ConfigureAwait(false);
                if (exchange.Response is not { } response)
                {
                    TransportFailure(AutodiscoverSteps.Request, watch, exchange);
                    return Ended;
                }

                if (Location(response) is { } moved)
                {
                    Emit(AutodiscoverSteps.Request, AutodiscoverJudgement.Answer(response.StatusCode, "Basic", null, null, false, false, _label!), response.StatusCode, watch, Evidence(response));
                    return new HopOutcome(null, "HTTP " + response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), moved);
                }

                return Interpret(response, "Basic", watch);
            }

            if (windows.Count == 0)
            {
                return Skip(watch, $"The POX request was not sent: /autodiscover offers {string.Join(", ", offered.Select(o => DisplayText.Safe(o)))}; the probe sends credentials only with Negotiate, NTLM or Basic{(basicOffered ? " (Basic needs -Credential)" : string.Empty)}.");
            }

            if (Probe.TargetAddresses is { Count: > 0 })
            {
                return Skip(watch, $"The POX request was not sent to {_label}: /autodiscover offers {string.Join(", ", windows)}, which the probe sends only through the system HTTP stack, and that connects by host name, not to -TargetAddress.");
            }

            if (Probe.UseDefaultCredentials && Probe.Credential is null && !SystemHttpPing.PlatformHasWindowsAuthentication)
            {
                return Skip(watch, "The POX request was not sent: -UseDefaultCredentials works on Windows only; pass -Credential.");
            }

            if (!SystemHttpPing.PlatformHasWindowsAuthentication)
            {
                return Skip(watch, $"The POX request was not sent: /autodiscover offers {string.Join(", ", windows)} only, which this platform cannot produce ({System.Runtime.InteropServices.RuntimeInformation.OSDescription}); run it on Windows, or against a server that also offers Basic.");
            }

            AutodiscoverSystemHttp.Outcome outcome = await AutodiscoverSystemHttp.PostAsync(_uri, body, windows, Probe, cancellation).ConfigureAwait(false);
            if (outcome.Error is not null)
            {
                TransportFailure(AutodiscoverSteps.Request, watch, new HttpExchange(null, outcome.Error, outcome.Error is OperationCanceledException));
                return Ended;
            }

            return Interpret(outcome.Response!, outcome.Scheme ?? "Negotiate or NTLM, chosen by Windows", watch);
        }

        private HopOutcome Interpret(WireResponse response, string scheme, Stopwatch watch)
        {
            Dictionary<string, object?> evidence = Evidence(response);
            evidence["AuthenticationScheme"] = scheme;
            PoxResponse? parsed = null;
            string? error = null;
            bool truncated = response.Body.Length >= HttpWire.MaxBody;
            if (response.StatusCode == 200 && !truncated)
            {
                try
                {
                    parsed = PoxResponseParser.Parse(response.Body);
                }
                catch (PoxFormatException ex)
                {
                    error = ex.Message;
                }
            }

            if (parsed?.Kind == PoxKind.Error)
            {
                evidence["ErrorCode"] = parsed.ErrorCode;
                evidence["ErrorMessage"] = DisplayText.Safe(parsed.ErrorMessage);
            }

            Emit(AutodiscoverSteps.Request, AutodiscoverJudgement.Answer(response.StatusCode, scheme, parsed, error, truncated, ServerNames.IsHttpSys(response), _label!), response.StatusCode, watch, evidence);
            return parsed?.Kind switch
            {
                PoxKind.Settings => new HopOutcome(parsed, null, null),
                PoxKind.RedirectAddr => new HopOutcome(null, "redirectAddr", parsed.RedirectTarget),
                PoxKind.RedirectUrl => new HopOutcome(null, "redirectUrl", parsed.RedirectTarget),
                _ => Ended,
            };
        }

        /// <summary>The mapiHttp block: hosts resolved and their certificates read, the block judged, then /mapi itself probed.</summary>
        public async Task JudgeSettingsAsync(PoxResponse settings, CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            var hosts = new List<MapiUrlHostFacts>();
            if (settings.MapiHttp is { } block)
            {
                foreach (Uri uri in block.Urls().Select(u => Uri.TryCreate(u.Url, UriKind.Absolute, out Uri? parsed) ? parsed : null).OfType<Uri>()
                             .Where(u => u.Scheme == Uri.UriSchemeHttps).GroupBy(u => u.Host + ":" + u.Port, StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
                {
                    hosts.Add(await HostFactsAsync(uri, cancellation).ConfigureAwait(false));
                }
            }

            Finding finding = AutodiscoverJudgement.MapiHttpBlock(settings, _email, _owner._options.Configuration(_email), _owner._options.VirtualDirectories, hosts);
            var evidence = new Dictionary<string, object?>
            {
                ["MapiHttpOffered"] = settings.MapiHttp is not null,
                ["MapiHttpCapabilityHeader"] = "1",
                ["OtherProtocols"] = settings.Protocols.Select(p => DisplayText.Safe(p.Type)).ToArray(),
            };
            foreach (PoxProtocol protocol in settings.Protocols.Where(p => p.Server is not null))
            {
                evidence[$"{DisplayText.Safe(protocol.Type, 16)}Server"] = DisplayText.Safe(protocol.Server);
            }

            Emit(AutodiscoverSteps.MapiHttp, finding, null, watch, evidence, row =>
            {
                row.MailStoreInternalUrl = Safe(settings.MapiHttp?.MailStoreInternalUrl);
                row.MailStoreExternalUrl = Safe(settings.MapiHttp?.MailStoreExternalUrl);
                row.AddressBookInternalUrl = Safe(settings.MapiHttp?.AddressBookInternalUrl);
                row.AddressBookExternalUrl = Safe(settings.MapiHttp?.AddressBookExternalUrl);
                row.OtherProtocols = settings.Protocols.Select(p => DisplayText.Safe(p.Type)).ToArray();
            });

            string? mapiRoot = AutodiscoverJudgement.MapiRoot(settings.MapiHttp?.MailStoreInternalUrl ?? settings.MapiHttp?.MailStoreExternalUrl);
            if (finding.Status != CheckStatus.Pass || mapiRoot is null)
            {
                if (settings.MapiHttp is not null)
                {
                    Emit(AutodiscoverSteps.MapiEndpoint, new Finding(CheckStatus.Skipped, MapiHttpCause.None, "The /mapi endpoint was not probed: the URLs Autodiscover gives are wrong (see the MapiHttp result); correct them first."), null, Stopwatch.StartNew(), null);
                }

                return;
            }

            var endpointWatch = Stopwatch.StartNew();
            var rows = new List<MapiHttpEndpointResult>();
            var target = new ProbeTarget(new Uri(mapiRoot), null, null, AuthenticationSchemes.DefaultExpected, "the default, Negotiate and NTLM");
            await new EndpointProber(Probe).ProbeAsync(new[] { target }, r => { lock (rows) { rows.Add(r); } }, null, cancellation).ConfigureAwait(false);
            Emit(AutodiscoverSteps.MapiEndpoint, AutodiscoverJudgement.Endpoint(mapiRoot, rows), null, endpointWatch, new Dictionary<string, object?>
            {
                ["MapiUrl"] = mapiRoot,
                ["EndpointChecks"] = rows.Select(r => $"{r.Check}={r.Status}").ToArray(),
            });
        }

        private async Task<MapiUrlHostFacts> HostFactsAsync(Uri uri, CancellationToken cancellation)
        {
            IPAddress? address = null;
            bool pinned = Probe.TargetAddresses is { Count: > 0 };
            try
            {
                address = (await ResolveAsync(uri.DnsSafeHost, cancellation).ConfigureAwait(false)).FirstOrDefault();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                address = null;
            }

            if (address is null)
            {
                return new MapiUrlHostFacts(uri.DnsSafeHost, uri.Port, pinned, null, Array.Empty<string>());
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(Probe.Timeout);
            try
            {
                using TcpClient client = await ProbeTransport.ConnectAsync(address, uri.Port, timeout.Token).ConfigureAwait(false);

                // Only the certificate is wanted (nothing is sent on this connection), so it is accepted for reading.
                TlsOutcome tls = await ProbeTransport.AuthenticateAsync(client.GetStream(), uri.DnsSafeHost, true, timeout.Token).ConfigureAwait(false);
                tls.Stream?.Dispose();
                return new MapiUrlHostFacts(uri.DnsSafeHost, uri.Port, true, tls.Certificate?.Covers(uri.DnsSafeHost), tls.Certificate?.DnsNames ?? Array.Empty<string>());
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                // Unreachable: the endpoint probe that follows says why; here only names are judged.
                return new MapiUrlHostFacts(uri.DnsSafeHost, uri.Port, true, null, Array.Empty<string>());
            }
        }

        // --- connection ------------------------------------------------------------------------------------

        private async Task<bool> ConnectAsync(CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            IPAddress[] addresses;
            try
            {
                addresses = await ResolveAsync(Host, cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                string error = DisplayText.Safe(ProbeTransport.Describe(ex));
                Emit(AutodiscoverSteps.Dns, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"'{DisplayText.Safe(Host)}' does not resolve: {error}",
                    $"Create the DNS record for '{DisplayText.Safe(Host)}' if clients should find Autodiscover there; otherwise this candidate failing is normal while another answers."),
                    null, watch, new Dictionary<string, object?> { ["Host"] = DisplayText.Safe(Host), ["Error"] = error });
                return false;
            }

            if (addresses.Length == 0)
            {
                Emit(AutodiscoverSteps.Dns, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"'{DisplayText.Safe(Host)}' resolves to no IPv4 or IPv6 address.",
                    $"Create the A/AAAA record for '{DisplayText.Safe(Host)}'."), null, watch, new Dictionary<string, object?> { ["Host"] = DisplayText.Safe(Host) });
                return false;
            }

            _address = addresses[0];
            _label = _address.ToString();
            Emit(AutodiscoverSteps.Dns, Probe.TargetAddresses is { Count: > 0 }
                    ? new Finding(CheckStatus.Skipped, MapiHttpCause.None, $"Not resolved: -TargetAddress given; connecting to {_label} with '{DisplayText.Safe(Host)}' in SNI and Host.")
                    : new Finding(CheckStatus.Pass, MapiHttpCause.None, $"'{DisplayText.Safe(Host)}' resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}; the first is asked, as a client does."),
                null, watch, new Dictionary<string, object?> { ["Host"] = DisplayText.Safe(Host), ["Addresses"] = addresses.Select(a => a.ToString()).ToArray() });

            watch = Stopwatch.StartNew();
            TcpClient client;
            using (var timeout = Linked(cancellation))
            {
                try
                {
                    client = await ProbeTransport.ConnectAsync(_address, _uri.Port, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!cancellation.IsCancellationRequested)
                {
                    string what = ex is OperationCanceledException ? $"no answer within {Probe.Timeout.TotalSeconds:0} s" : DisplayText.Safe(ProbeTransport.Describe(ex));
                    Emit(AutodiscoverSteps.TcpConnect, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"TCP connect to {_label}:{_uri.Port} failed: {what}.",
                        $"Check the network path to {_label}:{_uri.Port} (firewalls, the load balancer's virtual server for Autodiscover)."), null, watch, null);
                    return false;
                }
            }

            Emit(AutodiscoverSteps.TcpConnect, new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Connected to {_label}:{_uri.Port}."), null, watch, null);
            if (!_https)
            {
                client.Dispose();
                return true;
            }

            watch = Stopwatch.StartNew();
            TlsOutcome outcome;
            using (var timeout = Linked(cancellation))
            {
                try
                {
                    outcome = await ProbeTransport.AuthenticateAsync(client.GetStream(), Host, Probe.SkipCertificateCheck, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    client.Dispose();
                    Emit(AutodiscoverSteps.Tls, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"The TLS handshake with {_label} did not finish within {Probe.Timeout.TotalSeconds:0} s.",
                        "Check the load balancer's or proxy's TLS settings for the Autodiscover name."), null, watch, null);
                    return false;
                }
            }

            outcome.Stream?.Dispose();
            client.Dispose();
            CertificateFacts? cert = outcome.Certificate;
            var facts = new TlsFacts(outcome.Stream is not null, outcome.Protocol, cert, outcome.Error, outcome.Error is not null && ProbeTransport.IsReset(outcome.Error));
            var subject = new ProbeSubject(Host, _label, _uri.Port, null, null);
            var evidence = new Dictionary<string, object?> { ["SniHost"] = DisplayText.Safe(Host) };
            if (cert is not null)
            {
                evidence["CertificateSubject"] = DisplayText.Safe(cert.Subject);
                evidence["CertificateThumbprint"] = cert.Thumbprint;
                evidence["CertificateNotAfter"] = cert.NotAfter;
                evidence["CertificateDnsNames"] = cert.DnsNames.Select(n => DisplayText.Safe(n)).ToArray();
            }

            Emit(AutodiscoverSteps.Tls, ProbeJudgement.Tls(facts, Host, _label, DateTime.UtcNow, Probe.CertificateExpiryWarningDays, Probe.SkipCertificateCheck, subject), null, watch, evidence);
            _validated = ProbeJudgement.Validated(cert);
            return outcome.Stream is not null;
        }

        private async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
        {
            if (Probe.TargetAddresses is { Count: > 0 } pinned)
            {
                var result = new List<IPAddress>();
                foreach (string address in pinned)
                {
                    result.AddRange(IPAddress.TryParse(address, out IPAddress? ip) ? new[] { ip } : await ResolveWithTimeoutAsync(address, cancellation).ConfigureAwait(false));
                }

                return result.ToArray();
            }

            if (IPAddress.TryParse(host, out IPAddress? literal))
            {
                return new[] { literal };
            }

            return (await ResolveWithTimeoutAsync(host, cancellation).ConfigureAwait(false))
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().ToArray();
        }

        private async Task<IPAddress[]> ResolveWithTimeoutAsync(string host, CancellationToken cancellation)
        {
            using CancellationTokenSource timeout = Linked(cancellation);
            return await Probe.Resolver.ResolveAsync(host, timeout.Token).ConfigureAwait(false);
        }

        /// <summary>One request on a new connection to this hop's address, SNI and Host carrying the URL's name.</summary>
        private async Task<HttpExchange> SendAsync(WireRequest request, bool requireValidatedCertificate, CancellationToken cancellation)
        {
            using CancellationTokenSource timeout = Linked(cancellation);
            System.IO.Stream? stream = null;
            try
            {
                (stream, Exception? refused) = await ProbeTransport.OpenAsync(_address!, _uri.Port, _https, Host, Probe.SkipCertificateCheck, requireValidatedCertificate, timeout.Token).ConfigureAwait(false);
                if (stream is null)
                {
                    return new HttpExchange(null, refused, false);
                }

                using (timeout.Token.Register(stream.Dispose))
                {
                    return new HttpExchange(await HttpWire.SendAsync(stream, request, timeout.Token).ConfigureAwait(false), null, false);
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

        private WireRequest PoxRequest(byte[] body) =>
            new WireRequest("POST", _uri.PathAndQuery, HostHeader)
            {
                Body = body,
            }
            .With("Content-Type", "text/xml; charset=utf-8")
            .With("User-Agent", EndpointProber.ClientApplication)
            .With("X-MapiHttpCapability", "1")
            .With("X-AnchorMailbox", _email);

        private void TransportFailure(string check, Stopwatch watch, HttpExchange exchange)
        {
            string described = DisplayText.Safe(ProbeTransport.Describe(exchange.Error!));
            Emit(check, new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                    exchange.TimedOut ? $"{_label} did not answer within {Probe.Timeout.TotalSeconds:0} s." : $"The request to {_label} failed: {described}.",
                    $"Check the path from this client to {_label}:{_uri.Port} for /autodiscover (load balancer, reverse proxy, TLS inspection)."),
                null, watch, new Dictionary<string, object?> { ["Error"] = described, ["TimedOut"] = exchange.TimedOut });
        }

        private HopOutcome Skip(Stopwatch watch, string message)
        {
            Emit(AutodiscoverSteps.Request, new Finding(CheckStatus.Skipped, MapiHttpCause.None, message), null, watch, null);
            return Ended;
        }

        private CancellationTokenSource Linked(CancellationToken cancellation)
        {
            var source = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            source.CancelAfter(Probe.Timeout);
            return source;
        }

        private static string? Location(WireResponse response) =>
            response.StatusCode is 301 or 302 or 303 or 307 or 308 ? response.Header("Location") : null;

        private static string? Safe(string? text) => text is null ? null : DisplayText.Safe(text, 2048);

        private Dictionary<string, object?> Evidence(WireResponse response)
        {
            var evidence = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase) { ["HttpStatus"] = response.StatusCode };
            foreach (string name in new[] { "X-FEServer", "X-BEServer", "request-id", "X-FailureContext", "Server", "Location" })
            {
                if (response.Header(name) is { } value)
                {
                    evidence[name] = DisplayText.Safe(value);
                }
            }

            _server ??= ServerNames.AsHostName(response.Header("X-FEServer"));
            return evidence;
        }

        internal MapiHttpAutodiscoverResult Emit(string check, Finding finding, int? status, Stopwatch watch, IEnumerable<KeyValuePair<string, object?>>? evidence, Action<MapiHttpAutodiscoverResult>? complete = null)
        {
            var pairs = new List<KeyValuePair<string, object?>>(evidence ?? Array.Empty<KeyValuePair<string, object?>>());
            pairs.Add(new KeyValuePair<string, object?>("LatencyMs", Math.Round(watch.Elapsed.TotalMilliseconds, 1)));
            var row = new MapiHttpAutodiscoverResult(check, finding.Status, finding.Cause, DisplayText.Safe(_email), _uri.AbsoluteUri, _number, _label, _server, status,
                Probe.SkipCertificateCheck, finding.Message, finding.Recommendation, pairs);
            complete?.Invoke(row);
            _emit(row);
            return row;
        }
    }
}
