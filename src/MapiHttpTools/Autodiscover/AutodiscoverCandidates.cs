using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Autodiscover;

/// <summary>How a candidate URL was found: the order in which Outlook tries them (issue 14).</summary>
internal enum CandidateMethod
{
    /// <summary>-Uri.</summary>
    Given,

    /// <summary>The service connection point in Active Directory (Get-ClientAccessService AutoDiscoverServiceInternalUri).</summary>
    Scp,

    /// <summary>https://&lt;domain&gt;/autodiscover/autodiscover.xml.</summary>
    Domain,

    /// <summary>https://autodiscover.&lt;domain&gt;/autodiscover/autodiscover.xml.</summary>
    AutodiscoverHost,

    /// <summary>GET http://autodiscover.&lt;domain&gt;/autodiscover/autodiscover.xml, following the redirect to https.</summary>
    HttpRedirect,

    /// <summary>The _autodiscover._tcp.&lt;domain&gt; SRV record.</summary>
    SrvRecord,
}

/// <summary>One URL to ask, and how it was found.</summary>
internal sealed record AutodiscoverCandidate(Uri Uri, CandidateMethod Method);

/// <summary>The URLs Outlook tries for an address, in its order (SCP first on domain-joined machines, then DNS).</summary>
internal static class AutodiscoverCandidates
{
    public const string Path = "/autodiscover/autodiscover.xml";

    /// <summary>The domain of an SMTP address, or null when it has none.</summary>
    public static string? DomainOf(string emailAddress)
    {
        int at = emailAddress.LastIndexOf('@');
        string domain = at < 0 ? string.Empty : emailAddress.Substring(at + 1).Trim().TrimEnd('.');
        return domain.Length == 0 || Uri.CheckHostName(domain) != UriHostNameType.Dns ? null : domain;
    }

    public static IReadOnlyList<AutodiscoverCandidate> For(string domain, IEnumerable<string> scpUrls)
    {
        var candidates = new List<AutodiscoverCandidate>();
        foreach (string scp in scpUrls)
        {
            if (Uri.TryCreate(scp.Trim(), UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) &&
                candidates.All(c => !c.Uri.Equals(uri)))
            {
                candidates.Add(new AutodiscoverCandidate(uri, CandidateMethod.Scp));
            }
        }

        Add(candidates, $"https://{domain}{Path}", CandidateMethod.Domain);
        Add(candidates, $"https://autodiscover.{domain}{Path}", CandidateMethod.AutodiscoverHost);
        Add(candidates, $"http://autodiscover.{domain}{Path}", CandidateMethod.HttpRedirect);
        Add(candidates, $"https://_autodiscover._tcp.{domain}{Path}", CandidateMethod.SrvRecord);
        return candidates;
    }

    /// <summary>
    /// A domain near the 255-byte limit makes "autodiscover.&lt;domain&gt;" or "_autodiscover._tcp.&lt;domain&gt;" longer
    /// than any host name can be: no client can ask that candidate, so it is left out rather than failing the run.
    /// </summary>
    private static void Add(List<AutodiscoverCandidate> candidates, string url, CandidateMethod method)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out Uri? uri))
        {
            candidates.Add(new AutodiscoverCandidate(uri, method));
        }
    }
}
