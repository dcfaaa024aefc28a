using System;
using System.Collections.Generic;
using System.Threading;
using MapiHttpTools.Exchange;
using MapiHttpTools.Iis;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// The IIS part of Invoke-MapiHttpDiagnostic (issue #4 after #5): Get-MapiAppPoolHealth's checks on each Client
/// Access server, read through Microsoft.Web.Administration (locally, or OpenRemote for the others). Where IIS cannot
/// be read (no IIS here, a snapshot, access denied) each server gets one Skipped or Error result saying why and what
/// to run instead, never a guess.
/// </summary>
internal static class IisDiagnosticStage
{
    public const string Check = "IisMapiApplications";

    public static void Run(IReadOnlyList<ExchangeServerFacts> servers, string? offlineReason, TimeSpan eventWindow, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        string? unavailable = offlineReason ?? LiveIisConfigurationSource.UnavailableReason();
        foreach (ExchangeServerFacts server in servers)
        {
            cancellation.ThrowIfCancellationRequested();
            if (server.IsEdgeServer)
            {
                continue;
            }

            if (unavailable is not null)
            {
                emit(Result(server, CheckStatus.Skipped, $"The IIS configuration of {server.Name} was not read: {unavailable}."));
                continue;
            }

            bool local = string.Equals(server.Name, Environment.MachineName, StringComparison.OrdinalIgnoreCase);
            string? computer = local ? null : server.Fqdn ?? server.Name;
            try
            {
                using LiveIisConfigurationSource source = LiveIisConfigurationSource.Open(computer);
                var checker = new MapiAppPoolHealthChecker(source, new LiveEventLogSource(computer), null, eventWindow, null, server.Name);
                foreach (MapiAppPoolHealthResult result in checker.Run(cancellation))
                {
                    emit(result);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                emit(Result(server, CheckStatus.Error, $"The IIS configuration of {server.Name} could not be read: {ex.Message}"));
            }
        }
    }

    private static MapiHttpConfigurationResult Result(ExchangeServerFacts server, CheckStatus status, string message) =>
        new ConfigurationFinding(Check, ConfigurationArea.VirtualDirectory, status, MapiHttpCause.None, message)
        {
            Server = server.Name,
            Target = server.Fqdn ?? server.Name,
            Identity = server.Name,
            Recommendation = $"On {server.Name}: Get-MapiAppPoolHealth; anywhere: Get-MapiAppPoolHealth -ConfigurationPath <a copy of {server.Name}'s %windir%\\System32\\inetsrv\\config\\applicationHost.config>",
        }.ToResult();
}
