using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Runs every MAPI/HTTP check for the organisation, its Client Access servers and chosen mailboxes, and ends with the verdict.</para>
/// <para type="description">The Exchange configuration checks (organisation, virtual directories, certificates,
/// authentication, namespaces, component states, mailboxes), the endpoint probe of each server and namespace, then
/// one verdict: which cause on which servers, or that MAPI/HTTP looks healthy. Live or from a snapshot.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MapiHttpDiagnostic")]
[OutputType(typeof(MapiHttpConfigurationResult), typeof(MapiHttpMailboxStateResult), typeof(MapiHttpEndpointResult), typeof(MapiHttpVerdictResult))]
public sealed class InvokeMapiHttpDiagnosticCommand : MapiHttpCmdletBase
{
    /// <summary>Without these there is no configuration to check.</summary>
    private static readonly string[] Essential = { "Get-OrganizationConfig", "Get-ExchangeServer", "Get-MapiVirtualDirectory" };

    private readonly List<string> _servers = new();

    /// <summary>The servers to check, by name or FQDN; default every server with the Client Access role.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Fqdn")]
    [ValidateNotNullOrEmpty]
    public string[]? Server { get; set; }

    /// <summary>Mailboxes whose MAPI/HTTP state to include.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Mailbox { get; set; }

    /// <summary>Run the checks on an Export-MapiHttpSnapshot file instead of Exchange.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    /// <summary>Write only the verdict.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <summary>Do not read IIS (Get-MapiAppPoolHealth's checks) on the servers.</summary>
    [Parameter]
    public SwitchParameter SkipIisCheck { get; set; }

    /// <summary>Time limit of each endpoint request, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 15;

    /// <summary>Check the configuration only; do not probe the endpoints.</summary>
    [Parameter]
    public SwitchParameter SkipEndpointTest { get; set; }

    /// <summary>Certificates expiring within this many days are a warning.</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int CertificateExpiryWarningDays { get; set; } = 30;

    protected override void ProcessRecord()
    {
        if (Server is not null)
        {
            _servers.AddRange(Server);
        }
    }

    protected override void EndProcessing()
    {
        SnapshotDocument? snapshot = SnapshotPath is null ? null : ExchangeCommandSupport.LoadSnapshot(this, SnapshotPath, CancelToken);
        string[] available = RunspaceCommandRunner.AllCommands.ToArray();
        if (snapshot is null)
        {
            string[] missing = RunspaceCommandRunner.FindMissing(this, RunspaceCommandRunner.AllCommands).ToArray();
            string[] missingEssential = Essential.Where(e => missing.Contains(e, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (missingEssential.Length > 0)
            {
                ThrowTerminatingError(RunspaceCommandRunner.NotFoundError(missingEssential));
            }

            available = available.Except(missing, StringComparer.OrdinalIgnoreCase).ToArray();
        }
        else
        {
            WriteVerbose($"Checking {snapshot.Path}, taken {snapshot.CreatedUtc:u} by {snapshot.CreatedBy} (Exchange {snapshot.ExchangeBuild}); certificates are judged as of that moment.");
        }

        var collected = new List<MapiHttpResult>();
        _ = Services; // taken here, on the pipeline thread; the work below runs on the thread pool
        RunAsync(async (pipeline, token) =>
        {
            IExchangeSource source = snapshot is null
                ? new LiveExchangeSource(RunspaceCommandRunner.Posted(pipeline, available))
                : new SnapshotExchangeSource(snapshot);

            void Emit(MapiHttpResult result)
            {
                collected.Add(result);
                if (!Summary)
                {
                    pipeline.WriteObject(result);
                }
            }

            var options = new ConfigurationDiagnosticOptions
            {
                Servers = _servers.Count > 0 ? _servers.ToArray() : null,
                Mailboxes = Mailbox,
                AllMailboxes = snapshot is not null && Mailbox is null,
                CertificateExpiryWarningDays = CertificateExpiryWarningDays,
                Resolver = snapshot is null ? Services.Resolver : new SnapshotHostResolver(snapshot),
                OnError = pipeline.WriteError,
                OnProgress = (step, percent) => pipeline.WriteProgress(new ProgressRecord(1, "Invoke-MapiHttpDiagnostic", "Exchange configuration: " + step) { PercentComplete = percent * 6 / 10 }),
            };
            ConfigurationRun run = await ConfigurationDiagnostics.RunAsync(source, options, Emit, token).ConfigureAwait(false);

            if (!SkipIisCheck)
            {
                IisDiagnosticStage.Run(
                    run.Servers,
                    snapshot is null ? null : "the IIS configuration is not part of a snapshot",
                    TimeSpan.FromHours(24),
                    Emit,
                    token);
            }

            if (!SkipEndpointTest)
            {
                IReadOnlyList<EndpointProbeRequest> plan = EndpointProbePlan.From(run);
                await ProbeEndpointsAsync(plan, snapshot is not null, Emit, pipeline, token).ConfigureAwait(false);
            }

            pipeline.WriteProgress(new ProgressRecord(1, "Invoke-MapiHttpDiagnostic", "Done") { RecordType = ProgressRecordType.Completed });
            pipeline.WriteObject(MapiHttpVerdict.From(collected));
        });
    }

    private async Task ProbeEndpointsAsync(IReadOnlyList<EndpointProbeRequest> plan, bool offline, Action<MapiHttpResult> emit, Infrastructure.AsyncPipeline pipeline, CancellationToken token)
    {
        IEndpointProbeStage? stage = offline ? null : CreateEndpointProbeStage();
        if (stage is null)
        {
            const string reason = "the endpoints are not probed from a snapshot (run Invoke-MapiHttpDiagnostic live, or Test-MapiHttpEndpoint, where the servers can be reached)";
            foreach (EndpointProbeRequest request in plan)
            {
                emit(new MapiHttpEndpointResult(
                    "EndpointProbe", CheckStatus.Skipped, MapiHttpCause.None, request.Url.OriginalString, null, request.Server, request.Identity,
                    null, null, false, $"{request.Url} ({(request.IsNamespace ? "namespace" : request.Server)}) was not probed: {reason}.", null, null));
            }

            return;
        }

        await stage.RunAsync(
            plan,
            emit,
            (done, total) => pipeline.WriteProgress(new ProgressRecord(1, "Invoke-MapiHttpDiagnostic", $"Endpoints: {done} of {total}") { PercentComplete = 60 + (40 * done / Math.Max(1, total)) }),
            token).ConfigureAwait(false);
    }

    /// <summary>
    /// The stage that probes <see cref="EndpointProbePlan"/>'s URLs with Test-MapiHttpEndpoint's engine: each front
    /// end's /mapi and the healthcheck.htm of OWA, EWS, ActiveSync, OAB and Autodiscover beside it.
    /// </summary>
    private IEndpointProbeStage CreateEndpointProbeStage() => new ProbeEndpointStage(new ProbeOptions
    {
        Timeout = TimeSpan.FromSeconds(TimeoutSec),
        CertificateExpiryWarningDays = CertificateExpiryWarningDays,
        CompareVirtualDirectories = ProbeSteps.OtherVirtualDirectories,
        Resolver = Services.Resolver,
    });
}
