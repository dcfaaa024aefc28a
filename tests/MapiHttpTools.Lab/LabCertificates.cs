using System;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace MapiHttpTools.Lab;

/// <summary>
/// One lab PKI: a root CA and the server certificates the faults need, all RSA 2048 / SHA-256.
/// The root's private key lives only in this object (never written to a store), so a root left trusted by a
/// crashed run cannot be used to issue anything.
/// </summary>
public sealed class LabCertificates : IDisposable
{
    public const string RootSubject = "CN=MapiHttpTools Lab Root CA, O=MapiHttpTools Lab";

    /// <summary>The names every good lab certificate carries (the SAN list of an Exchange namespace certificate).</summary>
    public static readonly string[] ServiceNames = { "mail.contoso.lab", "autodiscover.contoso.lab", "localhost" };

    public const string WrongHostName = "wrong.contoso.lab";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly object _trustGate = new();
    private X509Certificate2? _trustedCopy;
    private bool _disposed;

    private LabCertificates(X509Certificate2 rootCa, X509Certificate2 valid, X509Certificate2 expired, X509Certificate2 wrongName, X509Certificate2 untrusted, X509Certificate2 expiringSoon, X509Certificate2 notYetValid, X509Certificate2 weakKey)
    {
        NotYetValid = notYetValid;
        WeakKey = weakKey;
        RootCa = rootCa;
        Valid = valid;
        Expired = expired;
        WrongName = wrongName;
        Untrusted = untrusted;
        ExpiringSoon = expiringSoon;
    }

    /// <summary>The lab root, public part only: what a client trusts.</summary>
    public X509Certificate2 RootCa { get; }

    /// <summary>SAN mail.contoso.lab, autodiscover.contoso.lab, localhost, IP 127.0.0.1; issued by <see cref="RootCa"/>; valid now-1d..now+1y.</summary>
    public X509Certificate2 Valid { get; }

    /// <summary>Same names, issued by <see cref="RootCa"/>, expired yesterday.</summary>
    public X509Certificate2 Expired { get; }

    /// <summary>SAN only wrong.contoso.lab, issued by <see cref="RootCa"/>.</summary>
    public X509Certificate2 WrongName { get; }

    /// <summary>Same names as <see cref="Valid"/> but self-signed (no chain to <see cref="RootCa"/>).</summary>
    public X509Certificate2 Untrusted { get; }

    /// <summary>Same names, issued by <see cref="RootCa"/>, expires in 10 days.</summary>
    public X509Certificate2 ExpiringSoon { get; }

    /// <summary>Same names, issued by <see cref="RootCa"/>, valid only from tomorrow.</summary>
    public X509Certificate2 NotYetValid { get; }

    /// <summary>Same names, issued by <see cref="RootCa"/>, with an RSA 1024 key.</summary>
    public X509Certificate2 WeakKey { get; }

    /// <summary>True while this instance has its root in the CurrentUser Root store.</summary>
    public bool IsRootTrusted
    {
        get
        {
            lock (_trustGate)
            {
                return _trustedCopy is not null;
            }
        }
    }

    public static LabCertificates Create()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using RSA rootKey = RSA.Create(2048);
        var rootRequest = new CertificateRequest(RootSubject, rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using X509Certificate2 rootWithKey = rootRequest.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));

        // One key pair for the leaves keeps Create() fast (key generation dominates); each certificate is distinct.
        using RSA leafKey = RSA.Create(2048);
        X509Certificate2 valid = IssueLeaf(leafKey, rootWithKey, "CN=mail.contoso.lab", ServiceNames, true, now.AddDays(-1), now.AddYears(1));
        X509Certificate2 expired = IssueLeaf(leafKey, rootWithKey, "CN=mail.contoso.lab", ServiceNames, true, now.AddYears(-1), now.AddDays(-1));
        X509Certificate2 wrongName = IssueLeaf(leafKey, rootWithKey, "CN=" + WrongHostName, new[] { WrongHostName }, false, now.AddDays(-1), now.AddYears(1));
        X509Certificate2 untrusted = IssueLeaf(leafKey, null, "CN=mail.contoso.lab", ServiceNames, true, now.AddDays(-1), now.AddYears(1));
        X509Certificate2 expiringSoon = IssueLeaf(leafKey, rootWithKey, "CN=mail.contoso.lab", ServiceNames, true, now.AddDays(-1), now.AddDays(10));
        X509Certificate2 notYetValid = IssueLeaf(leafKey, rootWithKey, "CN=mail.contoso.lab", ServiceNames, true, now.AddDays(1), now.AddYears(1));
        using RSA weakKey = RSA.Create(1024);
        X509Certificate2 weak = IssueLeaf(weakKey, rootWithKey, "CN=mail.contoso.lab", ServiceNames, true, now.AddDays(-1), now.AddYears(1));
        X509Certificate2 rootPublic = X509CertificateLoader.LoadCertificate(rootWithKey.RawData);
        return new LabCertificates(rootPublic, valid, expired, wrongName, untrusted, expiringSoon, notYetValid, weak);
    }

    /// <summary>
    /// Adds <see cref="RootCa"/> (public part) to the CurrentUser Root store, so default .NET chain validation
    /// (SslStream, HttpClient) trusts the lab certificates. On Linux that store is
    /// ~/.dotnet/corefx/cryptography/x509stores/root and .NET honours it for chain building.
    /// Idempotent; throws if the platform does not honour the store.
    /// </summary>
    public void TrustRoot()
    {
        lock (_trustGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_trustedCopy is not null)
            {
                return;
            }

            X509Certificate2 copy = X509CertificateLoader.LoadCertificate(RootCa.RawData);
            using (var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser))
            {
                store.Open(OpenFlags.ReadWrite);
                store.Add(copy);
            }

            _trustedCopy = copy;

            // The platform may cache the store briefly; wait (bounded) until a default chain trusts the root.
            var clock = Stopwatch.StartNew();
            while (!ChainsWithDefaultTrust(Valid))
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(5))
                {
                    throw new InvalidOperationException("The lab root CA was added to the CurrentUser Root store but chain building on this platform does not trust it.");
                }

                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Removes the root from the CurrentUser Root store again if <see cref="TrustRoot"/> put it there.</summary>
    public void UntrustRoot()
    {
        lock (_trustGate)
        {
            if (_trustedCopy is null)
            {
                return;
            }

            using (var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser))
            {
                store.Open(OpenFlags.ReadWrite);
                store.Remove(_trustedCopy);
            }

            _trustedCopy.Dispose();
            _trustedCopy = null;
        }
    }

    /// <summary>
    /// Validates <paramref name="certificate"/> against <see cref="RootCa"/> only (custom root trust, no machine
    /// roots, no revocation), as a client that trusts the lab PKI would. Returns the chain status flags (NoError when good).
    /// </summary>
    public X509ChainStatusFlags ValidateChain(X509Certificate2 certificate, DateTime? verificationTime = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(RootCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ServerAuthentication);
        if (verificationTime is { } time)
        {
            chain.ChainPolicy.VerificationTime = time;
        }

        chain.Build(certificate);
        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in chain.ChainStatus)
        {
            flags |= status.Status;
        }

        return flags;
    }

    public void Dispose()
    {
        lock (_trustGate)
        {
            if (_disposed)
            {
                return;
            }

            UntrustRoot();
            _disposed = true;
        }

        RootCa.Dispose();
        Valid.Dispose();
        Expired.Dispose();
        WrongName.Dispose();
        Untrusted.Dispose();
        ExpiringSoon.Dispose();
        NotYetValid.Dispose();
        WeakKey.Dispose();
    }

    private static bool ChainsWithDefaultTrust(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private static X509Certificate2 IssueLeaf(RSA key, X509Certificate2? issuer, string subject, string[] dnsNames, bool withLoopbackIp, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in dnsNames)
        {
            san.AddDnsName(name);
        }

        if (withLoopbackIp)
        {
            san.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { ServerAuthentication }, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        byte[] serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;

        X509Certificate2 created;
        if (issuer is null)
        {
            created = request.CreateSelfSigned(notBefore, notAfter);
        }
        else
        {
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
            using X509Certificate2 publicOnly = request.Create(issuer, notBefore, notAfter, serial);
            created = publicOnly.CopyWithPrivateKey(key);
        }

        // Round-trip through PKCS#12 so the key is usable by SslStream as a server key on every platform
        // (Windows SChannel refuses ephemeral keys).
        using (created)
        {
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        }
    }
}
