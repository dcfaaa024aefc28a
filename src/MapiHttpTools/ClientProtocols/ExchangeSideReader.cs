using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.ClientProtocols;

/// <summary>
/// How the Windows services of a server can be read from here: live on Windows (this machine, or another through
/// Windows PowerShell's Get-Service -ComputerName), otherwise not at all, with the reason (issue 16).
/// </summary>
internal sealed record ServiceAccess(bool IsWindows, bool GetServiceHasComputerName, string LocalComputerName)
{
    /// <summary>Null when the services of <paramref name="server"/> can be read; otherwise why not.</summary>
    public string? WhyNot(string server)
    {
        if (!IsWindows)
        {
            return "Windows services are read on Windows only (Get-Service); run this on the Exchange server or in Windows PowerShell on a Windows machine.";
        }

        return IsLocal(server) || GetServiceHasComputerName
            ? null
            : $"this PowerShell's Get-Service has no -ComputerName (PowerShell 7); run it in Windows PowerShell, or on {server}: Get-Service MSExchangeIMAP4*, MSExchangePOP3*";
    }

    public bool IsLocal(string server)
    {
        string first = server.Split('.')[0];
        return string.Equals(first, LocalComputerName, StringComparison.OrdinalIgnoreCase) || string.Equals(server, "localhost", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Reads the Exchange side of IMAP4/POP3 through the caller's runspace (issue 16): Get-ImapSettings/Get-PopSettings,
/// Get-Service for the four services, Get-ServerComponentState for ImapProxy/PopProxy, Get-CASMailbox for
/// ImapEnabled/PopEnabled; <see cref="ExchangeSideJudgement"/> says what each means.
/// </summary>
internal sealed class ExchangeSideReader
{
    /// <summary>The commands this reader calls; the cmdlet finds which the session has.</summary>
    public static readonly IReadOnlyList<string> Commands = new[] { "Get-ImapSettings", "Get-PopSettings", "Get-Service", "Get-ServerComponentState", "Get-CASMailbox" };

    private readonly IExchangeCommandRunner _runner;
    private readonly ServiceAccess _services;
    private readonly Action<ExchangeClientProtocolResult> _emit;

    public ExchangeSideReader(IExchangeCommandRunner runner, ServiceAccess services, Action<ExchangeClientProtocolResult> emit)
    {
        _runner = runner;
        _services = services;
        _emit = emit;
    }

    public async Task ServerAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        await SettingsAsync(server, protocol, cancellation).ConfigureAwait(false);
        await ServicesAsync(server, protocol, cancellation).ConfigureAwait(false);
        await ComponentAsync(server, protocol, cancellation).ConfigureAwait(false);
    }

    public async Task MailboxAsync(string mailbox, IReadOnlyList<ExchangeClientProtocol> protocols, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        PSObject? found = null;
        try
        {
            await _runner.RunAsync(new ExchangeCommand("Get-CASMailbox").With("Identity", mailbox), o => found ??= o, null, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            foreach (ExchangeClientProtocol protocol in protocols)
            {
                Unreadable("Mailbox", protocol, mailbox, null, watch, ex);
            }

            return;
        }

        foreach (ExchangeClientProtocol protocol in protocols)
        {
            bool? enabled = found is null ? null : ExchangeValues.Bool(found, MailJudgement.EnabledProperty(protocol));
            Emit("Mailbox", protocol, mailbox, null, ExchangeSideJudgement.Mailbox(protocol, mailbox, enabled), watch,
                new[] { new KeyValuePair<string, object?>(MailJudgement.EnabledProperty(protocol), enabled) });
        }
    }

    private async Task SettingsAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        string command = protocol == ExchangeClientProtocol.Imap4 ? "Get-ImapSettings" : "Get-PopSettings";
        PSObject? settings = null;
        try
        {
            await _runner.RunAsync(new ExchangeCommand(command).With("Server", server), o => settings ??= o, null, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            Unreadable("CertificateName", protocol, server, server, watch, ex);
            return;
        }

        if (settings is null)
        {
            Emit("CertificateName", protocol, server, server, new Finding(CheckStatus.Error, MapiHttpCause.None, $"{command} -Server {server} returned nothing."), watch, null);
            return;
        }

        IReadOnlyList<string> external = ExchangeValues.Strings(settings, "ExternalConnectionSettings");
        IReadOnlyList<string> internalSettings = ExchangeValues.Strings(settings, "InternalConnectionSettings");
        string[] connections = external.Concat(internalSettings).ToArray();

        // The name clients outside are given is what X509CertificateName must match; internal settings default to the
        // server's FQDN, which a namespace certificate rarely lists, so they count only when there are no external ones.
        IReadOnlyList<string> given = external.Count > 0 ? external : internalSettings;
        var facts = new ProtocolSettingsFacts(server, ExchangeValues.Text(settings, "X509CertificateName"), ExchangeValues.Text(settings, "LoginType"),
            given.Select(ExchangeSideJudgement.HostOf).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), connections);
        var evidence = new Dictionary<string, object?>
        {
            ["X509CertificateName"] = facts.X509CertificateName is null ? null : DisplayText.Safe(facts.X509CertificateName),
            ["LoginType"] = facts.LoginType is null ? null : DisplayText.Safe(facts.LoginType),
            ["ConnectionSettings"] = connections.Select(c => DisplayText.Safe(c)).ToArray(),
        };
        Emit("CertificateName", protocol, server, server, ExchangeSideJudgement.CertificateName(protocol, facts), watch, evidence);
        Emit("LoginType", protocol, server, server, ExchangeSideJudgement.LoginType(protocol, facts), watch, evidence);
    }

    private async Task ServicesAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        IReadOnlyList<string> names = ExchangeSideJudgement.Services(protocol);
        var watch = Stopwatch.StartNew();
        string? whyNot = _runner.IsAvailable("Get-Service") ? _services.WhyNot(server) : "Get-Service is not available in this session.";
        if (whyNot is not null)
        {
            foreach (string name in names)
            {
                Emit("Service:" + name, protocol, server, server, new Finding(CheckStatus.Skipped, MapiHttpCause.None, $"{name} not read: {whyNot}"), watch, null);
            }

            return;
        }

        var seen = new Dictionary<string, PSObject>(StringComparer.OrdinalIgnoreCase);
        var command = new ExchangeCommand("Get-Service").With("Name", names.ToArray());
        if (!_services.IsLocal(server))
        {
            command.With("ComputerName", server);
        }

        try
        {
            // A missing service is an error record of Get-Service: it is a fact here (the service does not exist), not a failure.
            await _runner.RunAsync(command, o =>
            {
                if (ExchangeValues.Text(o, "Name") is { } n)
                {
                    seen[n] = o;
                }
            }, _ => { }, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            foreach (string name in names)
            {
                Unreadable("Service:" + name, protocol, server, server, watch, ex);
            }

            return;
        }

        foreach (string name in names)
        {
            seen.TryGetValue(name, out PSObject? service);
            var facts = new ServiceFacts(name, service is null ? null : ExchangeValues.Text(service, "Status"), service is null ? null : ExchangeValues.Text(service, "StartType"));
            Emit("Service:" + name, protocol, server, server, ExchangeSideJudgement.Service(protocol, facts, server), watch,
                new[] { new KeyValuePair<string, object?>("Status", facts.Status), new KeyValuePair<string, object?>("StartType", facts.StartType) });
        }
    }

    private async Task ComponentAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        string component = MailJudgement.Component(protocol);
        string? state = null;
        try
        {
            await _runner.RunAsync(new ExchangeCommand("Get-ServerComponentState").With("Identity", server).With("Component", component),
                o => state ??= ExchangeValues.Text(o, "State"), null, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            Unreadable("Component:" + component, protocol, server, server, watch, ex);
            return;
        }

        Emit("Component:" + component, protocol, server, server, ExchangeSideJudgement.Component(protocol, server, state), watch,
            new[] { new KeyValuePair<string, object?>("State", state is null ? null : DisplayText.Safe(state)) });
    }

    private void Unreadable(string check, ExchangeClientProtocol protocol, string target, string? server, Stopwatch watch, Exception ex)
    {
        bool unavailable = ex is ExchangeDataUnavailableException;
        string reason = DisplayText.Safe(ex is ExchangeCommandException command ? command.Reason : ex.Message);
        Emit(check, protocol, target, server, new Finding(unavailable ? CheckStatus.Skipped : CheckStatus.Error, MapiHttpCause.None, unavailable ? reason : $"Could not read it: {reason}"), watch, null);
    }

    private void Emit(string check, ExchangeClientProtocol protocol, string target, string? server, Finding finding, Stopwatch watch, IEnumerable<KeyValuePair<string, object?>>? evidence) =>
        _emit(new ExchangeClientProtocolResult(check, finding.Status, finding.Cause, protocol, target, null, server, null, Math.Round(watch.Elapsed.TotalMilliseconds, 1), false,
            finding.Message, finding.Recommendation, evidence));
}
