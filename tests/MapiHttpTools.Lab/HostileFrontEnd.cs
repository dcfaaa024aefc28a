using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;

namespace MapiHttpTools.Lab;

/// <summary>
/// The <see cref="LabFault.HostileText"/> front end: a healthy Exchange front end as far as status codes go, whose
/// Server, X-FEServer, X-FailureContext and WWW-Authenticate headers and health page carry ESC and BEL
/// (<see cref="LabServer.HostileText"/>). It reads one request per connection off the decrypted stream and writes the
/// response as raw bytes (Kestrel would refuse the control characters), then closes.
/// </summary>
internal static class HostileFrontEnd
{
    private const int MaxHead = 16 * 1024;

    public static async Task HandleAsync(ConnectionContext connection, LabOptions options, ExchangeFrontEnd frontEnd, CancellationToken stopping)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, stopping);
        Stream stream = new DuplexStream(connection.Transport.Input.AsStream(), connection.Transport.Output.AsStream());
        try
        {
            (string method, string target, Dictionary<string, string> headers, byte[] body)? request = await ReadAsync(stream, aborted.Token).ConfigureAwait(false);
            if (request is not { } r)
            {
                return;
            }

            string path = r.target.Split('?')[0];
            string? sni = connection.Items.TryGetValue(ExchangeFrontEnd.SniItemKey, out object? value) ? value as string : null;
            frontEnd.Record(new LabRequest(r.method, path, r.target.Length > path.Length ? r.target.Substring(path.Length) : string.Empty,
                r.headers.TryGetValue("Host", out string? host) ? host : null, sni, r.headers, r.body));

            string hostile = LabServer.HostileText;
            string feServer = options.ServerName.Split('.')[0];
            var response = new StringBuilder();
            if (path.EndsWith("/healthcheck.htm", StringComparison.OrdinalIgnoreCase))
            {
                string page = "200 OK<br/>" + options.ServerName + hostile;
                response.Append("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n");
                AppendIis(response, feServer, hostile);
                response.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(page).ToString(CultureInfo.InvariantCulture)).Append("\r\nConnection: close\r\n\r\n").Append(page);
            }
            else if (path.StartsWith("/mapi/", StringComparison.OrdinalIgnoreCase))
            {
                response.Append("HTTP/1.1 401 Unauthorized\r\n");
                AppendIis(response, feServer, hostile);
                response.Append("WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n");
                response.Append("WWW-Authenticate: NTLM realm=\"").Append(hostile).Append("\"\r\n");
                response.Append("X-FailureContext: FrontEnd;401;").Append(Convert.ToBase64String(Encoding.UTF8.GetBytes("Anonymous request for " + path))).Append(";;").Append(hostile).Append("\r\n");
                response.Append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            }
            else
            {
                response.Append("HTTP/1.1 404 Not Found\r\n");
                AppendIis(response, feServer, hostile);
                response.Append("Content-Length: 0\r\nConnection: close\r\n\r\n");
            }

            byte[] bytes = Encoding.UTF8.GetBytes(response.ToString());
            await stream.WriteAsync(bytes, aborted.Token).ConfigureAwait(false);
            await stream.FlushAsync(aborted.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client left or the lab stops.
        }
        finally
        {
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static void AppendIis(StringBuilder response, string feServer, string hostile)
    {
        response.Append("Server: Microsoft-IIS/10.0").Append(hostile).Append("\r\n");
        response.Append("request-id: ").Append(Guid.NewGuid().ToString("D")).Append("\r\n");
        response.Append("X-FEServer: ").Append(feServer).Append(hostile).Append("\r\n");
    }

    private static async Task<(string, string, Dictionary<string, string>, byte[])?> ReadAsync(Stream stream, CancellationToken token)
    {
        var head = new MemoryStream();
        var one = new byte[1];
        while (head.Length < MaxHead)
        {
            if (await stream.ReadAsync(one, token).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.WriteByte(one[0]);
            if (head.Length >= 4 && head.GetBuffer()[head.Length - 4] == '\r' && head.GetBuffer()[head.Length - 3] == '\n' && head.GetBuffer()[head.Length - 2] == '\r' && one[0] == '\n')
            {
                break;
            }
        }

        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        string[] start = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 1; i < lines.Length; i++)
        {
            int colon = lines[i].IndexOf(':');
            if (colon > 0)
            {
                headers[lines[i].Substring(0, colon).Trim()] = lines[i].Substring(colon + 1).Trim();
            }
        }

        int length = headers.TryGetValue("Content-Length", out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? Math.Min(n, MaxHead) : 0;
        var body = new byte[length];
        int read = 0;
        while (read < length)
        {
            int got = await stream.ReadAsync(body.AsMemory(read), token).ConfigureAwait(false);
            if (got == 0)
            {
                break;
            }

            read += got;
        }

        return (start[0], start.Length > 1 ? start[1] : "/", headers, body);
    }

    /// <summary>One stream over the connection's two pipes.</summary>
    private sealed class DuplexStream : Stream
    {
        private readonly Stream _input;
        private readonly Stream _output;

        public DuplexStream(Stream input, Stream output)
        {
            _input = input;
            _output = output;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => _output.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => _input.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _input.ReadAsync(buffer, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => _output.Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _output.WriteAsync(buffer, cancellationToken);
    }
}
