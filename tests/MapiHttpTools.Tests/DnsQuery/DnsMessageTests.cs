using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using MapiHttpTools.DnsQuery;
using Xunit;

namespace MapiHttpTools.Tests.DnsQuery;

/// <summary>
/// The SRV query and the reading of its answer (issue 14), on literal bytes: what goes on the wire, what a well-formed
/// answer gives, and a clear refusal of every hostile shape (pointer loops, cut records, counts the bytes cannot hold).
/// </summary>
public sealed class DnsMessageTests
{
    private const string Name = "_autodiscover._tcp.contoso.lab";

    // _autodiscover._tcp.contoso.lab in wire form: 13 "_autodiscover", 4 "_tcp", 7 "contoso", 3 "lab", 0.
    private const string NameHex =
        "0d 5f 61 75 74 6f 64 69 73 63 6f 76 65 72 04 5f 74 63 70 07 63 6f 6e 74 6f 73 6f 03 6c 61 62 00";

    [Fact]
    public void Srv_query_is_the_rfc_1035_message_with_rd_set()
    {
        byte[] query = DnsMessage.SrvQuery(0x1234, Name);

        Assert.Equal(Hex("12 34 01 00 00 01 00 00 00 00 00 00 " + NameHex + " 00 21 00 01"), query);
    }

    [Fact]
    public void International_names_are_asked_in_punycode_and_bad_labels_refused()
    {
        // bäch.lab as IDNA: 11 "xn--bch-qla", 3 "lab", 0.
        Assert.Equal(Hex("0b 78 6e 2d 2d 62 63 68 2d 71 6c 61 03 6c 61 62 00"), DnsMessage.EncodeName("bäch.lab"));
        Assert.Throws<ArgumentException>(() => DnsMessage.EncodeName("a..b"));
        Assert.Throws<ArgumentException>(() => DnsMessage.EncodeName(new string('a', 64) + ".lab"));
    }

    [Fact]
    public void Answer_with_two_records_is_read_and_ordered_by_priority()
    {
        byte[] answer = Hex(
            "12 34 81 80 00 01 00 02 00 00 00 00 " + NameHex + " 00 21 00 01 " +

            // priority 10, weight 5, port 443, mail2 + pointer to "contoso.lab" at offset 31 (0x1f); TTL 3600.
            "c0 0c 00 21 00 01 00 00 0e 10 00 0e 00 0a 00 05 01 bb 05 6d 61 69 6c 32 c0 1f " +

            // priority 0, weight 0, port 443, autodiscover.contoso.lab uncompressed; TTL 300.
            "c0 0c 00 21 00 01 00 00 01 2c 00 20 00 00 00 00 01 bb " +
            "0c 61 75 74 6f 64 69 73 63 6f 76 65 72 07 63 6f 6e 74 6f 73 6f 03 6c 61 62 00");

        DnsSrvResponse response = DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name);

        Assert.Equal(0, response.ResponseCode);
        Assert.False(response.Truncated);
        Assert.Equal(new[] { "10 5 443 mail2.contoso.lab", "0 0 443 autodiscover.contoso.lab" }, response.Records.Select(r => r.ToString()).ToArray());
        Assert.Equal(new uint[] { 3600, 300 }, response.Records.Select(r => r.TimeToLive).ToArray());
        Assert.Equal(new[] { "autodiscover.contoso.lab", "mail2.contoso.lab" }, DnsMessage.Order(response.Records).Select(r => r.Target).ToArray());
    }

    [Fact]
    public void Within_a_priority_the_heavier_record_comes_first()
    {
        var records = new[]
        {
            new SrvRecord(5, 10, 443, "light.contoso.lab", 60),
            new SrvRecord(1, 0, 443, "first.contoso.lab", 60),
            new SrvRecord(5, 60, 443, "heavy.contoso.lab", 60),
        };

        Assert.Equal(new[] { "first.contoso.lab", "heavy.contoso.lab", "light.contoso.lab" }, DnsMessage.Order(records).Select(r => r.Target).ToArray());
    }

    [Fact]
    public void Nxdomain_is_a_response_code_not_an_error()
    {
        byte[] answer = Hex("12 34 81 83 00 01 00 00 00 01 00 00 " + NameHex + " 00 21 00 01 " +

            // The SOA of the authority section is not read: only answers matter.
            "c0 13 00 06 00 01 00 00 00 3c 00 02 c0 13");

        DnsSrvResponse response = DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name);

        Assert.Equal(DnsResponseCodes.NameError, response.ResponseCode);
        Assert.Empty(response.Records);
        Assert.Equal("NXDOMAIN", DnsResponseCodes.Name(response.ResponseCode));
        Assert.Equal("SERVFAIL", DnsResponseCodes.Name(2));
    }

    [Fact]
    public void Truncated_answer_is_flagged_and_its_sections_not_read()
    {
        // TC set, ANCOUNT 3, and the message stops after the header: a UDP answer cut at 512 bytes looks like this.
        byte[] answer = Hex("12 34 83 80 00 01 00 03 00 00 00 00");

        DnsSrvResponse response = DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name);

        Assert.True(response.Truncated);
        Assert.Empty(response.Records);
    }

    [Fact]
    public void Srv_target_root_is_the_empty_name()
    {
        byte[] answer = Hex("12 34 81 80 00 01 00 01 00 00 00 00 " + NameHex + " 00 21 00 01 c0 0c 00 21 00 01 00 00 00 3c 00 07 00 00 00 00 00 00 00");

        SrvRecord record = Assert.Single(DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name).Records);
        Assert.Equal(string.Empty, record.Target);
        Assert.Equal(0, record.Port);
    }

    [Fact]
    public void Records_of_other_names_and_types_are_counted_not_used()
    {
        byte[] answer = Hex("12 34 81 80 00 01 00 02 00 00 00 00 " + NameHex + " 00 21 00 01 " +

            // An A record for the asked name, then an SRV record for contoso.lab (offset 31): neither is the answer.
            "c0 0c 00 01 00 01 00 00 00 3c 00 04 7f 00 00 01 " +
            "c0 1f 00 21 00 01 00 00 00 3c 00 08 00 00 00 00 01 bb 01 78 00");

        DnsSrvResponse response = DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name);

        Assert.Empty(response.Records);
        Assert.Equal(2, response.IgnoredRecords);
    }

    [Fact]
    public void Cname_in_the_answer_makes_its_target_an_owner_of_the_srv_records()
    {
        byte[] answer = Hex("12 34 81 80 00 01 00 02 00 00 00 00 " + NameHex + " 00 21 00 01 " +

            // CNAME to "x" + contoso.lab (offset 31), its data at offset 60; then SRV for the CNAME target, owner pointer c0 3c.
            "c0 0c 00 05 00 01 00 00 00 3c 00 04 01 78 c0 1f " +
            "c0 3c 00 21 00 01 00 00 00 3c 00 0a 00 01 00 02 01 bb 01 79 c0 1f");

        SrvRecord record = Assert.Single(DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name).Records);
        Assert.Equal("1 2 443 y.contoso.lab", record.ToString());
    }

    [Theory]
    [InlineData("compression pointer to itself", "c0 30 00 21 00 01 00 00 00 3c 00 00", "the compression pointer at offset 48 points to offset 48, not back before its name: a pointer loop")]
    [InlineData("compression pointer forwards", "c0 40 00 21 00 01 00 00 00 3c 00 00", "the compression pointer at offset 48 points to offset 64, not back before its name: a pointer loop")]
    [InlineData("label then a pointer back to its own start", "01 61 c0 30 00 21 00 01 00 00 00 3c 00 00", "the compression pointer at offset 50 points to offset 48, not back before its name: a pointer loop")]
    [InlineData("label running past the end", "3f 61 62 00 21 00 01 00 00 00 3c 00 00", "the 63-byte label at offset 48 runs past the end of its data")]
    [InlineData("name without its end", "01 61 01 61 01 61 01 61 01 61 01 61", "a name runs past the end of its data at offset 60")]
    [InlineData("pointer cut in half", "c0 0c 00 21 00 01 00 00 00 3c 00 07 00 00 00 00 01 bb c0", "the compression pointer at offset 66 is cut off")]
    [InlineData("reserved label type", "80 61 00 21 00 01 00 00 00 3c 00 00", "the label at offset 48 has the reserved type bits 0x80")]
    [InlineData("record cut after its name", "07 63 6f 6e 74 6f 73 6f 03 6c 61 62 00 00 21", "answer record 1 is cut off at offset 61 (10 bytes needed, 2 there)")]
    [InlineData("rdata longer than the message", "c0 0c 00 21 00 01 00 00 00 3c 00 30 00 00", "the data of answer record 1 is cut off at offset 60 (48 bytes needed, 2 there)")]
    [InlineData("srv rdata too short", "c0 0c 00 21 00 01 00 00 00 3c 00 03 00 00 00", "SRV record 1 has 3 bytes of data, fewer than the 7 it needs")]
    [InlineData("srv target running past rdlength", "c0 0c 00 21 00 01 00 00 00 3c 00 08 00 00 00 00 01 bb 05 61 62 63 64 65 00", "the 5-byte label at offset 66 runs past the end of its data")]
    public void Hostile_answer_is_refused_with_what_is_wrong(string shape, string answerSection, string expected)
    {
        // Header with ANCOUNT 1; the question at 12..47; the hostile answer record starts at offset 48 (0x30).
        byte[] answer = Hex("12 34 81 80 00 01 00 01 00 00 00 00 " + NameHex + " 00 21 00 01 " + answerSection);

        DnsFormatException error = Assert.Throws<DnsFormatException>(() => DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name));
        Assert.True(expected == error.Message, $"{shape}: {error.Message}");
    }

    [Fact]
    public void Count_the_bytes_cannot_hold_is_refused_before_reading()
    {
        byte[] answer = Hex("12 34 81 80 00 01 ff ff 00 00 00 00 " + NameHex + " 00 21 00 01 c0 0c 00 21");

        DnsFormatException error = Assert.Throws<DnsFormatException>(() => DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name));
        Assert.Equal("the answer claims 65535 records in the 4 bytes left", error.Message);
    }

    [Fact]
    public void Name_longer_than_255_bytes_through_pointers_is_refused()
    {
        // Four 63-byte labels chained by backward pointers: 4 * 64 = 256 bytes before the end is reached.
        var message = new List<byte>(Hex("12 34 81 80 00 01 00 01 00 00 00 00 " + NameHex + " 00 21 00 01"));
        var starts = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            starts.Add(message.Count);
            message.Add(63);
            message.AddRange(Enumerable.Repeat((byte)'a', 63));
            if (i == 0)
            {
                message.Add(0);
            }
            else
            {
                message.Add((byte)(0xC0 | (starts[i - 1] >> 8)));
                message.Add((byte)starts[i - 1]);
            }
        }

        // A name that is only a pointer to the last chain: reading it walks all four labels, 256 bytes.
        int offset = message.Count;
        message.Add((byte)(0xC0 | (starts[3] >> 8)));
        message.Add((byte)starts[3]);
        byte[] bytes = message.ToArray();
        DnsFormatException error = Assert.Throws<DnsFormatException>(() => DnsMessage.ReadName(bytes, bytes.Length, bytes.Length, ref offset));
        Assert.Equal("a name is longer than 255 bytes", error.Message);
    }

    [Theory]
    [InlineData("12 35 81 80 00 01 00 00 00 00 00 00", "the answer's ID 4661 is not the query's 4660")]
    [InlineData("12 34 01 80 00 01 00 00 00 00 00 00", "the answer is a query (QR bit not set), not a response")]
    [InlineData("12 34 91 80 00 01 00 00 00 00 00 00", "the answer has OPCODE 2, not the standard query's 0")]
    [InlineData("12 34 81 80 00 02 00 00 00 00 00 00", "the answer echoes 2 questions, not the one asked")]
    [InlineData("12 34 81", "the answer is 3 bytes, shorter than the 12-byte DNS header")]
    public void Answer_that_is_not_a_reply_to_our_query_is_refused(string header, string expected)
    {
        byte[] answer = Hex(header);

        DnsFormatException error = Assert.Throws<DnsFormatException>(() => DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Answer_echoing_another_question_is_refused()
    {
        // Same ID, but the question is contoso.lab type A: a reply to some other query, or a forged one.
        byte[] answer = Hex("12 34 81 80 00 01 00 00 00 00 00 00 07 63 6f 6e 74 6f 73 6f 03 6c 61 62 00 00 01 00 01");

        DnsFormatException error = Assert.Throws<DnsFormatException>(() => DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name));
        Assert.Equal("the answer's question (contoso.lab type 1 class 1) is not the one asked (_autodiscover._tcp.contoso.lab SRV IN)", error.Message);
    }

    [Fact]
    public void Refusal_without_a_question_is_read_by_its_code()
    {
        byte[] answer = Hex("12 34 81 85 00 00 00 00 00 00 00 00");

        Assert.Equal(DnsResponseCodes.Refused, DnsMessage.ParseSrvResponse(answer, answer.Length, 0x1234, Name).ResponseCode);
    }

    [Fact]
    public void Control_bytes_in_labels_are_shown_escaped()
    {
        byte[] message = Hex("03 61 1b 2e 03 6c 61 62 00");
        int offset = 0;

        Assert.Equal("a\\027\\046.lab", DnsMessage.ReadName(message, message.Length, message.Length, ref offset));
        Assert.Equal(9, offset);
    }

    [Theory]
    [InlineData("nameserver 10.255.255.53\n", "10.255.255.53:53")]
    [InlineData("# generated\nsearch contoso.lab\nnameserver 192.0.2.1\n; comment\nnameserver fe80::1%2\noptions edns0\n", "192.0.2.1:53,[fe80::1%2]:53")]
    [InlineData("nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\nnameserver 192.0.2.4\n", "192.0.2.1:53,192.0.2.2:53,192.0.2.3:53")]
    [InlineData("nameserver dns.contoso.lab\n#nameserver 192.0.2.9\nnameserver\r\n  nameserver 192.0.2.5 \r\n", "192.0.2.5:53")]
    [InlineData("domain contoso.lab\n", "")]
    public void Resolv_conf_nameserver_lines_are_read_as_glibc_does(string text, string expected)
    {
        Assert.Equal(expected, string.Join(",", DnsServers.ParseResolvConf(text).Select(e => e.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{e.Address}]:{e.Port}" : $"{e.Address}:{e.Port}")));
    }

    [Theory]
    [InlineData("192.0.2.53", "192.0.2.53:53")]
    [InlineData("127.0.0.1:5353", "127.0.0.1:5353")]
    [InlineData("2001:db8::53", "[2001:db8::53]:53")]
    [InlineData("[2001:db8::53]:5353", "[2001:db8::53]:5353")]
    [InlineData(" [::1] ", "[::1]:53")]
    public void Dns_server_values_parse_to_endpoints(string text, string expected)
    {
        Assert.True(DnsServers.TryParseEndPoint(text, out IPEndPoint? endPoint, out string problem), problem);
        Assert.Equal(expected, DnsClient.Format(endPoint!));
    }

    [Theory]
    [InlineData("dns.contoso.lab", "it is not an IP address (a host name cannot be used: finding the DNS server would need DNS)")]
    [InlineData("127.1", "it is not an IP address (a host name cannot be used: finding the DNS server would need DNS)")]
    [InlineData("127.0.0.1:0", "its port is not a number from 1 to 65535")]
    [InlineData("127.0.0.1:65536", "its port is not a number from 1 to 65535")]
    [InlineData("127.0.0.1:+53", "its port is not a number from 1 to 65535")]
    [InlineData("[::1", "an IPv6 address in brackets needs ']' and then nothing or ':port'")]
    [InlineData("[::1]x", "an IPv6 address in brackets needs ']' and then nothing or ':port'")]
    public void Bad_dns_server_values_say_why(string text, string expected)
    {
        Assert.False(DnsServers.TryParseEndPoint(text, out IPEndPoint? endPoint, out string problem));
        Assert.Null(endPoint);
        Assert.Equal(expected, problem);
    }

    internal static byte[] Hex(string hex) =>
        hex.Split(new[] { ' ', '\n' }, StringSplitOptions.RemoveEmptyEntries).Select(h => Convert.ToByte(h, 16)).ToArray();
}
