using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MapiHttpTools.Probing;

/// <summary>
/// What the TLS handshake showed about the certificate IIS really serves (docs/design.md: the truth for "does the
/// certificate cover the URL"), captured inside the validation callback.
/// </summary>
internal sealed class CertificateFacts
{
    internal CertificateFacts(X509Certificate2 certificate, SslPolicyErrors errors, X509ChainStatusFlags chainStatus)
    {
        Subject = certificate.Subject;
        Issuer = certificate.Issuer;
        Thumbprint = certificate.Thumbprint;
        NotBefore = certificate.NotBefore.ToUniversalTime();
        NotAfter = certificate.NotAfter.ToUniversalTime();
        DnsNames = ReadDnsNames(certificate);
        KeyAlgorithm = certificate.GetRSAPublicKey() is { } rsa ? "RSA" : certificate.GetECDsaPublicKey() is not null ? "ECDSA" : certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value;
        KeySize = certificate.GetRSAPublicKey()?.KeySize ?? certificate.GetECDsaPublicKey()?.KeySize ?? 0;
        PolicyErrors = errors;
        ChainStatus = chainStatus;
    }

    public string Subject { get; }

    public string Issuer { get; }

    public string Thumbprint { get; }

    public DateTime NotBefore { get; }

    public DateTime NotAfter { get; }

    public IReadOnlyList<string> DnsNames { get; }

    public string KeyAlgorithm { get; }

    public int KeySize { get; }

    public SslPolicyErrors PolicyErrors { get; }

    public X509ChainStatusFlags ChainStatus { get; }

    public bool NameMismatch => (PolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0;

    /// <summary>Chain errors other than time validity: untrusted root, partial chain, revoked, bad signature.</summary>
    public bool Untrusted =>
        (PolicyErrors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 &&
        (ChainStatus & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation)) != 0;

    public static CertificateFacts Capture(X509Certificate certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        using var copy = new X509Certificate2(certificate);
        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        if (chain is not null)
        {
            foreach (X509ChainStatus status in chain.ChainStatus)
            {
                flags |= status.Status;
            }
        }

        return new CertificateFacts(copy, errors, flags);
    }

    /// <summary>True when <paramref name="host"/> is covered by the certificate's DNS names (one-label wildcards).</summary>
    public bool Covers(string host) => DnsNames.Any(name => NameMatches(name, host));

    internal static bool NameMatches(string pattern, string host)
    {
        if (string.Equals(pattern, host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            int dot = host.IndexOf('.');
            return dot > 0 && string.Equals(pattern.Substring(1), host.Substring(dot), StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }

    /// <summary>
    /// DNS and IP names from the Subject Alternative Name extension (2.5.29.17), read from its DER so the result
    /// does not depend on the platform's text formatting of the extension; falls back to the subject CN.
    /// </summary>
    internal static IReadOnlyList<string> ReadDnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension.Oid?.Value == "2.5.29.17")
            {
                names.AddRange(ParseGeneralNames(extension.RawData));
            }
        }

        if (names.Count == 0)
        {
            string cn = certificate.GetNameInfo(X509NameType.DnsName, false);
            if (!string.IsNullOrEmpty(cn))
            {
                names.Add(cn);
            }
        }

        return names;
    }

    internal static IEnumerable<string> ParseGeneralNames(byte[] der)
    {
        var names = new List<string>();
        int offset = 0;
        if (!TryReadHeader(der, ref offset, out byte tag, out int length) || tag != 0x30)
        {
            return names;
        }

        int end = Math.Min(der.Length, offset + length);
        while (offset < end && TryReadHeader(der, ref offset, out tag, out length) && offset + length <= end)
        {
            if (tag == 0x82)
            {
                names.Add(System.Text.Encoding.ASCII.GetString(der, offset, length));
            }
            else if (tag == 0x87 && (length == 4 || length == 16))
            {
                var bytes = new byte[length];
                Buffer.BlockCopy(der, offset, bytes, 0, length);
                names.Add(new IPAddress(bytes).ToString());
            }

            offset += length;
        }

        return names;
    }

    private static bool TryReadHeader(byte[] der, ref int offset, out byte tag, out int length)
    {
        tag = 0;
        length = 0;
        if (offset + 2 > der.Length)
        {
            return false;
        }

        tag = der[offset++];
        int first = der[offset++];
        if (first < 0x80)
        {
            length = first;
            return true;
        }

        int count = first & 0x7F;
        if (count == 0 || count > 3 || offset + count > der.Length)
        {
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            length = (length << 8) | der[offset++];
        }

        return true;
    }
}
