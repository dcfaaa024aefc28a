using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Probing;

/// <summary>A MAPI virtual directory as Invoke-MapiHttpDiagnostic knows it: its server, URLs and IIS methods.</summary>
internal sealed class VirtualDirectoryEndpoint
{
    public VirtualDirectoryEndpoint(string server, string? serverFqdn, string? identity, Uri? internalUrl, Uri? externalUrl, IReadOnlyList<string> authenticationMethods)
    {
        Server = server;
        ServerFqdn = serverFqdn;
        Identity = identity;
        InternalUrl = internalUrl;
        ExternalUrl = externalUrl;
        AuthenticationMethods = authenticationMethods;
    }

    public string Server { get; }

    /// <summary>The address the server is reached at directly (its FQDN, or an IP address).</summary>
    public string? ServerFqdn { get; }

    public string? Identity { get; }

    public Uri? InternalUrl { get; }

    public Uri? ExternalUrl { get; }

    public IReadOnlyList<string> AuthenticationMethods { get; }
}

/// <summary>
/// What Invoke-MapiHttpDiagnostic probes (issue #4): each server directly under its own MAPI URL (the URL's host in
/// SNI and Host, the connection to the server), and each namespace once through DNS (the path Outlook takes: load
/// balancer, proxies). The health pages of the other virtual directories are read as well, so that a MAPI-only
/// failure is told from a front-end-wide one.
/// </summary>
internal static class DiagnosticProbePlan
{
    public static IReadOnlyList<ProbeTarget> Build(IEnumerable<VirtualDirectoryEndpoint> virtualDirectories, bool includeNamespaces = true)
    {
        var targets = new List<ProbeTarget>();
        var namespaces = new Dictionary<string, ProbeTarget>(StringComparer.OrdinalIgnoreCase);
        foreach (VirtualDirectoryEndpoint vdir in virtualDirectories)
        {
            IReadOnlyList<string> expected = vdir.AuthenticationMethods.Count > 0
                ? AuthenticationSchemes.Normalize(vdir.AuthenticationMethods)
                : AuthenticationSchemes.DefaultExpected;
            string source = vdir.AuthenticationMethods.Count > 0 ? "IISAuthenticationMethods of the virtual directory" : "the default, Negotiate and NTLM";
            Uri? direct = vdir.InternalUrl ?? vdir.ExternalUrl;
            if (direct is not null)
            {
                targets.Add(new ProbeTarget(direct, vdir.Server, vdir.Identity, expected, source, new[] { vdir.ServerFqdn ?? vdir.Server }));
            }

            if (!includeNamespaces)
            {
                continue;
            }

            foreach (Uri? url in new[] { vdir.InternalUrl, vdir.ExternalUrl })
            {
                if (url is not null && !namespaces.ContainsKey(url.GetLeftPart(UriPartial.Authority)))
                {
                    namespaces[url.GetLeftPart(UriPartial.Authority)] = new ProbeTarget(url, null, null, expected, source);
                }
            }
        }

        targets.AddRange(namespaces.Values);
        return targets;
    }
}
