using System;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>
/// Issue 19: what the handshake's certificate says, read from real certificates (RSA 1024/2048, ECDSA P-256, with and
/// without a SAN) and from the DER of the Subject Alternative Name as certificates carry it, including its edge cases.
/// </summary>
public sealed class CertificateFactsTests
{
    private static X509Certificate2 SelfSigned(AsymmetricAlgorithm key, string subject, Action<SubjectAlternativeNameBuilder>? names)
    {
        CertificateRequest request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or ECDSA", nameof(key)),
        };
        if (names is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            names(san);
            request.CertificateExtensions.Add(san.Build());
        }

        return request.CreateSelfSigned(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 12, 1, 0, 0, 0, TimeSpan.Zero));
    }

    /// <summary>A leaf issued by a small CA, as an Exchange certificate from an enterprise CA is.</summary>
    private static X509Certificate2 Issued(string subject, PublicKey leafKey, string? dnsName)
    {
        using RSA caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Contoso Lab Issuing CA, O=Contoso", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 ca = caRequest.CreateSelfSigned(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var request = new CertificateRequest(new X500DistinguishedName(subject), leafKey, HashAlgorithmName.SHA256);
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        return request.Create(ca.SubjectName, X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1),
            new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 12, 1, 0, 0, 0, TimeSpan.Zero), new byte[] { 0x19, 0x01 });
    }

    [Fact]
    public void An_rsa_certificate_shows_its_names_dates_key_and_errors()
    {
        using RSA key = RSA.Create(1024);
        using X509Certificate2 cert = Issued("CN=mail.contoso.lab, O=Contoso", new PublicKey(key), "mail.contoso.lab");

        var facts = new CertificateFacts(cert, SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot);

        Assert.Equal("CN=mail.contoso.lab, O=Contoso", facts.Subject);
        Assert.Equal("CN=Contoso Lab Issuing CA, O=Contoso", facts.Issuer);
        Assert.Equal(cert.Thumbprint, facts.Thumbprint);
        Assert.Equal(40, facts.Thumbprint.Length);
        Assert.Equal(new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc), facts.NotBefore);
        Assert.Equal(DateTimeKind.Utc, facts.NotBefore.Kind);
        Assert.Equal(new DateTime(2027, 12, 1, 0, 0, 0, DateTimeKind.Utc), facts.NotAfter);
        Assert.Equal(DateTimeKind.Utc, facts.NotAfter.Kind);
        Assert.Equal(new[] { "mail.contoso.lab" }, facts.DnsNames);
        Assert.Equal(("RSA", 1024), (facts.KeyAlgorithm, facts.KeySize));
        Assert.Equal(SslPolicyErrors.RemoteCertificateChainErrors, facts.PolicyErrors);
        Assert.Equal(X509ChainStatusFlags.UntrustedRoot, facts.ChainStatus);
        Assert.False(facts.NameMismatch);
        Assert.True(facts.Untrusted);
    }

    [Fact]
    public void A_key_neither_rsa_nor_ecdsa_is_named_by_its_algorithm_and_has_no_size()
    {
        using DSA key = DSA.Create(1024);
        using X509Certificate2 cert = Issued("CN=old.contoso.lab", new PublicKey(key), "old.contoso.lab");

        var facts = new CertificateFacts(cert, SslPolicyErrors.None, X509ChainStatusFlags.NoError);

        Assert.Equal(("DSA", 0), (facts.KeyAlgorithm, facts.KeySize));
    }

    [Fact]
    public void An_ecdsa_certificate_shows_its_curve_size()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using X509Certificate2 cert = SelfSigned(key, "CN=mail.contoso.lab", san => san.AddDnsName("mail.contoso.lab"));

        var facts = new CertificateFacts(cert, SslPolicyErrors.None, X509ChainStatusFlags.NoError);

        Assert.Equal(("ECDSA", 256), (facts.KeyAlgorithm, facts.KeySize));
    }

    [Theory]
    [InlineData(SslPolicyErrors.RemoteCertificateNameMismatch, X509ChainStatusFlags.NoError, true, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.PartialChain, true, true)]
    [InlineData(SslPolicyErrors.None, X509ChainStatusFlags.UntrustedRoot, false, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.UntrustedRoot, false, true)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.Revoked, false, true)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotSignatureValid, false, true)]
    // Time validity has its own checks (expired, not yet valid); revocation that could not be checked is not distrust.
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid, false, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.RevocationStatusUnknown, false, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.OfflineRevocation, false, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation, false, false)]
    [InlineData(SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.UntrustedRoot, false, true)]
    [InlineData(SslPolicyErrors.RemoteCertificateNotAvailable, X509ChainStatusFlags.UntrustedRoot, false, false)]
    public void Name_mismatch_and_distrust_come_from_the_policy_errors_and_the_chain(SslPolicyErrors errors, X509ChainStatusFlags chain, bool nameMismatch, bool untrusted)
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = SelfSigned(key, "CN=mail.contoso.lab", null);

        var facts = new CertificateFacts(cert, errors, chain);

        Assert.Equal((nameMismatch, untrusted), (facts.NameMismatch, facts.Untrusted));
    }

    [Fact]
    public void Capture_collects_every_status_of_the_chain()
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = SelfSigned(key, "CN=mail.contoso.lab", san => san.AddDnsName("mail.contoso.lab"));
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = new DateTime(2028, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.False(chain.Build(cert));

        CertificateFacts captured = CertificateFacts.Capture(cert, chain, SslPolicyErrors.RemoteCertificateChainErrors);
        CertificateFacts withoutChain = CertificateFacts.Capture(cert, null, SslPolicyErrors.None);

        // A self-signed certificate no store trusts, checked after it expired: both flags, OR-ed.
        Assert.Equal(X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.NotTimeValid, captured.ChainStatus);
        Assert.True(captured.Untrusted);
        Assert.Equal(new[] { "mail.contoso.lab" }, captured.DnsNames);
        Assert.Equal(X509ChainStatusFlags.NoError, withoutChain.ChainStatus);
        Assert.False(withoutChain.Untrusted);
    }

    [Theory]
    [InlineData("mail.contoso.lab", "mail.contoso.lab", true)]
    [InlineData("MAIL.Contoso.LAB", "mail.contoso.lab", true)]
    [InlineData("mail.contoso.lab", "autodiscover.contoso.lab", false)]
    [InlineData("*.contoso.lab", "autodiscover.contoso.lab", true)]
    [InlineData("*.CONTOSO.lab", "Mail.contoso.LAB", true)]
    [InlineData("*.contoso.lab", "a.b.contoso.lab", false)]
    [InlineData("*.contoso.lab", "contoso.lab", false)]
    [InlineData("*.contoso.lab", ".contoso.lab", false)]
    [InlineData("*.contoso.lab", "mail", false)]
    [InlineData("*.contoso.lab", "mail.fabrikam.lab", false)]
    [InlineData("*contoso.lab", "mailcontoso.lab", false)]
    [InlineData("mail.*.lab", "mail.contoso.lab", false)]
    public void Names_match_exactly_or_by_a_one_label_wildcard(string pattern, string host, bool expected) =>
        Assert.Equal(expected, CertificateFacts.NameMatches(pattern, host));

    [Fact]
    public void Covers_is_true_when_any_name_matches()
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = SelfSigned(key, "CN=mail.contoso.lab", san =>
        {
            san.AddDnsName("mail.contoso.lab");
            san.AddDnsName("*.contoso.lab");
        });
        var facts = new CertificateFacts(cert, SslPolicyErrors.None, X509ChainStatusFlags.NoError);

        Assert.True(facts.Covers("autodiscover.contoso.lab"));
        Assert.True(facts.Covers("mail.contoso.lab"));
        Assert.False(facts.Covers("mail.fabrikam.lab"));
    }

    [Fact]
    public void Without_a_san_the_subject_cn_is_the_name_and_without_either_there_is_none()
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cnOnly = SelfSigned(key, "CN=legacy.contoso.lab, O=Contoso", null);
        using X509Certificate2 noName = SelfSigned(key, "O=Contoso", null);
        using X509Certificate2 sanAndCn = SelfSigned(key, "CN=legacy.contoso.lab", san => san.AddDnsName("mail.contoso.lab"));

        Assert.Equal(new[] { "legacy.contoso.lab" }, CertificateFacts.ReadDnsNames(cnOnly).ToArray());
        Assert.Empty(CertificateFacts.ReadDnsNames(noName));
        Assert.Equal(new[] { "mail.contoso.lab" }, CertificateFacts.ReadDnsNames(sanAndCn).ToArray());
    }

    [Fact]
    public void A_ca_issued_certificate_without_a_san_is_named_by_its_own_cn_not_its_issuers()
    {
        // Issue 19 (Probe survivor CertificateFacts.cs:108): the self-signed CN-only certificate has issuer = subject,
        // so reading the issuer's name went unnoticed. A leaf from an enterprise CA tells them apart.
        using RSA leafKey = RSA.Create(2048);
        using X509Certificate2 cert = Issued("CN=legacy.contoso.lab, O=Contoso", new PublicKey(leafKey), null);

        Assert.Equal(new[] { "legacy.contoso.lab" }, CertificateFacts.ReadDnsNames(cert).ToArray());
    }

    [Fact]
    public void Ipv4_and_ipv6_addresses_and_dns_names_come_from_the_san_in_order_and_other_names_are_skipped()
    {
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = SelfSigned(key, "CN=mail.contoso.lab", san =>
        {
            san.AddEmailAddress("admin@contoso.lab");
            san.AddDnsName("mail.contoso.lab");
            san.AddIpAddress(System.Net.IPAddress.Parse("10.0.0.11"));
            san.AddUri(new Uri("https://mail.contoso.lab/"));
            san.AddIpAddress(System.Net.IPAddress.Parse("fd00::11"));
        });

        Assert.Equal(new[] { "mail.contoso.lab", "10.0.0.11", "fd00::11" }, CertificateFacts.ReadDnsNames(cert).ToArray());
    }

    [Fact]
    public void A_long_dns_name_with_a_multi_byte_length_is_read_whole()
    {
        string label = new('a', 60);
        string longName = $"{label}.{label}.{label}.contoso.lab"; // 194 characters: DER length 0x81 0xC2
        using RSA key = RSA.Create(2048);
        using X509Certificate2 cert = SelfSigned(key, "CN=mail.contoso.lab", san =>
        {
            san.AddDnsName(longName);
            san.AddDnsName("mail.contoso.lab");
        });

        Assert.Equal(new[] { longName, "mail.contoso.lab" }, CertificateFacts.ReadDnsNames(cert).ToArray());
    }

    public static TheoryData<string, string[]> Der => new()
    {
        // SEQUENCE { dNSName "abc" }
        { "30 05 82 03 61 62 63", new[] { "abc" } },
        // An empty dNSName that ends exactly at the end of the data.
        { "30 02 82 00", new[] { string.Empty } },
        // Two-byte length form (0x82 0x00 0x09) of the SEQUENCE, short names inside.
        { "30 82 00 09 82 01 61 87 04 0A 00 00 0B", new[] { "a", "10.0.0.11" } },
        // A one-byte length form whose byte is the last one: an empty name, read.
        { "30 03 82 81 00", new[] { string.Empty } },
        // Three-byte length form.
        { "30 83 00 00 05 82 03 61 62 63", new[] { "abc" } },
        // An iPAddress of 5 bytes is neither IPv4 nor IPv6: skipped, the next name is read.
        { "30 0C 87 05 01 02 03 04 05 82 03 61 62 63", new[] { "abc" } },
        // The SEQUENCE says 5 bytes: what follows it is not part of the names.
        { "30 05 82 03 61 62 63 82 01 64", new[] { "abc" } },
        // A name longer than what is left stops the reading; what came before stays.
        { "30 08 82 01 61 82 09 62 63 64", new[] { "a" } },
        // One stray byte inside the SEQUENCE: too short for an element's header, so the reading stops (a header
        // reader that said yes here would never move on; issue 19, Probe survivor CertificateFacts.cs:153).
        { "30 01 05", Array.Empty<string>() },
        { "30 06 82 03 61 62 63 05", new[] { "abc" } },
        // Not a SEQUENCE.
        { "31 05 82 03 61 62 63", Array.Empty<string>() },
        // Indefinite length (0x80) is not DER.
        { "30 80 82 03 61 62 63 00 00", Array.Empty<string>() },
        // A four-byte length is more than a SAN can be.
        { "30 84 00 00 00 05 82 03 61 62 63", Array.Empty<string>() },
        // The length bytes themselves are cut off.
        { "30 82 00", Array.Empty<string>() },
        { "30", Array.Empty<string>() },
        { "", Array.Empty<string>() },
    };

    [Theory]
    [MemberData(nameof(Der))]
    public void General_names_are_read_from_der_and_bad_der_yields_what_was_read(string hex, string[] expected)
    {
        byte[] der = hex.Length == 0 ? Array.Empty<byte>() : hex.Split(' ').Select(h => Convert.ToByte(h, 16)).ToArray();

        Assert.Equal(expected, CertificateFacts.ParseGeneralNames(der).ToArray());
    }

    [Fact]
    public void An_element_whose_multi_byte_length_is_cut_off_stops_the_reading()
    {
        // SEQUENCE (9 bytes) { dNSName "a", then a header announcing two length bytes of which one is there }.
        byte[] der = { 0x30, 0x09, 0x82, 0x01, 0x61, 0x82, 0x82, 0x00 };

        Assert.Equal(new[] { "a" }, CertificateFacts.ParseGeneralNames(der).ToArray());
    }

    [Fact]
    public void A_name_of_300_bytes_has_a_two_byte_length_and_is_read_whole()
    {
        string name = new string('a', 296) + ".lab";
        byte[] element = new byte[] { 0x82, 0x82, 0x01, 0x2C }.Concat(Encoding.ASCII.GetBytes(name)).ToArray();
        byte[] der = new byte[] { 0x30, 0x82, 0x01, 0x30 }.Concat(element).ToArray();

        Assert.Equal(new[] { name }, CertificateFacts.ParseGeneralNames(der).ToArray());
    }
}
