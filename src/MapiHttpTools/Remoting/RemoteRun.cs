using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Remoting;

/// <summary>The remoting parameters a cmdlet declares (Invoke-Command's vocabulary), read by <see cref="RemoteRun"/>.</summary>
internal interface IRemotingParameters
{
    string[]? ComputerName { get; }

    PSCredential? Credential { get; }

    string[]? HostName { get; }

    string? UserName { get; }

    string? KeyFilePath { get; }

    int Port { get; }

    Hashtable? Options { get; }

    PSSession[]? Session { get; }

    int ThrottleLimit { get; }

    int TimeoutSec { get; }
}

/// <summary>
/// One cmdlet invocation's remoting (issue 17): checks the parameters, collects the computers record by record with
/// that record's own cmdlet parameters, and runs them all through <see cref="RemoteFanOut"/> at the end. Shared by
/// every cmdlet that reads a machine's own state, so they stay thin.
/// </summary>
internal sealed class RemoteRun
{
    /// <summary>Parameters that pick and reach the computers: never forwarded (the credential above all).</summary>
    public static readonly IReadOnlyCollection<string> RemotingParameterNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "ComputerName", "Credential", "HostName", "UserName", "KeyFilePath", "Port", "Options", "Session", "ThrottleLimit", "TimeoutSec",
    };

    private readonly PSCmdlet _cmdlet;
    private readonly IRemotingParameters _parameters;
    private readonly List<RemoteTarget> _targets = new();

    public RemoteRun(PSCmdlet cmdlet, IRemotingParameters parameters)
    {
        _cmdlet = cmdlet;
        _parameters = parameters;
    }

    /// <summary>True when the admin named other computers: the cmdlet runs remotely and reads nothing here.</summary>
    public bool IsRemote => _parameters.ComputerName is not null || _parameters.HostName is not null || _parameters.Session is not null;

    /// <summary>The error for more than one way of naming computers, or null.</summary>
    public ErrorRecord? CheckParameters()
    {
        int ways = (_cmdlet.MyInvocation.BoundParameters.ContainsKey("ComputerName") ? 1 : 0) + (_parameters.HostName is null ? 0 : 1) + (_parameters.Session is null ? 0 : 1);
        return ways > 1
            ? ErrorRecords.Create(RemoteErrorIds.RemotingTargetsAmbiguous, ErrorCategory.InvalidArgument, null,
                "Name the computers one way per call: -ComputerName (WinRM), -HostName (SSH) or -Session.")
            : null;
    }

    /// <summary>Collects this record's computers with this record's parameters (a piped object may bind its own -UserSid).</summary>
    public void AddThisRecord()
    {
        Hashtable forwarded = ForwardedParameters();
        foreach (RemoteTarget target in ThisRecordsTargets())
        {
            _targets.Add(target.With(forwarded));
        }
    }

    /// <summary>The computers this record names, for per-computer errors before anything runs.</summary>
    public IReadOnlyList<string> ThisRecordsNames() => ThisRecordsTargets().Select(t => t.Name).ToArray();

    /// <summary>
    /// The one computer a record names (a result that came back through remoting names its machine in PSComputerName),
    /// or, when it names none, the computers of -ComputerName, -HostName or -Session. A named computer is reached as the
    /// parameters say: through the -Session whose ComputerName or Name it is, through SSH when -HostName or an SSH option
    /// (-UserName, -KeyFilePath, -Port, -Options) is given, else through WinRM with -Credential. Target null with the
    /// reason when -Session has no session for it.
    /// </summary>
    public IReadOnlyList<(string Name, RemoteTarget? Target, string? Missing)> TargetsFor(string? pipedComputer)
    {
        if (pipedComputer is null)
        {
            return ThisRecordsTargets().Select(t => (t.Name, (RemoteTarget?)t, (string?)null)).ToArray();
        }

        if (_parameters.Session is { } sessions)
        {
            PSSession? session = sessions.FirstOrDefault(s => string.Equals(s.ComputerName, pipedComputer, StringComparison.OrdinalIgnoreCase) || string.Equals(s.Name, pipedComputer, StringComparison.OrdinalIgnoreCase));
            return new[] { (pipedComputer, session is null ? null : RemoteTarget.ForSession(session, pipedComputer), session is null ? $"no PSSession in -Session is for {pipedComputer} (by its ComputerName or Name)" : null) };
        }

        bool ssh = _parameters.HostName is not null || _parameters.UserName is not null || _parameters.KeyFilePath is not null || _parameters.Port != 0 || _parameters.Options is not null;
        RemoteTarget target = ssh ? RemoteTarget.ForSshHost(pipedComputer, Ssh()) : RemoteTarget.ForComputer(pipedComputer, _parameters.Credential);
        return new[] { (pipedComputer, (RemoteTarget?)target, (string?)null) };
    }

    /// <summary>Collects one computer with the cmdlet parameters it gets there (a cmdlet that decides them itself, as a repair does).</summary>
    public void Add(RemoteTarget target, Hashtable forwarded) => _targets.Add(target.With(forwarded));

    /// <summary>Runs on every collected computer, ThrottleLimit at a time. Call from EndProcessing.</summary>
    public void Run(CancellationToken cancellation)
    {
        if (_targets.Count == 0)
        {
            return;
        }

        Version local = _cmdlet.MyInvocation.MyCommand.Module?.Version ?? typeof(RemoteRun).Assembly.GetName().Version ?? new Version(0, 0);
        new RemoteFanOut(new CmdletRemoteOutput(_cmdlet), _cmdlet.MyInvocation.MyCommand.Name, local, _parameters.ThrottleLimit, TimeSpan.FromSeconds(_parameters.TimeoutSec))
            .Run(_targets, cancellation);
    }

    private IReadOnlyList<RemoteTarget> ThisRecordsTargets()
    {
        return RemoteTarget.From(_parameters.ComputerName, _parameters.Credential, _parameters.HostName, Ssh(), _parameters.Session);
    }

    private SshOptions Ssh() =>
        new() { UserName = _parameters.UserName, KeyFilePath = _parameters.KeyFilePath, Port = _parameters.Port == 0 ? null : _parameters.Port, Options = _parameters.Options };

    /// <summary>
    /// What the remote cmdlet gets: everything bound except the remoting and common parameters; switches as booleans
    /// (they travel as values). Raw as given, so paths are resolved on the remote computer.
    /// </summary>
    private Hashtable ForwardedParameters()
    {
        var forwarded = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, object> bound in _cmdlet.MyInvocation.BoundParameters)
        {
            if (RemotingParameterNames.Contains(bound.Key) || Cmdlet.CommonParameters.Contains(bound.Key) || Cmdlet.OptionalCommonParameters.Contains(bound.Key))
            {
                continue;
            }

            forwarded[bound.Key] = bound.Value is SwitchParameter flag ? flag.IsPresent : bound.Value;
        }

        return forwarded;
    }
}
