using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>
/// Issue 18: the summary must not depend on which worker read which file or which finished first. Each run here
/// gives the workers the files in another split and merges them in another order, and every figure and finding
/// must come out the same (compared as the whole summary serialized).
/// </summary>
public sealed class LogSummaryMergeTests
{
    private static readonly DateTime Day = new(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    private const string Outlook17928 = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)";
    private const string Outlook18025 = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18025; Pro)";
    private const string Outlook18129 = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18129; Pro)";

    /// <summary>The whole summary as text, every public figure and finding (the findings' creation time left out).</summary>
    internal static string Text(MapiHttpLogSummary s)
    {
        JsonNode node = JsonSerializer.SerializeToNode(s)!;
        foreach (JsonNode? finding in node["Findings"]!.AsArray())
        {
            finding!.AsObject().Remove("Timestamp");
        }

        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>A line of <paramref name="user"/> whose anchor mailbox is another one's (a shared or delegated mailbox).</summary>
    private static string WithAnchor(ProxyLine line, string anchor) =>
        HttpProxyLog.Line(line).Replace($"SMTP:{line.User}@contoso.com", $"SMTP:{anchor}@contoso.com", StringComparison.Ordinal);

    private static string File(DateTime start, IEnumerable<string> lines) =>
        HttpProxyLog.Header(start) + string.Concat(lines.Select(l => l + "\r\n"));

    private static string[] Files(TempFolder folder)
    {
        DateTime h8 = Day.AddHours(8);
        DateTime h9 = Day.AddHours(9);
        DateTime h10 = Day.AddHours(10);
        var files = new List<string>
        {
            // 08:00: erin with Outlook 17928; the shared mailbox first seen with erin; its 401s before any user.
            folder.File("HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", File(h8, new[]
            {
                HttpProxyLog.Line(new ProxyLine(h8, "erin", 401, Agent: Outlook17928)),
                HttpProxyLog.Line(new ProxyLine(h8.AddSeconds(1), "erin", 200, Agent: Outlook17928)),
                WithAnchor(new ProxyLine(h8.AddMinutes(5), "erin", 200, Agent: Outlook17928), "shared"),
                WithAnchor(new ProxyLine(h8.AddMinutes(6), "nobody", 401), "shared"),
            })),

            // 09:00: the same user written Erin with Outlook 18025; the shared mailbox now seen with frank.
            folder.File("HttpProxy/Mapi/HttpProxy_2024031109-1.LOG", File(h9, new[]
            {
                HttpProxyLog.Line(new ProxyLine(h9, "Erin", 200, Agent: Outlook18025)),
                WithAnchor(new ProxyLine(h9.AddMinutes(1), "frank", 200), "shared"),
                WithAnchor(new ProxyLine(h9.AddMinutes(2), "nobody", 401), "shared"),
                HttpProxyLog.Line(new ProxyLine(h9.AddMinutes(3), "frank", 503, RequestId: new Guid("11111111-2222-3333-4444-555555555555"))),
            })),

            // 10:00: erin last, with Outlook 18129; a 503 burst on ex04.
            folder.File("HttpProxy/Mapi/HttpProxy_2024031110-1.LOG", File(h10, new[]
            {
                HttpProxyLog.Line(new ProxyLine(h10, "erin", 200, Agent: Outlook18129)),
            }.Concat(Enumerable.Range(0, 6).Select(i => HttpProxyLog.Line(new ProxyLine(h10.AddSeconds(10 + i), "grace", 503, BackEnd: "ex04.contoso.com")))))),

            // 10:30: frank again, so there are four files to split.
            folder.File("HttpProxy/Mapi/HttpProxy_2024031110-2.LOG", File(h10.AddMinutes(30), new[]
            {
                HttpProxyLog.Line(new ProxyLine(h10.AddMinutes(30), "frank", 200)),
                HttpProxyLog.Line(new ProxyLine(h10.AddMinutes(31), "FRANK", 404)),
            })),
        };
        return files.ToArray();
    }

    public static IEnumerable<object[]> Splits() => new[]
    {
        new object[] { new[] { new[] { 0, 1, 2, 3 } } },
        new object[] { new[] { new[] { 3 }, new[] { 2 }, new[] { 1 }, new[] { 0 } } },
        new object[] { new[] { new[] { 1, 3 }, new[] { 0, 2 } } },
        new object[] { new[] { new[] { 2 }, new[] { 0, 1, 3 } } },
        new object[] { new[] { new[] { 0, 2 }, new[] { 1, 3 } } },
    };

    [Theory]
    [MemberData(nameof(Splits))]
    public void Several_files_give_the_same_summary_whichever_worker_reads_them_and_finishes_first(int[][] split)
    {
        using var folder = new TempFolder();
        string[] files = Files(folder);

        MapiHttpLogSummary single = new LogSummaryEngine(new SummaryOptions { Parallelism = 1 }, new CollectingObserver()).Run(files, CancellationToken.None);
        MapiHttpLogSummary s = new LogSummaryEngine(new SummaryOptions { WorkerFiles = split }, new CollectingObserver()).Run(files, CancellationToken.None);

        Assert.Equal(Text(single), Text(s));

        // The figures the merge used to take from whichever worker came first: the user row's spelling (the first
        // in ordinal order), its client (the last line's: 10:00, Outlook 18129), and the shared mailbox's 401s
        // (folded into erin, the user it was first seen with at 08:05, not frank at 09:01).
        MapiHttpLogStatistics erin = s.ByUser.Single(r => r.Key.Equals("CONTOSO\\erin", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("CONTOSO\\Erin", erin.Key);
        Assert.Equal(7, erin.Requests);
        Assert.Equal(2, erin.Unauthorized);
        Assert.Equal(1, erin.Challenges);
        Assert.Contains("18129", erin.Client, StringComparison.Ordinal);
        MapiHttpLogStatistics frank = s.ByUser.Single(r => r.Key.Equals("CONTOSO\\frank", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("CONTOSO\\FRANK", frank.Key);
        Assert.Equal(4, frank.Requests);
        Assert.Equal(17, s.Requests);
        Assert.Equal(1, s.ServiceUnavailableBursts);
    }

    /// <summary>
    /// One file of 08:00-09:00 with everything that can cross a range's end: handshakes (a 401 then the client's
    /// success a second later), a 401 whose success comes 50 s later (after other lines), failed 401s, a 503 burst
    /// over three minutes, monitoring probes, a user in two cases, and malformed lines (wrong field count) spread out.
    /// </summary>
    private static string OneLargeFile(out int lines)
    {
        DateTime h8 = Day.AddHours(8);
        var text = new List<string>();
        for (int i = 0; i < 120; i++)
        {
            DateTime t = h8.AddSeconds(i * 20);
            string user = $"user{i % 7}";
            text.Add(HttpProxyLog.Line(new ProxyLine(t, user, 401, Latency: 2)));
            text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(1), i % 11 == 0 ? user.ToUpperInvariant() : user, 200, BackEnd: $"ex0{3 + (i % 2)}.contoso.com", Latency: 10 + i)));
            if (i % 9 == 0)
            {
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(2), "late", 401)));
            }

            if (i % 9 == 2)
            {
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(10), "late", 200)));
            }

            if (i % 13 == 0)
            {
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(3), "refused", 401, FrontEnd: "EX02")));
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(4), "HealthMailbox0f1e2d3c4b5a", 401, Agent: "MapiHttpClient")));
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(5), "HealthMailbox0f1e2d3c4b5a", 200, Agent: "MapiHttpClient")));
            }

            if (i is >= 30 and < 39)
            {
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(6), "user1", 503, BackEnd: "ex04.contoso.com")));
                text.Add(HttpProxyLog.Line(new ProxyLine(t.AddSeconds(7), "user2", 503, BackEnd: "ex04.contoso.com")));
            }

            if (i % 17 == 5)
            {
                text.Add("2024-03-11T08:00:00.000Z,too,few,fields");
            }
        }

        lines = text.Count;
        return File(h8, text);
    }

    public static IEnumerable<object[]> Cuts() => new[]
    {
        // Bytes a range: a line or less (every handshake crosses an end), a few lines, odd sizes.
        new object[] { 600L, 1 }, new object[] { 600L, 2 }, new object[] { 1_000L, 3 }, new object[] { 2_345L, 2 }, new object[] { 9_999L, 2 }, new object[] { 31_337L, 1 },
    };

    [Theory]
    [MemberData(nameof(Cuts))]
    public void One_file_read_as_byte_ranges_gives_the_summary_of_reading_it_whole(long rangeBytes, int parallelism)
    {
        using var folder = new TempFolder();
        string file = folder.File("HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", OneLargeFile(out int lines));
        var wholeObserver = new CollectingObserver();
        var splitObserver = new CollectingObserver();

        MapiHttpLogSummary whole = new LogSummaryEngine(new SummaryOptions { RangeBytes = 0, Parallelism = 1 }, wholeObserver).Run(new[] { file }, CancellationToken.None);
        MapiHttpLogSummary split = new LogSummaryEngine(new SummaryOptions { RangeBytes = rangeBytes, Parallelism = parallelism }, splitObserver).Run(new[] { file }, CancellationToken.None);

        Assert.Equal(Text(whole), Text(split));
        Assert.Equal(wholeObserver.Messages, splitObserver.Messages);
        Assert.DoesNotContain(splitObserver.Messages, m => m.Contains("read whole", StringComparison.Ordinal));

        // The figures themselves, counted by hand from the generator above.
        // Requests: the lines less 7 malformed and 20 monitoring probes (counted apart).
        Assert.Equal(lines - 7 - 20, split.Requests);
        Assert.Equal(7, split.MalformedLines);
        Assert.Equal(20, split.Monitoring!.Requests);
        Assert.Equal(10, split.Monitoring.Challenges);

        // The first malformed line: 5 header lines, then 17 data lines before it.
        Assert.Contains(wholeObserver.Messages, m => m.EndsWith("7 with the wrong number of fields, first at line 23.", StringComparison.Ordinal));

        // Challenges: 109 handshakes and the 14 401s of "late" (its success 50 s later). Failed: the 10 of "refused"
        // and the 11 whose success came as USERn (another Outlook session: the generator's CI: is by name).
        Assert.Equal(109 + 14, split.Challenges);
        Assert.Equal(10 + 11, split.Unauthorized);
        Assert.Equal(1, split.ServiceUnavailableBursts);
    }

    [Fact]
    public void A_quoted_record_over_a_range_end_makes_the_file_read_whole_with_the_same_summary()
    {
        // A quoted field holding a line break (the parser joins the lines into one record): a cut after that line
        // break would start a range in the middle of the record, so the engine reads the file whole instead.
        string text = OneLargeFile(out _);
        int at = text.IndexOf("BeginRequest=x;CorrelationID=<empty>;", text.Length / 2, StringComparison.Ordinal);
        text = text.Substring(0, at) + "\"BeginRequest=x;\r\nCorrelationID=<empty>;\"" + text.Substring(at + "BeginRequest=x;CorrelationID=<empty>;".Length);
        using var folder = new TempFolder();
        string file = folder.File("HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", text);
        var wholeObserver = new CollectingObserver();
        var splitObserver = new CollectingObserver();

        MapiHttpLogSummary whole = new LogSummaryEngine(new SummaryOptions { RangeBytes = 0, Parallelism = 1 }, wholeObserver).Run(new[] { file }, CancellationToken.None);
        MapiHttpLogSummary split = new LogSummaryEngine(new SummaryOptions { RangeBytes = 400, Parallelism = 2 }, splitObserver).Run(new[] { file }, CancellationToken.None);

        Assert.Equal(Text(whole), Text(split));
        Assert.Equal(296, split.Requests);
        Assert.Equal(7, split.MalformedLines);
        Assert.Contains(splitObserver.Messages, m => m.StartsWith("A log could not be split into byte ranges exactly", StringComparison.Ordinal));
        Assert.Equal(wholeObserver.Messages, splitObserver.Messages.Where(m => !m.StartsWith("A log could not be split", StringComparison.Ordinal)));
    }
}
