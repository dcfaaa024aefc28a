using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MapiHttpTools.ClientState;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Remoting;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Lets a Windows user's Outlook use MAPI over HTTP again: MapiHttpDisabled to 0, cached Autodiscover XML moved aside, stale Office credentials removed on request.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "MapiHttpClientState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MapiHttpClientRepairResult))]
public sealed class RepairMapiHttpClientStateCommand : MapiHttpCmdletBase, IRepairSink, IRemotingParameters
{
    private RepairBackup? _backup;
    private bool _anyChange;
    private RemoteRun? _remote;

    /// <summary>
    /// A state from Get-MapiHttpClientState, live or deserialized (issue 17: it came back through remoting); one from a
    /// .reg export is refused (an export is never edited).
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>
    /// The computer to repair through PowerShell remoting (WinRM, or SSH with an SSH option; needs -UserSid); a piped
    /// remote state's PSComputerName comes first. Default: this computer.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DNSHostName")]
    public string? ComputerName { get; set; }

    /// <summary>The account for WinRM (-ComputerName, or a piped remote state without an SSH option).</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>Computers to repair through SSH remoting (Invoke-Command -HostName).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? HostName { get; set; }

    /// <summary>The SSH user; with it (or -KeyFilePath, -Port, -Options) piped remote states are reached through SSH.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? UserName { get; set; }

    /// <summary>The SSH private key.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFilePath { get; set; }

    /// <summary>The SSH port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>SSH options, as Invoke-Command -Options takes them.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Options { get; set; }

    /// <summary>Open PSSessions to the PCs; a piped remote state goes to the session whose ComputerName or Name it names.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PSSession[]? Session { get; set; }

    /// <summary>How many PCs are repaired at once.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 32;

    /// <summary>How long one PC may take, in seconds.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; } = 300;

    // Issue 17: the computers are named per record (piped states), never through the remoting base's -ComputerName.
    string[]? IRemotingParameters.ComputerName => null;

    private RemoteRun Remote => _remote ??= new RemoteRun(this, this);

    /// <summary>The user whose hive to repair (HKEY_USERS\&lt;SID&gt;); default: the current user.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SID")]
    public string? UserSid { get; set; }

    /// <summary>Removes MapiHttpDisabled instead of setting it to 0.</summary>
    [Parameter]
    public SwitchParameter RemoveMapiHttpDisabled { get; set; }

    /// <summary>Moves the cached Autodiscover XML files to the backup folder.</summary>
    [Parameter]
    public SwitchParameter ClearAutodiscoverCache { get; set; }

    /// <summary>The Outlook folder (or one file) to clear; default %LOCALAPPDATA%\Microsoft\Outlook of the user.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? AutodiscoverCachePath { get; set; }

    /// <summary>Removes Office and Exchange entries from the current user's Credential Manager.</summary>
    [Parameter]
    public SwitchParameter RemoveOfficeCredentials { get; set; }

    /// <summary>Where the previous state is saved; default %LOCALAPPDATA%\MapiHttpTools\Backup\&lt;timestamp&gt;.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupPath { get; set; }

    protected override void BeginProcessing()
    {
        if (Remote.CheckParameters() is { } ambiguous)
        {
            ThrowTerminatingError(ambiguous);
        }

        _backup = new RepairBackup(BackupPath is null ? RepairBackup.DefaultPath(Services.BackupFolder, DateTime.Now) : GetUnresolvedProviderPathFromPSPath(BackupPath));
    }

    protected override void ProcessRecord()
    {
        if (InputObject is not null && ClientStateInput.IsFromRegistryExport(InputObject, out string exports))
        {
            WriteError(ErrorRecords.Create(
                ClientStateErrorIds.OfflineRepairNotSupported,
                ErrorCategory.InvalidOperation,
                InputObject.BaseObject is PSCustomObject ? InputObject : InputObject.BaseObject,
                $"This state was read from a registry export ({DisplayText.Safe(exports)}). Repair-MapiHttpClientState changes the live registry and profile folder of a Windows client and never edits .reg files: run it on the client (or with -ComputerName and -UserSid against it)."));
            return;
        }

        // Issue 17: another computer is repaired by its own Repair-MapiHttpClientState, through remoting.
        string? piped = InputObject?.Properties["PSComputerName"]?.Value?.ToString();
        string? named = string.IsNullOrEmpty(piped) ? (ClientStateSources.IsLocalComputer(ComputerName) ? null : ComputerName) : piped;
        if (named is not null || HostName is not null || Session is not null)
        {
            QueueRemote(named);
            return;
        }

        // Bound by property name from a state, these may be empty (an offline state has no computer): empty means default.
        string? cache = string.IsNullOrEmpty(AutodiscoverCachePath) ? null : GetUnresolvedProviderPathFromPSPath(AutodiscoverCachePath);
        string? sid = string.IsNullOrEmpty(UserSid) ? null : UserSid;
        ClientStateContext context;
        try
        {
            context = ClientStateSources.Open(null, sid, cache, Services);
        }
        catch (ClientStateException ex)
        {
            WriteError(ErrorRecords.Create(ex.ErrorId, ex.Category, ex.Target, ex.Message, ex.InnerException));
            return;
        }

        using (context)
        {
            var options = new ClientRepairOptions
            {
                RemoveMapiHttpDisabled = RemoveMapiHttpDisabled,
                ClearAutodiscoverCache = ClearAutodiscoverCache,
                RemoveOfficeCredentials = RemoveOfficeCredentials,
            };
            var repairer = new ClientStateRepairer(context, options, _backup!, this);
            repairer.Run(CancelToken);
            _anyChange |= repairer.AnyChange;
        }
    }

    protected override void EndProcessing()
    {
        Remote.Run(CancelToken);
        if (_anyChange)
        {
            WriteWarning("Restart Outlook (close it completely, then start it) for the changes to take effect. The previous state is in " + _backup!.Path + ".");
        }
    }

    /// <summary>
    /// Decides here, per computer, whether to repair it (-WhatIf and -Confirm act on this side: a computer not confirmed
    /// is never contacted), then queues the module's own Repair-MapiHttpClientState there with -Confirm:$false. The
    /// backup is written on that computer and its path comes back in BackupPath.
    /// </summary>
    private void QueueRemote(string? named)
    {
        string? sid = string.IsNullOrEmpty(UserSid) ? null : UserSid;
        foreach ((string name, RemoteTarget? target, string? missing) in Remote.TargetsFor(named))
        {
            if (target is null)
            {
                WriteError(ErrorRecords.Create(RemoteErrorIds.RemoteSessionMissing, ErrorCategory.ObjectNotFound, name, DisplayText.Safe(missing ?? name) + ": it was not repaired."));
                continue;
            }

            if (sid is null)
            {
                WriteError(ErrorRecords.Create(ClientStateErrorIds.ComputerNameRequiresUserSid, ErrorCategory.InvalidArgument, name,
                    $"Over remoting, HKEY_CURRENT_USER on {DisplayText.Safe(name)} is the connecting account's, not the Outlook user's: name the user with -UserSid (or pipe their state from Get-MapiHttpClientState -UserSid). Nothing was changed there."));
                continue;
            }

            var forwarded = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["UserSid"] = sid, ["Confirm"] = false };
            string[] steps = { RemoveMapiHttpDisabled ? "remove MapiHttpDisabled" : "set MapiHttpDisabled to 0", ClearAutodiscoverCache ? "move the cached Autodiscover XML aside" : string.Empty, RemoveOfficeCredentials ? "remove the Office credentials" : string.Empty };
            foreach ((string parameter, bool on) in new[] { ("RemoveMapiHttpDisabled", RemoveMapiHttpDisabled.IsPresent), ("ClearAutodiscoverCache", ClearAutodiscoverCache.IsPresent), ("RemoveOfficeCredentials", RemoveOfficeCredentials.IsPresent) })
            {
                if (on)
                {
                    forwarded[parameter] = true;
                }
            }

            if (!string.IsNullOrEmpty(AutodiscoverCachePath))
            {
                forwarded["AutodiscoverCachePath"] = AutodiscoverCachePath;
            }

            if (BackupPath is not null)
            {
                forwarded["BackupPath"] = BackupPath;
            }

            string backup = BackupPath is null ? "in the MapiHttpTools\\Backup folder of the connecting account there" : "in " + BackupPath + " there";
            if (ShouldProcess(name, $"Repair-MapiHttpClientState for HKU\\{sid} through remoting: {string.Join(", ", steps.Where(x => x.Length > 0))}; backup {backup}"))
            {
                Remote.Add(target, forwarded);
            }
        }
    }

    bool IRepairSink.ShouldProcess(string target, string action) => ShouldProcess(target, action);

    void IRepairSink.Result(MapiHttpClientRepairResult result) => WriteObject(result);

    void IRepairSink.Error(ClientStateException error) => WriteError(ErrorRecords.Create(error.ErrorId, error.Category, error.Target, error.Message, error.InnerException));
}
