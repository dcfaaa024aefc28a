using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Infrastructure;

/// <summary>
/// The pipeline as seen from async work: every call queues a write that the cmdlet's own thread performs
/// (PowerShell forbids writes from other threads). The queue is bounded so a fast producer (a log reader)
/// waits for the pipeline instead of buffering the whole input in memory.
/// </summary>
internal sealed class AsyncPipeline : IDisposable
{
    private const int Capacity = 1024;

    private readonly BlockingCollection<Action<Cmdlet>> _queue = new(Capacity);
    private readonly CancellationToken _cancellation;

    public AsyncPipeline(CancellationToken cancellation) => _cancellation = cancellation;

    public void WriteObject(object? value) => Post(c => c.WriteObject(value));

    public void WriteError(ErrorRecord error) => Post(c => c.WriteError(error));

    public void WriteWarning(string message) => Post(c => c.WriteWarning(message));

    public void WriteVerbose(string message) => Post(c => c.WriteVerbose(message));

    public void WriteDebug(string message) => Post(c => c.WriteDebug(message));

    public void WriteProgress(ProgressRecord progress) => Post(c => c.WriteProgress(progress));

    /// <summary>Runs <paramref name="action"/> on the pipeline thread (ShouldProcess, session state) and returns its value.</summary>
    public Task<T> InvokeOnPipeline<T>(Func<Cmdlet, T> action)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(c =>
        {
            try
            {
                completion.TrySetResult(action(c));
            }
            catch (Exception ex)
            {
                completion.TrySetException(ex);
                throw;
            }
        });
        return completion.Task;
    }

    internal void Complete() => _queue.CompleteAdding();

    /// <summary>Performs queued writes on the calling (pipeline) thread until the producer completes or the token fires.</summary>
    internal void Pump(Cmdlet cmdlet)
    {
        foreach (Action<Cmdlet> write in _queue.GetConsumingEnumerable(_cancellation))
        {
            write(cmdlet);
        }
    }

    private void Post(Action<Cmdlet> write)
    {
        try
        {
            _queue.Add(write, _cancellation);
        }
        catch (InvalidOperationException) when (_queue.IsAddingCompleted)
        {
            // The pipeline stopped reading (stop or downstream error); the work is being cancelled.
            throw new OperationCanceledException(_cancellation);
        }
    }

    public void Dispose() => _queue.Dispose();
}
