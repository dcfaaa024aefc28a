using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>
/// Namespaces: servers of one site behind one load-balanced name use the same MAPI URL host, and the MAPI URLs use
/// the names Outlook Anywhere publishes (the certificate and the load balancer are built for those names).
/// </summary>
internal static class NamespaceChecks
{
    /// <summary>
    /// Per site and URL property: when most servers share a host (a namespace), a server using another one is a
    /// warning. Sites whose servers each use their own name have no shared namespace and pass.
    /// </summary>
    public static IEnumerable<MapiHttpConfigurationResult> Consistency(IReadOnlyList<ExchangeServerFacts> servers, IReadOnlyList<MapiVirtualDirectoryFacts> directories)
    {
        var siteOf = servers.ToDictionary(s => s.Name, s => s.Site ?? "(no site)", StringComparer.OrdinalIgnoreCase);
        foreach (IGrouping<string, MapiVirtualDirectoryFacts> site in directories.GroupBy(d => siteOf.TryGetValue(d.Server, out string? s) ? s : "(no site)", StringComparer.OrdinalIgnoreCase))
        {
            if (site.Select(d => d.Server).Distinct(StringComparer.OrdinalIgnoreCase).Count() < 2)
            {
                continue;
            }

            foreach (string property in new[] { "InternalUrl", "ExternalUrl" })
            {
                var hosts = site
                    .Select(d => (Directory: d, Host: CheckText.HostOf(property == "InternalUrl" ? d.InternalUrl : d.ExternalUrl)))
                    .Where(x => x.Host is not null)
                    .ToArray();
                if (hosts.Length < 2)
                {
                    continue;
                }

                var counts = hosts.GroupBy(x => x.Host!).Select(g => (Host: g.Key, Count: g.Count())).OrderByDescending(g => g.Count).ToArray();
                bool hasNamespace = counts[0].Count > 1 && (counts.Length == 1 || counts[0].Count > counts[1].Count);
                if (!hasNamespace)
                {
                    yield return new ConfigurationFinding(ConfigurationCheckNames.NamespaceConsistency, ConfigurationArea.Namespace, CheckStatus.Pass, MapiHttpCause.None,
                        $"The servers of site {site.Key} use their own {property} host names ({string.Join(", ", counts.Select(c => c.Host))}); there is no shared namespace to compare with.")
                    {
                        Target = site.Key,
                        Property = property,
                        Evidence = CheckText.Evidence(("Site", site.Key), ("Hosts", hosts.Select(h => $"{h.Directory.Server}={h.Host}").ToArray())),
                    }.ToResult();
                    continue;
                }

                string ns = counts[0].Host;
                string[] onNamespace = hosts.Where(h => h.Host == ns).Select(h => h.Directory.Server).ToArray();
                foreach ((MapiVirtualDirectoryFacts directory, string? host) in hosts)
                {
                    var finding = new ConfigurationFinding(ConfigurationCheckNames.NamespaceConsistency, ConfigurationArea.Namespace, CheckStatus.Pass, MapiHttpCause.None,
                        $"{property} of {directory.Identity} uses the site namespace {ns}.")
                    {
                        Server = directory.Server,
                        Identity = directory.Identity,
                        Target = host,
                        Property = property,
                        Value = host,
                        ExpectedValue = ns,
                        Evidence = CheckText.Evidence(("Site", site.Key), ("Namespace", ns), ("ServersOnNamespace", onNamespace)),
                    };
                    yield return host == ns
                        ? finding.ToResult()
                        : (finding with
                        {
                            Status = CheckStatus.Warning,
                            Cause = MapiHttpCause.VirtualDirectory,
                            Message = $"{property} of {directory.Identity} uses {host}, while {string.Join(", ", onNamespace)} in site {site.Key} use {ns}: clients of this server bypass the load-balanced namespace.",
                            Recommendation = VirtualDirectoryChecks.SetUrl(directory, property, CheckText.MapiUrl(ns)),
                        }).ToResult();
                }
            }
        }
    }

    /// <summary>The MAPI URL hosts against Outlook Anywhere's InternalHostname and ExternalHostname of the same server.</summary>
    public static IEnumerable<MapiHttpConfigurationResult> VersusOutlookAnywhere(MapiVirtualDirectoryFacts directory, IReadOnlyList<OutlookAnywhereFacts> outlookAnywhere)
    {
        OutlookAnywhereFacts? rpc = outlookAnywhere.FirstOrDefault();
        if (rpc is null)
        {
            yield break;
        }

        foreach ((string property, string? url, string oaProperty, string? oaHost) in new[]
        {
            ("InternalUrl", directory.InternalUrl, "InternalHostname", rpc.InternalHostname),
            ("ExternalUrl", directory.ExternalUrl, "ExternalHostname", rpc.ExternalHostname),
        })
        {
            string? mapiHost = CheckText.HostOf(url);
            if (mapiHost is null || string.IsNullOrEmpty(oaHost))
            {
                continue;
            }

            string rpcHost = oaHost!.ToLowerInvariant();
            var finding = new ConfigurationFinding(ConfigurationCheckNames.OutlookAnywhereNamespace, ConfigurationArea.Namespace, CheckStatus.Pass, MapiHttpCause.None,
                $"{property} of {directory.Identity} uses {mapiHost}, the Outlook Anywhere {oaProperty}.")
            {
                Server = directory.Server,
                Identity = directory.Identity,
                Target = mapiHost,
                Property = property,
                Value = mapiHost,
                ExpectedValue = rpcHost,
                Evidence = CheckText.Evidence(("MapiHost", mapiHost), ("OutlookAnywhere", rpc.Identity), (oaProperty, rpcHost)),
            };
            yield return mapiHost == rpcHost
                ? finding.ToResult()
                : (finding with
                {
                    Status = CheckStatus.Warning,
                    Cause = MapiHttpCause.VirtualDirectory,
                    Message = $"{property} of {directory.Identity} uses {mapiHost} but Outlook Anywhere ({rpc.Identity}) publishes {rpcHost}: Outlook switches names when it moves between RPC/HTTP and MAPI/HTTP, and the certificate and load balancer must serve both.",
                    Recommendation = VirtualDirectoryChecks.SetUrl(directory, property, CheckText.MapiUrl(rpcHost)),
                }).ToResult();
        }
    }
}
