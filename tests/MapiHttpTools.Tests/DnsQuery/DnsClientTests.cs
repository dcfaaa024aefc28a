using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.DnsQuery;
using Xunit;

namespace MapiHttpTools.Tests.DnsQuery;

/// <summary>
/// The SRV lookup against real DNS servers on 127.0.0.1 (issue 14): dnsmasq for real answers (records, NXDOMAIN, a
/// truncated UDP answer asked again over TCP), and small servers of the test's own for silence and hostile answers.
/// </summary>
public sealed class DnsClientTests
{
    private const string Name = "_autodiscover._tcp.contoso.lab";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Two_records_come_back_from_dnsmasq_in_priority_order()
    {
        using Dnsmasq dns = Dnsmasq.Start(
            "_autodiscover._tcp.contoso.lab,backup.contoso.lab,8443,20,0",
            "_autodiscover._tcp.contoso.lab,autodiscover.contoso.lab,443,10,0");

        SrvLookupResult result = await new DnsClient(new[] { dns.EndPoint }, Timeout).QuerySrvAsync(Name, CancellationToken.None);

        Assert.Equal(DnsResponseCodes.NoError, result.ResponseCode);
        Assert.Equal("UDP", result.Transport);
        Assert.Equal(dns.EndPoint, result.Server);
        Assert.Equal(new[] { "10 0 443 autodiscover.contoso.lab", "20 0 8443 backup.contoso.lab" }, DnsMessage.Order(result.Records).Select(r => r.ToString()).ToArray());
    }

    [Fact]
    public async Task Unknown_name_is_nxdomain_from_dnsmasq()
    {
        using Dnsmasq dns = Dnsmasq.Start("_autodiscover._tcp.contoso.lab,autodiscover.contoso.lab,443,0,0");

        SrvLookupResult result = await new DnsClient(new[] { dns.EndPoint }, Timeout).QuerySrvAsync("_autodiscover._tcp.fabrikam.contoso.lab", CancellationToken.None);

        Assert.Equal(DnsResponseCodes.NameError, result.ResponseCode);
        Assert.Empty(result.Records);
        Assert.Equal(new[] { $"127.0.0.1:{dns.EndPoint.Port} UDP: NXDOMAIN" }, result.Attempts);
    }

    [Fact]
    public async Task Answer_too_large_for_udp_is_asked_again_over_tcp()
    {
        // 30 records with long targets do not fit in 512 bytes: dnsmasq sets TC on the UDP answer.
        string[] records = Enumerable.Range(1, 30).Select(i => $"_autodiscover._tcp.contoso.lab,frontend-{i:00}-autodiscover-namespace.contoso.lab,443,{i},0").ToArray();
        using Dnsmasq dns = Dnsmasq.Start(records);

        SrvLookupResult result = await new DnsClient(new[] { dns.EndPoint }, Timeout).QuerySrvAsync(Name, CancellationToken.None);

        Assert.Equal("TCP", result.Transport);
        Assert.Equal(30, result.Records.Count);
        Assert.Equal("1 0 443 frontend-01-autodiscover-namespace.contoso.lab", DnsMessage.Order(result.Records)[0].ToString());
        Assert.Equal("30 0 443 frontend-30-autodiscover-namespace.contoso.lab", DnsMessage.Order(result.Records)[29].ToString());
    }

    [Fact]
    public async Task Silent_server_ends_in_a_timeout_and_the_next_server_is_asked()
    {
        using var silent = new FakeDnsServer(_ => null);
        using Dnsmasq dns = Dnsmasq.Start("_autodiscover._tcp.contoso.lab,autodiscover.contoso.lab,443,0,0");

        SrvLookupResult result = await new DnsClient(new[] { silent.EndPoint, dns.EndPoint }, TimeSpan.FromSeconds(1)).QuerySrvAsync(Name, CancellationToken.None);

        Assert.Equal(dns.EndPoint, result.Server);
        Assert.Equal(new[] { $"127.0.0.1:{silent.EndPoint.Port} UDP: no answer within 1 s", $"127.0.0.1:{dns.EndPoint.Port} UDP: NOERROR" }, result.Attempts);
        Assert.Single(silent.Queries);
    }

    [Fact]
    public async Task Silent_server_alone_is_a_timeout_failure()
    {
        using var silent = new FakeDnsServer(_ => null);

        DnsLookupException error = await Assert.ThrowsAsync<DnsLookupException>(() => new DnsClient(new[] { silent.EndPoint }, TimeSpan.FromSeconds(1)).QuerySrvAsync(Name, CancellationToken.None));

        Assert.Equal(DnsFailureKind.Timeout, error.Kind);
        Assert.Equal($"127.0.0.1:{silent.EndPoint.Port} UDP: no answer within 1 s", Assert.Single(error.Attempts));
    }

    [Fact]
    public async Task Silent_server_is_stopped_at_once_by_the_callers_token()
    {
        using var silent = new FakeDnsServer(_ => null);
        using var stop = new CancellationTokenSource();

        // A 10-minute timeout: only the token can end this lookup.
        Task<SrvLookupResult> lookup = new DnsClient(new[] { silent.EndPoint }, TimeSpan.FromMinutes(10)).QuerySrvAsync(Name, stop.Token);
        for (int i = 0; i < 2000 && silent.Queries.Count == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Single(silent.Queries);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => lookup);
    }

    [Fact]
    public async Task Port_without_a_server_is_unreachable()
    {
        int port = Dnsmasq.FreeUdpAndTcpPort();

        DnsLookupException error = await Assert.ThrowsAsync<DnsLookupException>(() => new DnsClient(new[] { new IPEndPoint(IPAddress.Loopback, port) }, Timeout).QuerySrvAsync(Name, CancellationToken.None));

        Assert.Equal(DnsFailureKind.Unreachable, error.Kind);
        Assert.StartsWith($"127.0.0.1:{port} UDP: ", error.Attempts.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pointer_loop_answer_is_a_clear_malformed_failure()
    {
        // A reply to the real query (its ID and question echoed) whose answer record's owner points at itself.
        using var hostile = new FakeDnsServer(query => Reply(query, 0x80, 1, DnsMessageTests.Hex("c0 30 00 21 00 01 00 00 00 3c 00 00")));

        DnsLookupException error = await Assert.ThrowsAsync<DnsLookupException>(() => new DnsClient(new[] { hostile.EndPoint }, Timeout).QuerySrvAsync(Name, CancellationToken.None));

        Assert.Equal(DnsFailureKind.Malformed, error.Kind);
        Assert.Equal($"127.0.0.1:{hostile.EndPoint.Port} UDP: malformed answer, not used (the compression pointer at offset 48 points to offset 48, not back before its name: a pointer loop)", error.Attempts.Single());
    }

    [Fact]
    public async Task Truncated_record_over_tcp_after_tc_is_a_clear_malformed_failure()
    {
        // UDP says "truncated"; the TCP answer claims one record and stops in the middle of it.
        using var hostile = new FakeDnsServer(
            query => Reply(query, 0x82, 0, Array.Empty<byte>()),
            query => Reply(query, 0x80, 1, DnsMessageTests.Hex("c0 0c 00 21 00 01 00 00 00 3c 00 20 00 00 00 00 01 bb")));

        DnsLookupException error = await Assert.ThrowsAsync<DnsLookupException>(() => new DnsClient(new[] { hostile.EndPoint }, Timeout).QuerySrvAsync(Name, CancellationToken.None));

        Assert.Equal(DnsFailureKind.Malformed, error.Kind);
        Assert.Equal($"127.0.0.1:{hostile.EndPoint.Port} TCP: malformed answer, not used (the data of answer record 1 is cut off at offset 60 (32 bytes needed, 6 there))", error.Attempts.Single());
        Assert.Equal(1, hostile.TcpQueries);
    }

    [Fact]
    public async Task Servfail_is_a_server_failure_and_a_forged_id_is_ignored()
    {
        // First a datagram with another ID (a forged or late reply, ignored), then SERVFAIL for the real query.
        using var failing = new FakeDnsServer(query => Reply(query, 0x81, 0, Array.Empty<byte>(), rcode: 2));
        using var forger = new FakeDnsServer(query =>
        {
            byte[] forged = Reply(query, 0x80, 0, Array.Empty<byte>());
            forged[0] ^= 0xFF;
            return forged;
        });

        DnsLookupException error = await Assert.ThrowsAsync<DnsLookupException>(() => new DnsClient(new[] { failing.EndPoint, forger.EndPoint }, TimeSpan.FromSeconds(1)).QuerySrvAsync(Name, CancellationToken.None));

        Assert.Equal(DnsFailureKind.ServerFailure, error.Kind);
        Assert.Equal(new[] { $"127.0.0.1:{failing.EndPoint.Port} UDP: SERVFAIL", $"127.0.0.1:{forger.EndPoint.Port} UDP: no answer within 1 s (1 stray datagram(s) with another ID ignored)" }, error.Attempts);
    }

    /// <summary>A response to <paramref name="query"/>: its ID and question echoed, the flags, ANCOUNT and answer bytes given.</summary>
    internal static byte[] Reply(byte[] query, byte flags, int answers, byte[] answerSection, int rcode = 0)
    {
        var reply = new byte[query.Length + answerSection.Length];
        Buffer.BlockCopy(query, 0, reply, 0, query.Length);
        Buffer.BlockCopy(answerSection, 0, reply, query.Length, answerSection.Length);
        reply[2] = flags;
        reply[3] = (byte)(0x80 | rcode);
        reply[6] = (byte)(answers >> 8);
        reply[7] = (byte)answers;
        return reply;
    }
}
