using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Diagnostics;

/// <summary>What one Invoke-MapiHttpDiagnostic run covers.</summary>
internal sealed class DiagnosticSettings
{
    public IReadOnlyList<string>? Servers { get; init; }

    public IReadOnlyList<string>? Mailboxes { get; init; }

    /// <summary>True for a snapshot: every mailbox of it is evaluated, IIS and the endpoints are not read.</summary>
    public bool Offline { get; init; }

    public bool SkipIisCheck { get; init; }

    /// <summary>Reaches the other servers' IIS through PowerShell remoting (issue 17); null where there is none.</summary>
    public IRemoteIisReader? IisReader { get; init; }

    public bool SkipEndpointTest { get; init; }

    public int CertificateExpiryWarningDays { get; init; } = 30;

    public IHostResolver Resolver { get; init; } = DnsHostResolver.Instance;

    /// <summary>The endpoint probe; null when the endpoints cannot be probed (a snapshot).</summary>
    public IEndpointProbeStage? ProbeStage { get; init; }

    /// <summary>IMAP4/POP3 beside MAPI/HTTP (-IncludeProtocol, issue 16); null when not asked for.</summary>
    public ClientProtocolStage? ClientProtocolStage { get; init; }

    /// <summary>Autodiscover for the -Mailbox mailboxes (issue 14); null when it is not asked (a snapshot, no mailboxes).</summary>
    public IAutodiscoverDiagnosticStage? AutodiscoverStage { get; init; }

    /// <summary>The ASA, the namespaces' HTTP SPNs and /mapi's three-sided comparison (issue 14); null for a snapshot.</summary>
    public AuthenticationDiagnosticStage? AuthenticationStage { get; init; }
}

/// <summary>Where a run's output goes: results (from any thread), errors and progress.</summary>
internal sealed class DiagnosticOutput
{
    public Action<MapiHttpResult> Result { get; init; } = _ => { };

    public Action<ErrorRecord> Error { get; init; } = _ => { };

    public Action<string, int> Progress { get; init; } = (_, _) => { };
}

/// <summary>
/// The orchestration of Invoke-MapiHttpDiagnostic (issue 12: the cmdlet stays thin): the configuration checks, IIS on
/// each server, the endpoint probe, then the verdict over everything collected. Probe results arrive from worker
/// threads; they go into a <see cref="ResultCollector"/>, which does not lose any (issue 11: an unlocked List did).
/// </summary>
internal static class DiagnosticEngine
{
    public static async Task<MapiHttpVerdictResult> RunAsync(IExchangeSource source, DiagnosticSettings settings, DiagnosticOutput output, CancellationToken cancellation)
    {
        var collected = new ResultCollector();
        void Emit(MapiHttpResult result, bool fromNamespace)
        {
            collected.Add(result, fromNamespace);
            output.Result(result);
        }

        var options = new ConfigurationDiagnosticOptions
        {
            Servers = settings.Servers,
            Mailboxes = settings.Mailboxes,
            AllMailboxes = settings.Offline && settings.Mailboxes is null,
            CertificateExpiryWarningDays = settings.CertificateExpiryWarningDays,
            Resolver = settings.Resolver,
            OnError = output.Error,
            OnProgress = (step, percent) => output.Progress("Exchange configuration: " + step, percent * 6 / 10),
        };
        ConfigurationRun run = await ConfigurationDiagnostics.RunAsync(source, options, r => Emit(r, false), cancellation).ConfigureAwait(false);

        if (!settings.SkipIisCheck)
        {
            await IisDiagnosticStage.RunAsync(run.Servers, settings.Offline ? "the IIS configuration is not part of a snapshot" : null, TimeSpan.FromHours(24), settings.IisReader, r => Emit(r, false), cancellation).ConfigureAwait(false);
        }

        if (!settings.SkipEndpointTest)
        {
            IReadOnlyList<EndpointProbeRequest> plan = EndpointProbePlan.From(run);
            if (settings.ProbeStage is null)
            {
                foreach (EndpointProbeRequest request in plan)
                {
                    Emit(EndpointProbePlan.NotProbed(request), request.IsNamespace);
                }
            }
            else
            {
                await settings.ProbeStage.RunAsync(
                    plan,
                    Emit,
                    (done, total) => output.Progress($"Endpoints: {done} of {total}", 60 + (40 * done / Math.Max(1, total))),
                    cancellation).ConfigureAwait(false);
            }
        }

        if (!settings.SkipEndpointTest && settings.AuthenticationStage is { } authentication)
        {
            // After the probe: its anonymous challenges are the wire side of the comparison (issue 14). Like the probe
            // it looks beyond Exchange's configuration (Active Directory, the wire), so -SkipEndpointTest leaves it out
            // and a configuration-only run stays the same live and from a snapshot.
            output.Progress("Kerberos and Windows authentication", 99);
            authentication.Run(run.Servers, run.VirtualDirectories, collected.Snapshot().Results, r => Emit(r, false), cancellation);
        }

        // The stage probes only when it was given probe options; its Exchange side is configuration and runs offline
        // and with -SkipEndpointTest too (issue 16).
        if (settings.ClientProtocolStage is not null)
        {
            output.Progress("IMAP4/POP3", 99);
            await settings.ClientProtocolStage.RunAsync(run.Servers, r => Emit(r, false), cancellation).ConfigureAwait(false);
        }

        if (!settings.SkipEndpointTest && settings.AutodiscoverStage is { } autodiscover && settings.Mailboxes is { Count: > 0 })
        {
            // What Outlook is told for each chosen mailbox, judged with what the configuration part read (issue 14).
            output.Progress("Autodiscover", 99);
            MapiHttpMailboxStateResult[] mailboxes = collected.Snapshot().Results.OfType<MapiHttpMailboxStateResult>().ToArray();
            await autodiscover.RunAsync(mailboxes, run.VirtualDirectories, r => Emit(r, false), cancellation).ConfigureAwait(false);
        }

        (IReadOnlyList<MapiHttpResult> results, Func<MapiHttpResult, bool> fromNamespace) = collected.Snapshot();
        return MapiHttpVerdict.From(results, new ServerInventory(run.Servers), fromNamespace);
    }
}
