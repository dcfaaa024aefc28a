using System;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MapiHttpTools.Lab;

/// <summary>
/// The lab's own PKI: a root CA and the server certificates each certificate fault needs. Everything is made in
/// memory per run; only the root's public part is ever added to a trust store (TrustRoot), and Dispose takes it out.
/// </summary>
public sealed class LabCertificates : IDisposable
{
    public const string RootSubject = "CN=MapiHttpTools Lab Root CA, O=MapiHttpTools Lab";
    public static readonly string[] LabNames = { "mail.contoso.lab", "autodiscover.contoso.lab", "localhost" };

    private bool _trusted;

    private LabCertificates(X509Certificate2 root, RSA rootKey)
    {
        RootCa = root;
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Valid = Issue("CN=mail.contoso.lab", LabNames, now.AddDays(-1), now.AddYears(1), rootKey);
        Expired = Issue("CN=mail.contoso.lab", LabNames, now.AddYears(-2), now.AddDays(-3), rootKey);
        WrongName = Issue("CN=wrong.contoso.lab", new[] { "wrong.contoso.lab" }, now.AddDays(-1), now.AddYears(1), rootKey);
        ExpiringSoon = Issue("CN=mail.contoso.lab", LabNames, now.AddDays(-300), now.AddDays(10), rootKey);
        Untrusted = SelfSigned("CN=mail.contoso.lab", LabNames, now.AddDays(-1), now.AddYears(1));
    }

    public X509Certificate2 RootCa { get; }

    /// <summary>mail.contoso.lab, autodiscover.contoso.lab, localhost, 127.0.0.1; issued by RootCa; a year valid.</summary>
    public X509Certificate2 Valid { get; }

    public X509Certificate2 Expired { get; }

    public X509Certificate2 WrongName { get; }

    /// <summary>Same names as Valid but self-signed: not chained to RootCa.</summary>
    public X509Certificate2 Untrusted { get; }

    /// <summary>Valid, but expiring in 10 days.</summary>
    public X509Certificate2 ExpiringSoon { get; }

    public static LabCertificates Create()
    {
        using RSA rootKey = RSA.Create(2048);
        var request = new CertificateRequest(RootSubject, rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 root = request.CreateSelfSigned(now.AddYears(-3), now.AddYears(3));
        return new LabCertificates(Reload(root), rootKey);
    }

    /// <summary>
    /// Adds the root CA (public part only) to the current user's trusted roots so that real chain validation
    /// trusts the lab's certificates. On Linux this is .NET's per-user store; stale lab roots are removed first.
    /// </summary>
    public void TrustRoot()
    {
        using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        foreach (X509Certificate2 stale in store.Certificates.Find(X509FindType.FindBySubjectDistinguishedName, RootSubject, false))
        {
            store.Remove(stale);
        }

        using X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(RootCa.RawData);
        store.Add(publicOnly);
        _trusted = true;
    }

    public void Dispose()
    {
        if (_trusted)
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            foreach (X509Certificate2 mine in store.Certificates.Find(X509FindType.FindByThumbprint, RootCa.Thumbprint, false))
            {
                store.Remove(mine);
            }

            _trusted = false;
        }
    }

    private X509Certificate2 Issue(string subject, string[] names, DateTimeOffset notBefore, DateTimeOffset notAfter, RSA issuerKey)
    {
        using RSA key = RSA.Create(2048);
        CertificateRequest request = LeafRequest(subject, names, key);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(RootCa, true, false));
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using X509Certificate2 issued = request.Create(RootCa.SubjectName, X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pkcs1), notBefore, notAfter, serial);
        using X509Certificate2 withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    private static X509Certificate2 SelfSigned(string subject, string[] names, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = LeafRequest(subject, names, key).CreateSelfSigned(notBefore, notAfter);
        return Reload(cert);
    }

    private static CertificateRequest LeafRequest(string subject, string[] names, RSA key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            san.AddDnsName(name);
        }

        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        return request;
    }

    // A PFX round trip gives a certificate whose private key every platform's TLS stack can use.
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
}
