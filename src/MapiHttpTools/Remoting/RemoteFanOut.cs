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

    private readonly IRemoteOutput _output;
    private readonly string _commandName;
    private readonly Version _localVersion;
    private readonly int _throttle;
    private readonly TimeSpan _perComputer;

    public RemoteFanOut(IRemoteOutput output, string commandName, Version localVersion, int throttle, TimeSpan perComputer)
    {
        _output = output;
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
                        _output.Failed(current.Target, ErrorRecords.Create(RemoteErrorIds.RemoteTimeout, ErrorCategory.OperationTimeout, current.Target.Name,
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
        foreach (KeyValuePair<string, object> parameter in InvokeCommandParameters(target, _commandName))
        {
            shell.AddParameter(parameter.Key, parameter.Value);
        }

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

        _output.Verbose($"{DisplayText.Safe(target.Name)}: running {_commandName} remotely.");
        return new RunningTarget(target, job, job.ChildJobs[0]);
    }

    /// <summary>
    /// The Invoke-Command parameters for one computer, in the order given: its connection (-ComputerName with -Credential
    /// for WinRM, -HostName with the SSH options, or -Session), then the script, its arguments and -AsJob. Nothing else:
    /// no -ThrottleLimit (each computer is its own job; the fan-out throttles) and no -ErrorAction.
    /// </summary>
    internal static IReadOnlyList<KeyValuePair<string, object>> InvokeCommandParameters(RemoteTarget target, string commandName)
    {
        var parameters = new List<KeyValuePair<string, object>>();
        foreach (DictionaryEntry entry in target.Connection)
        {
            parameters.Add(new KeyValuePair<string, object>((string)entry.Key, entry.Value!));
        }

        parameters.Add(new KeyValuePair<string, object>("ScriptBlock", ScriptBlock.Create(RemoteScript.Text)));
        parameters.Add(new KeyValuePair<string, object>("ArgumentList", new object[] { commandName, target.Parameters }));
        parameters.Add(new KeyValuePair<string, object>("AsJob", SwitchParameter.Present));
        return parameters;
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
            current.Results++;
            _output.Result(current.Target, item);
        }

        foreach (ErrorRecord error in child.Error.ReadAll())
        {
            current.RemoteErrors++;
            _output.RemoteError(current.Target, error);
        }

        foreach (WarningRecord warning in child.Warning.ReadAll())
        {
            _output.Warning(current.Target, $"{DisplayText.Safe(current.Target.Name)}: {warning.Message}");
        }

        foreach (VerboseRecord verbose in child.Verbose.ReadAll())
        {
            _output.Verbose($"{DisplayText.Safe(current.Target.Name)}: {verbose.Message}");
        }
    }

    private void OnStatus(RunningTarget current, RemoteModuleStatus status)
    {
        current.StatusSeen = true;
        string name = DisplayText.Safe(current.Target.Name);
        if (!status.Installed)
        {
            _output.Failed(current.Target, ErrorRecords.Create(RemoteErrorIds.RemoteModuleMissing, ErrorCategory.NotInstalled, current.Target.Name,
                $"MapiHttpTools is not installed on {name} (Get-Module -ListAvailable MapiHttpTools found none there), so {_commandName} cannot run on it. " +
                $"Install it there (Install-Module MapiHttpTools -RequiredVersion {_localVersion}, or copy the module folder into a folder of $env:PSModulePath on {name})."));
            return;
        }

        string version = DisplayText.Safe(status.Version ?? "?");
        _output.Verbose($"{name}: MapiHttpTools {version} found.");
        if (!status.CommandFound)
        {
            _output.Failed(current.Target, ErrorRecords.Create(RemoteErrorIds.RemoteCommandMissing, ErrorCategory.NotInstalled, current.Target.Name,
                $"{name} has MapiHttpTools {version}, which has no {_commandName}. Update the module there (Install-Module MapiHttpTools -RequiredVersion {_localVersion})."));
            return;
        }

        if (RemoteModuleStatus.SkewWarning(name, _commandName, version, _localVersion, status.DroppedParameters.Select(p => DisplayText.Safe(p)).ToArray()) is { } warning)
        {
            _output.Warning(current.Target, warning);
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
            _output.Failed(current.Target, ErrorRecords.Create(RemoteErrorIds.RemoteCommandFailed, ErrorCategory.NotSpecified, current.Target.Name,
                $"{_commandName} failed on {DisplayText.Safe(current.Target.Name)}: {DisplayText.Safe(reason?.Message ?? "no reason given")}", reason));
        }
    }

    private void ConnectionFailed(RemoteTarget target, string why, Exception? inner) =>
        _output.Failed(target, ErrorRecords.Create(RemoteErrorIds.RemoteConnectionFailed, ErrorCategory.ConnectionError, target.Name,
            $"Could not run {_commandName} on {DisplayText.Safe(target.Name)}: {DisplayText.Safe(why)} The other computers go on. " +
            "Check that the computer is on, that remoting is enabled there (Enable-PSRemoting, or sshd with the PowerShell subsystem) and that you may connect.", inner));

    /// <summary>
    /// Makes a deserialized result read like a live one: Server names the machine when the remote end read files
    /// (offline results say nothing of it), and enum values (Status, Cause, ...), which arrive as property bags of
    /// their number, become their names again, so Where-Object Status -ne Pass and the views work as on live results.
    /// Findings one level down get the same, Server included: a log summary's findings go into Export-MapiHttpReport one
    /// by one and must still name the machine whose logs they came from.
    /// </summary>
    internal static void Settle(PSObject item, string computer)
    {
        NameMachine(item, computer);

        if (item.Properties["PSComputerName"] is null)
        {
            item.Properties.Add(new PSNoteProperty("PSComputerName", computer));
        }

        NameEnums(item);
        if (item.Properties["Findings"]?.Value is PSObject { BaseObject: IEnumerable findings } && findings is not string)
        {
            foreach (PSObject finding in findings.OfType<PSObject>())
            {
                NameMachine(finding, computer);
                NameEnums(finding);
            }
        }
    }

    private static void NameMachine(PSObject item, string computer)
    {
        if (item.Properties["Server"] is { } server && server.IsSettable && string.IsNullOrEmpty(server.Value?.ToString()))
        {
            server.Value = computer;
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

        public int Results { get; set; }
    }
}

/// <summary>
/// Where a fan-out's output goes (issue 17). The remotable cmdlets write it to their own streams as it comes
/// (<see cref="CmdletRemoteOutput"/>); Invoke-MapiHttpDiagnostic's IIS stage collects it per server instead. Every call
/// happens on the pipeline thread.
/// </summary>
internal interface IRemoteOutput
{
    /// <summary>One result of the remote cmdlet, settled (Server, PSComputerName, enums by name).</summary>
    void Result(RemoteTarget target, PSObject item);

    /// <summary>An error the remote cmdlet itself wrote (the computer was reached and the cmdlet ran).</summary>
    void RemoteError(RemoteTarget target, ErrorRecord error);

    /// <summary>The computer could not run the cmdlet: not reached, no module, too old a module, out of time, or the run failed.</summary>
    void Failed(RemoteTarget target, ErrorRecord error);

    void Warning(RemoteTarget target, string message);

    void Verbose(string message);
}

/// <summary>The fan-out's output as the remotable cmdlets write it: results, errors and warnings as they arrive.</summary>
internal sealed class CmdletRemoteOutput : IRemoteOutput
{
    private readonly PSCmdlet _cmdlet;

    public CmdletRemoteOutput(PSCmdlet cmdlet) => _cmdlet = cmdlet;

    public void Result(RemoteTarget target, PSObject item) => _cmdlet.WriteObject(item);

    public void RemoteError(RemoteTarget target, ErrorRecord error) => _cmdlet.WriteError(error);

    public void Failed(RemoteTarget target, ErrorRecord error) => _cmdlet.WriteError(error);

    public void Warning(RemoteTarget target, string message) => _cmdlet.WriteWarning(message);

    public void Verbose(string message) => _cmdlet.WriteVerbose(message);
}
