using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Exchange.Snapshot;

/// <summary>What to put in a snapshot besides the organisation-wide facts.</summary>
internal sealed record SnapshotRequest(IReadOnlyList<string>? Servers, IReadOnlyList<string> Mailboxes, bool ProblemMailboxes, string? ResultSize);

/// <summary>
/// Reads everything the configuration checks read, through the same <see cref="IExchangeSource"/> calls, and keeps
/// what failed (with Exchange's words) so the offline run reports the same errors and skips as the live one. The
/// DNS answers for the URL hosts are kept too: offline there is nothing to ask.
/// </summary>
internal sealed class SnapshotCollector
{
    private readonly IExchangeSource _source;
    private readonly IHostResolver _resolver;
    private readonly SnapshotClientProtocolCollector? _clientProtocols;
    private readonly SnapshotContent _content = new();

    /// <param name="clientProtocols">Records the IMAP4/POP3 Exchange side of each server (issue 16); null leaves it out.</param>
    public SnapshotCollector(IExchangeSource source, IHostResolver resolver, SnapshotClientProtocolCollector? clientProtocols = null)
    {
        _source = source;
        _resolver = resolver;
        _clientProtocols = clientProtocols;
    }

    public async Task<SnapshotContent> CollectAsync(
        SnapshotRequest request,
        Action<string, int> progress,
        Action<string, string> serverNotFound,
        Action<MailboxLookupError> mailboxError,
        CancellationToken cancellation)
    {
        progress("organisation", 0);
        if (await Capture(SnapshotSections.OrganizationConfig, string.Empty, () => _source.GetOrganizationConfigAsync(cancellation)).ConfigureAwait(false) is { } organization)
        {
            _content.Add(SnapshotSections.OrganizationConfig, SnapshotEntries.From(organization));
        }

        ServerLookup? lookup = await Capture(SnapshotSections.ExchangeServer, string.Empty, () => _source.GetExchangeServersAsync(request.Servers, cancellation)).ConfigureAwait(false);
        IReadOnlyList<ExchangeServerFacts> servers = lookup?.Servers ?? Array.Empty<ExchangeServerFacts>();
        foreach ((string name, string message) in lookup?.NotFound ?? Array.Empty<(string, string)>())
        {
            serverNotFound(name, message);
        }

        var hosts = new List<string>();
        for (int i = 0; i < servers.Count; i++)
        {
            ExchangeServerFacts server = servers[i];
            progress(server.Name, 5 + (80 * i / Math.Max(1, servers.Count)));
            _content.Servers.Add(server.Name);
            _content.Add(SnapshotSections.ExchangeServer, SnapshotEntries.From(server));
            foreach (MapiVirtualDirectoryFacts directory in await Capture(SnapshotSections.MapiVirtualDirectory, server.Name, () => _source.GetMapiVirtualDirectoriesAsync(server.Name, cancellation)).ConfigureAwait(false) ?? Array.Empty<MapiVirtualDirectoryFacts>())
            {
                _content.Add(SnapshotSections.MapiVirtualDirectory, SnapshotEntries.From(directory));
                hosts.AddRange(VirtualDirectoryChecks.HostsOf(directory).Select(h => h.Host));
            }

            foreach (ExchangeCertificateFacts certificate in await Capture(SnapshotSections.ExchangeCertificate, server.Name, () => _source.GetExchangeCertificatesAsync(server.Name, cancellation)).ConfigureAwait(false) ?? Array.Empty<ExchangeCertificateFacts>())
            {
                _content.Add(SnapshotSections.ExchangeCertificate, SnapshotEntries.From(certificate));
            }

            foreach (ServerComponentStateFacts state in await Capture(SnapshotSections.ServerComponentState, server.Name, () => _source.GetServerComponentStatesAsync(server.Name, MapiComponents.All, cancellation)).ConfigureAwait(false) ?? Array.Empty<ServerComponentStateFacts>())
            {
                _content.Add(SnapshotSections.ServerComponentState, SnapshotEntries.From(state));
            }

            foreach (OutlookAnywhereFacts rpc in await Capture(SnapshotSections.OutlookAnywhere, server.Name, () => _source.GetOutlookAnywhereAsync(server.Name, cancellation)).ConfigureAwait(false) ?? Array.Empty<OutlookAnywhereFacts>())
            {
                _content.Add(SnapshotSections.OutlookAnywhere, SnapshotEntries.From(rpc));
            }
        }

        if (_clientProtocols is not null)
        {
            progress("IMAP4/POP3", 84);
            await _clientProtocols.CollectAsync(_content, servers.Select(s => s.Name).ToArray(), cancellation).ConfigureAwait(false);
        }

        progress("authentication", 85);
        if (await Capture(SnapshotSections.AuthConfig, string.Empty, () => _source.GetAuthConfigAsync(cancellation)).ConfigureAwait(false) is { } auth)
        {
            _content.Add(SnapshotSections.AuthConfig, SnapshotEntries.From(auth));
        }

        foreach (AuthServerFacts authServer in await Capture(SnapshotSections.AuthServer, string.Empty, () => _source.GetAuthServersAsync(cancellation)).ConfigureAwait(false) ?? Array.Empty<AuthServerFacts>())
        {
            _content.Add(SnapshotSections.AuthServer, SnapshotEntries.From(authServer));
        }

        progress("DNS", 88);
        foreach (string host in hosts.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            try
            {
                IPAddress[] addresses = await _resolver.ResolveAsync(host, cancellation).ConfigureAwait(false);
                _content.Add(SnapshotSections.HostResolution, SnapshotEntries.HostResolution(host, addresses.Select(a => a.ToString()).ToArray(), null));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _content.Add(SnapshotSections.HostResolution, SnapshotEntries.HostResolution(host, null, ex.Message));
            }
        }

        progress("mailboxes", 92);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var queries = request.Mailboxes.Select(m => new CasMailboxQuery(m, null, null, null)).ToList();
        if (request.ProblemMailboxes)
        {
            queries.Add(new CasMailboxQuery(null, MailboxProtocolEvaluator.ProblemFilter, null, request.ResultSize));
        }

        foreach (CasMailboxQuery query in queries)
        {
            try
            {
                await _source.StreamCasMailboxesAsync(
                    query,
                    mailbox =>
                    {
                        if (seen.Add(mailbox.Identity))
                        {
                            _content.Add(SnapshotSections.CasMailbox, SnapshotEntries.From(mailbox));
                        }
                    },
                    mailboxError,
                    cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException or ExchangeDataException)
            {
                mailboxError(new MailboxLookupError(query.Identity ?? query.Filter ?? string.Empty, ex.Message, (ex as ExchangeCommandException)?.Record));
            }
        }

        progress("done", 100);
        return _content;
    }

    private async Task<T?> Capture<T>(string section, string key, Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (ExchangeCommandException ex)
        {
            _content.Failures.Add(new SnapshotFailure(section, key, SnapshotFailure.Failed, ex.Command, ex.Message));
        }
        catch (ExchangeDataException ex)
        {
            _content.Failures.Add(new SnapshotFailure(section, key, SnapshotFailure.Failed, section, ex.Message));
        }
        catch (ExchangeDataUnavailableException ex)
        {
            _content.Failures.Add(new SnapshotFailure(section, key, SnapshotFailure.Unavailable, section, ex.Message));
        }

        return null;
    }
}
