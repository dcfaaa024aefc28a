using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Probing;

/// <summary>
/// The evidence of one TLS handshake (protocol, the served certificate's names, dates, key, validation state), shared
/// by the MAPI/HTTP probe and the IMAP4/POP3 probe (issue 16) so both show the same keys. Certificate text is the
/// server's: escaped (issue 20).
/// </summary>
internal static class TlsEvidence
{
    public static Dictionary<string, object?> Of(TlsOutcome outcome, string sniHost, bool skipCertificateCheck)
    {
        var evidence = new Dictionary<string, object?> { ["SniHost"] = sniHost };
        if (outcome.Stream is not null)
        {
            evidence["TlsProtocol"] = outcome.Protocol.ToString();
        }

        if (outcome.Certificate is { } cert)
        {
            evidence["CertificateSubject"] = DisplayText.Safe(cert.Subject);
            evidence["CertificateIssuer"] = DisplayText.Safe(cert.Issuer);
            evidence["CertificateThumbprint"] = cert.Thumbprint;
            evidence["CertificateNotBefore"] = cert.NotBefore;
            evidence["CertificateNotAfter"] = cert.NotAfter;
            evidence["CertificateDnsNames"] = cert.DnsNames.Select(n => DisplayText.Safe(n)).ToArray();
            evidence["KeyAlgorithm"] = cert.KeyAlgorithm;
            evidence["KeySize"] = cert.KeySize;
            evidence["PolicyErrors"] = cert.PolicyErrors.ToString();
            evidence["ChainStatus"] = cert.ChainStatus.ToString();
        }

        if (skipCertificateCheck)
        {
            evidence["CertificateValidation"] = "Skipped (-SkipCertificateCheck)";
        }

        if (outcome.Error is not null && outcome.Stream is null)
        {
            evidence["Error"] = DisplayText.Safe(ProbeTransport.Describe(outcome.Error));
        }

        return evidence;
    }
}
