using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Exchange.Snapshot;

/// <summary>
/// The file implementation of <see cref="IExchangeSource"/>: answers from an exported snapshot, through the same
/// fact reader as live, and replays what failed at capture time, so the checks give the results they gave live.
/// </summary>
internal sealed class SnapshotExchangeSource : IExchangeSource
{
    private readonly SnapshotDocument _snapshot;

    public SnapshotExchangeSource(SnapshotDocument snapshot) => _snapshot = snapshot;

    public string Origin => $"snapshot {_snapshot.Path} (taken {_snapshot.CreatedUtc:yyyy-MM-dd HH:mm} UTC)";

    public DateTime? AsOfUtc => _snapshot.CreatedUtc;

    public SnapshotDocument Document => _snapshot;

    public Task<OrganizationFacts> GetOrganizationConfigAsync(CancellationToken cancellation) =>
        Run(() =>
        {
            Replay(SnapshotSections.OrganizationConfig, string.Empty);
            PSObject entry = _snapshot.Section(SnapshotSections.OrganizationConfig).FirstOrDefault() ?? throw Missing("organisation configuration");
            return ExchangeFactReader.ReadOrganization(entry);
        });

    public Task<ServerLookup> GetExchangeServersAsync(IReadOnlyCollection<string>? names, CancellationToken cancellation) =>
        Run(() =>
        {
            Replay(SnapshotSections.ExchangeServer, string.Empty);
            ExchangeServerFacts[] all = _snapshot.Section(SnapshotSections.ExchangeServer).Select(ExchangeFactReader.ReadServer).ToArray();
            if (names is null)
            {
                return new ServerLookup(all.Where(s => s.IsClientAccessServer && !s.IsEdgeServer).ToArray(), Array.Empty<(string, string)>());
            }

            var found = new List<ExchangeServerFacts>();
            var missing = new List<(string, string)>();
            foreach (string name in names)
            {
                ExchangeServerFacts? server = all.FirstOrDefault(s => Same(s.Name, name) || Same(s.Fqdn, name));
                if (server is null)
                {
                    missing.Add((name, $"The server '{name}' is not in {_snapshot.Path}; it holds {string.Join(", ", all.Select(s => s.Name))}."));
                }
                else if (!found.Contains(server))
                {
                    // One server, one name (issue 11): EX01 and EX01.contoso.lab are one server.
                    found.Add(server);
                }
            }

            return new ServerLookup(found, missing);
        });

    public Task<IReadOnlyList<MapiVirtualDirectoryFacts>> GetMapiVirtualDirectoriesAsync(string server, CancellationToken cancellation) =>
        Run<IReadOnlyList<MapiVirtualDirectoryFacts>>(() =>
            PerServer(SnapshotSections.MapiVirtualDirectory, server).Select(ExchangeFactReader.ReadVirtualDirectory).ToArray());

    public Task<IReadOnlyList<ExchangeCertificateFacts>> GetExchangeCertificatesAsync(string server, CancellationToken cancellation) =>
        Run<IReadOnlyList<ExchangeCertificateFacts>>(() =>
            PerServer(SnapshotSections.ExchangeCertificate, server).Select(e => ExchangeFactReader.ReadCertificate(e, server)).Where(c => c is not null).Select(c => c!).ToArray());

    public Task<AuthConfigFacts> GetAuthConfigAsync(CancellationToken cancellation) =>
        Run(() =>
        {
            Replay(SnapshotSections.AuthConfig, string.Empty);
            PSObject entry = _snapshot.Section(SnapshotSections.AuthConfig).FirstOrDefault() ?? throw Missing("auth configuration");
            return ExchangeFactReader.ReadAuthConfig(entry);
        });

    public Task<IReadOnlyList<AuthServerFacts>> GetAuthServersAsync(CancellationToken cancellation) =>
        Run<IReadOnlyList<AuthServerFacts>>(() =>
        {
            Replay(SnapshotSections.AuthServer, string.Empty);
            return _snapshot.Section(SnapshotSections.AuthServer).Select(ExchangeFactReader.ReadAuthServer).ToArray();
        });

    public Task<IReadOnlyList<ServerComponentStateFacts>> GetServerComponentStatesAsync(string server, IReadOnlyList<string> components, CancellationToken cancellation) =>
        Run<IReadOnlyList<ServerComponentStateFacts>>(() =>
            PerServer(SnapshotSections.ServerComponentState, server)
                .Select(e => ExchangeFactReader.ReadComponentState(e, server))
                .Where(s => components.Contains(s.Component, StringComparer.OrdinalIgnoreCase))
                .ToArray());

    public Task<IReadOnlyList<OutlookAnywhereFacts>> GetOutlookAnywhereAsync(string server, CancellationToken cancellation) =>
        Run<IReadOnlyList<OutlookAnywhereFacts>>(() =>
            PerServer(SnapshotSections.OutlookAnywhere, server).Select(ExchangeFactReader.ReadOutlookAnywhere).ToArray());

    /// <summary>
    /// Offline there is no Exchange to run a filter: an identity is matched against Identity, Name, DisplayName,
    /// PrimarySmtpAddress and SamAccountName; no identity means every mailbox in the snapshot.
    /// </summary>
    public Task StreamCasMailboxesAsync(CasMailboxQuery query, Action<CasMailboxFacts> onMailbox, Action<MailboxLookupError> onError, CancellationToken cancellation)
    {
        if (query.Filter is not null || query.OrganizationalUnit is not null)
        {
            return Task.FromException(new ExchangeDataUnavailableException(
                "A snapshot cannot evaluate Exchange's server-side -Filter or -OrganizationalUnit; select mailboxes with -Identity, -ProblemsOnly or Where-Object."));
        }

        int limit = query.ResultSize is null || string.Equals(query.ResultSize, "Unlimited", StringComparison.OrdinalIgnoreCase)
            ? int.MaxValue
            : int.Parse(query.ResultSize, System.Globalization.CultureInfo.InvariantCulture);
        int emitted = 0;
        foreach (PSObject entry in _snapshot.Section(SnapshotSections.CasMailbox))
        {
            cancellation.ThrowIfCancellationRequested();
            CasMailboxFacts mailbox = ExchangeFactReader.ReadCasMailbox(entry);
            if (query.Identity is not null && !Matches(mailbox, query.Identity))
            {
                continue;
            }

            if (emitted++ >= limit)
            {
                break;
            }

            onMailbox(mailbox);
        }

        if (query.Identity is not null && emitted == 0)
        {
            onError(new MailboxLookupError(query.Identity, $"The mailbox '{query.Identity}' is not in {_snapshot.Path}" +
                (_snapshot.Anonymized ? " (the snapshot is anonymized: use the names it holds, for example User0001)." : "."), null));
        }

        return Task.CompletedTask;
    }

    internal static bool Matches(CasMailboxFacts mailbox, string identity) =>
        new[] { mailbox.Identity, mailbox.Name, mailbox.DisplayName, mailbox.PrimarySmtpAddress, mailbox.SamAccountName }.Any(v => Same(v, identity));

    private IEnumerable<PSObject> PerServer(string section, string server)
    {
        Replay(section, server);
        if (!_snapshot.Servers.Any(s => Same(s, server)))
        {
            throw new ExchangeDataUnavailableException($"The server '{server}' is not in {_snapshot.Path}.");
        }

        return _snapshot.Section(section).Where(e => Same(ExchangeValues.Text(e, "Server") ?? ExchangeValues.Text(e, "Identity"), server));
    }

    private void Replay(string section, string key)
    {
        SnapshotFailure? failure = _snapshot.FailureOf(section, key);
        if (failure is null)
        {
            return;
        }

        if (failure.Kind == SnapshotFailure.Unavailable)
        {
            throw new ExchangeDataUnavailableException(failure.Message);
        }

        throw new ExchangeCommandException(failure.Command, failure.Message, null);
    }

    private ExchangeDataUnavailableException Missing(string what) => new($"{_snapshot.Path} holds no {what}.");

    private static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static Task<T> Run<T>(Func<T> read)
    {
        try
        {
            return Task.FromResult(read());
        }
        catch (Exception ex)
        {
            return Task.FromException<T>(ex);
        }
    }
}

/// <summary>The DNS answers recorded at capture time, so offline results match what the host saw live.</summary>
internal sealed class SnapshotHostResolver : IHostResolver
{
    private readonly Dictionary<string, (string[] Addresses, string? Error)> _answers = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _path;

    public SnapshotHostResolver(SnapshotDocument snapshot)
    {
        _path = snapshot.Path;
        foreach (PSObject entry in snapshot.Section(SnapshotSections.HostResolution))
        {
            string? host = ExchangeValues.Text(entry, "Host");
            if (host is not null)
            {
                _answers[host] = (ExchangeValues.Strings(entry, "Addresses").ToArray(), ExchangeValues.Text(entry, "Error"));
            }
        }
    }

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
    {
        if (!_answers.TryGetValue(host, out (string[] Addresses, string? Error) answer))
        {
            return Task.FromException<IPAddress[]>(new HostResolutionException($"{host} was not looked up when {_path} was taken."));
        }

        if (answer.Error is not null)
        {
            return Task.FromException<IPAddress[]>(new HostResolutionException(answer.Error));
        }

        return Task.FromResult(answer.Addresses.Select(IPAddress.Parse).ToArray());
    }
}

/// <summary>A name that did not resolve, with the resolver's own words.</summary>
internal sealed class HostResolutionException : Exception
{
    public HostResolutionException(string message)
        : base(message)
    {
    }
}
