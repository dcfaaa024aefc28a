using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>
/// Shared by every cmdlet: one cancellation token per invocation that StopProcessing (Ctrl+C,
/// PowerShell.Stop()) cancels, and a way to run async work whose writes land on the pipeline thread.
/// </summary>
public abstract class MapiHttpCmdletBase : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    private ModuleServices? _services;

    /// <summary>
    /// This runspace's services (stand-ins in tests, nothing in production). Taken on first use, which must be on the
    /// pipeline thread: read it before handing work to <see cref="RunAsync"/>.
    /// </summary>
    internal ModuleServices Services => _services ??= ModuleServices.Current;

    /// <summary>Cancelled when the user stops the pipeline; reaches every network call and file read.</summary>
    protected CancellationToken CancelToken => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and performs its pipeline writes here, on the pipeline
    /// thread, as they arrive. Returns when the work ends; a stop ends it at once with PipelineStoppedException.
    /// </summary>
    internal void RunAsync(Func<AsyncPipeline, CancellationToken, Task> work)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        using var pipeline = new AsyncPipeline(linked.Token);
        Task task = Task.Run(() => work(pipeline, linked.Token), linked.Token);
        task.ContinueWith(_ => pipeline.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        try
        {
            pipeline.Pump(this);
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch
        {
            // A write failed here (downstream stopped, or -ErrorAction Stop turned an error terminating):
            // the work must not go on producing into a pipeline nobody reads.
            linked.Cancel();
            throw;
        }

        if (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }

        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
