using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Iis;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Diagnostics;

/// <summary>What one server's IIS read through remoting gave: its Get-MapiAppPoolHealth results, or why there are none.</summary>
internal sealed class RemoteIisOutcome
{
    public RemoteIisOutcome(ExchangeServerFacts server, IReadOnlyList<MapiAppPoolHealthResult> results, string? failure = null, string? errorId = null, string? reachedThrough = null)
    {
        Server = server;
        Results = results;
        Failure = failure;
        ErrorId = errorId;
        ReachedThrough = reachedThrough;
    }

    public ExchangeServerFacts Server { get; }

    public IReadOnlyList<MapiAppPoolHealthResult> Results { get; }

    /// <summary>Why nothing came back (not reached, no module, out of time, the cmdlet failed there); null when results came.</summary>
    public string? Failure { get; }

    /// <summary>The error id of the failure (RemoteConnectionFailed, RemoteModuleMissing, RemoteTimeout, ...).</summary>
    public string? ErrorId { get; }

    /// <summary>How the server was reached: "WinRM (ex01.contoso.com)" or "PSSession EX01 (ssh ...)".</summary>
    public string? ReachedThrough { get; }
}

/// <summary>Runs the module's own Get-MapiAppPoolHealth on other servers through PowerShell remoting (issue 17).</summary>
internal interface IRemoteIisReader
{
    /// <summary>One outcome per server, in the order given; never throws for one server's failure.</summary>
    Task<IReadOnlyList<RemoteIisOutcome>> ReadAsync(IReadOnlyList<ExchangeServerFacts> servers, TimeSpan eventWindow, CancellationToken cancellation);
}

/// <summary>
/// The IIS part of Invoke-MapiHttpDiagnostic (issue #4 after #5): Get-MapiAppPoolHealth's checks on each Client Access
/// server. This server is read in-process; every other one runs the module's own Get-MapiAppPoolHealth there through
/// PowerShell remoting (issue 17: remoting is the one way to reach other machines, no ServerManager.OpenRemote), all
/// of them at once up to the throttle, each bounded in time. A server whose IIS cannot be read (no IIS here, a
/// snapshot, not reached, no module there, out of time) gets one Skipped result naming it and why, and the others go on.
/// </summary>
internal static class IisDiagnosticStage
{
    public const string Check = "IisMapiApplications";

    public static async Task RunAsync(IReadOnlyList<ExchangeServerFacts> servers, string? offlineReason, TimeSpan eventWindow, IRemoteIisReader? remote, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        ExchangeServerFacts[] checkable = servers.Where(s => !s.IsEdgeServer).ToArray();
        if (offlineReason is not null)
        {
            foreach (ExchangeServerFacts server in checkable)
            {
                emit(Result(server, CheckStatus.Skipped, $"The IIS configuration of {DisplayText.Safe(server.Name)} was not read: {offlineReason}."));
            }

            return;
        }

        ExchangeServerFacts[] others = checkable.Where(s => !IsThisComputer(s)).ToArray();
        IReadOnlyList<RemoteIisOutcome> outcomes = others.Length == 0
            ? Array.Empty<RemoteIisOutcome>()
            : remote is null
                ? others.Select(s => new RemoteIisOutcome(s, Array.Empty<MapiAppPoolHealthResult>(), "no remoting is available in this run")).ToArray()
                : await remote.ReadAsync(others, eventWindow, cancellation).ConfigureAwait(false);

        // In the servers' order, whichever finished first: the output reads the same on every run.
        foreach (ExchangeServerFacts server in checkable)
        {
            cancellation.ThrowIfCancellationRequested();
            if (IsThisComputer(server))
            {
                ReadHere(server, eventWindow, emit, cancellation);
                continue;
            }

            RemoteIisOutcome? outcome = outcomes.FirstOrDefault(o => ReferenceEquals(o.Server, server));
            if (outcome is null || outcome.Results.Count == 0)
            {
                emit(NotReached(server, outcome));
                continue;
            }

            foreach (MapiAppPoolHealthResult result in outcome.Results)
            {
                emit(result);
            }
        }
    }

    /// <summary>This computer, by the server's Exchange name or its FQDN.</summary>
    internal static bool IsThisComputer(ExchangeServerFacts server) =>
        string.Equals(server.Name, Environment.MachineName, StringComparison.OrdinalIgnoreCase) ||
        (server.Fqdn is { } fqdn && fqdn.StartsWith(Environment.MachineName + ".", StringComparison.OrdinalIgnoreCase));

    private static void ReadHere(ExchangeServerFacts server, TimeSpan eventWindow, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        if (LiveIisConfigurationSource.UnavailableReason() is { } unavailable)
        {
            emit(Result(server, CheckStatus.Skipped, $"The IIS configuration of {DisplayText.Safe(server.Name)} (this computer) was not read: {unavailable}."));
            return;
        }

        try
        {
            using LiveIisConfigurationSource source = LiveIisConfigurationSource.Open();
            var checker = new MapiAppPoolHealthChecker(source, new LiveEventLogSource(), null, eventWindow, null, server.Name);
            foreach (MapiAppPoolHealthResult result in checker.Run(cancellation))
            {
                emit(result);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            emit(Result(server, CheckStatus.Error, $"The IIS configuration of {DisplayText.Safe(server.Name)} (this computer) could not be read: {DisplayText.Safe(ex.Message)}"));
        }
    }

    private static MapiHttpConfigurationResult NotReached(ExchangeServerFacts server, RemoteIisOutcome? outcome)
    {
        string why = DisplayText.Safe(outcome?.Failure ?? "Get-MapiAppPoolHealth returned nothing there", 1024);
        KeyValuePair<string, object?>[]? evidence = outcome?.ErrorId is { } id
            ? new[] { new KeyValuePair<string, object?>("ErrorId", id), new KeyValuePair<string, object?>("ReachedThrough", outcome.ReachedThrough) }
            : null;
        return Result(server, CheckStatus.Skipped, $"The IIS configuration of {DisplayText.Safe(server.Name)} was not read through PowerShell remoting: {why}", evidence);
    }

    private static MapiHttpConfigurationResult Result(ExchangeServerFacts server, CheckStatus status, string message, IReadOnlyList<KeyValuePair<string, object?>>? evidence = null) =>
        new ConfigurationFinding(Check, ConfigurationArea.VirtualDirectory, status, MapiHttpCause.None, message)
        {
            Server = server.Name,
            Target = server.Fqdn ?? server.Name,
            Identity = server.Name,
            Evidence = evidence,
            Recommendation = $"On {DisplayText.Safe(server.Name)}: Get-MapiAppPoolHealth; anywhere: Get-MapiAppPoolHealth -ConfigurationPath <a copy of {DisplayText.Safe(server.Name)}'s %windir%\\System32\\inetsrv\\config\\applicationHost.config>",
        }.ToResult();
}
