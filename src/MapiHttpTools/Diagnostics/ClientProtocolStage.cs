using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Invoke-MapiHttpDiagnostic -IncludeProtocol (issue 16): each Client Access server's IMAP4/POP3 URLs (implicit TLS and
/// STARTTLS/STLS, by FQDN) probed with Test-ExchangeClientProtocol's engine beside the /mapi probe, so the protocol
/// differential and the verdict can name which client protocols fail.
/// </summary>
internal sealed class ClientProtocolStage
{
    private readonly MailProbeOptions _options;
    private readonly IReadOnlyList<ExchangeClientProtocol> _protocols;
    private readonly IReadOnlyDictionary<string, int>? _ports;

    /// <param name="ports">Ports by scheme (imaps, imap, pops, pop) instead of 993/143/995/110; tests only.</param>
    public ClientProtocolStage(MailProbeOptions options, IReadOnlyList<ExchangeClientProtocol> protocols, IReadOnlyDictionary<string, int>? ports)
    {
        _options = options;
        _protocols = protocols;
        _ports = ports;
    }

    public Task RunAsync(IEnumerable<ExchangeServerFacts> servers, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        var targets = new List<MailTarget>();
        foreach (ExchangeServerFacts server in servers.Where(s => s.IsClientAccessServer).GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Select(g => g.First()))
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

        return new MailProber(_options).ProbeAsync(targets, emit, null, cancellation);
    }

    private string Port(string url)
    {
        int colon = url.LastIndexOf(':');
        string scheme = url.Substring(0, url.IndexOf(':'));
        return _ports is not null && _ports.TryGetValue(scheme, out int port) ? url.Substring(0, colon + 1) + port.ToString(System.Globalization.CultureInfo.InvariantCulture) : url;
    }
}

/// <summary>
/// What the IMAP4/POP3 results of a run say, per server and protocol (issue 16): failing (a step failed, with the cause
/// and check of the first failure) or working. Pure; the verdict adds the sentence and takes the worst status.
/// </summary>
internal static class ClientProtocolDifferential
{
    public sealed record Outcome(string Server, ExchangeClientProtocol Protocol, bool Fails, MapiHttpCause Cause, string? Check);

    public static IReadOnlyList<Outcome> From(IEnumerable<ExchangeClientProtocolResult> results) =>
        results.Where(r => r.Server is not null && r.Status != CheckStatus.Skipped)
            .GroupBy(r => (Server: r.Server!, r.Protocol))
            .Select(g =>
            {
                ExchangeClientProtocolResult? failed = g.FirstOrDefault(r => r.Status is CheckStatus.Fail or CheckStatus.Error);
                return new Outcome(DisplayText.Safe(g.Key.Server), g.Key.Protocol, failed is not null, failed?.Cause ?? MapiHttpCause.None, failed?.Check);
            })
            .OrderBy(o => o.Server, StringComparer.OrdinalIgnoreCase)
            .ThenBy(o => o.Protocol)
            .ToArray();

    /// <summary>"IMAP4 fails on EX01 (Network at TcpConnect); POP3 works on EX01." or null without client protocol results.</summary>
    public static string? Sentence(IReadOnlyList<Outcome> outcomes)
    {
        if (outcomes.Count == 0)
        {
            return null;
        }

        IEnumerable<string> parts = outcomes.Select(o => o.Fails
            ? $"{MailJudgement.Text(o.Protocol)} fails on {o.Server} ({o.Cause} at {o.Check})"
            : $"{MailJudgement.Text(o.Protocol)} works on {o.Server}");
        return "Client protocols: " + string.Join("; ", parts) + ".";
    }
}
