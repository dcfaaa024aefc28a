using System;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Repair;

namespace MapiHttpTools.Commands;

/// <summary>
/// Repairs the server side of MAPI over HTTP safely and reversibly (issue #7): organisation flag, virtual directory
/// URLs and authentication methods, IIS authentication of /mapi, the MAPI pools, and as a last resort the removal and
/// recreation of the virtual directory. Backs up before the first change, applies changes in a fixed order, stops at
/// the first failure, and verifies the server with the endpoint probe afterwards. The work is in
/// <see cref="VirtualDirectoryRepairer"/> (issue 12); this class binds parameters and is the engine's sink.
/// </summary>
[Cmdlet(VerbsDiagnostic.Repair, "MapiVirtualDirectory", DefaultParameterSetName = RepairSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(MapiRepairResult))]
public sealed class RepairMapiVirtualDirectoryCommand : MapiHttpCmdletBase, IVirtualDirectoryRepairSink
{
    private const string RepairSet = "Repair";
    private const string RecreateSet = "Recreate";
    private const string RestoreSet = "Restore";

    private VirtualDirectoryRepairer? _repairer;

    /// <summary>Results of Test-MapiHttpEndpoint, Get-MapiAppPoolHealth or Invoke-MapiHttpDiagnostic, virtual directories, or server names.</summary>
    [Parameter(ValueFromPipeline = true, ParameterSetName = RepairSet)]
    [Parameter(ValueFromPipeline = true, ParameterSetName = RecreateSet)]
    public PSObject? InputObject { get; set; }

    /// <summary>The Exchange server to repair; with -RestoreFrom, the server to restore, which must be the backup's (issue 20).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RepairSet)]
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RecreateSet)]
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = RestoreSet)]
    [AllowNull]
    public object? Server { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = RepairSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = RecreateSet)]
    [AllowNull]
    public object? Identity { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    [Parameter(ParameterSetName = RecreateSet)]
    [ValidateNotNull]
    public Uri? InternalUrl { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    [Parameter(ParameterSetName = RecreateSet)]
    [ValidateNotNull]
    public Uri? ExternalUrl { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    [Parameter(ParameterSetName = RecreateSet)]
    [ValidateNotNullOrEmpty]
    [ValidateSet("Ntlm", "OAuth", "Negotiate", "Kerberos", IgnoreCase = true)]
    public string[]? AuthenticationMethods { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter EnableOrganization { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter ResetIisAuthentication { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter StartAppPools { get; set; }

    [Parameter(ParameterSetName = RepairSet)]
    public SwitchParameter RestartAppPools { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RecreateSet)]
    public SwitchParameter Recreate { get; set; }

    /// <summary>Confirms -Recreate; with -RestoreFrom, lets the backup set URLs outside the organisation's namespaces.</summary>
    [Parameter(ParameterSetName = RecreateSet)]
    [Parameter(ParameterSetName = RestoreSet)]
    public SwitchParameter Force { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = RestoreSet)]
    [ValidateNotNullOrEmpty]
    public string RestoreFrom { get; set; } = string.Empty;

    [Parameter]
    public SwitchParameter ResetIis { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupPath { get; set; }

    [Parameter]
    public SwitchParameter SkipVerify { get; set; }

    protected override void BeginProcessing()
    {
        var options = new VirtualDirectoryRepairOptions
        {
            InternalUrl = InternalUrl?.OriginalString,
            ExternalUrl = ExternalUrl?.OriginalString,
            AuthenticationMethods = AuthenticationMethods,
            EnableOrganization = EnableOrganization,
            ResetIisAuthentication = ResetIisAuthentication,
            StartAppPools = StartAppPools,
            RestartAppPools = RestartAppPools,
            Recreate = Recreate,
            Force = Force,
            ResetIis = ResetIis,
            SkipVerify = SkipVerify,
            WhatIf = IsWhatIf(),
            BackupFolder = BackupPath is null ? Services.BackupFolder : GetUnresolvedProviderPathFromPSPath(BackupPath),
        };
        _repairer = new VirtualDirectoryRepairer(new RunspaceExchangeClient(this), new RunspaceNamespaceReader(), Services, options, this);
        Guard(_repairer.Validate);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != RestoreSet)
        {
            Guard(() => _repairer!.Add(InputObject, Server, Identity));
        }
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == RestoreSet)
        {
            Guard(() => _repairer!.Restore(GetUnresolvedProviderPathFromPSPath(RestoreFrom), RunspaceExchangeClient.Text(Server), CancelToken), RestoreFrom);
            return;
        }

        Guard(() => _repairer!.Finish(CancelToken));
    }

    /// <summary>-WhatIf given, or $WhatIfPreference on: the run prints its plan and neither backs up nor verifies.</summary>
    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? value)
            ? value is SwitchParameter { IsPresent: true } || value is true
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>A setup problem the engine throws stops the cmdlet with its error id; the backup file is the target of a restore's file errors.</summary>
    private void Guard(Action work, string? file = null)
    {
        try
        {
            work();
        }
        catch (RepairException ex)
        {
            object? target = file is not null && ex.ErrorId is "BackupNotFound" or "BackupInvalid" ? file : ex.Target;
            ThrowTerminatingError(ErrorRecords.Create(ex.ErrorId, ex.Category, target, ex.Message, ex));
        }
        catch (InputFileException ex)
        {
            ThrowTerminatingError(ex.ToErrorRecord());
        }
    }

    RepairApproval IVirtualDirectoryRepairSink.Confirm(string description, string caption)
    {
        bool yes = ShouldProcess(description, $"{description}?", caption, out ShouldProcessReason reason);
        return yes ? RepairApproval.Approved : reason == ShouldProcessReason.WhatIf ? RepairApproval.WhatIf : RepairApproval.Declined;
    }

    void IVirtualDirectoryRepairSink.Result(MapiRepairResult result) => WriteObject(result);

    void IVirtualDirectoryRepairSink.Warning(string text) => WriteWarning(text);

    void IVirtualDirectoryRepairSink.Verbose(string text) => WriteVerbose(text);

    void IVirtualDirectoryRepairSink.Error(RepairException error) => WriteError(ErrorRecords.Create(error.ErrorId, error.Category, error.Target, error.Message, error.InnerException ?? error));

    void IVirtualDirectoryRepairSink.Run(Func<CancellationToken, Task> work) => RunAsync((_, token) => work(token));
}
