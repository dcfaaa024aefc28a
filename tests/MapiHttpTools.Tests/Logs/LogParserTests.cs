using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>The byte-level pieces: reading lines, splitting fields, telling the format, counting malformed lines.</summary>
public sealed class LogParserTests
{
    private static LogFileParser Parse(string text, int bufferBytes = 1 << 20) =>
        LogFileParser.Open(new MemoryStream(Encoding.UTF8.GetBytes(text)), "memory.log", CancellationToken.None, bufferBytes);

    private static List<string?[]> Records(LogFileParser parser, params string[] columns)
    {
        var records = new List<string?[]>();
        while (parser.Next())
        {
            records.Add(columns.Select(c => parser.Fields.GetString(parser.Schema!.IndexOf(c))).ToArray());
        }

        return records;
    }

    [Fact]
    public void HttpProxy_header_block_is_detected_and_the_plain_header_row_after_it_is_not_a_record()
    {
        using LogFileParser parser = LogFileParser.Open(LogFixtures.HttpProxy, CancellationToken.None);

        Assert.Equal(MapiHttpLogKind.HttpProxy, parser.Schema!.Kind);
        Assert.Equal("HttpProxy Logs", parser.Schema.LogType);
        Assert.Equal("Microsoft Exchange Server", parser.Schema.Software);
        Assert.Equal(74, parser.Schema.Columns.Length);
        Assert.Equal(63, parser.Schema.Latency);
        var records = Records(parser, "DateTime", "HttpStatus");
        Assert.Equal(16, records.Count);
        Assert.Equal(new[] { "2024-03-11T08:00:01.101Z", "401" }, records[0]);
        Assert.Equal(0, parser.Malformed.Total);
    }

    [Fact]
    public void A_plain_first_line_header_without_directives_is_accepted_and_columns_are_found_by_name()
    {
        // Columns reordered and one added: the engine must not depend on positions.
        string header = "HttpStatus,Extra,DateTime,RequestId,UrlStem,TargetServer,AuthenticatedUser,ServerHostName,TotalRequestTime";
        string text = header + "\n503,x,2024-03-11T08:00:00.000Z,5e58f5e5-1ddc-48d3-82c6-0199bc121640,/mapi/emsmdb/,ex04.contoso.com,CONTOSO\\bob,EX02,7\n";
        using LogFileParser parser = Parse(text);
        var evaluator = new LineEvaluator(LogFilter.None);

        Assert.Equal(MapiHttpLogKind.HttpProxy, parser.Schema!.Kind);
        Assert.True(parser.Next());
        Assert.Equal(LineOutcome.Accepted, evaluator.Evaluate(parser.Fields, parser.Schema, out LineFacts facts));
        Assert.Equal(503, facts.Status);
        Assert.Equal(7, facts.LatencyMs);
        Assert.Equal("ex04.contoso.com", evaluator.Servers[facts.BackEnd]);
        Assert.Equal("CONTOSO\\bob", evaluator.Users[facts.User]);
        Assert.False(parser.Next());
    }

    [Fact]
    public void Each_log_kind_is_told_from_its_fields()
    {
        (string Path, MapiHttpLogKind Kind, int Columns, int Records)[] cases =
        {
            (LogFixtures.Mailbox, MapiHttpLogKind.MapiHttpMailbox, 46, 4),
            (LogFixtures.ClientAccess, MapiHttpLogKind.MapiClientAccess, 22, 3),
            (LogFixtures.IisBackEnd, MapiHttpLogKind.Iis, 15, 5),
            (LogFixtures.IisFrontEnd, MapiHttpLogKind.Iis, 15, 4),
        };

        foreach ((string path, MapiHttpLogKind kind, int columns, int records) in cases)
        {
            using LogFileParser parser = LogFileParser.Open(path, CancellationToken.None);
            Assert.Equal(kind, parser.Schema!.Kind);
            Assert.Equal(columns, parser.Schema.Columns.Length);
            int count = 0;
            while (parser.Next())
            {
                count++;
            }

            Assert.Equal(records, count);
            Assert.Equal(0, parser.Malformed.Total);
        }
    }

    [Theory]
    [InlineData("Ews_2024031108-1.LOG", "'EWS Logs'")]
    [InlineData("notes.log", "Restarted MSExchangeMapiFrontEndAppPool")]
    public void Other_files_are_unknown_with_a_reason_that_names_what_was_seen(string file, string expected)
    {
        using LogFileParser parser = LogFileParser.Open(Path.Combine(LogFixtures.Root, "Unknown", file), CancellationToken.None);

        Assert.Null(parser.Schema);
        Assert.Contains(expected, parser.UnknownReason);
        Assert.Contains("HttpProxy", parser.UnknownReason);
    }

    [Fact]
    public void Empty_UTF16_and_dateless_IIS_files_are_unknown_with_their_own_reasons()
    {
        using (LogFileParser empty = Parse(string.Empty))
        {
            Assert.Null(empty.Schema);
            Assert.Equal("it is empty", empty.UnknownReason);
        }

        byte[] utf16 = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("#Fields: date time\r\n")).ToArray();
        using (LogFileParser wide = LogFileParser.Open(new MemoryStream(utf16), "wide.log", CancellationToken.None))
        {
            Assert.Null(wide.Schema);
            Assert.Contains("UTF-16", wide.UnknownReason);
        }

        using LogFileParser iis = Parse("#Fields: s-ip cs-method cs-uri-stem sc-status time-taken\r\n10.0.0.1 POST /mapi/emsmdb/ 200 5\r\n");
        Assert.Null(iis.Schema);
        Assert.Contains("'date' and 'time'", iis.UnknownReason);
    }

    [Fact]
    public void A_log_just_created_has_a_format_and_no_records()
    {
        using LogFileParser parser = Parse(HttpProxyLog.Header(DateTime.UtcNow));

        Assert.Equal(MapiHttpLogKind.HttpProxy, parser.Schema!.Kind);
        Assert.False(parser.Next());
    }

    [Fact]
    public void Malformed_lines_are_counted_by_reason_with_their_line_numbers_and_the_rest_is_read()
    {
        using LogFileParser parser = LogFileParser.Open(LogFixtures.Malformed, CancellationToken.None);
        var evaluator = new LineEvaluator(LogFilter.None);
        var accepted = new List<(long Line, string? RequestId, string? Errors)>();
        while (parser.Next())
        {
            if (evaluator.Evaluate(parser.Fields, parser.Schema!, out _) == LineOutcome.Accepted)
            {
                accepted.Add((parser.LineNumber, parser.Fields.GetString(1), parser.Fields.GetString(parser.Schema!.IndexOf("GenericErrors"))));
            }
            else
            {
                parser.ReportBadValue();
            }
        }

        // Lines 7, 9, 13-14 (a quoted field with a line break), 16, 17 are good.
        Assert.Equal(new long[] { 7, 9, 13, 16, 17 }, accepted.Select(a => a.Line));
        Assert.Equal("line one of the error, with a comma\nline two \"quoted\" of the error", accepted[2].Errors);
        Assert.Equal(2, parser.Malformed.Count(MalformedReason.WrongFieldCount));
        Assert.Equal(1, parser.Malformed.Count(MalformedReason.BadValue));
        Assert.Equal(1, parser.Malformed.Count(MalformedReason.BadQuoting));
        Assert.Equal(1, parser.Malformed.Count(MalformedReason.Truncated));
        Assert.Equal(5, parser.Malformed.Total);
        Assert.Equal(
            "2 with the wrong number of fields, first at line 8; 1 with broken quoting at line 15; 1 with a value that does not parse at line 12; 1 cut short without a line end (still being written?) at line 18",
            parser.Malformed.Describe());
    }

    [Theory]
    [InlineData("a,\"b,c\",\"d\"\"e\",,\"\",f", "Ok", new[] { "a", "b,c", "d\"e", null, null, "f" })]
    [InlineData("\"x\"", "Ok", new[] { "x" })]
    [InlineData("a,", "Ok", new[] { "a", null })]
    [InlineData("ab\"c,d", "Ok", new[] { "ab\"c", "d" })]
    [InlineData("\"ab\"c,d", "BadQuote", null)]
    [InlineData("a,\"open", "OpenQuote", null)]
    public void Csv_fields_follow_the_quoting_rules(string line, string expectedResult, string?[]? fields)
    {
        var expected = (SplitResult)Enum.Parse(typeof(SplitResult), expectedResult);
        byte[] bytes = Encoding.UTF8.GetBytes("##" + line + "##");
        var split = new LineFields();

        SplitResult result = split.Split(bytes, 2, bytes.Length - 4, (byte)',', quoted: true, dashIsEmpty: false);

        Assert.Equal(expected, result);
        if (fields is not null)
        {
            Assert.Equal(fields, Enumerable.Range(0, split.Count).Select(split.GetString));
        }
    }

    [Fact]
    public void W3C_fields_split_on_spaces_and_a_dash_is_empty()
    {
        byte[] bytes = Encoding.UTF8.GetBytes("2024-03-11 08:00:01 - POST 200");
        var split = new LineFields();

        Assert.Equal(SplitResult.Ok, split.Split(bytes, 0, bytes.Length, (byte)' ', quoted: false, dashIsEmpty: true));
        Assert.Equal(new[] { "2024-03-11", "08:00:01", null, "POST", "200" }, Enumerable.Range(0, split.Count).Select(split.GetString));
    }

    [Fact]
    public void Lines_end_with_LF_or_CRLF_the_BOM_is_skipped_and_lines_longer_than_the_buffer_grow_it()
    {
        string longLine = new string('x', 300);
        byte[] bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("one\r\ntwo\n" + longLine + "\r\nlast")).ToArray();
        using var reader = new LogLineReader(new MemoryStream(bytes), CancellationToken.None, bufferBytes: 64);
        var lines = new List<(string Text, bool Unterminated)>();
        while (reader.ReadLine())
        {
            lines.Add((Encoding.UTF8.GetString(reader.Buffer, reader.LineStart, reader.LineLength), reader.LineUnterminated));
        }

        Assert.Equal(new[] { ("one", false), ("two", false), (longLine, false), ("last", true) }, lines);
        Assert.Equal(4, reader.LineNumber);
        Assert.Equal(bytes.Length, reader.Position);
    }

    [Fact]
    public void A_file_still_held_open_for_writing_is_read_up_to_its_last_complete_line()
    {
        using var folder = new TempFolder();
        string path = System.IO.Path.Combine(folder.Path, "HttpProxy_2024031108-1.LOG");
        var start = new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc);
        string first = HttpProxyLog.Line(new ProxyLine(start, "alice", 200));
        string second = HttpProxyLog.Line(new ProxyLine(start.AddSeconds(1), "bob", 503));
        using var writer = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        byte[] head = Encoding.UTF8.GetBytes(HttpProxyLog.Header(start) + first + "\r\n" + second.Substring(0, 100));
        writer.Write(head, 0, head.Length);
        writer.Flush();

        using (LogFileParser parser = LogFileParser.Open(path, CancellationToken.None))
        {
            Assert.True(parser.Next());
            Assert.False(parser.Next());
            Assert.Equal(1, parser.Malformed.Count(MalformedReason.Truncated));
        }

        byte[] rest = Encoding.UTF8.GetBytes(second.Substring(100) + "\r\n");
        writer.Write(rest, 0, rest.Length);
        writer.Flush();
        using (LogFileParser parser = LogFileParser.Open(path, CancellationToken.None))
        {
            Assert.True(parser.Next());
            Assert.True(parser.Next());
            Assert.Equal("503", parser.Fields.GetString(parser.Schema!.Status));
            Assert.False(parser.Next());
            Assert.Equal(0, parser.Malformed.Total);
        }
    }

    [Fact]
    public void IIS_header_blocks_in_the_middle_of_a_file_may_change_the_fields()
    {
        string text = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time cs-uri-stem sc-status time-taken\r\n" +
                      "2024-03-11 08:00:00 /mapi/emsmdb/ 200 5\r\n" +
                      "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: date time s-port cs-uri-stem sc-status time-taken\r\n" +
                      "2024-03-11 08:10:00 444 /mapi/nspi/ 503 7\r\n";
        using LogFileParser parser = Parse(text);

        var records = Records(parser, "cs-uri-stem", "sc-status", "time-taken");

        Assert.Equal(new[] { new[] { "/mapi/emsmdb/", "200", "5" }, new[] { "/mapi/nspi/", "503", "7" } }, records);
    }

    [Theory]
    [InlineData("2024-03-11T08:15:02.123Z", "2024-03-11T08:15:02.1230000Z")]
    [InlineData("2024-03-11T08:15:02.1234567Z", "2024-03-11T08:15:02.1234567Z")]
    [InlineData("2024-03-11T08:15:02Z", "2024-03-11T08:15:02.0000000Z")]
    [InlineData("2024-02-29T23:59:59.9", "2024-02-29T23:59:59.9000000Z")]
    [InlineData("2023-02-29T00:00:00.000Z", null)]
    [InlineData("2024-13-01T00:00:00.000Z", null)]
    [InlineData("2024-03-11T24:00:00.000Z", null)]
    [InlineData("2024-03-11T08:15:02.123+01:00", null)]
    [InlineData("DateTime", null)]
    public void Iso_times_parse_as_UTC(string text, string? expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        var cache = default(DayCache);

        bool ok = ValueParsers.TryParseIsoUtc(bytes, 0, bytes.Length, ref cache, out long ticks);

        Assert.Equal(expected is not null, ok);
        if (expected is not null)
        {
            Assert.Equal(expected, new DateTime(ticks, DateTimeKind.Utc).ToString("o"));
        }
    }

    [Theory]
    [InlineData("00:00:00.0150000", 15)]
    [InlineData("00:01:02.5", 62500)]
    [InlineData("1.02:00:00", 93600000)]
    public void Durations_of_MAPI_Client_Access_parse_to_milliseconds(string text, double expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);

        Assert.True(ValueParsers.TryParseDurationMs(bytes, 0, bytes.Length, out double ms));
        Assert.Equal(expected, ms, 6);
    }

    [Fact]
    public void Guids_parse_from_bytes_like_Guid_Parse()
    {
        var guid = Guid.NewGuid();
        foreach (string text in new[] { guid.ToString(), guid.ToString("B"), guid.ToString().ToUpperInvariant() })
        {
            byte[] bytes = Encoding.ASCII.GetBytes(text);
            Assert.True(GuidParser.TryParse(bytes, 0, bytes.Length, out Guid parsed));
            Assert.Equal(guid, parsed);
        }

        byte[] bad = Encoding.ASCII.GetBytes("5e58f5e5-1ddc-48d3-82c6-0199bc12164g");
        Assert.False(GuidParser.TryParse(bad, 0, bad.Length, out _));
    }

    [Theory]
    [InlineData("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)", "Outlook 16.0.17928", "16.0.17928")]
    [InlineData("Microsoft Office/15.0 (Windows NT 6.1; Microsoft Outlook 15.0.5589; Pro)", "Outlook 15.0.5589", "15.0.5589")]
    [InlineData("MapiHttpClient", "MapiHttpClient", null)]
    [InlineData("Microsoft Office/16.0 (Windows NT 10.0; MAPICPP 16.0.14326; Pro)", "MAPICPP 16.0.14326", "16.0.14326")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla", null)]
    public void Outlook_builds_come_from_the_user_agent(string agent, string key, string? version)
    {
        Assert.Equal((key, version), OutlookBuild.FromUserAgent(agent));
    }

    [Fact]
    public void The_byte_pool_returns_one_id_per_distinct_value_and_stops_at_its_capacity()
    {
        var pool = new BytePool(capacity: 2);
        byte[] bytes = Encoding.UTF8.GetBytes("EX01 EX02 EX01 EX03");

        int a = pool.Intern(bytes, 0, 4);
        int b = pool.Intern(bytes, 5, 4);
        int c = pool.Intern(bytes, 10, 4);
        int d = pool.Intern(bytes, 15, 4);

        Assert.Equal(new[] { 0, 1, 0, -1 }, new[] { a, b, c, d });
        Assert.Equal("EX02", pool[b]);
        pool.Aux(a) = 7;
        Assert.Equal(7, pool.Aux(c));
    }

    [Fact]
    public void Bit_sets_count_union_and_translate_ids()
    {
        var a = new BitSet();
        var b = new BitSet();
        a.Set(1);
        a.Set(64);
        b.Set(64);
        b.Set(200);
        b.Set(3);
        var translated = new BitSet();
        var members = new List<int>();

        translated.OrMapped(b, Enumerable.Range(0, 256).Select(i => i == 3 ? -1 : i + 1).ToArray());
        a.Or(b);
        a.ForEach(members.Add);

        Assert.Equal(new[] { 1, 3, 64, 200 }, members);
        Assert.Equal(4, a.Count());
        Assert.True(translated.Get(65) && translated.Get(201) && !translated.Get(4) && !translated.Get(3));
        Assert.Equal(2, translated.Count());
    }

    [Fact]
    public void Unspecified_and_local_times_of_the_filters_are_local_times()
    {
        var unspecified = new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Unspecified);
        var utc = new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc);

        Assert.Equal(unspecified.ToUniversalTime(), LogFilter.ToUtc(unspecified));
        Assert.Equal(utc, LogFilter.ToUtc(utc));
        var filter = new LogFilter(utc, utc.AddHours(1), null, null, null, null);
        Assert.Equal(utc.Ticks, filter.SinceTicks);
        Assert.Equal(utc.AddHours(1).Ticks, filter.UntilTicks);
    }
}
