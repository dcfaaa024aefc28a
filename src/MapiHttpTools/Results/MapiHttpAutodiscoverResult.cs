using System.Collections.Generic;

namespace MapiHttpTools;

/// <summary>
/// One step of Test-MapiHttpAutodiscover (issue 14): a hop's DNS, TCP, TLS, challenge or POX request, a redirect, or
/// the judgement of the mapiHttp block Outlook was given. Target is the Autodiscover URL of the hop.
/// </summary>
public sealed class MapiHttpAutodiscoverResult : MapiHttpResult
{
    internal MapiHttpAutodiscoverResult(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        string emailAddress,
        string uri,
        int hop,
        string? address,
        string? server,
        int? statusCode,
        bool certificateCheckSkipped,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence)
        : base(check, status, cause, uri, server, message, recommendation, evidence)
    {
        EmailAddress = emailAddress;
        Uri = uri;
        Hop = hop;
        Address = address;
        StatusCode = statusCode;
        CertificateCheckSkipped = certificateCheckSkipped;
    }

    /// <summary>The address Autodiscover was asked about at this hop (changes after a redirectAddr).</summary>
    public string EmailAddress { get; }

    /// <summary>The Autodiscover URL of this hop.</summary>
    public string Uri { get; }

    /// <summary>1 for the candidate URL itself, 2 and up for each redirect followed.</summary>
    public int Hop { get; }

    /// <summary>The address connected to (a resolved IP or -TargetAddress); empty for steps without a connection.</summary>
    public string? Address { get; }

    /// <summary>The HTTP status of the step's response, for HTTP steps.</summary>
    public int? StatusCode { get; }

    /// <summary>The mapiHttp block's MailStore InternalUrl (the MapiHttp step only).</summary>
    public string? MailStoreInternalUrl { get; internal set; }

    /// <summary>The mapiHttp block's MailStore ExternalUrl (the MapiHttp step only).</summary>
    public string? MailStoreExternalUrl { get; internal set; }

    /// <summary>The mapiHttp block's AddressBook InternalUrl (the MapiHttp step only).</summary>
    public string? AddressBookInternalUrl { get; internal set; }

    /// <summary>The mapiHttp block's AddressBook ExternalUrl (the MapiHttp step only).</summary>
    public string? AddressBookExternalUrl { get; internal set; }

    /// <summary>The other protocol blocks of the answer (EXCH, EXPR, WEB), in order (the MapiHttp step only).</summary>
    public string[] OtherProtocols { get; internal set; } = System.Array.Empty<string>();

    /// <summary>True when -SkipCertificateCheck turned certificate validation off.</summary>
    public bool CertificateCheckSkipped { get; }
}
