using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.ClientProtocols;

/// <summary>
/// Probes IMAP4/POP3 URLs (issue 16): resolves each host once (with the MAPI probe's <see cref="IHostResolver"/>), then
/// runs one <see cref="MailAddressProbe"/> per URL and address, concurrently. The rows of one URL and address come out
/// together, after the URL's DNS row.
/// </summary>
internal sealed class MailProber
{
    private readonly MailProbeOptions _options;

    public MailProber(MailProbeOptions options) => _options = options;

    public async Task ProbeAsync(IReadOnlyList<MailTarget> targets, Action<ExchangeClientProtocolResult> emit, Action<int, int>? progress, CancellationToken cancellation)
    {
        var gate = new object();
        var jobs = new List<(MailTarget Target, IPAddress Address, string Label, DnsRow Dns)>();
        var resolvedHosts = new Dictionary<string, (IReadOnlyList<(IPAddress, string)> Addresses, Finding Finding, Dictionary<string, object?> Evidence)>(StringComparer.OrdinalIgnoreCase);
        foreach (MailTarget target in targets)
        {
            var watch = Stopwatch.StartNew();
            if (!resolvedHosts.TryGetValue(target.Host, out var resolution))
            {
                resolution = await ResolveAsync(target.Host, cancellation).ConfigureAwait(false);
                resolvedHosts[target.Host] = resolution;
            }

            var dns = new DnsRow(new ExchangeClientProtocolResult(MailSteps.Dns, resolution.Finding.Status, resolution.Finding.Cause, target.Protocol, target.Uri, null, target.Server, target.Security,
                Math.Round(watch.Elapsed.TotalMilliseconds, 1), _options.SkipCertificateCheck, resolution.Finding.Message, resolution.Finding.Recommendation, resolution.Evidence));
            if (resolution.Addresses.Count == 0)
            {
                Flush(dns, Array.Empty<ExchangeClientProtocolResult>());
            }

            jobs.AddRange(resolution.Addresses.Select(a => (target, a.Item1, a.Item2, dns)));
        }

        int done = 0;
        progress?.Invoke(0, jobs.Count);
        Task[] running = jobs.Select(async job =>
        {
            IReadOnlyList<ExchangeClientProtocolResult> rows = await new MailAddressProbe(_options, job.Target, job.Address, job.Label).RunAsync(cancellation).ConfigureAwait(false);
            Flush(job.Dns, rows);
            progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
        }).ToArray();
        await Task.WhenAll(running).ConfigureAwait(false);

        // A URL's DNS row comes out once, just before the first block of its addresses, so the table groups read per URL.
        void Flush(DnsRow dns, IReadOnlyList<ExchangeClientProtocolResult> rows)
        {
            lock (gate)
            {
                if (!dns.Emitted)
                {
                    dns.Emitted = true;
                    emit(dns.Row);
                }

                foreach (ExchangeClientProtocolResult row in rows)
                {
                    emit(row);
                }
            }
        }
    }

    private async Task<(IReadOnlyList<(IPAddress, string)>, Finding, Dictionary<string, object?>)> ResolveAsync(string host, CancellationToken cancellation)
    {
        var evidence = new Dictionary<string, object?> { ["Host"] = host };
        if (_options.TargetAddresses is { Count: > 0 } given)
        {
            var result = new List<(IPAddress, string)>();
            var unresolved = new List<string>();
            foreach (string address in given)
            {
                if (IPAddress.TryParse(address, out IPAddress? ip))
                {
                    result.Add((ip, address));
                    continue;
                }

                try
                {
                    result.AddRange((await ResolveWithTimeoutAsync(address, cancellation).ConfigureAwait(false)).Select(r => (r, $"{address} ({r})")));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
                {
                    unresolved.Add(address);
                }
            }

            evidence["TargetAddress"] = string.Join(", ", given);
            return unresolved.Count > 0
                ? (result, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"-TargetAddress {string.Join(", ", unresolved)} does not resolve.", "Pass an IP address or a resolvable host name to -TargetAddress."), evidence)
                : (result, new Finding(CheckStatus.Skipped, MapiHttpCause.None, $"Not resolved: -TargetAddress given; connecting to {string.Join(", ", given)} with '{host}' in SNI."), evidence);
        }

        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return (new[] { (literal, host) }, new Finding(CheckStatus.Pass, MapiHttpCause.None, $"The URL names an address ({host}); nothing to resolve."), evidence);
        }

        try
        {
            IPAddress[] usable = (await ResolveWithTimeoutAsync(host, cancellation).ConfigureAwait(false))
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().ToArray();
            if (usable.Length == 0)
            {
                return (Array.Empty<(IPAddress, string)>(), new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"'{host}' resolves to no IPv4 or IPv6 address.", $"Create the DNS record for '{host}' (A/AAAA)."), evidence);
            }

            evidence["Addresses"] = usable.Select(a => a.ToString()).ToArray();
            return (usable.Select(a => (a, a.ToString())).ToArray(), new Finding(CheckStatus.Pass, MapiHttpCause.None, $"'{host}' resolves to {string.Join(", ", usable.Select(a => a.ToString()))}; each address is tested."), evidence);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            string error = DisplayText.Safe(ProbeTransport.Describe(ex));
            evidence["Error"] = error;
            return (Array.Empty<(IPAddress, string)>(), new Finding(CheckStatus.Fail, MapiHttpCause.Network,
                ex is OperationCanceledException ? $"Resolving '{host}' did not finish within {_options.Timeout.TotalSeconds:0} s." : $"'{host}' does not resolve: {error}",
                $"Check the DNS record for '{host}' and the names clients use (Get-ImapSettings/Get-PopSettings ExternalConnectionSettings)."), evidence);
        }
    }

    private async Task<IPAddress[]> ResolveWithTimeoutAsync(string host, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_options.Timeout);
        return await _options.Resolver.ResolveAsync(host, timeout.Token).ConfigureAwait(false);
    }

    private sealed class DnsRow
    {
        public DnsRow(ExchangeClientProtocolResult row) => Row = row;

        public ExchangeClientProtocolResult Row { get; }

        public bool Emitted { get; set; }
    }
}
