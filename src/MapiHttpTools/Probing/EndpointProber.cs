using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Probing;

/// <summary>
/// Probes the MAPI/HTTP path hop by hop (DNS, TCP, TLS, healthcheck.htm, anonymous emsmdb/nspi, authenticated
/// PING) for each URL and each address. This class resolves, schedules and emits; <see cref="AddressProbe"/>
/// gathers the facts of one address and <see cref="ProbeJudgement"/> turns them into findings (issue 12).
/// </summary>
internal sealed class EndpointProber
{
    internal static readonly string ClientApplication = "MapiHttpTools/" + typeof(EndpointProber).Assembly.GetName().Version!.ToString(3);

    private readonly ProbeOptions _options;

    public EndpointProber(ProbeOptions options) => _options = options;

    /// <summary>
    /// Probes every target; <paramref name="emit"/> receives results from worker threads. The rows of one URL and
    /// address come out together and in step order as soon as that address is done, after the URL's DNS row (issue 11:
    /// the default table reads per address). <paramref name="progress"/> gets (done, total) after each address.
    /// </summary>
    public async Task ProbeAsync(IReadOnlyList<ProbeTarget> targets, Action<MapiHttpEndpointResult> emit, Action<int, int>? progress, CancellationToken cancellation)
    {
        var gate = new object();
        var jobs = new List<(ProbeTarget Target, IPAddress Address, string Label, bool Sole, DnsRow Dns)>();
        foreach (ProbeTarget target in targets)
        {
            var dns = new DnsRow();
            IReadOnlyList<(IPAddress, string)> addresses = await ResolveAsync(target, r => dns.Row = r, cancellation).ConfigureAwait(false);
            if (addresses.Count == 0)
            {
                Flush(dns, Array.Empty<MapiHttpEndpointResult>());
            }

            foreach ((IPAddress address, string label) in addresses)
            {
                jobs.Add((target, address, label, addresses.Count == 1 && AddressesFor(target) is not { Count: > 0 }, dns));
            }
        }

        int done = 0;
        progress?.Invoke(0, jobs.Count);
        using var throttle = new SemaphoreSlim(Math.Max(1, _options.ThrottleLimit));
        IEnumerable<Task> running = jobs.Select(async job =>
        {
            await throttle.WaitAsync(cancellation).ConfigureAwait(false);
            IReadOnlyList<MapiHttpEndpointResult> rows;
            try
            {
                rows = await new AddressProbe(_options, job.Target, job.Address, job.Label, job.Sole).RunAsync(cancellation).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }

            Flush(job.Dns, rows);
            progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
        });
        await Task.WhenAll(running.ToArray()).ConfigureAwait(false);

        void Flush(DnsRow dns, IReadOnlyList<MapiHttpEndpointResult> rows)
        {
            lock (gate)
            {
                if (dns.Row is not null && !dns.Emitted)
                {
                    dns.Emitted = true;
                    emit(dns.Row);
                }

                foreach (MapiHttpEndpointResult row in rows)
                {
                    emit(row);
                }
            }
        }
    }

    private async Task<IReadOnlyList<(IPAddress, string)>> ResolveAsync(ProbeTarget target, Action<MapiHttpEndpointResult> emit, CancellationToken cancellation)
    {
        string host = target.Uri.DnsSafeHost;
        var watch = Stopwatch.StartNew();
        var result = new List<(IPAddress, string)>();

        if (AddressesFor(target) is { Count: > 0 } addresses)
        {
            var unresolved = new List<string>();
            foreach (string address in addresses)
            {
                if (IPAddress.TryParse(address, out IPAddress? ip))
                {
                    result.Add((ip, address));
                    continue;
                }

                try
                {
                    IPAddress[] resolved = await ResolveWithTimeoutAsync(address, cancellation).ConfigureAwait(false);
                    result.AddRange(resolved.Select(r => (r, $"{address} ({r})")));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    unresolved.Add(address);
                }
            }

            var evidence = new Dictionary<string, object?> { ["Host"] = host, ["TargetAddress"] = string.Join(", ", addresses) };
            if (unresolved.Count > 0)
            {
                emit(Result(target, ProbeSteps.Dns, CheckStatus.Fail, MapiHttpCause.Network, watch,
                    $"-TargetAddress {string.Join(", ", unresolved)} does not resolve.", "Pass an IP address or a resolvable host name to -TargetAddress.", evidence));
            }
            else
            {
                emit(Result(target, ProbeSteps.Dns, CheckStatus.Skipped, MapiHttpCause.None, watch,
                    $"Not resolved: -TargetAddress given; connecting to {string.Join(", ", addresses)} with '{host}' in SNI and Host.", null, evidence));
            }

            return result;
        }

        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            emit(Result(target, ProbeSteps.Dns, CheckStatus.Pass, MapiHttpCause.None, watch,
                $"The URL names an address ({host}); nothing to resolve.", null, new Dictionary<string, object?> { ["Host"] = host }));
            return new[] { (literal, host) };
        }

        try
        {
            IPAddress[] resolved = await ResolveWithTimeoutAsync(host, cancellation).ConfigureAwait(false);
            IPAddress[] usable = resolved.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().ToArray();
            if (usable.Length == 0)
            {
                emit(Result(target, ProbeSteps.Dns, CheckStatus.Fail, MapiHttpCause.Network, watch,
                    $"'{host}' resolves to no IPv4 or IPv6 address.", $"Create the DNS record for '{host}' (A/AAAA) pointing at the load balancer or the Exchange servers.",
                    new Dictionary<string, object?> { ["Host"] = host }));
                return result;
            }

            emit(Result(target, ProbeSteps.Dns, CheckStatus.Pass, MapiHttpCause.None, watch,
                $"'{host}' resolves to {string.Join(", ", usable.Select(a => a.ToString()))}; each address is tested.", null,
                new Dictionary<string, object?> { ["Host"] = host, ["Addresses"] = usable.Select(a => a.ToString()).ToArray() }));
            return usable.Select(a => (a, a.ToString())).ToArray();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            bool timedOut = ex is OperationCanceledException;
            string error = DisplayText.Safe(ProbeTransport.Describe(ex));
            emit(Result(target, ProbeSteps.Dns, CheckStatus.Fail, MapiHttpCause.Network, watch,
                timedOut ? $"Resolving '{host}' did not finish within {_options.Timeout.TotalSeconds:0} s." : $"'{host}' does not resolve: {error}",
                $"Check the DNS record for '{host}' and that the virtual directory URL is right: Get-MapiVirtualDirectory | Format-List Server,InternalUrl,ExternalUrl",
                new Dictionary<string, object?> { ["Host"] = host, ["Error"] = error }));
            return result;
        }
    }

    private IReadOnlyList<string>? AddressesFor(ProbeTarget target) => target.TargetAddresses ?? _options.TargetAddresses;

    private async Task<IPAddress[]> ResolveWithTimeoutAsync(string host, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.Timeout);
        return await _options.Resolver.ResolveAsync(host, timeout.Token).ConfigureAwait(false);
    }

    private MapiHttpEndpointResult Result(ProbeTarget target, string check, CheckStatus status, MapiHttpCause cause, Stopwatch watch, string message, string? recommendation, IEnumerable<KeyValuePair<string, object?>>? evidence) =>
        new(check, status, cause, target.Uri.ToString(), null, target.Server, target.Identity, watch.Elapsed.TotalMilliseconds, null, _options.SkipCertificateCheck, message, recommendation, evidence);

    /// <summary>A URL's DNS row, emitted once, before the first block of its addresses.</summary>
    private sealed class DnsRow
    {
        public MapiHttpEndpointResult? Row { get; set; }

        public bool Emitted { get; set; }
    }
}
