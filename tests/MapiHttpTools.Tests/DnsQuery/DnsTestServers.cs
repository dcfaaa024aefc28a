using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;

namespace MapiHttpTools.Tests.DnsQuery;

/// <summary>
/// A real DNS server for the SRV tests (issue 14): Debian's dnsmasq on 127.0.0.1 a free high port, its whole
/// configuration on the command line (no /etc/dnsmasq.conf, no upstream, no hosts file), authoritative for
/// contoso.lab through --local so unknown names are NXDOMAIN, its pid file under a temp folder, killed on Dispose.
/// dnsmasq comes from tests/setup/install-dnsmasq.sh (dnsmasq-base from apt), run once here when it is missing.
/// </summary>
public sealed class Dnsmasq : IDisposable
{
    public const string Path = "/usr/sbin/dnsmasq";

    private static readonly object InstallGate = new();
    private readonly Process _process;
    private readonly string _root;

    private Dnsmasq(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Starts dnsmasq answering for contoso.lab with these --srv-host values ("name,target,port,priority,weight").</summary>
    public static Dnsmasq Start(params string[] srvHosts)
    {
        EnsureInstalled();
        string root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mht-dnsmasq-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        Directory.CreateDirectory(root);
        int port = FreeUdpAndTcpPort();
        var arguments = new List<string>
        {
            "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
            $"--port={port}", "--listen-address=127.0.0.1", "--bind-interfaces",
            $"--pid-file={System.IO.Path.Combine(root, "dnsmasq.pid")}", "--log-facility=" + System.IO.Path.Combine(root, "dnsmasq.log"), "--log-queries",
            "--local=/contoso.lab/",
        };
        if (Environment.UserName == "root")
        {
            // As root dnsmasq would drop to its own user, which the pid file's temp folder need not allow.
            arguments.Add("--user=root");
            arguments.Add("--group=root");
        }

        arguments.AddRange(srvHosts.Select(s => "--srv-host=" + s));
        var start = new ProcessStartInfo(Path) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process = Process.Start(start)!;
        var server = new Dnsmasq(process, root, port);
        server.WaitAnswering();
        return server;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_root, true);
        }
        catch (IOException)
        {
            // The temp folder is the OS's to clean if dnsmasq still holds its log.
        }
    }

    /// <summary>A port free on 127.0.0.1 for both UDP and TCP (DNS uses both), taken from the OS and released.</summary>
    public static int FreeUdpAndTcpPort()
    {
        for (int i = 0; i < 50; i++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            int port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                tcp.Stop();
                return port;
            }
            catch (SocketException)
            {
                // Taken for TCP: try another.
            }
        }

        throw new InvalidOperationException("No port free for both UDP and TCP on 127.0.0.1.");
    }

    private static void EnsureInstalled()
    {
        lock (InstallGate)
        {
            if (File.Exists(Path))
            {
                return;
            }

            string script = System.IO.Path.Combine(ModuleSession.RepoRoot, "tests", "setup", "install-dnsmasq.sh");
            using Process setup = Process.Start(new ProcessStartInfo("sh", script) { UseShellExecute = false })!;
            setup.WaitForExit();
            if (!File.Exists(Path))
            {
                throw new InvalidOperationException($"dnsmasq is not installed and {script} could not install it (dnsmasq-base from apt): the SRV tests need it.");
            }
        }
    }

    /// <summary>Waits until dnsmasq answers on its TCP port (it opens UDP and TCP together), or says why it did not start.</summary>
    private void WaitAnswering()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"dnsmasq exited with {_process.ExitCode}: {_process.StandardError.ReadToEnd()}");
            }

            try
            {
                using var probe = new TcpClient();
                probe.Connect(EndPoint);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        Dispose();
        throw new InvalidOperationException("dnsmasq did not listen within 20 s.");
    }
}

/// <summary>
/// A hostile or silent DNS server for the tests: a UDP socket on 127.0.0.1 that answers each query with what the test
/// makes of it (or nothing), and optionally a TCP listener on the same port for the truncation fallback.
/// </summary>
public sealed class FakeDnsServer : IDisposable
{
    private readonly Socket _udp;
    private readonly TcpListener? _tcp;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<byte[]> _queries = new();

    public FakeDnsServer(Func<byte[], byte[]?> udpAnswer, Func<byte[], byte[]?>? tcpAnswer = null)
    {
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        int port = Dnsmasq.FreeUdpAndTcpPort();
        _udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
        EndPoint = new IPEndPoint(IPAddress.Loopback, port);
        _ = Task.Run(() => ServeUdp(udpAnswer));
        if (tcpAnswer is not null)
        {
            _tcp = new TcpListener(EndPoint);
            _tcp.Start();
            _ = Task.Run(() => ServeTcp(tcpAnswer));
        }
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The queries received, UDP and TCP, in order.</summary>
    public IReadOnlyList<byte[]> Queries
    {
        get
        {
            lock (_queries)
            {
                return _queries.ToArray();
            }
        }
    }

    public int TcpQueries { get; private set; }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
        _tcp?.Stop();
        _stop.Dispose();
    }

    private async Task ServeUdp(Func<byte[], byte[]?> answer)
    {
        var buffer = new byte[65535];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            byte[] query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            lock (_queries)
            {
                _queries.Add(query);
            }

            if (answer(query) is { } reply)
            {
                try
                {
                    await _udp.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
                {
                    return;
                }
            }
        }
    }

    private async Task ServeTcp(Func<byte[], byte[]?> answer)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _tcp!.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
            {
                return;
            }

            using (client)
            {
                NetworkStream stream = client.GetStream();
                var prefix = new byte[2];
                await stream.ReadExactlyAsync(prefix);
                var query = new byte[(prefix[0] << 8) | prefix[1]];
                await stream.ReadExactlyAsync(query);
                lock (_queries)
                {
                    _queries.Add(query);
                }

                TcpQueries++;
                if (answer(query) is { } reply)
                {
                    await stream.WriteAsync(new[] { (byte)(reply.Length >> 8), (byte)reply.Length });
                    await stream.WriteAsync(reply);
                }
            }
        }
    }
}
