using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Invoke-MapiHttpDiagnostic -IncludeProtocol (issue 16): each Client Access server's IMAP4/POP3 URLs (implicit TLS and
/// STARTTLS/STLS, by FQDN) probed with Test-ExchangeClientProtocol's engine beside the /mapi probe, and the Exchange side
/// behind them (settings, services, ImapProxy/PopProxy, the -Mailbox mailboxes' ImapEnabled/PopEnabled) judged by the
/// same <see cref="ExchangeSideReader"/>, live or from a snapshot, so the verdict can name what fails and the fix.
/// </summary>
internal sealed class ClientProtocolStage
{
    private readonly MailProbeOptions? _options;
    private readonly IReadOnlyList<ExchangeClientProtocol> _protocols;
    private readonly IReadOnlyDictionary<string, int>? _ports;
    private readonly IReadOnlyList<string> _mailboxes;

    /// <param name="options">The probe's options; null when nothing is probed (a snapshot, -SkipEndpointTest).</param>
    /// <param name="ports">Ports by scheme (imaps, imap, pops, pop) instead of 993/143/995/110; tests only.</param>
    /// <param name="mailboxes">Mailboxes whose ImapEnabled/PopEnabled to judge.</param>
    public ClientProtocolStage(MailProbeOptions? options, IReadOnlyList<ExchangeClientProtocol> protocols, IReadOnlyDictionary<string, int>? ports, IReadOnlyList<string>? mailboxes = null)
    {
        _options = options;
        _protocols = protocols;
        _ports = ports;
        _mailboxes = mailboxes ?? Array.Empty<string>();
    }

    private Func<AsyncPipeline, IClientProtocolExchangeSource>? _exchangeFor;

    /// <summary>Where the Exchange side is read from: the caller's runspace or the snapshot; null when it is not read.</summary>
    public IClientProtocolExchangeSource? Exchange { get; set; }

    /// <summary>
    /// The stage of one Invoke-MapiHttpDiagnostic run, made on the pipeline thread (what the session lacks is looked up
    /// there): the probe when <paramref name="probe"/> is given, and the Exchange side from <paramref name="snapshot"/>
    /// or, live, through the session's cmdlets once <see cref="Bind"/> gives it the run's pipeline. Offline without
    /// -Mailbox every mailbox of the snapshot is judged, as the MAPI/HTTP mailbox checks do.
    /// </summary>
    public static ClientProtocolStage ForRun(PSCmdlet cmdlet, IReadOnlyList<ExchangeClientProtocol> protocols, MailProbeOptions? probe, IReadOnlyDictionary<string, int>? ports,
        IReadOnlyList<string>? mailboxes, SnapshotDocument? snapshot, bool? isWindows)
    {
        if (snapshot is not null)
        {
            var offline = new SnapshotClientProtocolSource(snapshot);
            return new ClientProtocolStage(probe, protocols, ports, mailboxes ?? offline.Mailboxes) { Exchange = offline };
        }

        string[] available = ExchangeSideReader.Commands.Except(RunspaceCommandRunner.FindMissing(cmdlet, ExchangeSideReader.Commands), StringComparer.OrdinalIgnoreCase).ToArray();
        ServiceAccess services = ServiceAccess.Of(cmdlet, isWindows);
        return new ClientProtocolStage(probe, protocols, ports, mailboxes)
        {
            _exchangeFor = pipeline => new RunspaceClientProtocolSource(RunspaceCommandRunner.Posted(pipeline, available), services),
        };
    }

    /// <summary>Gives the live Exchange side the run's pipeline, through which the session's cmdlets are called.</summary>
    public void Bind(AsyncPipeline pipeline)
    {
        if (_exchangeFor is not null)
        {
            Exchange = _exchangeFor(pipeline);
        }
    }

    public async Task RunAsync(IEnumerable<ExchangeServerFacts> servers, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        ExchangeServerFacts[] frontEnds = servers.Where(s => s.IsClientAccessServer).GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).ToArray();
        if (_options is not null)
        {
            await new MailProber(_options).ProbeAsync(Targets(frontEnds), emit, null, cancellation).ConfigureAwait(false);
        }

        if (Exchange is null)
        {
            return;
        }

        var reader = new ExchangeSideReader(Exchange, emit);
        foreach (ExchangeServerFacts server in frontEnds)
        {
            foreach (ExchangeClientProtocol protocol in _protocols)
            {
                await reader.ServerAsync(server.Name, protocol, cancellation).ConfigureAwait(false);
            }
        }

        foreach (string mailbox in _mailboxes)
        {
            await reader.MailboxAsync(mailbox, _protocols, cancellation).ConfigureAwait(false);
        }
    }

    private List<MailTarget> Targets(IEnumerable<ExchangeServerFacts> frontEnds)
    {
        var targets = new List<MailTarget>();
        foreach (ExchangeServerFacts server in frontEnds)
        {
            string host = (server.Fqdn ?? server.Name).ToLowerInvariant();
            foreach (ExchangeClientProtocol protocol in _protocols)
            {
                foreach (string url in MailTarget.DefaultUrls(host, protocol))
                {
                    string withPort = Port(url);
                    if (MailTarget.Parse(withPort, server.Name, out _) is { } target)
                    {
                        targets.Add(target);
                    }
                }
            }
        }

        return targets;
    }

    private string Port(string url)
    {
        int colon = url.LastIndexOf(':');
        string scheme = url.Substring(0, url.IndexOf(':'));
        return _ports is not null && _ports.TryGetValue(scheme, out int port) ? url.Substring(0, colon + 1) + port.ToString(System.Globalization.CultureInfo.InvariantCulture) : url;
    }
}

/// <summary>
/// What the IMAP4/POP3 results of a run say, per server and protocol, and per mailbox and protocol (issue 16): failing
/// (with the cause, check and fix of the failure that explains it: an Exchange-side fact, a stopped service, before the
/// probe step that shows its effect) or working. Pure; the verdict adds the sentences and takes the worst status.
/// </summary>
internal static class ClientProtocolDifferential
{
    /// <param name="Server">The Exchange server; null for a mailbox's outcome.</param>
    /// <param name="Mailbox">The mailbox (as asked for) of a mailbox's outcome.</param>
    public sealed record Outcome(string? Server, ExchangeClientProtocol Protocol, bool Fails, MapiHttpCause Cause, string? Check, string? Recommendation = null, string? Mailbox = null)
    {
        /// <summary>"on EX01" or "for alice@contoso.com".</summary>
        public string Where => Server is not null ? $"on {Server}" : $"for {Mailbox}";
    }

    public static IReadOnlyList<Outcome> From(IEnumerable<ExchangeClientProtocolResult> results)
    {
        ExchangeClientProtocolResult[] judged = results.Where(r => r.Status != CheckStatus.Skipped).ToArray();
        IEnumerable<Outcome> servers = judged.Where(r => r.Server is not null)
            .GroupBy(r => (Server: r.Server!, r.Protocol))
            .Select(g => Of(g, DisplayText.Safe(g.Key.Server), null, g.Key.Protocol));
        IEnumerable<Outcome> mailboxes = judged.Where(r => r.Server is null && r.Check == ExchangeSideReader.MailboxCheck && r.Target is not null)
            .GroupBy(r => (Mailbox: r.Target!, r.Protocol))
            .Select(g => Of(g, null, DisplayText.Safe(g.Key.Mailbox, 120), g.Key.Protocol));
        return servers.OrderBy(o => o.Server, StringComparer.OrdinalIgnoreCase).ThenBy(o => o.Protocol)
            .Concat(mailboxes.OrderBy(o => o.Mailbox, StringComparer.OrdinalIgnoreCase).ThenBy(o => o.Protocol))
            .ToArray();
    }

    /// <summary>"IMAP4 fails on EX01 (Network at TcpConnect); POP3 works on EX01." or null without client protocol results.</summary>
    public static string? Sentence(IReadOnlyList<Outcome> outcomes)
    {
        if (outcomes.Count == 0)
        {
            return null;
        }

        IEnumerable<string> parts = outcomes.Select(o => o.Fails
            ? $"{MailJudgement.Text(o.Protocol)} fails {o.Where} ({o.Cause} at {o.Check})"
            : $"{MailJudgement.Text(o.Protocol)} works {o.Where}");
        return "Client protocols: " + string.Join("; ", parts) + ".";
    }

    /// <summary>"Fix IMAP4 on EX01: &lt;command&gt;." for each failing protocol with a fix, or null.</summary>
    public static string? Fixes(IReadOnlyList<Outcome> outcomes)
    {
        string[] fixes = outcomes.Where(o => o.Fails && o.Recommendation is not null)
            .Select(o => $"Fix {MailJudgement.Text(o.Protocol)} {o.Where}: {o.Recommendation}")
            .ToArray();
        return fixes.Length == 0 ? null : string.Join(" ", fixes);
    }

    private static Outcome Of(IEnumerable<ExchangeClientProtocolResult> results, string? server, string? mailbox, ExchangeClientProtocol protocol)
    {
        // The Exchange side says why (MSExchangeIMAP4 stopped), the probe only what it does (connection refused): the
        // first Exchange-side failure with a cause wins, then any failure with a cause, then one that could not be read.
        ExchangeClientProtocolResult? failed = results
            .Where(r => r.Status is CheckStatus.Fail or CheckStatus.Error)
            .OrderBy(r => r.Status == CheckStatus.Fail && r.Cause != MapiHttpCause.None ? (ExchangeSideReader.IsExchangeSide(r.Check) ? 0 : 1) : 2)
            .FirstOrDefault();
        return new Outcome(server, protocol, failed is not null, failed?.Cause ?? MapiHttpCause.None, failed?.Check, failed?.Recommendation, mailbox);
    }
}
