using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Exchange;

/// <summary>What the configuration part of a diagnostic run covers.</summary>
internal sealed class ConfigurationDiagnosticOptions
{
    /// <summary>Servers by name or FQDN; null: every server with the Client Access role.</summary>
    public IReadOnlyList<string>? Servers { get; init; }

    /// <summary>Mailboxes to evaluate; null and <see cref="AllMailboxes"/> false: none.</summary>
    public IReadOnlyList<string>? Mailboxes { get; init; }

    /// <summary>Evaluate every mailbox the source holds (a snapshot's mailboxes).</summary>
    public bool AllMailboxes { get; init; }

    /// <summary>Per -Mailbox identity, the most mailboxes one identity may match (Get-CASMailbox -ResultSize).</summary>
    public string MailboxResultSize { get; init; } = "100";

    public int CertificateExpiryWarningDays { get; init; } = 30;

    /// <summary>The moment certificates are judged at; default the source's AsOfUtc (a snapshot's capture time) or now.</summary>
    public DateTime? NowUtc { get; init; }

    public IHostResolver Resolver { get; init; } = DnsHostResolver.Instance;

    /// <summary>Per-item failures (ServerNotFound, MailboxNotFound) as error records.</summary>
    public Action<ErrorRecord>? OnError { get; init; }

    /// <summary>Progress: what is being read and the percentage done.</summary>
    public Action<string, int>? OnProgress { get; init; }
}

/// <summary>What the configuration part found out about the organisation, for the endpoint probe that follows.</summary>
internal sealed record ConfigurationRun(
    OrganizationFacts? Organization,
    IReadOnlyList<ExchangeServerFacts> Servers,
    IReadOnlyList<MapiVirtualDirectoryFacts> VirtualDirectories);

/// <summary>
/// The configuration checks of Invoke-MapiHttpDiagnostic, in order: organisation; per server the MAPI virtual
/// directory (URLs, DNS, certificates, authentication methods), component states and Outlook Anywhere names; the
/// namespaces across servers; the Auth certificate and auth servers; mailboxes. Each result is emitted as soon as it
/// is known. A fact that cannot be read becomes an Error (Exchange failed) or Skipped (not available) result for the
/// checks that needed it; the run goes on.
/// </summary>
internal static class ConfigurationDiagnostics
{
    public static async Task<ConfigurationRun> RunAsync(IExchangeSource source, ConfigurationDiagnosticOptions options, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        DateTime now = options.NowUtc ?? source.AsOfUtc ?? DateTime.UtcNow;
        int warningDays = options.CertificateExpiryWarningDays;
        Action<string, int> progress = options.OnProgress ?? ((_, _) => { });

        progress("organisation configuration", 0);
        OrganizationFacts? organization = await Read(
            () => source.GetOrganizationConfigAsync(cancellation),
            ex => emit(Unreadable(ConfigurationCheckNames.OrganizationMapiHttp, ConfigurationArea.Organization, null, "The organisation configuration (Get-OrganizationConfig)", ex))).ConfigureAwait(false);
        if (organization is not null)
        {
            emit(OrganizationChecks.MapiHttpEnabled(organization));
        }

        progress("Exchange servers", 2);
        ServerLookup? lookup = await Read(
            () => source.GetExchangeServersAsync(options.Servers, cancellation),
            ex => emit(Unreadable(ConfigurationCheckNames.ExchangeServer, ConfigurationArea.VirtualDirectory, null, "The Exchange servers (Get-ExchangeServer)", ex))).ConfigureAwait(false);
        foreach ((string name, string message) in lookup?.NotFound ?? Array.Empty<(string, string)>())
        {
            options.OnError?.Invoke(ErrorRecords.Create("ServerNotFound", ErrorCategory.ObjectNotFound, name, message));
        }

        IReadOnlyList<ExchangeServerFacts> servers = lookup?.Servers ?? Array.Empty<ExchangeServerFacts>();
        if (lookup is not null && servers.Count == 0 && options.Servers is null)
        {
            emit(new ConfigurationFinding(ConfigurationCheckNames.ExchangeServer, ConfigurationArea.VirtualDirectory, CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{source.Origin} has no Exchange server with the Client Access role: nothing serves /mapi.")
            {
                Target = "Get-ExchangeServer",
            }.ToResult());
        }

        var directories = new List<MapiVirtualDirectoryFacts>();
        var certificatesByServer = new Dictionary<string, IReadOnlyList<ExchangeCertificateFacts>?>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < servers.Count; i++)
        {
            ExchangeServerFacts server = servers[i];
            progress(server.Name, 5 + (80 * i / servers.Count));
            IReadOnlyList<MapiVirtualDirectoryFacts>? serverDirectories = await Read(
                () => source.GetMapiVirtualDirectoriesAsync(server.Name, cancellation),
                ex => emit(Unreadable(ConfigurationCheckNames.VirtualDirectoryPresent, ConfigurationArea.VirtualDirectory, server.Name, $"The MAPI virtual directory of {server.Name} (Get-MapiVirtualDirectory)", ex))).ConfigureAwait(false);
            IReadOnlyList<ExchangeCertificateFacts>? certificates = await Read(
                () => source.GetExchangeCertificatesAsync(server.Name, cancellation),
                ex => emit(Unreadable(ConfigurationCheckNames.UrlCertificate, ConfigurationArea.Certificate, server.Name, $"The certificates of {server.Name} (Get-ExchangeCertificate)", ex))).ConfigureAwait(false);
            certificatesByServer[server.Name] = certificates;

            if (serverDirectories is not null)
            {
                emit(VirtualDirectoryChecks.Present(server, serverDirectories));
                foreach (MapiVirtualDirectoryFacts directory in serverDirectories)
                {
                    directories.Add(directory);
                    foreach (MapiHttpConfigurationResult result in VirtualDirectoryChecks.Urls(directory, server))
                    {
                        emit(result);
                    }

                    foreach (MapiHttpConfigurationResult result in await VirtualDirectoryChecks.HostsResolveAsync(directory, server, options.Resolver, cancellation).ConfigureAwait(false))
                    {
                        emit(result);
                    }

                    if (certificates is not null)
                    {
                        foreach (MapiHttpConfigurationResult result in CertificateChecks.UrlHosts(directory, certificates, now, warningDays))
                        {
                            emit(result);
                        }
                    }

                    emit(VirtualDirectoryChecks.IisAuthenticationMethods(directory));
                    emit(VirtualDirectoryChecks.AuthenticationMethodsAgree(directory));
                }
            }

            IReadOnlyList<ServerComponentStateFacts>? states = await Read(
                () => source.GetServerComponentStatesAsync(server.Name, MapiComponents.All, cancellation),
                ex => emit(Unreadable(ConfigurationCheckNames.ComponentState, ConfigurationArea.ComponentState, server.Name, $"The component states of {server.Name} (Get-ServerComponentState)", ex))).ConfigureAwait(false);
            if (states is not null)
            {
                foreach (MapiHttpConfigurationResult result in ComponentStateChecks.Check(server, states))
                {
                    emit(result);
                }
            }

            IReadOnlyList<OutlookAnywhereFacts>? outlookAnywhere = await Read(
                () => source.GetOutlookAnywhereAsync(server.Name, cancellation),
                ex => emit(Unreadable(ConfigurationCheckNames.OutlookAnywhereNamespace, ConfigurationArea.Namespace, server.Name, $"Outlook Anywhere of {server.Name} (Get-OutlookAnywhere)", ex))).ConfigureAwait(false);
            if (outlookAnywhere is not null && serverDirectories is not null)
            {
                foreach (MapiVirtualDirectoryFacts directory in serverDirectories)
                {
                    foreach (MapiHttpConfigurationResult result in NamespaceChecks.VersusOutlookAnywhere(directory, outlookAnywhere))
                    {
                        emit(result);
                    }
                }
            }
        }

        foreach (MapiHttpConfigurationResult result in NamespaceChecks.Consistency(servers, directories))
        {
            emit(result);
        }

        progress("authentication", 85);
        AuthConfigFacts? auth = await Read(
            () => source.GetAuthConfigAsync(cancellation),
            ex => emit(Unreadable(ConfigurationCheckNames.AuthCertificate, ConfigurationArea.Authentication, null, "The auth configuration (Get-AuthConfig)", ex))).ConfigureAwait(false);
        if (auth is not null)
        {
            foreach (MapiHttpConfigurationResult result in AuthConfigChecks.CurrentCertificate(auth, certificatesByServer, now, warningDays))
            {
                emit(result);
            }

            emit(AuthConfigChecks.NextCertificate(auth, certificatesByServer, now, warningDays));
        }

        IReadOnlyList<AuthServerFacts>? authServers = await Read(
            () => source.GetAuthServersAsync(cancellation),
            ex => emit(Unreadable(ConfigurationCheckNames.AuthServer, ConfigurationArea.Authentication, null, "The auth servers (Get-AuthServer)", ex))).ConfigureAwait(false);
        if (authServers is not null)
        {
            foreach (MapiHttpConfigurationResult result in AuthConfigChecks.AuthServers(authServers))
            {
                emit(result);
            }
        }

        progress("mailboxes", 92);
        await EvaluateMailboxesAsync(source, options, organization?.MapiHttpEnabled, emit, cancellation).ConfigureAwait(false);
        progress("done", 100);
        return new ConfigurationRun(organization, servers, directories);
    }

    private static async Task EvaluateMailboxesAsync(IExchangeSource source, ConfigurationDiagnosticOptions options, bool? organizationMapiHttp, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        IEnumerable<CasMailboxQuery> queries = options.Mailboxes is { Count: > 0 } identities
            ? identities.Select(i => new CasMailboxQuery(i, null, null, options.MailboxResultSize))
            : options.AllMailboxes ? new[] { new CasMailboxQuery(null, null, null, null) } : Array.Empty<CasMailboxQuery>();
        foreach (CasMailboxQuery query in queries)
        {
            // Live, the mailboxes arrive on the pipeline thread while it runs Get-CASMailbox: they are kept (at most
            // MailboxResultSize per identity) and emitted once the call has returned, so the pipeline is never waited on.
            var found = new List<CasMailboxFacts>();
            var errors = new List<MailboxLookupError>();
            try
            {
                await source.StreamCasMailboxesAsync(query, found.Add, errors.Add, cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException or ExchangeDataException)
            {
                errors.Add(new MailboxLookupError(query.Identity ?? "(all)", ex.Message, (ex as ExchangeCommandException)?.Record));
            }

            foreach (CasMailboxFacts mailbox in found)
            {
                emit(MailboxProtocolEvaluator.Evaluate(organizationMapiHttp, mailbox));
            }

            foreach (MailboxLookupError error in errors)
            {
                options.OnError?.Invoke(ErrorRecords.Create("MailboxNotFound", error.Record?.CategoryInfo.Category ?? ErrorCategory.ObjectNotFound, error.Identity, error.Message, error.Record?.Exception));
            }
        }
    }

    private static async Task<T?> Read<T>(Func<Task<T>> read, Action<Exception> failed)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException or ExchangeDataException)
        {
            failed(ex);
            return null;
        }
    }

    /// <summary>A fact that could not be read: Error when Exchange failed, Skipped when the source cannot have it.</summary>
    private static MapiHttpConfigurationResult Unreadable(string check, ConfigurationArea area, string? server, string what, Exception ex) =>
        new ConfigurationFinding(check, area, ex is ExchangeDataUnavailableException ? CheckStatus.Skipped : CheckStatus.Error, MapiHttpCause.None,
            ex is ExchangeDataUnavailableException ? $"{what} is not available: {ex.Message}" : $"{what} could not be read: {ex.Message}")
        {
            Server = server,
            Identity = server,
            Target = server ?? what,
            Evidence = CheckText.Evidence(("Command", (ex as ExchangeCommandException)?.Command), ("Error", ex.Message)),
        }.ToResult();
}
