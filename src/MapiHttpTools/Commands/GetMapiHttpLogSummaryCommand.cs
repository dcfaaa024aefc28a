using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Logs;
using MapiHttpTools.Remoting;

namespace MapiHttpTools.Commands;

/// <summary>
/// Summarizes MAPI/HTTP logs per time bucket, user, client, front end and back end (requests, failures by
/// status, 401 share, 503 bursts, latency percentiles) and names the cause the failures point to.
/// Reads every input of the pipeline first and writes one summary at the end.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapiHttpLogSummary", DefaultParameterSetName = PathSet)]
[OutputType(typeof(MapiHttpLogSummary))]
public sealed class GetMapiHttpLogSummaryCommand : MapiHttpLogCmdletBase, IRemotingParameters
{
    private readonly List<string> _files = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private RemoteRun? _remote;

    /// <summary>Length of the time buckets (default one hour, at least one minute).</summary>
    [Parameter]
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>503 responses within one minute, on one server, that count as a burst (default 5).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int BurstThreshold { get; set; } = 5;

    /// <summary>Also count Exchange's own monitoring (HealthMailbox users, MapiHttpClient) in the user figures; it is always shown apart in Monitoring.</summary>
    [Parameter]
    public SwitchParameter IncludeMonitoring { get; set; }

    // Issue 17: the server's own log folders are summarised where the logs are, through PowerShell remoting; only
    // the summary travels. -Path/-LiteralPath are then paths on that server. (Declared here, not inherited: the log
    // cmdlets' -Server is a filter and -Path is positional.)

    /// <summary>Servers to summarise on through WinRM remoting (Invoke-Command -ComputerName).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ComputerName { get; set; }

    /// <summary>The account for -ComputerName (WinRM).</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Servers to summarise on through SSH remoting (Invoke-Command -HostName).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>The SSH user for -HostName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>The SSH private key for -HostName.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>The SSH port for -HostName (default 22).</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>SSH options for -HostName, as Invoke-Command -Options takes them.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    /// <summary>Open PSSessions to summarise in.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    /// <summary>How many servers to work on at once (default 32).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    /// <summary>How long one server may take, in seconds (default 300).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    private RemoteRun Remote => _remote ??= new RemoteRun(this, this);

    internal override int ProgressActivityId => 0x4d49;

    internal override string ProgressActivity => "Summarizing MAPI/HTTP logs";

    protected override void BeginProcessing()
    {
        if (Interval < TimeSpan.FromMinutes(1))
        {
            ThrowTerminatingError(ErrorRecords.Create("InvalidInterval", ErrorCategory.InvalidArgument, Interval,
                $"-Interval must be at least one minute (got {Interval})."));
        }

        if (Remote.CheckParameters() is { } ambiguous)
        {
            ThrowTerminatingError(ambiguous);
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        if (Remote.IsRemote)
        {
            Remote.AddThisRecord();
            return;
        }

        foreach (string file in ResolveFiles())
        {
            if (_seen.Add(file))
            {
                _files.Add(file);
            }
        }
    }

    protected override void EndProcessing()
    {
        Remote.Run(CancelToken);
        if (_files.Count == 0)
        {
            return;
        }

        var options = new SummaryOptions { Filter = Filter, Interval = Interval, BurstThreshold = BurstThreshold, IncludeMonitoring = IncludeMonitoring.IsPresent };
        MapiHttpLogSummary? summary = null;
        RunAsync((pipeline, token) =>
        {
            var engine = new LogSummaryEngine(options, new PipelineObserver(pipeline, ProgressActivityId, ProgressActivity));
            summary = engine.Run(_files, token);
            pipeline.WriteVerbose($"Summarized {summary.Requests} request(s) from {summary.Files} file(s) ({summary.Bytes / 1048576.0:0.#} MB); {summary.MalformedLines} malformed line(s) skipped, {summary.FilteredLines} left out by the filters.");
            if (summary.Monitoring is { } monitoring)
            {
                pipeline.WriteVerbose($"{monitoring.Requests} request(s) of Exchange's own monitoring (HealthMailbox users, MapiHttpClient) " +
                                      (summary.IncludesMonitoring ? "are counted with the users' (-IncludeMonitoring) and shown apart in Monitoring." : "are left out of the figures and shown apart in Monitoring; -IncludeMonitoring counts them too."));
            }
            return Task.CompletedTask;
        });

        if (summary is not null && summary.Files > 0)
        {
            WriteObject(summary);
        }
    }
}
