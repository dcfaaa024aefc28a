using System.Collections.Generic;
using MapiHttpTools.ClientProtocols;

namespace MapiHttpTools;

/// <summary>The client protocols Test-ExchangeClientProtocol tests beside MAPI/HTTP (issue 16).</summary>
public enum ExchangeClientProtocol
{
    Imap4,
    Pop3,
}

/// <summary>
/// One step of an IMAP4/POP3 probe at one address (DNS, TCP, TLS, greeting, capabilities, login), or one Exchange-side
/// fact behind the protocol (settings, service, component state, mailbox setting).
/// </summary>
public sealed class ExchangeClientProtocolResult : MapiHttpResult
{
    internal ExchangeClientProtocolResult(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        ExchangeClientProtocol protocol,
        string? target,
        string? address,
        string? server,
        MailSecurity? security,
        double? latencyMs,
        bool certificateCheckSkipped,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence)
        : base(check, status, cause, target, server, message, recommendation, evidence)
    {
        Protocol = protocol;
        Address = address;
        Security = security;
        LatencyMs = latencyMs;
        CertificateCheckSkipped = certificateCheckSkipped;
    }

    /// <summary>Imap4 or Pop3.</summary>
    public ExchangeClientProtocol Protocol { get; }

    /// <summary>The address connected to (a resolved IP or -TargetAddress); empty for DNS and Exchange-side rows.</summary>
    public string? Address { get; }

    /// <summary>Tls (implicit, 993/995) or StartTls (143/110); empty for Exchange-side rows.</summary>
    public MailSecurity? Security { get; }

    /// <summary>How long the step took, in milliseconds.</summary>
    public double? LatencyMs { get; }

    /// <summary>True when -SkipCertificateCheck turned certificate validation off.</summary>
    public bool CertificateCheckSkipped { get; }
}
