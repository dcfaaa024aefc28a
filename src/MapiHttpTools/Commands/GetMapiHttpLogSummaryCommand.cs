using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Logs;

namespace MapiHttpTools.Commands;

/// <summary>
/// Summarizes MAPI/HTTP logs per time bucket, user, client, front end and back end (requests, failures by
/// status, 401 share, 503 bursts, latency percentiles) and names the cause the failures point to.
/// Reads every input of the pipeline first and writes one summary at the end.
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapiHttpLogSummary", DefaultParameterSetName = PathSet)]
[OutputType(typeof(MapiHttpLogSummary))]
public sealed class GetMapiHttpLogSummaryCommand : MapiHttpLogCmdletBase
{
    private readonly List<string> _files = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

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

    internal override int ProgressActivityId => 0x4d49;

    internal override string ProgressActivity => "Summarizing MAPI/HTTP logs";

    protected override void BeginProcessing()
    {
        if (Interval < TimeSpan.FromMinutes(1))
        {
            ThrowTerminatingError(ErrorRecords.Create("InvalidInterval", ErrorCategory.InvalidArgument, Interval,
                $"-Interval must be at least one minute (got {Interval})."));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
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
