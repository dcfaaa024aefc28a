using System;
using System.Collections.Generic;
using System.Net;

namespace MapiHttpTools.Probing;

/// <summary>One URL to probe, with what is known about it from the virtual directory it came from.</summary>
internal sealed class ProbeTarget
{
    public ProbeTarget(Uri uri, string? server, string? identity, IReadOnlyList<string> expectedSchemes, string expectedSource, IReadOnlyList<string>? targetAddresses = null)
    {
        TargetAddresses = targetAddresses;
        Uri = uri;
        Server = server;
        Identity = identity;
        ExpectedSchemes = expectedSchemes;
        ExpectedSource = expectedSource;
    }

    public Uri Uri { get; }

    /// <summary>
    /// Addresses for this target alone (a server probed directly under the namespace URL); null falls back to
    /// ProbeOptions.TargetAddresses, then to DNS.
    /// </summary>
    public IReadOnlyList<string>? TargetAddresses { get; }

    public string? Server { get; }

    public string? Identity { get; }

    /// <summary>The HTTP schemes a 401 from /mapi must offer (Negotiate, NTLM, Bearer, Basic).</summary>
    public IReadOnlyList<string> ExpectedSchemes { get; }

    /// <summary>Where the expectation came from, for the message ("IISAuthenticationMethods of the virtual directory", ...).</summary>
    public string ExpectedSource { get; }

    /// <summary>The URL up to the vdir root, e.g. https://mail.contoso.com/ for https://mail.contoso.com/mapi.</summary>
    public string SiteRoot => Uri.GetLeftPart(UriPartial.Authority) + "/";
}

internal sealed class ProbeOptions
{
    /// <summary>Addresses to connect to instead of what the URL's host resolves to (SNI and Host keep the URL's host).</summary>
    public IReadOnlyList<string>? TargetAddresses { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public int CertificateExpiryWarningDays { get; init; } = 30;

    public bool SkipCertificateCheck { get; init; }

    public NetworkCredential? Credential { get; init; }

    public bool UseDefaultCredentials { get; init; }

    /// <summary>
    /// Send credentials over plain http or to a peer whose certificate was not validated (-SkipCertificateCheck).
    /// Off by default, as Invoke-WebRequest's switch of the same name (issue 20).
    /// </summary>
    public bool AllowUnencryptedAuthentication { get; init; }

    public int ThrottleLimit { get; init; } = 8;

    /// <summary>Other virtual directories whose healthcheck.htm to read as well (Invoke-MapiHttpDiagnostic).</summary>
    public IReadOnlyList<string> CompareVirtualDirectories { get; init; } = Array.Empty<string>();

    public IHostResolver Resolver { get; init; } = DnsHostResolver.Instance;
}

/// <summary>The steps of a probe, in order; the values are the results' Check names.</summary>
internal static class ProbeSteps
{
    public const string Dns = "Dns";
    public const string TcpConnect = "TcpConnect";
    public const string Tls = "Tls";
    public const string HealthCheck = "HealthCheck";
    public const string EmsmdbAnonymous = "EmsmdbAnonymous";
    public const string NspiAnonymous = "NspiAnonymous";
    public const string EmsmdbPing = "EmsmdbPing";
    public const string NspiPing = "NspiPing";

    /// <summary>The virtual directories whose health pages tell a MAPI-only failure from a front-end-wide one.</summary>
    public static readonly IReadOnlyList<string> OtherVirtualDirectories = new[] { "owa", "ews", "Microsoft-Server-ActiveSync", "oab", "autodiscover" };

    public static string HealthCheckOf(string vdir) => HealthCheck + ":" + vdir;
}
