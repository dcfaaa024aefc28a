using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;

namespace MapiHttpTools.Diagnostics;

/// <summary>One URL for the endpoint probe of Invoke-MapiHttpDiagnostic, planned from the Exchange configuration.</summary>
/// <param name="Url">The /mapi URL to probe.</param>
/// <param name="Server">The server probed directly; null for a namespace (whatever the load balancer picks).</param>
/// <param name="Identity">The MAPI virtual directory the URL belongs to.</param>
/// <param name="IisAuthenticationMethods">What the 401 from /mapi must offer, from the virtual directory.</param>
/// <param name="IsNamespace">True for a shared name in front of several servers.</param>
/// <param name="TargetAddress">
/// Where to connect for a server probed directly: its FQDN, while the URL's host (the namespace Outlook uses) goes
/// into SNI and Host, so each server is judged by the certificate and answers Outlook would get from it.
/// </param>
internal sealed record EndpointProbeRequest(Uri Url, string? Server, string? Identity, IReadOnlyList<string> IisAuthenticationMethods, bool IsNamespace, string? TargetAddress = null);

/// <summary>
/// The endpoint probe as Invoke-MapiHttpDiagnostic runs it: every request, each front end's /mapi and the
/// healthcheck.htm of its other virtual directories (Check "HealthCheck" and "HealthCheck:owa" and the like, which
/// <see cref="MapiHttpVerdict"/> reads), results emitted as they come, from any thread, each with whether it came
/// from probing a namespace (issue 11: a namespace is never a server, whatever its health page names).
/// </summary>
internal interface IEndpointProbeStage
{
    Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation);
}

/// <summary>
/// What to probe: each server once, by its Exchange name, directly (connected to its FQDN, under its MAPI virtual
/// directory's URL, or https://FQDN/mapi when the directory has none), and each namespace its MAPI URLs use, through
/// DNS. A URL whose host is a server's name or FQDN is that server, not a namespace (issue 11).
/// </summary>
internal static class EndpointProbePlan
{
    public static IReadOnlyList<EndpointProbeRequest> From(ConfigurationRun run)
    {
        var requests = new List<EndpointProbeRequest>();
        var serverHosts = new HashSet<string>(run.Servers.SelectMany(s => new[] { s.Name, s.Fqdn }).Where(h => !string.IsNullOrEmpty(h)).Select(h => h!), StringComparer.OrdinalIgnoreCase);
        var planned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (ExchangeServerFacts server in run.Servers)
        {
            if (!planned.Add(server.Name))
            {
                continue;
            }

            MapiVirtualDirectoryFacts? directory = run.VirtualDirectories.FirstOrDefault(d => string.Equals(d.Server, server.Name, StringComparison.OrdinalIgnoreCase));
            string host = (server.Fqdn ?? server.Name).ToLowerInvariant();
            string? url = new[] { directory?.InternalUrl, directory?.ExternalUrl }.FirstOrDefault(u => Uri.TryCreate(u, UriKind.Absolute, out _));
            requests.Add(url is null
                ? new EndpointProbeRequest(new Uri(CheckText.MapiUrl(host)), server.Name, directory?.Identity, Methods(directory), false)
                : new EndpointProbeRequest(new Uri(url), server.Name, directory?.Identity, Methods(directory), false, host));
        }

        foreach (IGrouping<string, (string Host, MapiVirtualDirectoryFacts Directory, string Url)> ns in run.VirtualDirectories
            .SelectMany(d => new[] { d.InternalUrl, d.ExternalUrl }.Where(u => CheckText.HostOf(u) is not null).Select(u => (Host: CheckText.HostOf(u)!, Directory: d, Url: u!)))
            .Where(x => !serverHosts.Contains(x.Host) && Uri.TryCreate(x.Url, UriKind.Absolute, out _))
            .GroupBy(x => x.Host, StringComparer.OrdinalIgnoreCase))
        {
            (string _, MapiVirtualDirectoryFacts directory, string url) = ns.First();
            requests.Add(new EndpointProbeRequest(new Uri(url), null, directory.Identity, Methods(directory), true));
        }

        return requests;
    }

    /// <summary>The Skipped result of a request that cannot be probed (a snapshot run).</summary>
    public static MapiHttpEndpointResult NotProbed(EndpointProbeRequest request)
    {
        const string reason = "the endpoints are not probed from a snapshot (run Invoke-MapiHttpDiagnostic live, or Test-MapiHttpEndpoint, where the servers can be reached)";
        return new MapiHttpEndpointResult(
            "EndpointProbe", CheckStatus.Skipped, MapiHttpCause.None, request.Url.OriginalString, null, request.Server, request.Identity,
            null, null, false, $"{request.Url} ({(request.IsNamespace ? "namespace" : request.Server)}) was not probed: {reason}.", null, null);
    }

    private static IReadOnlyList<string> Methods(MapiVirtualDirectoryFacts? directory) =>
        directory is { IISAuthenticationMethods.Count: > 0 } ? directory.IISAuthenticationMethods : CheckText.DefaultMethods;
}

/// <summary>The endpoint probe of Test-MapiHttpEndpoint, run over the plan with the other vdirs' health pages.</summary>
internal sealed class ProbeEndpointStage : IEndpointProbeStage
{
    private readonly Probing.ProbeOptions _options;

    public ProbeEndpointStage(Probing.ProbeOptions options) => _options = options;

    /// <summary>
    /// Servers and namespaces in two concurrent probes, so each result is known to come from one or the other;
    /// progress is the sum of both.
    /// </summary>
    public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation)
    {
        var done = new int[2];
        var total = new int[2];
        var gate = new object();
        Task Probe(bool namespaces, int slot) => new Probing.EndpointProber(_options).ProbeAsync(
            Targets(requests.Where(r => r.IsNamespace == namespaces)),
            r => emit(r, namespaces),
            progress is null ? null : (d, t) =>
            {
                lock (gate)
                {
                    (done[slot], total[slot]) = (d, t);
                    progress(done[0] + done[1], total[0] + total[1]);
                }
            },
            cancellation);
        return Task.WhenAll(Probe(false, 0), Probe(true, 1));
    }

    private static Probing.ProbeTarget[] Targets(IEnumerable<EndpointProbeRequest> requests) =>
        requests.Select(r =>
        {
            bool fromDirectory = r.IisAuthenticationMethods.Count > 0;
            return new Probing.ProbeTarget(
                r.Url,
                r.Server,
                r.Identity,
                fromDirectory ? Probing.AuthenticationSchemes.Normalize(r.IisAuthenticationMethods) : Probing.AuthenticationSchemes.DefaultExpected,
                fromDirectory ? "IISAuthenticationMethods of the virtual directory" : "the default, Negotiate and NTLM",
                r.TargetAddress is null ? null : new[] { r.TargetAddress });
        }).ToArray();
}
