using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Remoting;

/// <summary>
/// Runs one of the module's cmdlets on many computers through PowerShell remoting (issue 17): one Invoke-Command
/// -AsJob per computer in the caller's runspace, at most <c>throttle</c> at once, each bounded in time. Results arrive
/// deserialized and are written as they come, with Server naming the computer; a computer that cannot be reached,
/// lacks the module or overruns its time is one error record with that computer as target while the others go on.
/// Everything here runs on the pipeline thread (nested pipelines and writes need it); it waits between polls.
/// </summary>
internal sealed class RemoteFanOut
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly PSCmdlet _cmdlet;
    private readonly string _commandName;
    private readonly Version _localVersion;
    private readonly int _throttle;
    private readonly TimeSpan _perComputer;

    public RemoteFanOut(PSCmdlet cmdlet, string commandName, Version localVersion, int throttle, TimeSpan perComputer)
    {
        _cmdlet = cmdlet;
        _commandName = commandName;
        _localVersion = localVersion;
        _throttle = Math.Max(1, throttle);
        _perComputer = perComputer;
    }

    /// <summary>Reaches every target; returns when each has finished, failed or timed out. A stop stops every job.</summary>
    public void Run(IReadOnlyList<RemoteTarget> targets, CancellationToken cancellation)
    {
        var pending = new Queue<RemoteTarget>(targets);
        var running = new List<RunningTarget>();
        try
        {
            while (pending.Count > 0 || running.Count > 0)
            {
                if (cancellation.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                while (running.Count < _throttle && pending.Count > 0)
                {
                    RemoteTarget target = pending.Dequeue();
                    if (Start(target) is { } started)
                    {
                        running.Add(started);
                    }
                }

                foreach (RunningTarget current in running.ToArray())
                {
                    Drain(current);
                    if (IsFinished(current.Child.JobStateInfo.State))
                    {
                        Drain(current);
                        Finish(current);
                        Forget(current);
                        running.Remove(current);
                    }
                    else if (current.Clock.Elapsed > _perComputer)
                    {
                        current.Job.StopJob();
                        Drain(current);
                        _cmdlet.WriteError(ErrorRecords.Create(RemoteErrorIds.RemoteTimeout, ErrorCategory.OperationTimeout, current.Target.Name,
                            $"{DisplayText.Safe(current.Target.Name)} did not finish {_commandName} within {_perComputer.TotalSeconds:0} s (-TimeoutSec); its remote job was stopped and the other computers went on. " +
                            "Check that the computer answers (Test-WSMan, or ssh to it), or give it more time with a larger -TimeoutSec."));
                        Forget(current);
                        running.Remove(current);
                    }
                }

                if (running.Count > 0)
                {
                    cancellation.WaitHandle.WaitOne(PollInterval);
                }
            }
        }
        finally
        {
            foreach (RunningTarget left in running)
            {
                left.Job.StopJob();
                Forget(left);
            }
        }
    }

    private RunningTarget? Start(RemoteTarget target)
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Invoke-Command");
        foreach (DictionaryEntry entry in target.Connection)
        {
            shell.AddParameter((string)entry.Key, entry.Value);
        }

        shell.AddParameter("ScriptBlock", ScriptBlock.Create(RemoteScript.Text))
            .AddParameter("ArgumentList", new object[] { _commandName, target.Parameters })
            .AddParameter("AsJob");
        Collection<PSObject> output;
        try
        {
            output = shell.Invoke();
        }
        catch (Exception ex) when (ex is RuntimeException or InvalidOperationException or ArgumentException)
        {
            ConnectionFailed(target, ex.Message, ex);
            return null;
        }

        Job? job = output.Select(o => o.BaseObject).OfType<Job>().FirstOrDefault();
        if (job is null || job.ChildJobs.Count == 0)
        {
            string why = shell.Streams.Error.FirstOrDefault()?.Exception?.Message ?? "Invoke-Command started no job";
            ConnectionFailed(target, why, shell.Streams.Error.FirstOrDefault()?.Exception);
            return null;
        }

        _cmdlet.WriteVerbose($"{DisplayText.Safe(target.Name)}: running {_commandName} remotely.");
        return new RunningTarget(target, job, job.ChildJobs[0]);
    }

    private void Drain(RunningTarget current)
    {
        Job child = current.Child;
        foreach (PSObject item in child.Output.ReadAll())
        {
            if (RemoteModuleStatus.TryRead(item) is { } status)
            {
                OnStatus(current, status);
                continue;
            }

            Settle(item, current.Target.Name);
            _cmdlet.WriteObject(item);
        }

        foreach (ErrorRecord error in child.Error.ReadAll())
        {
            current.RemoteErrors++;
            _cmdlet.WriteError(error);
        }

        foreach (WarningRecord warning in child.Warning.ReadAll())
        {
            _cmdlet.WriteWarning($"{DisplayText.Safe(current.Target.Name)}: {warning.Message}");
        }

        foreach (VerboseRecord verbose in child.Verbose.ReadAll())
        {
            _cmdlet.WriteVerbose($"{DisplayText.Safe(current.Target.Name)}: {verbose.Message}");
        }
    }

    private void OnStatus(RunningTarget current, RemoteModuleStatus status)
    {
        current.StatusSeen = true;
        string name = DisplayText.Safe(current.Target.Name);
        if (!status.Installed)
        {
            _cmdlet.WriteError(ErrorRecords.Create(RemoteErrorIds.RemoteModuleMissing, ErrorCategory.NotInstalled, current.Target.Name,
                $"MapiHttpTools is not installed on {name} (Get-Module -ListAvailable MapiHttpTools found none there), so {_commandName} cannot run on it. " +
                $"Install it there (Install-Module MapiHttpTools -RequiredVersion {_localVersion}, or copy the module folder into a folder of $env:PSModulePath on {name})."));
            return;
        }

        string version = DisplayText.Safe(status.Version ?? "?");
        _cmdlet.WriteVerbose($"{name}: MapiHttpTools {version} found.");
        if (!status.CommandFound)
        {
            _cmdlet.WriteError(ErrorRecords.Create(RemoteErrorIds.RemoteCommandMissing, ErrorCategory.NotInstalled, current.Target.Name,
                $"{name} has MapiHttpTools {version}, which has no {_commandName}. Update the module there (Install-Module MapiHttpTools -RequiredVersion {_localVersion})."));
            return;
        }

        if (RemoteModuleStatus.SkewWarning(name, _commandName, version, _localVersion, status.DroppedParameters.Select(p => DisplayText.Safe(p)).ToArray()) is { } warning)
        {
            _cmdlet.WriteWarning(warning);
        }
    }

    private void Finish(RunningTarget current)
    {
        if (current.Child.JobStateInfo.State != JobState.Failed)
        {
            return;
        }

        Exception? reason = current.Child.JobStateInfo.Reason;
        if (!current.StatusSeen)
        {
            ConnectionFailed(current.Target, reason?.Message ?? "the remote job failed", reason);
        }
        else if (current.RemoteErrors == 0)
        {
            _cmdlet.WriteError(ErrorRecords.Create(RemoteErrorIds.RemoteCommandFailed, ErrorCategory.NotSpecified, current.Target.Name,
                $"{_commandName} failed on {DisplayText.Safe(current.Target.Name)}: {DisplayText.Safe(reason?.Message ?? "no reason given")}", reason));
        }
    }

    private void ConnectionFailed(RemoteTarget target, string why, Exception? inner) =>
        _cmdlet.WriteError(ErrorRecords.Create(RemoteErrorIds.RemoteConnectionFailed, ErrorCategory.ConnectionError, target.Name,
            $"Could not run {_commandName} on {DisplayText.Safe(target.Name)}: {DisplayText.Safe(why)} The other computers go on. " +
            "Check that the computer is on, that remoting is enabled there (Enable-PSRemoting, or sshd with the PowerShell subsystem) and that you may connect.", inner));

    /// <summary>
    /// Makes a deserialized result read like a live one: Server names the machine when the remote end read files
    /// (offline results say nothing of it), and enum values (Status, Cause, ...), which arrive as property bags of
    /// their number, become their names again, so Where-Object Status -ne Pass and the views work as on live results.
    /// Findings one level down get the same.
    /// </summary>
    internal static void Settle(PSObject item, string computer)
    {
        if (item.Properties["Server"] is { } server && string.IsNullOrEmpty(server.Value?.ToString()))
        {
            server.Value = computer;
        }

        if (item.Properties["PSComputerName"] is null)
        {
            item.Properties.Add(new PSNoteProperty("PSComputerName", computer));
        }

        NameEnums(item);
        if (item.Properties["Findings"]?.Value is PSObject { BaseObject: IEnumerable findings } && findings is not string)
        {
            foreach (PSObject finding in findings.OfType<PSObject>())
            {
                NameEnums(finding);
            }
        }
    }

    private static void NameEnums(PSObject item)
    {
        foreach (PSPropertyInfo property in item.Properties.Where(p => p.IsSettable).ToArray())
        {
            if (property.Value is PSObject value && value.TypeNames.Contains("Deserialized.System.Enum"))
            {
                property.Value = value.ToString();
            }
        }
    }

    /// <summary>Removes the finished job from the session's job list, so a fan-out leaves nothing behind in Get-Job.</summary>
    private static void Forget(RunningTarget current)
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand("Remove-Job").AddParameter("Job", current.Job).AddParameter("Force");
        try
        {
            shell.Invoke();
        }
        catch (RuntimeException)
        {
            // The job list is housekeeping; a job that cannot be removed does not change any result.
        }
    }

    private static bool IsFinished(JobState state) => state is JobState.Completed or JobState.Failed or JobState.Stopped;

    private sealed class RunningTarget
    {
        public RunningTarget(RemoteTarget target, Job job, Job child)
        {
            Target = target;
            Job = job;
            Child = child;
        }

        public RemoteTarget Target { get; }

        public Job Job { get; }

        public Job Child { get; }

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public bool StatusSeen { get; set; }

        public int RemoteErrors { get; set; }
    }
}
