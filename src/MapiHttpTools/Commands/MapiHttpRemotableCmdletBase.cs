using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Remoting;

namespace MapiHttpTools.Commands;

/// <summary>
/// The remoting parameters of the cmdlets that read a machine's own state (issue 17), in Invoke-Command's vocabulary:
/// -ComputerName (WinRM, with -Credential), -HostName with -UserName/-KeyFilePath/-Port/-Options (SSH), or -Session
/// (PSSessions of any transport), with -ThrottleLimit and -TimeoutSec per computer. With any of them the cmdlet runs
/// itself on each computer through <see cref="RemoteFanOut"/> with its other parameters passed through (paths are
/// paths on the remote computer), and writes what comes back.
/// </summary>
public abstract class MapiHttpRemotableCmdletBase : MapiHttpCmdletBase
{
    private static readonly HashSet<string> RemotingParameterNames = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(ComputerName), nameof(Credential), nameof(HostName), nameof(UserName), nameof(KeyFilePath), nameof(Port), nameof(Options),
        nameof(Session), nameof(ThrottleLimit), nameof(TimeoutSec),
    };

    private readonly List<RemoteTarget> _targets = new();

    /// <summary>Computers to run on through WinRM remoting (Invoke-Command -ComputerName). Omit to read this computer.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Server", "Fqdn", "DNSHostName")]
    [ValidateNotNullOrEmpty]
    public string[]? ComputerName { get; set; }

    /// <summary>The account for -ComputerName (WinRM). Never written to output, logs or errors.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Computers to run on through SSH remoting (Invoke-Command -HostName; PowerShell 7).</summary>
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

    /// <summary>SSH options for -HostName, as Invoke-Command -Options takes them (PowerShell 7.3 and later).</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    /// <summary>Open PSSessions (New-PSSession, WinRM or SSH) to run on.</summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    /// <summary>How many computers to work on at once (default 32, as Invoke-Command).</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    /// <summary>How long one computer may take, in seconds (default 300); then its remote job is stopped and it is an error.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    /// <summary>True when the admin named other computers: the cmdlet runs remotely and reads nothing here.</summary>
    protected bool IsRemote => ComputerName is not null || HostName is not null || Session is not null;

    /// <summary>Call from BeginProcessing: one way of naming computers per call.</summary>
    protected void CheckRemotingParameters()
    {
        int ways = (MyInvocation.BoundParameters.ContainsKey(nameof(ComputerName)) ? 1 : 0) + (HostName is null ? 0 : 1) + (Session is null ? 0 : 1);
        if (ways > 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(RemoteErrorIds.RemotingTargetsAmbiguous, ErrorCategory.InvalidArgument, null,
                "Name the computers one way per call: -ComputerName (WinRM), -HostName (SSH) or -Session."));
        }
    }

    /// <summary>
    /// Collects this record's computers with this record's parameters (pipeline input arrives record by record, and a
    /// piped object may bind its own -UserSid beside its computer).
    /// </summary>
    protected void AddRemoteTargets()
    {
        Hashtable forwarded = ForwardedParameters();
        foreach (RemoteTarget target in ThisRecordsTargets())
        {
            _targets.Add(target.With(forwarded));
        }
    }

    /// <summary>The computers this record names, for per-computer errors before anything runs.</summary>
    protected IReadOnlyList<string> RemoteTargetNames() => ThisRecordsTargets().Select(t => t.Name).ToArray();

    private IReadOnlyList<RemoteTarget> ThisRecordsTargets()
    {
        var ssh = new SshOptions { UserName = UserName, KeyFilePath = KeyFilePath, Port = Port == 0 ? null : Port, Options = Options };
        return RemoteTarget.From(ComputerName, Credential, HostName, ssh, Session);
    }

    /// <summary>Call from EndProcessing: runs on every collected computer, <see cref="ThrottleLimit"/> at a time.</summary>
    protected void RunRemoteTargets()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        Version local = MyInvocation.MyCommand.Module?.Version ?? typeof(MapiHttpRemotableCmdletBase).Assembly.GetName().Version ?? new Version(0, 0);
        var fanOut = new RemoteFanOut(this, MyInvocation.MyCommand.Name, local, ThrottleLimit, TimeSpan.FromSeconds(TimeoutSec));
        fanOut.Run(_targets, CancelToken);
    }

    /// <summary>
    /// The parameters the remote cmdlet gets: everything bound except the remoting and common parameters; switches as
    /// booleans (they travel as values). Raw as given, so paths are resolved on the remote computer.
    /// </summary>
    private Hashtable ForwardedParameters()
    {
        var forwarded = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, object> bound in MyInvocation.BoundParameters)
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
