using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Lab;

/// <summary>
/// The <see cref="LabFault.ConnectionReset"/> front end: accepts TCP, waits for the client's first bytes
/// (its TLS ClientHello) and resets the connection (linger 0, so the kernel sends RST instead of FIN),
/// like a firewall or load balancer that kills the session at the handshake.
/// </summary>
internal sealed class ResetListener : IAsyncDisposable
{
    private static readonly TimeSpan FirstBytesWait = TimeSpan.FromSeconds(2);

    private readonly TcpListener _listener;
    private readonly CancellationToken _stopping;
    private readonly ConcurrentDictionary<Task, byte> _resets = new();
    private readonly Task _acceptLoop;

    private ResetListener(TcpListener listener, CancellationToken stopping)
    {
        _listener = listener;
        _stopping = stopping;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    public static ResetListener Start(IPAddress address, int port, CancellationToken stopping)
    {
        var listener = new TcpListener(address, port);
        listener.Start();
        return new ResetListener(listener, stopping);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected when stopping.
        }

        await Task.WhenAll(_resets.Keys).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Task reset = ResetAsync(socket);
            _resets.TryAdd(reset, 0);
            _ = reset.ContinueWith(t => _resets.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ResetAsync(Socket socket)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        wait.CancelAfter(FirstBytesWait);
        try
        {
            byte[] buffer = new byte[512];
            await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // Reset anyway.
        }
        finally
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (SocketException)
            {
                // The peer already went away; closing is all that is left.
            }

            socket.Close();
        }
    }
}
