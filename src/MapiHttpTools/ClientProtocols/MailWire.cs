using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace MapiHttpTools.ClientProtocols;

/// <summary>A server that broke the protocol's bounds (line too long, too many lines) or closed mid-response.</summary>
internal sealed class MailProtocolException : IOException
{
    public MailProtocolException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// Line I/O for IMAP4 and POP3 over one stream, bounded so a hostile or broken server cannot hold the probe (issue 16):
/// lines longer than <see cref="MaxLineBytes"/> and responses longer than <see cref="MaxResponseLines"/> end the
/// exchange, every read takes the caller's token (cancellation disposes the stream, which ends a pending read on net472
/// too). Reads byte by byte from a small buffer and never past what the server sent, so STARTTLS can hand the stream to
/// TLS with nothing buffered.
/// </summary>
internal sealed class MailWire
{
    public const int MaxLineBytes = 8192;
    public const int MaxResponseLines = 1000;

    private readonly byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;

    public MailWire(Stream stream) => Stream = stream;

    public Stream Stream { get; private set; }

    /// <summary>Bytes the server sent that were read but not consumed (must be none when TLS starts).</summary>
    public int Buffered => _end - _start;

    /// <summary>Switches to the TLS stream after STARTTLS/STLS.</summary>
    public void Upgrade(Stream secured)
    {
        Stream = secured;
        _start = _end = 0;
    }

    public async Task WriteLineAsync(string line, CancellationToken cancellation)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\r\n");
        using (cancellation.Register(Stream.Dispose))
        {
            await Stream.WriteAsync(bytes, 0, bytes.Length, cancellation).ConfigureAwait(false);
            await Stream.FlushAsync(cancellation).ConfigureAwait(false);
        }

        cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>One line without its CRLF (a lone LF ends a line too); null when the server closed the connection first.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellation)
    {
        var line = new List<byte>(128);
        using (cancellation.Register(Stream.Dispose))
        {
            while (true)
            {
                if (_start == _end)
                {
                    int read;
                    try
                    {
                        read = await Stream.ReadAsync(_buffer, 0, _buffer.Length, cancellation).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (cancellation.IsCancellationRequested && ex is not OperationCanceledException)
                    {
                        throw new OperationCanceledException("The read was cancelled.", ex, cancellation);
                    }

                    if (read == 0)
                    {
                        if (line.Count > 0)
                        {
                            throw new MailProtocolException("The server closed the connection in the middle of a line.");
                        }

                        return null;
                    }

                    _start = 0;
                    _end = read;
                }

                byte b = _buffer[_start++];
                if (b == (byte)'\n')
                {
                    if (line.Count > 0 && line[line.Count - 1] == (byte)'\r')
                    {
                        line.RemoveAt(line.Count - 1);
                    }

                    return Encoding.UTF8.GetString(line.ToArray());
                }

                if (line.Count >= MaxLineBytes)
                {
                    throw new MailProtocolException($"The server sent a line longer than {MaxLineBytes} bytes.");
                }

                line.Add(b);
            }
        }
    }

    /// <summary>IMAP4: untagged lines up to the line tagged <paramref name="tag"/>; the tagged line last.</summary>
    public async Task<IReadOnlyList<string>> ReadImapResponseAsync(string tag, CancellationToken cancellation)
    {
        var lines = new List<string>();
        while (true)
        {
            string line = await ReadLineAsync(cancellation).ConfigureAwait(false) ?? throw new MailProtocolException("The server closed the connection before answering.");
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }

            if (lines.Count >= MaxResponseLines)
            {
                throw new MailProtocolException($"The server sent more than {MaxResponseLines} lines without completing the command.");
            }
        }
    }

    /// <summary>POP3: a multi-line response (CAPA) after its +OK line, up to the lone ".", dot-unstuffed.</summary>
    public async Task<IReadOnlyList<string>> ReadPopMultiLineAsync(CancellationToken cancellation)
    {
        var lines = new List<string>();
        while (true)
        {
            string line = await ReadLineAsync(cancellation).ConfigureAwait(false) ?? throw new MailProtocolException("The server closed the connection before ending the list.");
            if (line == ".")
            {
                return lines;
            }

            lines.Add(line.StartsWith("..", StringComparison.Ordinal) ? line.Substring(1) : line);
            if (lines.Count >= MaxResponseLines)
            {
                throw new MailProtocolException($"The server sent more than {MaxResponseLines} lines without ending the list.");
            }
        }
    }
}
