using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Iis;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Checks the IIS side of MAPI over HTTP: the three MAPI application pools and the three MAPI applications.</para>
/// <para type="description">One result per pool (MSExchangeMapiFrontEndAppPool, MSExchangeMapiMailboxAppPool,
/// MSExchangeMapiAddressBookAppPool) and per application (Default Web Site/mapi, Exchange Back End/mapi/emsmdb,
/// Exchange Back End/mapi/nspi), compared with the known-good Exchange configuration, with recent crash, disable
/// and recycle events counted per pool. Live on an IIS host, or offline from an applicationHost.config.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapiAppPoolHealth", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(MapiAppPoolHealthResult))]
public sealed class GetMapiAppPoolHealthCommand : MapiHttpRemotableCmdletBase
{
    private const string LiveSet = "Live";
    private const string OfflineSet = "Offline";

    /// <summary>An applicationHost.config to analyse offline.</summary>
    [Parameter(ParameterSetName = OfflineSet, Mandatory = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string ConfigurationPath { get; set; } = string.Empty;

    /// <summary>System and Application events exported with Get-WinEvent | Export-Clixml, for the offline event counts.</summary>
    [Parameter(ParameterSetName = OfflineSet)]
    [ValidateNotNullOrEmpty]
    public string? EventPath { get; set; }

    /// <summary>How many hours of events to count (default 24).</summary>
    [Parameter]
    [ValidateRange(1, 8760)]
    public int Hours { get; set; } = 24;

    /// <summary>The MAPI URL whose host the front-end https bindings must cover.</summary>
    [Parameter]
    [ValidateNotNull]
    public Uri? MapiUrl { get; set; }

    protected override void BeginProcessing()
    {
        if (MapiUrl is not null && !MapiUrl.IsAbsoluteUri)
        {
            ThrowTerminatingError(ErrorRecords.Create("MapiUrlNotAbsolute", ErrorCategory.InvalidArgument, MapiUrl,
                $"-MapiUrl '{MapiUrl}' is not an absolute URL; give it as https://mail.contoso.com/mapi."));
        }

        CheckRemotingParameters();
    }

    protected override void ProcessRecord()
    {
        // Issue 17: other computers are reached through PowerShell remoting only, all of them at the end, in parallel.
        if (IsRemote)
        {
            AddRemoteTargets();
            return;
        }

        if (ParameterSetName == OfflineSet)
        {
            ProcessOffline();
            return;
        }

        // Checked here, not in BeginProcessing: computer names may still arrive from the pipeline (issue 17).
        if (LiveIisConfigurationSource.UnavailableReason() is string reason)
        {
            ThrowTerminatingError(ErrorRecords.Create("IisNotAvailable", ErrorCategory.NotInstalled, Environment.MachineName,
                $"IIS cannot be read live here: {reason}. Run Get-MapiAppPoolHealth in a shell on the Exchange server or through remoting (-ComputerName, -HostName or -Session), or analyse a copy of its configuration with " +
                "-ConfigurationPath <path to applicationHost.config> (%windir%\\System32\\inetsrv\\config\\applicationHost.config) and, optionally, -EventPath."));
        }

        ProcessLive();
    }

    protected override void EndProcessing() => RunRemoteTargets();

    private void ProcessOffline()
    {
        string path = GetUnresolvedProviderPathFromPSPath(ConfigurationPath);
        ApplicationHostConfigFile file;
        try
        {
            file = ApplicationHostConfigFile.Load(path, CancelToken);
        }
        catch (FileNotFoundException ex)
        {
            ThrowTerminatingError(ErrorRecords.Create("ConfigurationFileNotFound", ErrorCategory.ObjectNotFound, ConfigurationPath, ex.Message, ex));
            return;
        }
        catch (InputFileException ex)
        {
            ThrowTerminatingError(ex.ToErrorRecord());
            return;
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (IisConfigurationException ex)
        {
            ThrowTerminatingError(ErrorRecords.Create("ConfigurationFileInvalid", ErrorCategory.InvalidData, ConfigurationPath, ex.Message, ex));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.Create("ConfigurationFileInvalid", ErrorCategory.ReadError, ConfigurationPath,
                $"'{path}' could not be read: {ex.Message}", ex));
            return;
        }

        ClixmlEventSource? events = null;
        if (EventPath is not null)
        {
            string eventPath = GetUnresolvedProviderPathFromPSPath(EventPath);
            try
            {
                // Issue 20: the size and kind of the file are checked before its reader sees it.
                InputFile.Check(eventPath, "an event export", ClixmlEventSource.MaxBytes);
                events = ClixmlEventSource.Load(eventPath, CancelToken);
            }
            catch (InputFileException ex)
            {
                ThrowTerminatingError(ex.ToErrorRecord());
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (FileNotFoundException ex)
            {
                ThrowTerminatingError(ErrorRecords.Create("EventFileNotFound", ErrorCategory.ObjectNotFound, EventPath, ex.Message, ex));
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(ErrorRecords.Create("EventFileInvalid", ErrorCategory.InvalidData, EventPath, ex.Message, ex));
            }
        }

        WriteVerbose($"Reading IIS configuration from {file.Path}" + (file.HasBindingSnapshot ? $" and binding certificates from {ApplicationHostConfigFile.BindingSnapshotFileName} beside it." : "."));
        string? noEvents = events is null
            ? "offline without -EventPath there are no System or Application events to count (export them with Get-WinEvent ... | Export-Clixml and pass -EventPath)"
            : null;
        var checker = new MapiAppPoolHealthChecker(file, events, noEvents, TimeSpan.FromHours(Hours), MapiUrl, server: null);
        RunAsync((pipeline, token) =>
        {
            Emit(pipeline, checker, token);
            return System.Threading.Tasks.Task.CompletedTask;
        });
    }

    private void ProcessLive()
    {
        RunAsync((pipeline, token) =>
        {
            string target = Environment.MachineName;
            pipeline.WriteVerbose($"Reading IIS on {target} through {LiveIisConfigurationSource.AssemblyPath}.");
            LiveIisConfigurationSource source;
            try
            {
                source = LiveIisConfigurationSource.Open();
            }
            catch (UnauthorizedAccessException ex)
            {
                pipeline.WriteError(ErrorRecords.Create("IisAccessDenied", ErrorCategory.PermissionDenied, target,
                    $"Reading the IIS configuration of {target} was denied: {ex.Message} Run the shell as an administrator of {target}.", ex));
                return System.Threading.Tasks.Task.CompletedTask;
            }
            catch (Exception ex) when (ex is System.Runtime.InteropServices.COMException or IOException or BadImageFormatException or TypeLoadException or MissingMemberException or InvalidOperationException)
            {
                string id = IsAccessDenied(ex) ? "IisAccessDenied" : "IisReadFailed";
                pipeline.WriteError(ErrorRecords.Create(id, IsAccessDenied(ex) ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, target,
                    $"The IIS configuration of {target} could not be read: {ex.Message}", ex));
                return System.Threading.Tasks.Task.CompletedTask;
            }

            using (source)
            {
                try
                {
                    var checker = new MapiAppPoolHealthChecker(source, new LiveEventLogSource(), null, TimeSpan.FromHours(Hours), MapiUrl, null);
                    Emit(pipeline, checker, token);
                }
                catch (Exception ex) when (ex is System.Runtime.InteropServices.COMException or UnauthorizedAccessException or MissingMemberException or InvalidCastException)
                {
                    string id = IsAccessDenied(ex) ? "IisAccessDenied" : "IisReadFailed";
                    pipeline.WriteError(ErrorRecords.Create(id, IsAccessDenied(ex) ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, target,
                        $"The IIS configuration of {target} could not be read: {ex.Message}", ex));
                }
            }

            return System.Threading.Tasks.Task.CompletedTask;
        });
    }

    private static void Emit(AsyncPipeline pipeline, MapiAppPoolHealthChecker checker, CancellationToken token)
    {
        IReadOnlyList<MapiAppPoolHealthResult> results = checker.Run(token);
        foreach (IisConfigurationException problem in checker.Problems)
        {
            // One bad value is one error with its line; its pool or application is an Error result, the rest is judged.
            pipeline.WriteError(ErrorRecords.Create("ConfigurationValueInvalid", ErrorCategory.InvalidData, problem.Path, problem.Message, problem));
        }

        if (checker.UnattributedEventCount > 0)
        {
            pipeline.WriteWarning($"{checker.UnattributedEventCount} Exchange event(s) 1053 in the window name none of the MAPI pools and were not counted.");
        }

        foreach (MapiAppPoolHealthResult result in results)
        {
            pipeline.WriteObject(result);
        }
    }

    private static bool IsAccessDenied(Exception ex) =>
        ex is UnauthorizedAccessException || (ex is System.Runtime.InteropServices.COMException com && com.HResult == unchecked((int)0x80070005));
}
