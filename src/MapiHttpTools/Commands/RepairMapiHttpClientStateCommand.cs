using System;
using System.Management.Automation;
using MapiHttpTools.ClientState;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Lets a Windows user's Outlook use MAPI over HTTP again: MapiHttpDisabled to 0, cached Autodiscover XML moved aside, stale Office credentials removed on request.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "MapiHttpClientState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MapiHttpClientRepairResult))]
public sealed class RepairMapiHttpClientStateCommand : MapiHttpCmdletBase, IRepairSink
{
    private RepairBackup? _backup;
    private bool _anyChange;

    /// <summary>
    /// A state from Get-MapiHttpClientState, live or deserialized (issue 17: it came back through remoting); one from a
    /// .reg export is refused (an export is never edited).
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>The computer to repair (remote registry; needs -UserSid). Default: this computer.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DNSHostName")]
    public string? ComputerName { get; set; }

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

        // Bound by property name from a state, these may be empty (an offline state has no computer): empty means default.
        string? cache = string.IsNullOrEmpty(AutodiscoverCachePath) ? null : GetUnresolvedProviderPathFromPSPath(AutodiscoverCachePath);
        string? computer = string.IsNullOrEmpty(ComputerName) ? null : ComputerName;
        string? sid = string.IsNullOrEmpty(UserSid) ? null : UserSid;
        ClientStateContext context;
        try
        {
            context = ClientStateSources.Open(null, computer, sid, cache, Services);
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
        if (_anyChange)
        {
            WriteWarning("Restart Outlook (close it completely, then start it) for the changes to take effect. The previous state is in " + _backup!.Path + ".");
        }
    }

    bool IRepairSink.ShouldProcess(string target, string action) => ShouldProcess(target, action);

    void IRepairSink.Result(MapiHttpClientRepairResult result) => WriteObject(result);

    void IRepairSink.Error(ClientStateException error) => WriteError(ErrorRecords.Create(error.ErrorId, error.Category, error.Target, error.Message, error.InnerException));
}
