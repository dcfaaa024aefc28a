using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Exchange;

/// <summary>
/// The Exchange cmdlets of the caller's session. Asks for as little as the checks need: -ADPropertiesOnly for
/// virtual directories and Outlook Anywhere (no IIS metabase round trip per server), -Component for component
/// state, and a server-side -Filter / -ResultSize for mailbox scans.
/// </summary>
internal sealed class LiveExchangeSource : IExchangeSource
{
    private readonly IExchangeCommandRunner _runner;

    public LiveExchangeSource(IExchangeCommandRunner runner) => _runner = runner;

    public string Origin => "Exchange (this session)";

    public DateTime? AsOfUtc => null;

    public async Task<OrganizationFacts> GetOrganizationConfigAsync(CancellationToken cancellation)
    {
        IReadOnlyList<PSObject> objects = await CollectAsync(new ExchangeCommand("Get-OrganizationConfig"), cancellation).ConfigureAwait(false);
        return objects.Count > 0
            ? ExchangeFactReader.ReadOrganization(objects[0])
            : throw new ExchangeDataException("Get-OrganizationConfig returned nothing.");
    }

    public async Task<ServerLookup> GetExchangeServersAsync(IReadOnlyCollection<string>? names, CancellationToken cancellation)
    {
        var servers = new List<ExchangeServerFacts>();
        var notFound = new List<(string, string)>();
        if (names is null)
        {
            foreach (PSObject obj in await CollectAsync(new ExchangeCommand("Get-ExchangeServer"), cancellation).ConfigureAwait(false))
            {
                ExchangeServerFacts server = ExchangeFactReader.ReadServer(obj);
                if (server.IsClientAccessServer && !server.IsEdgeServer)
                {
                    servers.Add(server);
                }
            }

            return new ServerLookup(servers, notFound);
        }

        foreach (string name in names)
        {
            try
            {
                foreach (PSObject obj in await CollectAsync(new ExchangeCommand("Get-ExchangeServer").With("Identity", name), cancellation).ConfigureAwait(false))
                {
                    // One server, one name (issue 11): -Server EX01, EX01.contoso.lab is EX01 once, under Exchange's name.
                    ExchangeServerFacts server = ExchangeFactReader.ReadServer(obj);
                    if (!servers.Any(s => string.Equals(s.Name, server.Name, StringComparison.OrdinalIgnoreCase)))
                    {
                        servers.Add(server);
                    }
                }
            }
            catch (ExchangeCommandException ex)
            {
                notFound.Add((name, ex.Message));
            }
        }

        return new ServerLookup(servers, notFound);
    }

    public async Task<IReadOnlyList<MapiVirtualDirectoryFacts>> GetMapiVirtualDirectoriesAsync(string server, CancellationToken cancellation) =>
        (await CollectAsync(new ExchangeCommand("Get-MapiVirtualDirectory").With("Server", server).Switch("ADPropertiesOnly"), cancellation).ConfigureAwait(false))
        .Select(ExchangeFactReader.ReadVirtualDirectory).ToArray();

    public async Task<IReadOnlyList<ExchangeCertificateFacts>> GetExchangeCertificatesAsync(string server, CancellationToken cancellation) =>
        (await CollectAsync(new ExchangeCommand("Get-ExchangeCertificate").With("Server", server), cancellation).ConfigureAwait(false))
        .Select(obj => ExchangeFactReader.ReadCertificate(obj, server))
        .Where(c => c is not null)
        .Select(c => c!)
        .ToArray();

    public async Task<AuthConfigFacts> GetAuthConfigAsync(CancellationToken cancellation)
    {
        IReadOnlyList<PSObject> objects = await CollectAsync(new ExchangeCommand("Get-AuthConfig"), cancellation).ConfigureAwait(false);
        return objects.Count > 0
            ? ExchangeFactReader.ReadAuthConfig(objects[0])
            : throw new ExchangeDataException("Get-AuthConfig returned nothing.");
    }

    public async Task<IReadOnlyList<AuthServerFacts>> GetAuthServersAsync(CancellationToken cancellation) =>
        (await CollectAsync(new ExchangeCommand("Get-AuthServer"), cancellation).ConfigureAwait(false))
        .Select(ExchangeFactReader.ReadAuthServer).ToArray();

    public async Task<IReadOnlyList<ServerComponentStateFacts>> GetServerComponentStatesAsync(string server, IReadOnlyList<string> components, CancellationToken cancellation)
    {
        var states = new List<ServerComponentStateFacts>();
        foreach (string component in components)
        {
            foreach (PSObject obj in await CollectAsync(new ExchangeCommand("Get-ServerComponentState").With("Identity", server).With("Component", component), cancellation).ConfigureAwait(false))
            {
                states.Add(ExchangeFactReader.ReadComponentState(obj, server));
            }
        }

        return states;
    }

    public async Task<IReadOnlyList<OutlookAnywhereFacts>> GetOutlookAnywhereAsync(string server, CancellationToken cancellation) =>
        (await CollectAsync(new ExchangeCommand("Get-OutlookAnywhere").With("Server", server).Switch("ADPropertiesOnly"), cancellation).ConfigureAwait(false))
        .Select(ExchangeFactReader.ReadOutlookAnywhere).ToArray();

    public Task StreamCasMailboxesAsync(CasMailboxQuery query, Action<CasMailboxFacts> onMailbox, Action<MailboxLookupError> onError, CancellationToken cancellation)
    {
        ExchangeCommand command = new ExchangeCommand("Get-CASMailbox")
            .WithIfSet("Identity", query.Identity)
            .WithIfSet("Filter", query.Filter)
            .WithIfSet("OrganizationalUnit", query.OrganizationalUnit)
            .WithIfSet("ResultSize", query.ResultSize);
        return _runner.RunAsync(
            command,
            obj => onMailbox(ExchangeFactReader.ReadCasMailbox(obj)),
            record => onError(new MailboxLookupError(query.Identity ?? record.TargetObject?.ToString() ?? string.Empty, record.Exception?.Message ?? record.ToString(), record)),
            cancellation);
    }

    private async Task<IReadOnlyList<PSObject>> CollectAsync(ExchangeCommand command, CancellationToken cancellation)
    {
        var objects = new List<PSObject>();
        await _runner.RunAsync(command, objects.Add, null, cancellation).ConfigureAwait(false);
        return objects;
    }
}
