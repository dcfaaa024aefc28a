using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.Probing;

/// <summary>An HTTP/1.1 request as the probe sends it. Header order is kept: tests assert the bytes.</summary>
internal sealed class WireRequest
{
    public WireRequest(string method, string pathAndQuery, string host)
    {
        Method = method;
        PathAndQuery = pathAndQuery;
        Host = host;
    }

    public string Method { get; }

    public string PathAndQuery { get; }

    /// <summary>The Host header: the URL's host (and port when not the default), never the address connected to.</summary>
    public string Host { get; }

    public List<KeyValuePair<string, string>> Headers { get; } = new();

    public byte[] Body { get; set; } = Array.Empty<byte>();

    public WireRequest With(string name, string value)
    {
        Headers.Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    public byte[] ToBytes()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(PathAndQuery).Append(" HTTP/1.1\r\n");
        text.Append("Host: ").Append(Host).Append("\r\n");
        foreach (KeyValuePair<string, string> header in Headers)
        {
            text.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
        }

        if (Method != "GET" || Body.Length > 0)
        {
            text.Append("Content-Length: ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        text.Append("Connection: close\r\n\r\n");
        byte[] head = Encoding.ASCII.GetBytes(text.ToString());
        if (Body.Length == 0)
        {
            return head;
        }

        var all = new byte[head.Length + Body.Length];
        Buffer.BlockCopy(head, 0, all, 0, head.Length);
        Buffer.BlockCopy(Body, 0, all, head.Length, Body.Length);
        return all;
    }
}

/// <summary>An HTTP response as read off the wire: status, every header (repeated ones kept), body (bounded).</summary>
internal sealed class WireResponse
{
    public WireResponse(int statusCode, string reason, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        StatusCode = statusCode;
        Reason = reason;
        Headers = headers;
        Body = body;
    }

    public int StatusCode { get; }

    public string Reason { get; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public byte[] Body { get; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    public string? Header(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);
}

/// <summary>
/// A deliberately small HTTP/1.1 client over an already-connected stream. The probe needs what HttpClient on
/// net472 cannot give: a connection to one chosen address while the URL's host goes into SNI and Host, and the
/// raw status and repeated WWW-Authenticate headers of each hop.
/// </summary>
internal static class HttpWire
{
    /// <summary>Responses larger than this are cut: the probe never needs more than the head of a body.</summary>
    public const int MaxBody = 64 * 1024;

    private const int MaxHead = 64 * 1024;

    public static async Task<WireResponse> SendAsync(Stream stream, WireRequest request, CancellationToken cancellation)
    {
        byte[] bytes = request.ToBytes();
        await stream.WriteAsync(bytes, 0, bytes.Length, cancellation).ConfigureAwait(false);
        await stream.FlushAsync(cancellation).ConfigureAwait(false);
        return await ReadResponseAsync(new BufferedReader(stream), request.Method == "HEAD", cancellation).ConfigureAwait(false);
    }

    internal static async Task<WireResponse> ReadResponseAsync(BufferedReader reader, bool headOnly, CancellationToken cancellation)
    {
        string statusLine = await reader.ReadLineAsync(cancellation).ConfigureAwait(false)
            ?? throw new IOException("The server closed the connection without answering.");
        string[] parts = statusLine.Split(new[] { ' ' }, 3);
        if (parts.Length < 2 || !parts[0].StartsWith("HTTP/1.", StringComparison.Ordinal) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int status))
        {
            throw new InvalidDataException($"Not an HTTP response: '{Truncate(statusLine)}'.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        int headBytes = statusLine.Length;
        while (true)
        {
            string line = await reader.ReadLineAsync(cancellation).ConfigureAwait(false)
                ?? throw new IOException("The connection closed in the middle of the response headers.");
            if (line.Length == 0)
            {
                break;
            }

            headBytes += line.Length;
            if (headBytes > MaxHead)
            {
                throw new InvalidDataException("The response headers exceed 64 KB.");
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new InvalidDataException($"Malformed response header: '{Truncate(line)}'.");
            }

            headers.Add(new KeyValuePair<string, string>(line.Substring(0, colon).Trim(), line.Substring(colon + 1).Trim()));
        }

        var response = new WireResponse(status, parts.Length > 2 ? parts[2] : string.Empty, headers, Array.Empty<byte>());
        if (headOnly || status == 204 || status == 304 || (status >= 100 && status < 200))
        {
            return response;
        }

        byte[] body;
        string? transferEncoding = response.Header("Transfer-Encoding");
        string? contentLength = response.Header("Content-Length");
        if (transferEncoding is not null && transferEncoding.IndexOf("chunked", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            body = await ReadChunkedAsync(reader, cancellation).ConfigureAwait(false);
        }
        else if (contentLength is not null && long.TryParse(contentLength, NumberStyles.None, CultureInfo.InvariantCulture, out long length))
        {
            body = await reader.ReadBytesAsync((int)Math.Min(length, MaxBody), cancellation).ConfigureAwait(false);
        }
        else
        {
            body = await reader.ReadToEndAsync(MaxBody, cancellation).ConfigureAwait(false);
        }

        return new WireResponse(status, response.Reason, headers, body);
    }

    private static async Task<byte[]> ReadChunkedAsync(BufferedReader reader, CancellationToken cancellation)
    {
        using var body = new MemoryStream();
        while (true)
        {
            string sizeLine = await reader.ReadLineAsync(cancellation).ConfigureAwait(false)
                ?? throw new IOException("The connection closed in the middle of a chunked body.");
            int semicolon = sizeLine.IndexOf(';');
            string hex = (semicolon >= 0 ? sizeLine.Substring(0, semicolon) : sizeLine).Trim();
            if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int size) || size < 0)
            {
                throw new InvalidDataException($"Malformed chunk size: '{Truncate(sizeLine)}'.");
            }

            if (size == 0)
            {
                // Trailers until the empty line.
                while (!string.IsNullOrEmpty(await reader.ReadLineAsync(cancellation).ConfigureAwait(false)))
                {
                }

                return body.ToArray();
            }

            byte[] chunk = await reader.ReadBytesAsync(size, cancellation).ConfigureAwait(false);
            if (body.Length < MaxBody)
            {
                body.Write(chunk, 0, (int)Math.Min(chunk.Length, MaxBody - body.Length));
            }

            await reader.ReadLineAsync(cancellation).ConfigureAwait(false);
        }
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text.Substring(0, 80) + "...";
}

/// <summary>Line and block reads over a stream with one buffer; every read honours the cancellation token.</summary>
internal sealed class BufferedReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public BufferedReader(Stream stream) => _stream = stream;

    public async Task<string?> ReadLineAsync(CancellationToken cancellation)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellation).ConfigureAwait(false))
            {
                return line.Length == 0 ? null : line.ToString();
            }

            for (int i = _start; i < _end; i++)
            {
                if (_buffer[i] == (byte)'\n')
                {
                    line.Append(Encoding.ASCII.GetString(_buffer, _start, i - _start));
                    _start = i + 1;
                    if (line.Length > 0 && line[line.Length - 1] == '\r')
                    {
                        line.Length--;
                    }

                    return line.ToString();
                }
            }

            line.Append(Encoding.ASCII.GetString(_buffer, _start, _end - _start));
            _start = _end;
            if (line.Length > 16 * 1024)
            {
                throw new InvalidDataException("A response line exceeds 16 KB.");
            }
        }
    }

    public async Task<byte[]> ReadBytesAsync(int count, CancellationToken cancellation)
    {
        var result = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync(cancellation).ConfigureAwait(false))
            {
                throw new IOException($"The connection closed after {filled} of {count} body bytes.");
            }

            int take = Math.Min(count - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    public async Task<byte[]> ReadToEndAsync(int limit, CancellationToken cancellation)
    {
        using var all = new MemoryStream();
        while (all.Length < limit)
        {
            if (_start == _end && !await FillAsync(cancellation).ConfigureAwait(false))
            {
                break;
            }

            int take = (int)Math.Min(limit - all.Length, _end - _start);
            all.Write(_buffer, _start, take);
            _start += take;
        }

        return all.ToArray();
    }

    private async Task<bool> FillAsync(CancellationToken cancellation)
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer, 0, _buffer.Length, cancellation).ConfigureAwait(false);
        return _end > 0;
    }
}
