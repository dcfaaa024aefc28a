using System;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.ClientState;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Tells whether a Windows user's Outlook is able and allowed to use MAPI over HTTP, and if not, why.</para>
/// <para type="description">Reads MapiHttpDisabled, the Outlook build and channel, Autodiscover and modern-authentication
/// overrides, the cached Autodiscover XML and the Office entries of Credential Manager, live or from a .reg export.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapiHttpClientState", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(MapiHttpClientStateResult))]
public sealed class GetMapiHttpClientStateCommand : MapiHttpRemotableCmdletBase
{
    private const string LiveSet = "Live";
    private const string OfflineSet = "Offline";

    /// <summary>The user whose hive to read (HKEY_USERS\&lt;SID&gt;); default: the current user.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("SID")]
    [ValidateNotNullOrEmpty]
    public string? UserSid { get; set; }

    /// <summary>.reg files (reg export / regedit) to analyse instead of the live registry.</summary>
    [Parameter(ParameterSetName = OfflineSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[]? RegistryExportPath { get; set; }

    /// <summary>The folder (or one file) with Outlook's cached Autodiscover XML; default %LOCALAPPDATA%\Microsoft\Outlook.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AutodiscoverCachePath { get; set; }

    protected override void BeginProcessing() => CheckRemotingParameters();

    protected override void ProcessRecord()
    {
        // Issue 17: other computers are read through PowerShell remoting, where the cmdlet runs as the connecting
        // account: its HKEY_CURRENT_USER is the admin's, not the Outlook user's, so a live remote read names the user.
        if (IsRemote)
        {
            if (RegistryExportPath is null && UserSid is null)
            {
                foreach (string computer in RemoteTargetNames())
                {
                    WriteError(ErrorRecords.Create(ClientStateErrorIds.ComputerNameRequiresUserSid, ErrorCategory.InvalidArgument, computer,
                        $"Over remoting, HKEY_CURRENT_USER on {DisplayText.Safe(computer)} is the connecting account's, not the Outlook user's: name the user with -UserSid (their hive HKEY_USERS\\<SID> is read there while they are logged on), or run the cmdlet as that user (a management tool's script)."));
                }

                return;
            }

            AddRemoteTargets();
            return;
        }

        string[]? exports = RegistryExportPath?.Select(p => GetUnresolvedProviderPathFromPSPath(p)).ToArray();
        string? cache = AutodiscoverCachePath is null ? null : GetUnresolvedProviderPathFromPSPath(AutodiscoverCachePath);
        if (exports is null && cache is null && !ClientStateSources.LiveRegistryAvailable(Services))
        {
            ThrowTerminatingError(ErrorRecords.Create(
                ClientStateErrorIds.ClientStateUnavailableOnPlatform,
                ErrorCategory.NotImplemented,
                ClientStateSources.PlatformName,
                $"Get-MapiHttpClientState reads the Windows registry, Credential Manager and the Outlook profile folder of a Windows user, and this is {ClientStateSources.PlatformName}, which has none of them. To analyse a client here, pass -RegistryExportPath (.reg files made on the client with 'reg export HKCU\\Software user.reg' and 'reg export HKLM\\SOFTWARE\\Microsoft\\Office office.reg') and -AutodiscoverCachePath (a copy of its %LOCALAPPDATA%\\Microsoft\\Outlook folder)."));
        }

        ClientStateContext context;
        try
        {
            context = ClientStateSources.Open(exports, UserSid, cache, Services, CancelToken);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (ClientStateException ex)
        {
            ErrorRecord error = ErrorRecords.Create(ex.ErrorId, ex.Category, ex.Target, ex.Message, ex.InnerException);
            if (IsSetupError(ex.ErrorId))
            {
                ThrowTerminatingError(error);
            }

            WriteError(error);
            return;
        }

        using (context)
        {
            // One bad line of an export is one error with its line number; the rest of the export is analysed (issue 20).
            foreach (ClientStateException problem in context.InputProblems)
            {
                WriteError(ErrorRecords.Create(problem.ErrorId, problem.Category, problem.Target, problem.Message, problem.InnerException));
            }

            WriteVerbose(DisplayText.Safe($"Reading {context.Registry?.Description ?? "no registry"}; Autodiscover cache: {context.AutodiscoverCachePath ?? "none"}.", 2048));
            MapiHttpClientStateResult result;
            try
            {
                result = new ClientStateAnalyzer(context, DateTime.UtcNow).Analyze(CancelToken);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            WriteObject(result);
        }
    }

    protected override void EndProcessing() => RunRemoteTargets();

    /// <summary>Bad offline input stops the command; a computer or user that cannot be reached is one failed record.</summary>
    private static bool IsSetupError(string errorId) =>
        errorId is ClientStateErrorIds.RegistryExportInvalid or ClientStateErrorIds.RegistryExportNotFound or ClientStateErrorIds.RegistryExportAmbiguousUser or ClientStateErrorIds.AutodiscoverCachePathNotFound
            or InputFile.NotRegularErrorId or InputFile.TooLargeErrorId;
}
