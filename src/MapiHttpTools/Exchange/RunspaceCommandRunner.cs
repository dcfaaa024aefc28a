using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Exchange;

/// <summary>Runs one Exchange cmdlet and hands over its output object by object, as it arrives.</summary>
internal interface IExchangeCommandRunner
{
    /// <summary>True when the command exists in the caller's session (a snap-in cmdlet or an imported remote function).</summary>
    bool IsAvailable(string name);

    /// <summary>
    /// Runs <paramref name="command"/>; <paramref name="onObject"/> sees each output object as Exchange writes it (so
    /// a scan of any size needs no buffer). Errors go to <paramref name="onError"/> when given; otherwise the first
    /// one fails the call with <see cref="ExchangeCommandException"/> once the command ends.
    /// </summary>
    Task RunAsync(ExchangeCommand command, Action<PSObject> onObject, Action<ErrorRecord>? onError, CancellationToken cancellation);
}

/// <summary>
/// Calls the Exchange cmdlets through the caller's own runspace (PowerShell.Create(RunspaceMode.CurrentRunspace)),
/// so a local Exchange snap-in and a remote Exchange session imported with Import-PSSession work alike. Nested
/// pipelines run on the pipeline thread only: either inline (the cmdlet is on it) or posted to it through the
/// cmdlet's AsyncPipeline when the caller is async work on the thread pool.
/// </summary>
internal sealed class RunspaceCommandRunner : IExchangeCommandRunner
{
    private readonly Func<Action<Cmdlet>, Task> _onPipelineThread;
    private readonly HashSet<string> _available;

    private RunspaceCommandRunner(Func<Action<Cmdlet>, Task> onPipelineThread, IEnumerable<string> available)
    {
        _onPipelineThread = onPipelineThread;
        _available = new HashSet<string>(available, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every Exchange cmdlet the module calls.</summary>
    public static readonly IReadOnlyList<string> AllCommands = new[]
    {
        "Get-OrganizationConfig", "Get-ExchangeServer", "Get-MapiVirtualDirectory", "Get-CASMailbox", "Get-ExchangeCertificate",
        "Get-AuthConfig", "Get-AuthServer", "Get-ServerComponentState", "Get-OutlookAnywhere",
        "Get-ClientAccessService",
    };

    /// <summary>The Exchange cmdlets Repair-MapiVirtualDirectory changes settings with.</summary>
    public static readonly IReadOnlyList<string> WriteCommands = new[]
    {
        "Set-OrganizationConfig", "Set-MapiVirtualDirectory", "New-MapiVirtualDirectory", "Remove-MapiVirtualDirectory",
    };

    /// <summary>Which of <paramref name="names"/> the session lacks (the one presence test). Call on the pipeline thread.</summary>
    public static IReadOnlyList<string> FindMissing(PSCmdlet cmdlet, IEnumerable<string> names) =>
        names.Where(name => cmdlet.InvokeCommand.GetCommand(name, CommandTypes.All) is null).ToArray();

    /// <summary>
    /// The one error for "no Exchange here" (issue 12): names the missing cmdlets and what to do. <paramref name="alternative"/>
    /// adds what else the calling cmdlet offers ("or analyse an exported snapshot with -SnapshotPath", "Nothing was changed").
    /// </summary>
    public static ErrorRecord NotFoundError(IReadOnlyList<string> missing, string? alternative = " Or analyse an exported snapshot with -SnapshotPath.") => ErrorRecords.Create(
        NotFoundErrorId,
        ErrorCategory.ObjectNotFound,
        string.Join(", ", missing),
        NotFoundMessage(missing, alternative));

    /// <summary>The error id of <see cref="NotFoundError"/>.</summary>
    public const string NotFoundErrorId = "ExchangeCmdletsNotFound";

    /// <summary>The text of <see cref="NotFoundError"/>, for engines that report through their own exception type.</summary>
    public static string NotFoundMessage(IReadOnlyList<string> missing, string? alternative) =>
        $"The Exchange cmdlets this command needs ({string.Join(", ", missing)}) are not in this session. Run it in the Exchange Management Shell, " +
        "or connect a remote Exchange session first ($s = New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://<server>/PowerShell/ " +
        "-Authentication Kerberos; Import-PSSession $s -DisableNameChecking)." + alternative;

    /// <summary>For a cmdlet that calls Exchange from its own pipeline thread (ProcessRecord and friends).</summary>
    public static RunspaceCommandRunner Inline(PSCmdlet cmdlet) => Inline(cmdlet, AllCommands);

    /// <summary>As <see cref="Inline(PSCmdlet)"/>, for a caller that may run <paramref name="commands"/>.</summary>
    public static RunspaceCommandRunner Inline(PSCmdlet cmdlet, IEnumerable<string> commands)
    {
        IReadOnlyList<string> all = commands.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        IReadOnlyList<string> missing = FindMissing(cmdlet, all);
        return new RunspaceCommandRunner(
            action =>
            {
                try
                {
                    action(cmdlet);
                    return Task.CompletedTask;
                }
                catch (Exception ex)
                {
                    return Task.FromException(ex);
                }
            },
            all.Except(missing, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>For async work started with RunAsync: every call is posted to the pipeline thread and awaited.</summary>
    public static RunspaceCommandRunner Posted(AsyncPipeline pipeline, IEnumerable<string> available) =>
        new(
            async action =>
            {
                // InvokeOnPipeline treats a throwing action as the cmdlet's own failure; carry the exception back instead.
                Exception? failure = await pipeline.InvokeOnPipeline(cmdlet =>
                {
                    try
                    {
                        action(cmdlet);
                        return null;
                    }
                    catch (Exception ex)
                    {
                        return ex;
                    }
                }).ConfigureAwait(false);
                if (failure is not null)
                {
                    ExceptionDispatchInfo.Capture(failure).Throw();
                }
            },
            available);

    public bool IsAvailable(string name) => _available.Contains(name);

    public Task RunAsync(ExchangeCommand command, Action<PSObject> onObject, Action<ErrorRecord>? onError, CancellationToken cancellation)
    {
        if (!IsAvailable(command.Name))
        {
            return Task.FromException(new ExchangeDataUnavailableException(
                $"{command.Name} is not available in this session (the Exchange role assignments of this account may not include it)."));
        }

        return _onPipelineThread(cmdlet => RunNested(cmdlet, command, onObject, onError, cancellation));
    }

    private static void RunNested(Cmdlet cmdlet, ExchangeCommand command, Action<PSObject> onObject, Action<ErrorRecord>? onError, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        using PowerShell shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        shell.AddCommand(command.Name);
        foreach (KeyValuePair<string, object?> parameter in command.Parameters)
        {
            if (ReferenceEquals(parameter.Value, ExchangeCommand.SwitchPresent))
            {
                shell.AddParameter(parameter.Key);
            }
            else
            {
                shell.AddParameter(parameter.Key, parameter.Value);
            }
        }

        Exception? callbackFailure = null;
        ErrorRecord? firstError = null;
        using var output = new PSDataCollection<PSObject>();

        // Objects are taken out of the collection as they arrive, so it never holds more than one.
        output.DataAdded += (_, _) =>
        {
            if (callbackFailure is not null)
            {
                output.ReadAll();
                return;
            }

            try
            {
                foreach (PSObject? item in output.ReadAll())
                {
                    // A command that writes $null (a stand-in, a proxy function, an empty remote answer) yields a null
                    // item: it is no object, and no reader should have to guard against it.
                    if (item is not null && item.BaseObject is not null)
                    {
                        onObject(item);
                    }
                }
            }
            catch (Exception ex)
            {
                // A downstream stop or write failure: end the Exchange command and rethrow this once it has stopped.
                callbackFailure = ex;
                shell.BeginStop(null, null);
            }
        };
        shell.Streams.Error.DataAdded += (_, e) =>
        {
            ErrorRecord record = shell.Streams.Error[e.Index];
            if (onError is not null && callbackFailure is null)
            {
                try
                {
                    onError(record);
                }
                catch (Exception ex)
                {
                    callbackFailure = ex;
                    shell.BeginStop(null, null);
                }
            }
            else
            {
                firstError ??= record;
            }
        };

        using (cancellation.Register(() => shell.BeginStop(null, null)))
        {
            try
            {
                shell.Invoke<PSObject, PSObject>(null, output, new PSInvocationSettings());
            }
            catch (Exception ex) when (callbackFailure is null && !cancellation.IsCancellationRequested && ex is RuntimeException)
            {
                var runtime = (RuntimeException)ex;
                throw new ExchangeCommandException(command.ToString(), $"{command} failed: {runtime.Message}", runtime.ErrorRecord, ex);
            }
            catch (Exception) when (callbackFailure is not null || cancellation.IsCancellationRequested)
            {
                // Reported below: the callback's own exception, or the cancellation.
            }
        }

        if (callbackFailure is not null)
        {
            ExceptionDispatchInfo.Capture(callbackFailure).Throw();
        }

        cancellation.ThrowIfCancellationRequested();
        foreach (WarningRecord warning in shell.Streams.Warning)
        {
            cmdlet.WriteWarning($"{command.Name}: {warning.Message}");
        }

        if (firstError is not null)
        {
            throw new ExchangeCommandException(command.ToString(), $"{command} failed: {firstError.Exception?.Message ?? firstError.ToString()}", firstError, firstError.Exception);
        }
    }
}
