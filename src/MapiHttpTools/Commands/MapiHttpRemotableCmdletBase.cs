using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MapiHttpTools.Remoting;

namespace MapiHttpTools.Commands;

/// <summary>
/// The remoting parameters of the cmdlets that read a machine's own state (issue 17), in Invoke-Command's vocabulary:
/// -ComputerName (WinRM, with -Credential), -HostName with -UserName/-KeyFilePath/-Port/-Options (SSH), or -Session
/// (PSSessions of any transport), with -ThrottleLimit and -TimeoutSec per computer. With any of them the cmdlet runs
/// itself on each computer through <see cref="RemoteFanOut"/> with its other parameters passed through (paths are
/// paths on the remote computer), and writes what comes back.
/// </summary>
public abstract class MapiHttpRemotableCmdletBase : MapiHttpCmdletBase, IRemotingParameters
{
    private RemoteRun? _remote;

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
    protected bool IsRemote => Remote.IsRemote;

    private RemoteRun Remote => _remote ??= new RemoteRun(this, this);

    /// <summary>Call from BeginProcessing: one way of naming computers per call.</summary>
    protected void CheckRemotingParameters()
    {
        if (Remote.CheckParameters() is { } error)
        {
            ThrowTerminatingError(error);
        }
    }

    /// <summary>Collects this record's computers (pipeline input arrives record by record).</summary>
    protected void AddRemoteTargets() => Remote.AddThisRecord();

    /// <summary>The computers this record names, for per-computer errors before anything runs.</summary>
    protected IReadOnlyList<string> RemoteTargetNames() => Remote.ThisRecordsNames();

    /// <summary>Call from EndProcessing: runs on every collected computer, <see cref="ThrottleLimit"/> at a time.</summary>
    protected void RunRemoteTargets() => Remote.Run(CancelToken);
}
