using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;

namespace MapiHttpTools.Tests.Lab;

/// <summary>
/// A plain HTTP/1.1-over-TLS client for wire assertions against the lab: TcpClient + SslStream, SNI set to the
/// namespace host, the certificate checked against the lab root only (custom root trust, names checked), and
/// the raw response kept (status line, every header line in order, raw and de-chunked body).
/// </summary>
internal static class LabWire
{
    public static async Task<SslStream> ConnectAsync(LabServer server, LabCertificates pki, string targetHost = LabServer.NamespaceHost, CancellationToken ct = default)
    {
        var tcp = new TcpClient(server.Address.AddressFamily);
        await tcp.ConnectAsync(server.Address, server.Port, ct);
        var tls = new SslStream(tcp.GetStream(), false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsTrustedByLabRoot(pki, certificate, errors),
            }, ct);
        }
        catch
        {
            await tls.DisposeAsync();
            tcp.Dispose();
            throw;
        }

        return tls;
    }

    /// <summary>Name must match and the chain must end at the lab root; nothing else is trusted.</summary>
    public static bool IsTrustedByLabRoot(LabCertificates pki, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return pki.ValidateChain(leaf) == X509ChainStatusFlags.NoError;
    }

    /// <summary>Sends one request with Connection: close and reads the response to the end.</summary>
    public static async Task<WireResponse> SendAsync(LabServer server, LabCertificates pki, string method, string pathAndQuery, IEnumerable<(string Name, string Value)>? headers = null, CancellationToken ct = default)
    {
        await using SslStream tls = await ConnectAsync(server, pki, ct: ct);
        await tls.WriteAsync(BuildRequest(server, method, pathAndQuery, headers), ct);
        await tls.FlushAsync(ct);
        using var received = new MemoryStream();
        await tls.CopyToAsync(received, ct);
        return WireResponse.Parse(received.ToArray());
    }

    public static byte[] BuildRequest(LabServer server, string method, string pathAndQuery, IEnumerable<(string Name, string Value)>? headers = null)
    {
        var text = new StringBuilder();
        text.Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        text.Append("Host: ").Append(LabServer.NamespaceHost).Append(':').Append(server.Port.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach ((string name, string value) in headers ?? Enumerable.Empty<(string, string)>())
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (method == "POST")
        {
            text.Append("Content-Length: 0\r\n");
        }

        text.Append("Connection: close\r\n\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    public static (string Name, string Value) Basic(string user, string password) =>
        ("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    public static (string Name, string Value)[] PingHeaders(params (string Name, string Value)[] extra) =>
        new[]
        {
            ("Content-Type", "application/mapi-http"),
            ("X-RequestType", "PING"),
            ("X-RequestId", "{6F6E0B7E-4E43-4A57-A2B4-6D1C6E1F2A11}:1"),
            ("X-ClientInfo", "{2B7F5E53-9C1D-4E8A-8C63-0A4A5C7B9E21}:1"),
            ("X-ClientApplication", "MapiHttpTools/0.1.0"),
        }.Concat(extra).ToArray();
}

internal sealed record WireResponse(int Status, string StatusLine, IReadOnlyList<KeyValuePair<string, string>> HeaderLines, byte[] RawBody, IReadOnlyList<string> Chunks)
{
    public string? Header(string name) => HeaderLines.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public string[] Headers(string name) => HeaderLines.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToArray();

    public bool IsChunked => string.Equals(Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase);

    /// <summary>The entity body: de-chunked when chunked.</summary>
    public string Body => IsChunked ? string.Concat(Chunks) : Encoding.UTF8.GetString(RawBody);

    public static WireResponse Parse(byte[] bytes)
    {
        int end = IndexOf(bytes, "\r\n\r\n"u8.ToArray(), 0);
        if (end < 0)
        {
            throw new InvalidDataException($"No end of headers in {bytes.Length} bytes: {Encoding.ASCII.GetString(bytes)}");
        }

        string[] lines = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers.Add(new KeyValuePair<string, string>(line.Substring(0, colon), line.Substring(colon + 1).Trim()));
        }

        byte[] body = bytes.AsSpan(end + 4).ToArray();
        var chunks = new List<string>();
        bool chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Equals("chunked", StringComparison.OrdinalIgnoreCase));
        if (chunked)
        {
            int position = 0;
            while (true)
            {
                int lineEnd = IndexOf(body, "\r\n"u8.ToArray(), position);
                int size = int.Parse(Encoding.ASCII.GetString(body, position, lineEnd - position).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                position = lineEnd + 2;
                if (size == 0)
                {
                    break;
                }

                chunks.Add(Encoding.UTF8.GetString(body, position, size));
                position += size + 2;
            }
        }

        return new WireResponse(status, lines[0], headers, body, chunks);
    }

    private static int IndexOf(byte[] haystack, byte[] needle, int start)
    {
        int found = haystack.AsSpan(start).IndexOf(needle);
        return found < 0 ? -1 : found + start;
    }
}
