using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Tests.Report;

/// <summary>What one headless chromium run of a page gave: the DOM after its scripts ran, and its console lines.</summary>
internal sealed record BrowserRun(string Dom, IReadOnlyList<string> ConsoleLines, int RequestsThatLeft);

/// <summary>
/// Debian's chromium, headless, loading a report from disk with the network blocked (issue 15). Installed by
/// tests/setup/install-chromium.sh (build.ps1's Test task runs it). Every request that tries to leave the file goes
/// to <see cref="_proxy"/>, a listener on 127.0.0.1 that answers nothing and counts connections: the proxy for all
/// schemes, loopback included (--proxy-bypass-list=&lt;-loopback&gt;), and DNS maps every name to nothing. The
/// console (CSP violations included) reaches stderr as INFO:CONSOLE lines.
/// </summary>
internal sealed class HeadlessBrowser : IDisposable
{
    private readonly string _folder;
    private readonly TcpListener _proxy;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _connections;

    public HeadlessBrowser(string folder)
    {
        _folder = folder;
        Executable = Find() ?? throw new InvalidOperationException(
            "chromium is not installed: run tests/setup/install-chromium.sh (build.ps1 -Task Test runs it) to install Debian's chromium.");
        _proxy = new TcpListener(IPAddress.Loopback, 0);
        _proxy.Start();
        _acceptLoop = Task.Run(AcceptAsync);
    }

    public string Executable { get; }

    private int ProxyPort => ((IPEndPoint)_proxy.LocalEndpoint).Port;

    private static string? Find()
    {
        string? configured = Environment.GetEnvironmentVariable("MAPIHTTPTOOLS_CHROMIUM");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "chromium")).FirstOrDefault(File.Exists);
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using TcpClient client = await _proxy.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref _connections);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Loads <paramref name="file"/> (with an optional #fragment) and returns the DOM after its scripts ran.</summary>
    public BrowserRun DumpDom(string file, string fragment = "") => Run(new Uri(file).AbsoluteUri + fragment, "--dump-dom");

    /// <summary>Loads <paramref name="file"/> into a 1400×1000 window and saves a PNG of it.</summary>
    public BrowserRun Screenshot(string file, string png) => Run(new Uri(file).AbsoluteUri, "--screenshot=" + png, "--window-size=1400,1000", "--hide-scrollbars");

    private BrowserRun Run(string url, params string[] action)
    {
        string profile = Path.Combine(_folder, "chromium-profile-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _folder,
        };
        foreach (string argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
                     "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0",
                     "--proxy-server=http://127.0.0.1:" + ProxyPort, "--proxy-bypass-list=<-loopback>",
                     "--host-resolver-rules=MAP * ~NOTFOUND",
                 }.Concat(action).Append(url))
        {
            start.ArgumentList.Add(argument);
        }

        // HOME in the temp folder: chromium writes caches and crash folders under it, never into the user's profile.
        start.Environment["HOME"] = profile;
        start.Environment["XDG_CONFIG_HOME"] = profile;
        start.Environment["XDG_CACHE_HOME"] = profile;
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("chromium did not finish within 120 s: " + url);
        }

        process.WaitForExit();
        string[] console = stderr.Result.Split('\n').Where(l => l.Contains(":CONSOLE", StringComparison.Ordinal)).ToArray();
        return new BrowserRun(stdout.Result, console, Volatile.Read(ref _connections));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _proxy.Stop();
        try
        {
            _acceptLoop.Wait(5000);
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
