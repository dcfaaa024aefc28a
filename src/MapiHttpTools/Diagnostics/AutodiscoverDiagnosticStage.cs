using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Autodiscover;
using MapiHttpTools.Exchange;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Diagnostics;

/// <summary>The Autodiscover part of Invoke-MapiHttpDiagnostic -Mailbox; tests stand one in through ModuleServices.</summary>
internal interface IAutodiscoverDiagnosticStage
{
    Task RunAsync(IReadOnlyList<MapiHttpMailboxStateResult> mailboxes, IReadOnlyList<MapiVirtualDirectoryFacts> directories, Action<MapiHttpResult> emit, CancellationToken cancellation);
}

/// <summary>
/// Test-MapiHttpAutodiscover for the mailboxes of an Invoke-MapiHttpDiagnostic -Mailbox run (issue 14): each mailbox's
/// PrimarySmtpAddress asked over Outlook's candidates (the SCP first), judged against the virtual directories and the
/// organisation's and mailbox's settings the configuration part already read, so nothing is asked of Exchange twice.
/// </summary>
internal sealed class AutodiscoverDiagnosticStage : IAutodiscoverDiagnosticStage
{
    private readonly ProbeOptions _options;
    private readonly IReadOnlyList<string> _scpUrls;
    private readonly Lazy<DnsQuery.DnsServerChoice>? _dnsServers;

    public AutodiscoverDiagnosticStage(ProbeOptions options, IReadOnlyList<string> scpUrls, Lazy<DnsQuery.DnsServerChoice>? dnsServers = null)
    {
        _options = options;
        _scpUrls = scpUrls;
        _dnsServers = dnsServers;
    }

    public async Task RunAsync(IReadOnlyList<MapiHttpMailboxStateResult> mailboxes, IReadOnlyList<MapiVirtualDirectoryFacts> directories, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        var byAddress = mailboxes.Where(m => !string.IsNullOrEmpty(m.PrimarySmtpAddress))
            .GroupBy(m => m.PrimarySmtpAddress!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var options = new AutodiscoverOptions(_options)
        {
            VirtualDirectories = directories.Select(d => new MapiVirtualDirectoryUrls(d.Identity, d.InternalUrl, d.ExternalUrl)).ToArray(),
            Configuration = address => byAddress.TryGetValue(address, out MapiHttpMailboxStateResult? m)
                ? new MapiHttpConfiguration(m.OrganizationMapiHttpEnabled, m.MailboxMapiHttpEnabled, m.MAPIEnabled, m.Identity)
                : null,
            StopAtFirstAnswer = true,
            DnsServers = _dnsServers,
        };
        var prober = new AutodiscoverProber(options);
        foreach (string address in byAddress.Keys)
        {
            if (AutodiscoverCandidates.DomainOf(address) is { } domain)
            {
                await prober.RunAsync(address, AutodiscoverCandidates.For(domain, _scpUrls), emit, cancellation).ConfigureAwait(false);
            }
        }
    }
}
