using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;
using MapiHttpTools.Remoting;
using MapiHttpTools.Report;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Runs every MAPI/HTTP check for the organisation, its Client Access servers and chosen mailboxes, and ends with the verdict.</para>
/// <para type="description">The Exchange configuration checks (organisation, virtual directories, certificates,
/// authentication, namespaces, component states, mailboxes), the endpoint probe of each server and namespace, then
/// one verdict: which cause on which servers, or that MAPI/HTTP looks healthy. Live or from a snapshot.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "MapiHttpDiagnostic")]
[OutputType(typeof(MapiHttpConfigurationResult), typeof(MapiHttpMailboxStateResult), typeof(MapiHttpEndpointResult), typeof(MapiHttpAutodiscoverResult), typeof(ExchangeClientProtocolResult), typeof(MapiHttpVerdictResult))]
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

    /// <summary>Write only Warning, Fail and Error results, then the verdict (issue 15).</summary>
    [Parameter]
    public SwitchParameter ProblemsOnly { get; set; }

    /// <summary>Do not read IIS (Get-MapiAppPoolHealth's checks) on the servers.</summary>
    [Parameter]
    public SwitchParameter SkipIisCheck { get; set; }

    /// <summary>Time limit of each endpoint request, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 15;

    /// <summary>
    /// How many endpoint probes run at once (issue 18: 40 front ends at 8 at a time took five rounds), and how many
    /// servers' IIS are read at once through remoting (issue 17). One throttle: the two stages run one after the other.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Check the configuration only; do not probe the endpoints.</summary>
    [Parameter]
    public SwitchParameter SkipEndpointTest { get; set; }

    /// <summary>Certificates expiring within this many days are a warning.</summary>
    [Parameter]
    [ValidateRange(0, 3650)]
    public int CertificateExpiryWarningDays { get; set; } = 30;

    /// <summary>IMAP4/POP3 of each Client Access server beside MAPI/HTTP in the protocol differential (issue 16).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public ExchangeClientProtocol[]? IncludeProtocol { get; set; }

    /// <summary>
    /// The account for the Autodiscover requests of -Mailbox (issue 14): Autodiscover answers only an authenticated
    /// user. Sent under Test-MapiHttpAutodiscover's rules; without it those requests are Skipped.
    /// </summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>Open PSSessions to the Exchange servers for the IIS stage (issue 17), matched to a server by its name or FQDN.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    /// <summary>The account for reaching the servers through WinRM in the IIS stage (issue 17); -Credential stays Autodiscover's.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? RemotingCredential { get; set; }

    /// <summary>How long one server's IIS read through remoting may take, in seconds (issue 17).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int RemotingTimeoutSec { get; set; } = 120;

    /// <summary>Also write the results of this run to this file (issue 15): HTML, or CSV/JSON by extension or -ReportFormat.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReportPath { get; set; }

    /// <summary>The format of -ReportPath; default from its extension (.csv, .json, else HTML).</summary>
    [Parameter]
    public MapiHttpReportFormat? ReportFormat { get; set; }

    protected override void BeginProcessing()
    {
        if (Session is not null && RemotingCredential is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(RemoteErrorIds.RemotingTargetsAmbiguous, ErrorCategory.InvalidArgument, null,
                "-RemotingCredential is the account for the WinRM connections this cmdlet opens; the sessions of -Session already have theirs. Give one or the other."));
        }
    }

    protected override void ProcessRecord()
    {
        if (Server is not null)
        {
            _servers.AddRange(Server);
        }
    }

    protected override void EndProcessing()
    {
        SnapshotDocument? snapshot = null;
        string[] available = RunspaceCommandRunner.AllCommands.ToArray();
        if (SnapshotPath is not null)
        {
            string path = GetUnresolvedProviderPathFromPSPath(SnapshotPath);
            try
            {
                snapshot = SnapshotDocument.Load(path, CancelToken);
            }
            catch (SnapshotException ex)
            {
                ErrorCategory category = ex.ErrorId == "SnapshotNotFound" ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidData;
                CouldNotCheck(ErrorRecords.Create(ex.ErrorId, category, SnapshotPath, ex.Message, ex));
                return;
            }

            // The build with its product, CU and update (issue 15): "Exchange 15.2.986.5, Exchange 2019 CU11".
            string build = snapshot.ExchangeBuild is null
                ? "no Exchange build in it"
                : $"Exchange {DisplayText.Safe(snapshot.ExchangeBuild)}, {Exchange.Builds.ExchangeBuildTable.Default.Lookup(snapshot.ExchangeBuild).Name}";
            WriteVerbose($"Checking {snapshot.Path}, taken {snapshot.CreatedUtc:u} by {DisplayText.Safe(snapshot.CreatedBy)} ({build}); certificates are judged as of that moment.");
        }
        else
        {
            string[] missing = RunspaceCommandRunner.FindMissing(this, RunspaceCommandRunner.AllCommands).ToArray();
            string[] missingEssential = Essential.Where(e => missing.Contains(e, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (missingEssential.Length > 0)
            {
                CouldNotCheck(RunspaceCommandRunner.NotFoundError(missingEssential));
                return;
            }

            available = available.Except(missing, StringComparer.OrdinalIgnoreCase).ToArray();
        }

        string? reportPath = CheckReportPath();
        ClientProtocolStage? clientProtocols = IncludeProtocol is { Length: > 0 }
            ? ClientProtocolStage.ForRun(
                this,
                IncludeProtocol.Distinct().ToArray(),
                snapshot is null && !SkipEndpointTest ? new MailProbeOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec), CertificateExpiryWarningDays = CertificateExpiryWarningDays, Resolver = Services.Resolver } : null,
                Services.MailPorts,
                Mailbox,
                snapshot,
                Services.IsWindows)
            : null;
        RemoteIisReader? iis = snapshot is null && !SkipIisCheck ? CreateRemoteIisReader() : null;
        var collected = new List<MapiHttpResult>();
        var settings = new DiagnosticSettings
        {
            Servers = _servers.Count > 0 ? _servers.ToArray() : null,
            Mailboxes = Mailbox,
            Offline = snapshot is not null,
            SkipIisCheck = SkipIisCheck,
            IisReader = iis,
            SkipEndpointTest = SkipEndpointTest,
            CertificateExpiryWarningDays = CertificateExpiryWarningDays,
            Resolver = snapshot is null ? Services.Resolver : new SnapshotHostResolver(snapshot),
            ProbeStage = snapshot is null ? CreateEndpointProbeStage() : null,
            ClientProtocolStage = clientProtocols,
            AutodiscoverStage = snapshot is null && Mailbox is { Length: > 0 } ? CreateAutodiscoverStage(available) : null,
            AuthenticationStage = snapshot is null && !SkipEndpointTest ? CreateAuthenticationStage(available) : null,
        };
        RunAsync(async (pipeline, token) =>
        {
            iis?.Attach(pipeline);
            IExchangeSource source = snapshot is null
                ? new LiveExchangeSource(RunspaceCommandRunner.Posted(pipeline, available))
                : new SnapshotExchangeSource(snapshot);
            clientProtocols?.Bind(pipeline);

            var output = new DiagnosticOutput
            {
                Result = result =>
                {
                    // Kept for the per-server summary and -ReportPath (issue 15); results arrive from worker threads.
                    lock (collected)
                    {
                        collected.Add(result);
                    }

                    if (!Summary && (!ProblemsOnly || ResultFilter.IsProblem(result)))
                    {
                        pipeline.WriteObject(result);
                    }
                },
                Error = pipeline.WriteError,
                Progress = (step, percent) => pipeline.WriteProgress(new ProgressRecord(1, "Invoke-MapiHttpDiagnostic", step) { PercentComplete = percent }),
            };
            MapiHttpVerdictResult verdict = await DiagnosticEngine.RunAsync(source, settings, output, token).ConfigureAwait(false);
            pipeline.WriteProgress(new ProgressRecord(1, "Invoke-MapiHttpDiagnostic", "Done") { RecordType = ProgressRecordType.Completed });
            lock (collected)
            {
                verdict.ServerSummary = MapiHttpServerSummary.From(collected);
                collected.Add(verdict);
            }

            pipeline.WriteObject(verdict);
        });
        if (reportPath is not null)
        {
            WriteReport(reportPath, collected);
        }
    }

    /// <summary>The full -ReportPath, or null (with a ReportPathInvalid error) when its folder is missing; checked before the run.</summary>
    private string? CheckReportPath()
    {
        if (ReportPath is null)
        {
            return null;
        }

        string path = GetUnresolvedProviderPathFromPSPath(ReportPath);
        // An existing report is replaced: a scheduled task writes the same name each run.
        if (ReportFile.Check(path, force: true) is { } problem)
        {
            WriteError(ErrorRecords.Create(problem.ErrorId, problem.Category, ReportPath, problem.Message + " The diagnostic runs without a report."));
            return null;
        }

        return path;
    }

    private void WriteReport(string path, List<MapiHttpResult> results)
    {
        var content = new ReportContent();
        foreach (MapiHttpResult result in results)
        {
            ReportReader.Add(content, result);
        }

        try
        {
            var origin = new ReportOrigin(DateTime.UtcNow, Environment.MachineName, MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(MapiHttpResult).Assembly.GetName().Version?.ToString() ?? "unknown");
            System.IO.FileInfo file = ReportFile.Write(path, content, ReportFormat ?? ReportFile.FormatOf(path), origin);
            WriteVerbose($"Report written to {file.FullName}.");
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorRecords.Create("ReportNotWritten", ErrorCategory.WriteError, ReportPath, $"The report could not be written to '{path}': {ex.Message}", ex));
        }
    }

    /// <summary>
    /// Nothing could be checked (issue 11): the error goes to the error stream, and the verdict (Status Error,
    /// ExitCode 3) is still written, so "exit (Invoke-MapiHttpDiagnostic -Summary).ExitCode" never reports success.
    /// With -ErrorAction Stop the error stops the command as any error does.
    /// </summary>
    private void CouldNotCheck(ErrorRecord error)
    {
        WriteError(error);
        WriteObject(MapiHttpVerdict.CouldNotCheck(error));
    }

    /// <summary>Autodiscover for -Mailbox, with the SCP read here on the pipeline thread where Get-ClientAccessService exists.</summary>
    private IAutodiscoverDiagnosticStage CreateAutodiscoverStage(string[] available)
    {
        if (Services.AutodiscoverStageFactory is { } standIn)
        {
            return standIn();
        }

        IReadOnlyList<string> scp = available.Contains("Get-ClientAccessService", StringComparer.OrdinalIgnoreCase)
            ? new Autodiscover.AutodiscoverExchangeReader(RunspaceCommandRunner.Inline(this), WriteWarning, CancelToken).ScpUrls()
            : Array.Empty<string>();
        var options = new ProbeOptions
        {
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            CertificateExpiryWarningDays = CertificateExpiryWarningDays,
            Credential = Credential?.GetNetworkCredential(),
            Resolver = Services.Resolver,
        };
        return new AutodiscoverDiagnosticStage(options, scp, DnsQuery.DnsServers.Lazily(null, Services.DnsServers));
    }

    /// <summary>The IIS stage's way to the other servers (issue 17): their own Get-MapiAppPoolHealth through remoting.</summary>
    private RemoteIisReader CreateRemoteIisReader() => new(new RemoteIisOptions
    {
        Sessions = Session,
        Credential = RemotingCredential,
        ThrottleLimit = ThrottleLimit,
        PerServer = TimeSpan.FromSeconds(RemotingTimeoutSec),
        LocalVersion = MyInvocation.MyCommand.Module?.Version ?? typeof(RemoteIisReader).Assembly.GetName().Version ?? new Version(0, 0),
    });

    /// <summary>The ASA, SPN and three-sided checks (issue 14), with Get-ClientAccessService read here on the pipeline thread.</summary>
    private AuthenticationDiagnosticStage CreateAuthenticationStage(string[] available)
    {
        Kerberos.AsaInventory asa = Kerberos.AuthenticationFactReader.ReadClientAccessLive(RunspaceCommandRunner.Inline(this, available), CancelToken);
        Func<string?, Kerberos.IisSide>? standIn = Services.MapiIisSideReader;
        Func<ExchangeServerFacts, Kerberos.IisSide?>? iis = SkipIisCheck ? null : standIn is null ? AuthenticationDiagnosticStage.LiveIis : s => standIn(s.Name);
        return new AuthenticationDiagnosticStage(asa, Services.SpnSource ?? new Kerberos.ActiveDirectorySpnSource(), iis);
    }

    /// <summary>
    /// The stage that probes <see cref="EndpointProbePlan"/>'s URLs with Test-MapiHttpEndpoint's engine: each front
    /// end's /mapi and the healthcheck.htm of OWA, EWS, ActiveSync, OAB and Autodiscover beside it.
    /// </summary>
    private IEndpointProbeStage CreateEndpointProbeStage()
    {
        var options = new ProbeOptions
        {
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            CertificateExpiryWarningDays = CertificateExpiryWarningDays,
            CompareVirtualDirectories = ProbeSteps.OtherVirtualDirectories,
            ThrottleLimit = ThrottleLimit,
            Resolver = Services.Resolver,
        };
        return Services.EndpointProbeStageFactory?.Invoke(options) ?? new ProbeEndpointStage(options);
    }
}
