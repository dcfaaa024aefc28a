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
/// How the Windows services of a server can be read from here (issue 16): on Windows only; this machine's with
/// Get-Service, another's with Windows PowerShell's Get-Service -ComputerName, or else (PowerShell 7, whose Get-Service
/// has no -ComputerName) through PowerShell remoting, Invoke-Command -ComputerName over WinRM, which every Exchange
/// server listens on for its own management shell. Off Windows not at all, with the reason.
/// </summary>
internal sealed record ServiceAccess(bool IsWindows, bool GetServiceHasComputerName, string LocalComputerName)
{
    /// <summary>Null when the services of <paramref name="server"/> can be read; otherwise why not.</summary>
    public string? WhyNot(string server) => IsWindows
        ? null
        : "Windows services are read on Windows only (Get-Service); run this on the Exchange server or in Windows PowerShell on a Windows machine.";

    /// <summary>True when <paramref name="server"/>'s services are read through Invoke-Command rather than Get-Service here.</summary>
    public bool ThroughRemoting(string server) => IsWindows && !IsLocal(server) && !GetServiceHasComputerName;

    /// <summary>What this session can do: read on the pipeline thread (the command lookup needs it); <paramref name="isWindows"/> is the test seam.</summary>
    public static ServiceAccess Of(PSCmdlet cmdlet, bool? isWindows) => new(
        isWindows ?? Environment.OSVersion.Platform == PlatformID.Win32NT,
        cmdlet.InvokeCommand.GetCommand("Get-Service", CommandTypes.All)?.Parameters.ContainsKey("ComputerName") == true,
        Environment.MachineName);

    public bool IsLocal(string server)
    {
        string first = server.Split('.')[0];
        return string.Equals(first, LocalComputerName, StringComparison.OrdinalIgnoreCase) || string.Equals(server, "localhost", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>Get-CASMailbox's protocol switches for one mailbox, as read.</summary>
internal sealed record MailboxProtocolFacts(bool? ImapEnabled, bool? PopEnabled)
{
    public bool? Enabled(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? ImapEnabled : PopEnabled;
}

/// <summary>
/// Where the Exchange side of IMAP4/POP3 comes from (issue 16): the caller's runspace (<see cref="RunspaceClientProtocolSource"/>)
/// or an exported snapshot (Snapshot.SnapshotClientProtocolSource), so the judgement never knows which it got and an
/// offline run gives the results the live one gave. A fact that cannot be had is <see cref="ExchangeDataUnavailableException"/>
/// (Skipped with its reason); an Exchange error is <see cref="ExchangeCommandException"/>.
/// </summary>
internal interface IClientProtocolExchangeSource
{
    /// <summary>Get-ImapSettings/Get-PopSettings -Server; null when the cmdlet returned nothing.</summary>
    Task<ProtocolSettingsFacts?> GetSettingsAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation);

    /// <summary>One entry per name; Status null when the service does not exist.</summary>
    Task<IReadOnlyList<ServiceFacts>> GetServicesAsync(string server, IReadOnlyList<string> names, CancellationToken cancellation);

    /// <summary>The State of ImapProxy/PopProxy; null when Exchange reported none.</summary>
    Task<string?> GetComponentStateAsync(string server, string component, CancellationToken cancellation);

    /// <summary>ImapEnabled/PopEnabled of one mailbox; null when Get-CASMailbox returned nothing.</summary>
    Task<MailboxProtocolFacts?> GetMailboxAsync(string mailbox, CancellationToken cancellation);
}

/// <summary>
/// The live source: Get-ImapSettings/Get-PopSettings, Get-Service for the four services, Get-ServerComponentState for
/// ImapProxy/PopProxy and Get-CASMailbox, through the caller's runspace (issue 16). Export-MapiHttpSnapshot records what
/// this reads, so the offline run reads the same facts.
/// </summary>
internal sealed class RunspaceClientProtocolSource : IClientProtocolExchangeSource
{
    /// <summary>What runs on the server through Invoke-Command: the services as plain text, the same on 5.1 and 7.</summary>
    private const string RemoteServices = @"param([string[]] $Name)
foreach ($n in $Name) {
    $s = Get-Service -Name $n -ErrorAction SilentlyContinue
    if ($s) { [pscustomobject]@{ Name = [string]$s.Name; Status = [string]$s.Status; StartType = [string]$s.StartType } }
}";

    private readonly IExchangeCommandRunner _runner;
    private readonly ServiceAccess _services;

    public RunspaceClientProtocolSource(IExchangeCommandRunner runner, ServiceAccess services)
    {
        _runner = runner;
        _services = services;
    }

    public async Task<ProtocolSettingsFacts?> GetSettingsAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        PSObject? settings = null;
        await _runner.RunAsync(new ExchangeCommand(ExchangeSideReader.SettingsCommand(protocol)).With("Server", server), o => settings ??= o, null, cancellation).ConfigureAwait(false);
        return settings is null ? null : ExchangeSideReader.ReadSettings(settings, server);
    }

    public async Task<IReadOnlyList<ServiceFacts>> GetServicesAsync(string server, IReadOnlyList<string> names, CancellationToken cancellation)
    {
        bool remoting = _services.ThroughRemoting(server);
        string needed = remoting ? "Invoke-Command" : "Get-Service";
        if ((_services.WhyNot(server) ?? (_runner.IsAvailable(needed) ? null : $"{needed} is not available in this session.")) is { } whyNot)
        {
            throw new ExchangeDataUnavailableException(whyNot);
        }

        var seen = new Dictionary<string, PSObject>(StringComparer.OrdinalIgnoreCase);
        void Keep(PSObject o)
        {
            if (ExchangeValues.Text(o, "Name") is { } n)
            {
                seen[n] = o;
            }
        }

        if (remoting)
        {
            // A missing service is simply not returned; any error (WinRM unreachable, access denied) fails the read
            // with Exchange's server named, rather than passing for "the service does not exist".
            var invoke = new ExchangeCommand("Invoke-Command").With("ComputerName", server).With("ScriptBlock", ScriptBlock.Create(RemoteServices))
                .With("ArgumentList", new object[] { names.ToArray() });
            await _runner.RunAsync(invoke, Keep, null, cancellation).ConfigureAwait(false);
        }
        else
        {
            var command = new ExchangeCommand("Get-Service").With("Name", names.ToArray());
            if (!_services.IsLocal(server))
            {
                command.With("ComputerName", server);
            }

            // A missing service is an error record of Get-Service: it is a fact here (the service does not exist), not a failure.
            await _runner.RunAsync(command, Keep, _ => { }, cancellation).ConfigureAwait(false);
        }

        return names.Select(name => seen.TryGetValue(name, out PSObject? service)
            ? new ServiceFacts(name, ExchangeValues.Text(service, "Status"), ExchangeValues.Text(service, "StartType"))
            : new ServiceFacts(name, null, null)).ToArray();
    }

    public async Task<string?> GetComponentStateAsync(string server, string component, CancellationToken cancellation)
    {
        string? state = null;
        await _runner.RunAsync(new ExchangeCommand("Get-ServerComponentState").With("Identity", server).With("Component", component),
            o => state ??= ExchangeValues.Text(o, "State"), null, cancellation).ConfigureAwait(false);
        return state;
    }

    public async Task<MailboxProtocolFacts?> GetMailboxAsync(string mailbox, CancellationToken cancellation)
    {
        PSObject? found = null;
        await _runner.RunAsync(new ExchangeCommand("Get-CASMailbox").With("Identity", mailbox), o => found ??= o, null, cancellation).ConfigureAwait(false);
        return found is null ? null : new MailboxProtocolFacts(ExchangeValues.Bool(found, "ImapEnabled"), ExchangeValues.Bool(found, "PopEnabled"));
    }
}

/// <summary>
/// Judges the Exchange side of IMAP4/POP3 (issue 16) from an <see cref="IClientProtocolExchangeSource"/>: the settings,
/// the four services, ImapProxy/PopProxy and the mailboxes' ImapEnabled/PopEnabled, one result each;
/// <see cref="ExchangeSideJudgement"/> says what each means. Test-ExchangeClientProtocol and Invoke-MapiHttpDiagnostic
/// -IncludeProtocol (live or from a snapshot) both use it.
/// </summary>
internal sealed class ExchangeSideReader
{
    /// <summary>The commands the live source calls; the cmdlet finds which the session has.</summary>
    public static readonly IReadOnlyList<string> Commands = new[] { "Get-ImapSettings", "Get-PopSettings", "Get-Service", "Invoke-Command", "Get-ServerComponentState", "Get-CASMailbox" };

    /// <summary>The Check names of the Exchange-side results (beside the probe's <see cref="MailSteps"/>).</summary>
    public const string CertificateNameCheck = "CertificateName";
    public const string LoginTypeCheck = "LoginType";
    public const string ServiceCheckPrefix = "Service:";
    public const string ComponentCheckPrefix = "Component:";
    public const string MailboxCheck = "Mailbox";

    private readonly IClientProtocolExchangeSource _source;
    private readonly Action<ExchangeClientProtocolResult> _emit;

    public ExchangeSideReader(IClientProtocolExchangeSource source, Action<ExchangeClientProtocolResult> emit)
    {
        _source = source;
        _emit = emit;
    }

    public static string SettingsCommand(ExchangeClientProtocol protocol) => protocol == ExchangeClientProtocol.Imap4 ? "Get-ImapSettings" : "Get-PopSettings";

    /// <summary>True for a result of this reader rather than of the probe.</summary>
    public static bool IsExchangeSide(string check) =>
        check is CertificateNameCheck or LoginTypeCheck or MailboxCheck ||
        check.StartsWith(ServiceCheckPrefix, StringComparison.Ordinal) || check.StartsWith(ComponentCheckPrefix, StringComparison.Ordinal);

    /// <summary>Get-ImapSettings/Get-PopSettings output (live, deserialized or a snapshot entry) as facts.</summary>
    public static ProtocolSettingsFacts ReadSettings(PSObject settings, string server) => new(
        server,
        ExchangeValues.Text(settings, "X509CertificateName"),
        ExchangeValues.Text(settings, "LoginType"),
        ExchangeValues.Strings(settings, "ExternalConnectionSettings"),
        ExchangeValues.Strings(settings, "InternalConnectionSettings"));

    public async Task ServerAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        await SettingsAsync(server, protocol, cancellation).ConfigureAwait(false);
        await ServicesAsync(server, protocol, cancellation).ConfigureAwait(false);
        await ComponentAsync(server, protocol, cancellation).ConfigureAwait(false);
    }

    public async Task MailboxAsync(string mailbox, IReadOnlyList<ExchangeClientProtocol> protocols, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        MailboxProtocolFacts? found;
        try
        {
            found = await _source.GetMailboxAsync(mailbox, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            foreach (ExchangeClientProtocol protocol in protocols)
            {
                Unreadable(MailboxCheck, protocol, mailbox, null, watch, ex);
            }

            return;
        }

        foreach (ExchangeClientProtocol protocol in protocols)
        {
            bool? enabled = found?.Enabled(protocol);
            Emit(MailboxCheck, protocol, mailbox, null, ExchangeSideJudgement.Mailbox(protocol, mailbox, enabled), watch,
                new[] { new KeyValuePair<string, object?>(MailJudgement.EnabledProperty(protocol), enabled) });
        }
    }

    private async Task SettingsAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        ProtocolSettingsFacts? facts;
        try
        {
            facts = await _source.GetSettingsAsync(server, protocol, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            Unreadable(CertificateNameCheck, protocol, server, server, watch, ex);
            return;
        }

        if (facts is null)
        {
            Emit(CertificateNameCheck, protocol, server, server, new Finding(CheckStatus.Error, MapiHttpCause.None, $"{SettingsCommand(protocol)} -Server {server} returned nothing."), watch, null);
            return;
        }

        var evidence = new Dictionary<string, object?>
        {
            ["X509CertificateName"] = facts.X509CertificateName is null ? null : DisplayText.Safe(facts.X509CertificateName),
            ["LoginType"] = facts.LoginType is null ? null : DisplayText.Safe(facts.LoginType),
            ["ConnectionSettings"] = facts.ConnectionSettings.Select(c => DisplayText.Safe(c)).ToArray(),
        };
        Emit(CertificateNameCheck, protocol, server, server, ExchangeSideJudgement.CertificateName(protocol, facts), watch, evidence);
        Emit(LoginTypeCheck, protocol, server, server, ExchangeSideJudgement.LoginType(protocol, facts), watch, evidence);
    }

    private async Task ServicesAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        IReadOnlyList<string> names = ExchangeSideJudgement.Services(protocol);
        var watch = Stopwatch.StartNew();
        IReadOnlyList<ServiceFacts> services;
        try
        {
            services = await _source.GetServicesAsync(server, names, cancellation).ConfigureAwait(false);
        }
        catch (ExchangeDataUnavailableException ex)
        {
            foreach (string name in names)
            {
                Emit(ServiceCheckPrefix + name, protocol, server, server, new Finding(CheckStatus.Skipped, MapiHttpCause.None, $"{name} not read: {DisplayText.Safe(ex.Message)}"), watch, null);
            }

            return;
        }
        catch (ExchangeCommandException ex)
        {
            foreach (string name in names)
            {
                Unreadable(ServiceCheckPrefix + name, protocol, server, server, watch, ex);
            }

            return;
        }

        foreach (ServiceFacts facts in services)
        {
            Emit(ServiceCheckPrefix + facts.Name, protocol, server, server, ExchangeSideJudgement.Service(protocol, facts, server), watch,
                new[] { new KeyValuePair<string, object?>("Status", facts.Status), new KeyValuePair<string, object?>("StartType", facts.StartType) });
        }
    }

    private async Task ComponentAsync(string server, ExchangeClientProtocol protocol, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        string component = MailJudgement.Component(protocol);
        string? state;
        try
        {
            state = await _source.GetComponentStateAsync(server, component, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException)
        {
            Unreadable(ComponentCheckPrefix + component, protocol, server, server, watch, ex);
            return;
        }

        Emit(ComponentCheckPrefix + component, protocol, server, server, ExchangeSideJudgement.Component(protocol, server, state), watch,
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
