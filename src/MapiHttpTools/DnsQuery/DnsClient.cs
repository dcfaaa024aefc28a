using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Probing;

namespace MapiHttpTools.DnsQuery;

/// <summary>Why no DNS server gave a usable answer.</summary>
internal enum DnsFailureKind
{
    /// <summary>No answer within the timeout.</summary>
    Timeout,

    /// <summary>The server could not be reached (port closed: ICMP unreachable, TCP refused, no route).</summary>
    Unreachable,

    /// <summary>An answer came that is not a well-formed reply to the question (never used).</summary>
    Malformed,

    /// <summary>SERVFAIL: the server could not resolve the name.</summary>
    ServerFailure,

    /// <summary>REFUSED, NOTIMP, FORMERR or another code: the server would not answer this question.</summary>
    Refused,
}

/// <summary>The answer that was used, from which server and over which transport.</summary>
internal sealed record SrvLookupResult(IPEndPoint Server, string Transport, int ResponseCode, IReadOnlyList<SrvRecord> Records, int IgnoredRecords, IReadOnlyList<string> Attempts);

/// <summary>Every server failed; <see cref="Kind"/> is the first server's failure, <see cref="Attempts"/> says what each did.</summary>
internal sealed class DnsLookupException : Exception
{
    public DnsLookupException(DnsFailureKind kind, IReadOnlyList<string> attempts)
        : base(string.Join("; ", attempts))
    {
        Kind = kind;
        Attempts = attempts;
    }

    public DnsFailureKind Kind { get; }

    public IReadOnlyList<string> Attempts { get; }
}

/// <summary>
/// Asks DNS servers for SRV records (issue 14; .NET has no SRV query): the query over UDP, again over TCP when the
/// answer comes back truncated (TC bit, RFC 1035 4.2.1/4.2.2), each server in turn until one gives an answer that
/// speaks about the name (NOERROR or NXDOMAIN); SERVFAIL, REFUSED, silence or a malformed answer moves on to the next.
/// Each server gets <c>timeout</c> for UDP and TCP together, and the caller's token stops it at once.
/// </summary>
internal sealed class DnsClient
{
    private readonly IReadOnlyList<IPEndPoint> _servers;
    private readonly TimeSpan _timeout;

    public DnsClient(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout)
    {
        _servers = servers;
        _timeout = timeout;
    }

    public async Task<SrvLookupResult> QuerySrvAsync(string name, CancellationToken cancellation)
    {
        var attempts = new List<string>();
        DnsFailureKind? first = null;
        foreach (IPEndPoint server in _servers)
        {
            string where = Format(server);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(_timeout);
            string transport = "UDP";
            var stray = new StrayCount();
            DnsFailureKind kind;
            try
            {
                ushort id = NewId();
                byte[] query = DnsMessage.SrvQuery(id, name);
                DnsSrvResponse response = await AskUdpAsync(server, query, id, name, stray, timeout.Token).ConfigureAwait(false);
                if (response.Truncated)
                {
                    transport = "TCP";
                    id = NewId();
                    query = DnsMessage.SrvQuery(id, name);
                    response = await AskTcpAsync(server, query, id, name, timeout.Token).ConfigureAwait(false);
                    if (response.Truncated)
                    {
                        throw new DnsFormatException("the TCP answer is marked truncated too");
                    }
                }

                string outcome = $"{where} {transport}: {DnsResponseCodes.Name(response.ResponseCode)}" +
                                 stray.Describe();
                attempts.Add(outcome);
                if (response.ResponseCode is DnsResponseCodes.NoError or DnsResponseCodes.NameError)
                {
                    return new SrvLookupResult(server, transport, response.ResponseCode, response.Records, response.IgnoredRecords, attempts);
                }

                kind = response.ResponseCode == DnsResponseCodes.ServerFailure ? DnsFailureKind.ServerFailure : DnsFailureKind.Refused;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (IsCancellation(ex, timeout.Token))
            {
                attempts.Add($"{where} {transport}: no answer within {_timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s{stray.Describe()}");
                kind = DnsFailureKind.Timeout;
            }
            catch (DnsFormatException ex)
            {
                attempts.Add($"{where} {transport}: malformed answer, not used ({ex.Message})");
                kind = DnsFailureKind.Malformed;
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                attempts.Add($"{where} {transport}: {ProbeTransport.Describe(ex)}");
                kind = DnsFailureKind.Unreachable;
            }

            first ??= kind;
        }

        throw new DnsLookupException(first ?? DnsFailureKind.Unreachable, attempts);
    }

    /// <summary>"address:port", IPv6 in brackets.</summary>
    public static string Format(IPEndPoint server) => server.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{server.Address}]:{server.Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{server.Address}:{server.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>An unpredictable ID, so that an off-path sender cannot guess it (RFC 5452).</summary>
    private static ushort NewId()
    {
        var bytes = new byte[2];
        using (var random = RandomNumberGenerator.Create())
        {
            random.GetBytes(bytes);
        }

        return (ushort)((bytes[0] << 8) | bytes[1]);
    }

    /// <summary>
    /// One UDP exchange. The socket is connected, so the OS drops datagrams from any other address; a datagram with
    /// another ID (a late or forged reply) is counted and the wait goes on, so only the timeout ends a silent server.
    /// </summary>
    private static async Task<DnsSrvResponse> AskUdpAsync(IPEndPoint server, byte[] query, ushort id, string name, StrayCount stray, CancellationToken cancellation)
    {
        using var client = new UdpClient(server.AddressFamily);
        using (cancellation.Register(client.Dispose))
        {
            try
            {
                client.Connect(server);
                await client.SendAsync(query, query.Length).ConfigureAwait(false);
                while (true)
                {
                    UdpReceiveResult received = await client.ReceiveAsync().ConfigureAwait(false);
                    byte[] datagram = received.Buffer;
                    if (DnsMessage.IdOf(datagram, datagram.Length) != id)
                    {
                        stray.Count++;
                        continue;
                    }

                    return DnsMessage.ParseSrvResponse(datagram, datagram.Length, id, name);
                }
            }
            catch (Exception ex) when (cancellation.IsCancellationRequested && ex is ObjectDisposedException or SocketException or NullReferenceException)
            {
                // net472's UdpClient throws ObjectDisposedException (or a NullReferenceException from its disposed socket) when stopped.
                throw new OperationCanceledException("The DNS query was stopped.", ex, cancellation);
            }
        }
    }

    /// <summary>One TCP exchange: the query and the answer each with the two-byte length prefix of RFC 1035 4.2.2.</summary>
    private static async Task<DnsSrvResponse> AskTcpAsync(IPEndPoint server, byte[] query, ushort id, string name, CancellationToken cancellation)
    {
        using TcpClient client = await ProbeTransport.ConnectAsync(server.Address, server.Port, cancellation).ConfigureAwait(false);
        NetworkStream stream = client.GetStream();
        using (cancellation.Register(client.Dispose))
        {
            try
            {
                var framed = new byte[query.Length + 2];
                DnsMessage.WriteUInt16(framed, 0, query.Length);
                Buffer.BlockCopy(query, 0, framed, 2, query.Length);
                await stream.WriteAsync(framed, 0, framed.Length, cancellation).ConfigureAwait(false);
                var prefix = new byte[2];
                await ReadExactlyAsync(stream, prefix, 2, cancellation).ConfigureAwait(false);
                int length = DnsMessage.ReadUInt16(prefix, 0);
                var answer = new byte[length];
                await ReadExactlyAsync(stream, answer, length, cancellation).ConfigureAwait(false);
                return DnsMessage.ParseSrvResponse(answer, length, id, name);
            }
            catch (Exception ex) when (cancellation.IsCancellationRequested && ex is ObjectDisposedException or IOException or SocketException)
            {
                throw new OperationCanceledException("The DNS query was stopped.", ex, cancellation);
            }
        }
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer, int count, CancellationToken cancellation)
    {
        int read = 0;
        while (read < count)
        {
            int n = await stream.ReadAsync(buffer, read, count - read, cancellation).ConfigureAwait(false);
            if (n == 0)
            {
                throw new DnsFormatException($"the TCP answer ends after {read} of {count} bytes");
            }

            read += n;
        }
    }

    /// <summary>Datagrams with another ID seen while waiting (late or forged replies), reported with the outcome.</summary>
    private sealed class StrayCount
    {
        public int Count { get; set; }

        public string Describe() => Count > 0 ? $" ({Count} stray datagram(s) with another ID ignored)" : string.Empty;
    }

    private static bool IsCancellation(Exception ex, CancellationToken token) =>
        token.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException or SocketException or IOException;
}
