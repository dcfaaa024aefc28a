using System.Collections.Generic;

namespace MapiHttpTools;

/// <summary>One hop of the MAPI/HTTP path to one URL at one address (DNS, TCP, TLS, health check, endpoints).</summary>
public sealed class MapiHttpEndpointResult : MapiHttpResult
{
    internal MapiHttpEndpointResult(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        string uri,
        string? address,
        string? server,
        string? identity,
        double? latencyMs,
        int? statusCode,
        bool certificateCheckSkipped,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence)
        : base(check, status, cause, uri, server, message, recommendation, evidence)
    {
        Uri = uri;
        Address = address;
        Identity = identity;
        LatencyMs = latencyMs;
        StatusCode = statusCode;
        CertificateCheckSkipped = certificateCheckSkipped;
    }

    /// <summary>The URL that was tested (the virtual directory URL or -Uri).</summary>
    public string Uri { get; }

    /// <summary>The address the probe connected to (a resolved IP or -TargetAddress); empty for the DNS step.</summary>
    public string? Address { get; }

    /// <summary>The virtual directory's Identity when the URL came from Get-MapiVirtualDirectory.</summary>
    public string? Identity { get; }

    /// <summary>How long the step took, in milliseconds.</summary>
    public double? LatencyMs { get; }

    /// <summary>The HTTP status code of the step's response, for HTTP steps.</summary>
    public int? StatusCode { get; }

    /// <summary>True when -SkipCertificateCheck turned certificate validation off for this probe.</summary>
    public bool CertificateCheckSkipped { get; }
}
