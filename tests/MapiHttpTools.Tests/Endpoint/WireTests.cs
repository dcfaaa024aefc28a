using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>The probe's own HTTP/1.1 reader and writer, scheme parsing and certificate name facts.</summary>
public sealed class WireTests
{
    [Fact]
    public void Request_bytes_carry_the_url_host_and_mapi_headers_in_order()
    {
        var request = new WireRequest("POST", "/mapi/emsmdb/", "mail.contoso.lab:8443")
            .With("Content-Type", "application/mapi-http")
            .With("X-RequestType", "PING");

        string text = Encoding.ASCII.GetString(request.ToBytes());

        Assert.Equal(
            "POST /mapi/emsmdb/ HTTP/1.1\r\nHost: mail.contoso.lab:8443\r\nContent-Type: application/mapi-http\r\nX-RequestType: PING\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            text);
    }

    [Fact]
    public async Task Chunked_response_with_repeated_challenges_is_read_whole()
    {
        string wire = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nX-FEServer: EX01\r\n" +
                      "Transfer-Encoding: chunked\r\n\r\n" + "C\r\nPROCESSING\r\n\r\n6\r\nDONE\r\n\r\n0\r\n\r\n";
        WireResponse response = await HttpWire.ReadResponseAsync(new BufferedReader(new MemoryStream(Encoding.ASCII.GetBytes(wire))), false, CancellationToken.None);

        Assert.Equal(401, response.StatusCode);
        Assert.Equal(new[] { "Negotiate", "NTLM" }, response.HeaderValues("www-authenticate").ToArray());
        Assert.Equal("EX01", response.Header("x-feserver"));
        Assert.Equal("PROCESSING\r\nDONE\r\n", response.BodyText);
    }

    [Fact]
    public async Task Content_length_body_and_garbage_status_line()
    {
        WireResponse ok = await HttpWire.ReadResponseAsync(new BufferedReader(new MemoryStream(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\n200 OK<br/>EX01.lab\r\nextra"))), false, CancellationToken.None);
        Assert.Equal("200 OK<br/>EX01.lab\r\n", ok.BodyText);

        await Assert.ThrowsAsync<InvalidDataException>(() => HttpWire.ReadResponseAsync(new BufferedReader(new MemoryStream(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH\r\n"))), false, CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(() => HttpWire.ReadResponseAsync(new BufferedReader(new MemoryStream()), false, CancellationToken.None));
    }

    [Theory]
    [InlineData(new[] { "Negotiate", "NTLM" }, new[] { "Negotiate", "NTLM" })]
    [InlineData(new[] { "Negotiate, NTLM" }, new[] { "Negotiate", "NTLM" })]
    [InlineData(new[] { "Basic realm=\"mail.contoso.lab\"", "Bearer client_id=\"00000002\", trusted_issuers=\"x\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\"" }, new[] { "Basic", "Bearer" })]
    [InlineData(new string[0], new string[0])]
    public void Offered_schemes_are_read_from_www_authenticate(string[] headers, string[] expected)
    {
        Assert.Equal(expected, AuthenticationSchemes.Offered(headers).ToArray());
    }

    [Fact]
    public void Exchange_method_names_map_to_http_schemes()
    {
        Assert.Equal(new[] { "NTLM", "Bearer", "Negotiate" }, AuthenticationSchemes.Normalize(new[] { "Ntlm", "OAuth", "Negotiate" }).ToArray());
        Assert.Equal(new[] { "Negotiate", "NTLM" }, AuthenticationSchemes.Normalize(new[] { "WindowsIntegrated", "Ntlm" }).ToArray());
    }

    [Fact]
    public void Certificate_names_come_from_the_san_and_wildcards_match_one_label()
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest("CN=mail.contoso.lab", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("mail.contoso.lab");
        san.AddDnsName("*.contoso.lab");
        san.AddIpAddress(System.Net.IPAddress.Parse("127.0.0.1"));
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        Assert.Equal(new[] { "mail.contoso.lab", "*.contoso.lab", "127.0.0.1" }, CertificateFacts.ReadDnsNames(cert).ToArray());
        Assert.True(CertificateFacts.NameMatches("*.contoso.lab", "autodiscover.contoso.lab"));
        Assert.False(CertificateFacts.NameMatches("*.contoso.lab", "a.b.contoso.lab"));
        Assert.False(CertificateFacts.NameMatches("*.contoso.lab", "contoso.lab"));
    }
}
