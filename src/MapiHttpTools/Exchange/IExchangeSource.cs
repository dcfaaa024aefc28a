using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Exchange;

/// <summary>
/// The Exchange facts the configuration checks read. Live: the Exchange cmdlets of the caller's session. File: an
/// exported snapshot. Checks never know which one they got.
/// A method throws <see cref="ExchangeCommandException"/> when Exchange reported an error, and
/// <see cref="ExchangeDataUnavailableException"/> when the fact cannot be had from this source (checks report
/// those as Error and Skipped with the message).
/// </summary>
internal interface IExchangeSource
{
    /// <summary>Where the facts come from, for messages ("Exchange (live session)", "snapshot C:\x.xml").</summary>
    string Origin { get; }

    /// <summary>The moment the facts describe: null for live (now), the capture time for a snapshot.</summary>
    DateTime? AsOfUtc { get; }

    Task<OrganizationFacts> GetOrganizationConfigAsync(CancellationToken cancellation);

    /// <summary>The servers named (any of Name or Fqdn), or every server with the client access role when null.</summary>
    Task<ServerLookup> GetExchangeServersAsync(IReadOnlyCollection<string>? names, CancellationToken cancellation);

    Task<IReadOnlyList<MapiVirtualDirectoryFacts>> GetMapiVirtualDirectoriesAsync(string server, CancellationToken cancellation);

    Task<IReadOnlyList<ExchangeCertificateFacts>> GetExchangeCertificatesAsync(string server, CancellationToken cancellation);

    Task<AuthConfigFacts> GetAuthConfigAsync(CancellationToken cancellation);

    Task<IReadOnlyList<AuthServerFacts>> GetAuthServersAsync(CancellationToken cancellation);

    Task<IReadOnlyList<ServerComponentStateFacts>> GetServerComponentStatesAsync(string server, IReadOnlyList<string> components, CancellationToken cancellation);

    Task<IReadOnlyList<OutlookAnywhereFacts>> GetOutlookAnywhereAsync(string server, CancellationToken cancellation);

    /// <summary>
    /// Streams the mailboxes <paramref name="query"/> selects to <paramref name="onMailbox"/>, one at a time, in
    /// constant memory. Per-mailbox failures (an identity Exchange does not know) go to <paramref name="onError"/>.
    /// </summary>
    Task StreamCasMailboxesAsync(CasMailboxQuery query, Action<CasMailboxFacts> onMailbox, Action<MailboxLookupError> onError, CancellationToken cancellation);
}

/// <summary>A mailbox the source could not find or read; <see cref="Record"/> is Exchange's own error where there is one.</summary>
internal sealed record MailboxLookupError(string Identity, string Message, System.Management.Automation.ErrorRecord? Record);

/// <summary>The components whose state decides whether a front end serves MAPI/HTTP at all.</summary>
internal static class MapiComponents
{
    public const string MapiProxy = "MapiProxy";
    public const string ServerWideOffline = "ServerWideOffline";

    public static readonly IReadOnlyList<string> All = new[] { ServerWideOffline, MapiProxy };
}
