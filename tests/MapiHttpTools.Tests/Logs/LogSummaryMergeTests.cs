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
}
