using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.ClientProtocols;

namespace MapiHttpTools.Exchange.Snapshot;

/// <summary>
/// The IMAP4/POP3 Exchange side in a snapshot (issue 16): what <see cref="RunspaceClientProtocolSource"/> reads live,
/// recorded per server by <see cref="SnapshotClientProtocolCollector"/> and answered offline by
/// <see cref="SnapshotClientProtocolSource"/>, so Invoke-MapiHttpDiagnostic -SnapshotPath -IncludeProtocol judges what
/// the live run judged. Sections, one per cmdlet under Exchange's property names: ImapSettings, PopSettings, Service
/// (Get-Service: Server, Name, Status, StartType; Status $null when the service does not exist), ImapProxy/PopProxy
/// entries in ServerComponentState, ImapEnabled/PopEnabled on the CASMailbox entries. What could not be read is a
/// failure of its section keyed by server, replayed offline.
/// </summary>
internal static class SnapshotClientProtocols
{
    public const string ImapSettings = "ImapSettings";
    public const string PopSettings = "PopSettings";
    public const string Service = "Service";

    /// <summary>The failures of reading ImapProxy/PopProxy; apart from ServerComponentState's, which the MAPI/HTTP checks replay.</summary>
    public const string ComponentFailures = "ClientProtocolComponentState";

    public static string SettingsSection(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? ImapSettings : PopSettings;

    public static PSObject Settings(ExchangeClientProtocol protocol, ProtocolSettingsFacts s) => Entry(SettingsSection(protocol),
        ("Server", s.Server), ("X509CertificateName", s.X509CertificateName), ("LoginType", s.LoginType),
        ("ExternalConnectionSettings", s.ExternalConnectionSettings.ToArray()), ("InternalConnectionSettings", s.InternalConnectionSettings.ToArray()));

    public static PSObject ServiceEntry(string server, ServiceFacts s) => Entry(Service, ("Server", server), ("Name", s.Name), ("Status", s.Status), ("StartType", s.StartType));

    public static ExchangeClientProtocol[] Protocols => new[] { ExchangeClientProtocol.Imap4, ExchangeClientProtocol.Pop3 };

    private static PSObject Entry(string kind, params (string Name, object? Value)[] properties)
    {
        var entry = new PSObject();
        entry.TypeNames.Insert(0, "MapiHttpTools.Snapshot." + kind);
        foreach ((string name, object? value) in properties)
        {
            entry.Properties.Add(new PSNoteProperty(name, value));
        }

        return entry;
    }
}

/// <summary>
/// Export-MapiHttpSnapshot's IMAP4/POP3 part (issue 16): reads each server's settings, services and components through
/// the live source and records them, or the failure with Exchange's own words (as the live judgement shows them).
/// Services are read where Get-Service can reach them (on the server itself, or Windows PowerShell's -ComputerName);
/// elsewhere the reason is recorded instead.
/// </summary>
internal sealed class SnapshotClientProtocolCollector
{
    private readonly IClientProtocolExchangeSource _live;

    public SnapshotClientProtocolCollector(IClientProtocolExchangeSource live) => _live = live;

    public async Task CollectAsync(SnapshotContent content, IReadOnlyList<string> servers, CancellationToken cancellation)
    {
        // Present even when empty: their presence says the snapshot carries the IMAP4/POP3 side (format rule, SnapshotDocument).
        content.Ensure(SnapshotClientProtocols.ImapSettings);
        content.Ensure(SnapshotClientProtocols.PopSettings);
        content.Ensure(SnapshotClientProtocols.Service);
        foreach (string server in servers)
        {
            foreach (ExchangeClientProtocol protocol in SnapshotClientProtocols.Protocols)
            {
                string section = SnapshotClientProtocols.SettingsSection(protocol);
                if (await Capture(content, section, server, () => _live.GetSettingsAsync(server, protocol, cancellation)).ConfigureAwait(false) is { } settings)
                {
                    content.Add(section, SnapshotClientProtocols.Settings(protocol, settings));
                }

                string component = MailJudgement.Component(protocol);
                string? state = await Capture(content, SnapshotClientProtocols.ComponentFailures, server, () => _live.GetComponentStateAsync(server, component, cancellation)).ConfigureAwait(false);
                if (state is not null)
                {
                    content.Add(SnapshotSections.ServerComponentState, SnapshotEntries.From(new ServerComponentStateFacts(server, null, component, state, Array.Empty<string>())));
                }
            }

            string[] names = SnapshotClientProtocols.Protocols.SelectMany(ExchangeSideJudgement.Services).ToArray();
            foreach (ServiceFacts service in await Capture<IReadOnlyList<ServiceFacts>>(content, SnapshotClientProtocols.Service, server, async () => await _live.GetServicesAsync(server, names, cancellation).ConfigureAwait(false)).ConfigureAwait(false) ?? Array.Empty<ServiceFacts>())
            {
                content.Add(SnapshotClientProtocols.Service, SnapshotClientProtocols.ServiceEntry(server, service));
            }
        }
    }

    private static async Task<T?> Capture<T>(SnapshotContent content, string section, string server, Func<Task<T?>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (ExchangeCommandException ex)
        {
            // Exchange's own words, as the live judgement shows them ("Could not read it: ...").
            content.Failures.Add(new SnapshotFailure(section, server, SnapshotFailure.Failed, ex.Command, ex.Reason));
        }
        catch (ExchangeDataUnavailableException ex)
        {
            content.Failures.Add(new SnapshotFailure(section, server, SnapshotFailure.Unavailable, section, ex.Message));
        }

        return null;
    }
}

/// <summary>
/// The snapshot implementation of <see cref="IClientProtocolExchangeSource"/> (issue 16). A snapshot taken before the
/// module recorded the IMAP4/POP3 side answers every question with <see cref="ExchangeDataUnavailableException"/>
/// naming that, so each check is Skipped with the reason rather than judged on facts that are not there.
/// </summary>
internal sealed class SnapshotClientProtocolSource : IClientProtocolExchangeSource
{
    private readonly SnapshotDocument _snapshot;

    public SnapshotClientProtocolSource(SnapshotDocument snapshot) => _snapshot = snapshot;

    /// <summary>True when the snapshot holds the IMAP4/POP3 server side (its sections are present, even empty).</summary>
    public bool CarriesServers => _snapshot.Sections.ContainsKey(SnapshotClientProtocols.ImapSettings) || _snapshot.Failures.Any(f => Same(f.Section, SnapshotClientProtocols.ImapSettings));

    /// <summary>The identities of the snapshot's mailboxes, for an offline run without -Mailbox.</summary>
    public IReadOnlyList<string> Mailboxes =>
        _snapshot.Section(SnapshotSections.CasMailbox).Select(e => ExchangeValues.Text(e, "Identity")).OfType<string>().ToArray();

    public Task<ProtocolSettingsFacts?> GetSettingsAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation) =>
        Run<ProtocolSettingsFacts?>(() =>
        {
            PSObject? entry = PerServer(SnapshotClientProtocols.SettingsSection(protocol), server).FirstOrDefault();
            return entry is null ? null : ExchangeSideReader.ReadSettings(entry, server);
        });

    public Task<IReadOnlyList<ServiceFacts>> GetServicesAsync(string server, IReadOnlyList<string> names, CancellationToken cancellation) =>
        Run<IReadOnlyList<ServiceFacts>>(() =>
        {
            PSObject[] entries = PerServer(SnapshotClientProtocols.Service, server).ToArray();
            return names.Select(name => entries.FirstOrDefault(e => Same(ExchangeValues.Text(e, "Name"), name)) is { } e
                ? new ServiceFacts(name, ExchangeValues.Text(e, "Status"), ExchangeValues.Text(e, "StartType"))
                : new ServiceFacts(name, null, null)).ToArray();
        });

    public Task<string?> GetComponentStateAsync(string server, string component, CancellationToken cancellation) =>
        Run(() => PerServer(SnapshotSections.ServerComponentState, server, SnapshotClientProtocols.ComponentFailures)
            .Where(e => Same(ExchangeValues.Text(e, "Component"), component))
            .Select(e => ExchangeValues.Text(e, "State"))
            .FirstOrDefault());

    public Task<MailboxProtocolFacts?> GetMailboxAsync(string mailbox, CancellationToken cancellation) =>
        Run<MailboxProtocolFacts?>(() =>
        {
            PSObject entry = _snapshot.Section(SnapshotSections.CasMailbox).FirstOrDefault(e => SnapshotExchangeSource.Matches(ExchangeFactReader.ReadCasMailbox(e), mailbox))
                ?? throw new ExchangeDataUnavailableException($"The mailbox '{mailbox}' is not in {_snapshot.Path}" +
                    (_snapshot.Anonymized ? " (the snapshot is anonymized: use the names it holds, for example User0001)." : "."));
            if (entry.Properties["ImapEnabled"] is null && entry.Properties["PopEnabled"] is null)
            {
                throw NotCarried("ImapEnabled/PopEnabled of its mailboxes");
            }

            return new MailboxProtocolFacts(ExchangeValues.Bool(entry, "ImapEnabled"), ExchangeValues.Bool(entry, "PopEnabled"));
        });

    private IEnumerable<PSObject> PerServer(string section, string server, string? failureSection = null)
    {
        if (!CarriesServers)
        {
            throw NotCarried("Get-ImapSettings/Get-PopSettings, the IMAP4/POP3 services and ImapProxy/PopProxy");
        }

        if (_snapshot.FailureOf(failureSection ?? section, server) is { } failure)
        {
            throw failure.Kind == SnapshotFailure.Unavailable
                ? new ExchangeDataUnavailableException(failure.Message)
                : new ExchangeCommandException(failure.Command, failure.Message, null);
        }

        if (!_snapshot.Servers.Any(s => Same(s, server)))
        {
            throw new ExchangeDataUnavailableException($"The server '{server}' is not in {_snapshot.Path}.");
        }

        return _snapshot.Section(section).Where(e => Same(ExchangeValues.Text(e, "Server") ?? ExchangeValues.Text(e, "Identity"), server));
    }

    /// <summary>
    /// A snapshot written before the IMAP4/POP3 side was recorded (issue 16): said plainly, with what to do. Short enough
    /// to be shown whole (the reader cuts reasons at 256 characters); the run's verbose output names the file.
    /// </summary>
    private ExchangeDataUnavailableException NotCarried(string what) => new(
        $"This snapshot does not carry {what}: it was taken by {Infrastructure.DisplayText.Safe(_snapshot.CreatedBy ?? "an earlier MapiHttpTools", 40)}, which did not record them. Export a new snapshot to judge them offline.");

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
