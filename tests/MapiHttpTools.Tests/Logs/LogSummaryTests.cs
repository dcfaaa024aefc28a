using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>The summary's numbers on the hand-checked sample, and each cause finding on logs made for it.</summary>
public sealed class LogSummaryTests
{
    private static readonly DateTime Day = new(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    private static MapiHttpLogSummary Summarize(SummaryOptions? options, CollectingObserver? observer, params string[] files) =>
        new LogSummaryEngine(options ?? new SummaryOptions(), observer ?? new CollectingObserver()).Run(files, CancellationToken.None);

    private static MapiHttpLogSummary Summarize(IEnumerable<ProxyLine> lines, SummaryOptions? options = null)
    {
        using var folder = new TempFolder();
        string file = folder.File("HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", HttpProxyLog.Text(lines.OrderBy(l => l.Time)));
        return Summarize(options, null, file);
    }

    private static Dictionary<string, long> Statuses(System.Collections.Specialized.OrderedDictionary dictionary) =>
        dictionary.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString()!, e => (long)e.Value!);

    /// <summary>30 users doing ordinary work: a challenge then successes, spread over <paramref name="hours"/> hours on 3 back ends.</summary>
    private static IEnumerable<ProxyLine> Healthy(int hours, int users = 30, int perUserPerHour = 10)
    {
        for (int h = 0; h < hours; h++)
        {
            for (int u = 0; u < users; u++)
            {
                string user = $"user{u:00}";
                DateTime start = Day.AddHours(8 + h).AddSeconds(u * 60);
                yield return new ProxyLine(start, user, 401, FrontEnd: u % 2 == 0 ? "EX01" : "EX02", Latency: 2, Action: "Connect");
                for (int i = 1; i < perUserPerHour; i++)
                {
                    yield return new ProxyLine(start.AddSeconds(i * 3), user, 200, FrontEnd: u % 2 == 0 ? "EX01" : "EX02", BackEnd: $"ex0{3 + (u % 3)}.contoso.com", Latency: 10 + i);
                }
            }
        }
    }

    [Fact]
    public void Long_polls_written_as_Exchange_writes_them_stay_out_of_the_percentiles()
    {
        // Issue 11: real lines leave ProtocolAction empty and carry "RT:NotificationWait" in ClientRequestId.
        // 50 Execute requests of 1..50 ms and 20 long polls held four minutes.
        var lines = Enumerable.Range(1, 50).Select(i => new ProxyLine(Day.AddHours(8).AddSeconds(i), "alice", 200, Latency: i))
            .Concat(Enumerable.Range(1, 20).Select(i => new ProxyLine(Day.AddHours(8).AddSeconds(100 + i), "alice", 200, Latency: 240_000, Action: "NotificationWait")));
        string text = HttpProxyLog.Text(lines);
        Assert.Contains(",R:{", text);
        Assert.Contains(";RT:NotificationWait;CI:{", text);

        MapiHttpLogSummary s = Summarize(lines);

        Assert.Equal(70, s.Requests);
        Assert.Equal(25, s.LatencyP50Ms);
        Assert.Equal(48, s.LatencyP95Ms);
        Assert.Equal(50, s.LatencyP99Ms);
    }

    [Fact]
    public void A_401_the_same_client_follows_with_success_within_a_minute_is_a_challenge_not_a_failure()
    {
        DateTime t = Day.AddHours(8);
        var lines = new[]
        {
            // The Negotiate handshake: two 401s, then the success half a second later: two challenges.
            new ProxyLine(t, "erin", 401), new ProxyLine(t.AddMilliseconds(500), "erin", 401), new ProxyLine(t.AddSeconds(1), "erin", 200),

            // Exactly one minute later: still a challenge; one millisecond more: a failure.
            new ProxyLine(t.AddMinutes(10), "erin", 401), new ProxyLine(t.AddMinutes(11), "erin", 200),
            new ProxyLine(t.AddMinutes(20), "erin", 401), new ProxyLine(t.AddMinutes(21).AddMilliseconds(1), "erin", 200),

            // No success follows (end of the file): a failure. Another client's success does not pair with it.
            new ProxyLine(t.AddMinutes(30), "erin", 401),
            new ProxyLine(t.AddMinutes(40), "frank", 401), new ProxyLine(t.AddMinutes(40).AddSeconds(1), "erin", 200),
        };

        MapiHttpLogSummary s = Summarize(lines);

        Assert.Equal(10, s.Requests);
        Assert.Equal(3, s.Challenges);
        Assert.Equal(3, s.Unauthorized);
        Assert.Equal(3, s.Failures);
        Assert.Equal(new Dictionary<string, long> { ["401"] = 3 }, Statuses(s.FailuresByStatus));
        Assert.Equal(new[] { "CONTOSO\\erin", "frank@contoso.com" }, s.ByUser.Select(r => r.Key));
        Assert.Equal(new long[] { 2, 1 }, s.ByUser.Select(r => r.Failures));
        Assert.Equal(new long[] { 3, 0 }, s.ByUser.Select(r => r.Challenges));
    }

    [Fact]
    public void Exchange_monitoring_is_counted_apart_and_in_the_user_figures_only_when_asked()
    {
        // Issue 11: HealthMailbox probes (user agent MapiHttpClient) are not users.
        DateTime t = Day.AddHours(8).AddMinutes(40);
        var probes = new List<ProxyLine>();
        for (int i = 0; i < 4; i++)
        {
            probes.Add(new ProxyLine(t.AddMinutes(i), "HealthMailbox0f1e2d3c4b5a", 401, Agent: "MapiHttpClient"));
            probes.Add(new ProxyLine(t.AddMinutes(i).AddSeconds(1), "HealthMailbox0f1e2d3c4b5a", 200, Agent: "MapiHttpClient"));
        }

        probes.Add(new ProxyLine(t.AddMinutes(5), "HealthMailbox0f1e2d3c4b5a", 500, Agent: "MapiHttpClient"));
        probes.Add(new ProxyLine(t.AddMinutes(6), "HealthMailbox0f1e2d3c4b5a", 500, Agent: "MapiHttpClient"));
        probes.Add(new ProxyLine(t.AddMinutes(7), "probe", 200, Agent: "MapiHttpClient/15.2"));
        List<ProxyLine> lines = Healthy(1).Concat(probes).ToList();

        MapiHttpLogSummary apart = Summarize(lines);
        MapiHttpLogSummary included = Summarize(lines, new SummaryOptions { IncludeMonitoring = true });

        Assert.False(apart.IncludesMonitoring);
        Assert.Equal(300, apart.Requests);
        Assert.Equal(0, apart.Failures);
        Assert.Equal(30, apart.Challenges);
        Assert.Equal(30, apart.ByUser.Length);
        Assert.DoesNotContain(apart.ByClient, r => r.Key.StartsWith("MapiHttpClient", StringComparison.Ordinal));
        MapiHttpLogStatistics monitoring = apart.Monitoring!;
        Assert.Equal(MapiHttpLogDimension.Monitoring, monitoring.Dimension);
        Assert.Equal(11, monitoring.Requests);
        Assert.Equal(2, monitoring.Failures);
        Assert.Equal(4, monitoring.Challenges);
        Assert.Equal(0, monitoring.Unauthorized);

        Assert.True(included.IncludesMonitoring);
        Assert.Equal(311, included.Requests);
        Assert.Equal(2, included.Failures);
        Assert.Equal(34, included.Challenges);
        Assert.Contains(included.ByUser, r => r.Key == "CONTOSO\\HealthMailbox0f1e2d3c4b5a");
        Assert.Equal(11, included.Monitoring!.Requests);
    }

    [Fact]
    public void The_hand_checked_sample_gives_the_expected_numbers()
    {
        MapiHttpLogSummary s = Summarize(null, null, LogFixtures.HttpProxy);

        Assert.Equal(MapiHttpLogKind.HttpProxy, s.Source);
        Assert.Equal(1, s.Files);
        Assert.Equal(16, s.Requests);
        // alice's and bob's 401s are followed by their success within two seconds: challenges (issue 11);
        // carol's two are never followed by a success: failures.
        Assert.Equal(5, s.Failures);
        Assert.Equal(new Dictionary<string, long> { ["401"] = 2, ["503"] = 2, ["500"] = 1 }, Statuses(s.FailuresByStatus));
        Assert.Equal(2, s.Unauthorized);
        Assert.Equal(2, s.Challenges);
        Assert.Equal(0.125, s.UnauthorizedShare);
        Assert.Equal(2, s.ServiceUnavailable);
        Assert.Equal(0, s.ServiceUnavailableBursts);

        // 15 latencies (the NotificationWait long poll is not latency): 1 2 2 3 5 6 12 15 18 20 25 30 33 40 100.
        Assert.Equal(15, s.LatencyP50Ms);
        Assert.Equal(100, s.LatencyP95Ms);
        Assert.Equal(100, s.LatencyP99Ms);
        Assert.Equal(new DateTime(2024, 3, 11, 8, 0, 1, 101, DateTimeKind.Utc), s.From);
        Assert.Equal(new DateTime(2024, 3, 11, 9, 20, 0, DateTimeKind.Utc), s.To);
        Assert.Equal(0, s.MalformedLines);

        Assert.Equal(new[] { "2024-03-11 08:00Z", "2024-03-11 09:00Z" }, s.ByTime.Select(r => r.Key));
        Assert.Equal(new long[] { 11, 5 }, s.ByTime.Select(r => r.Requests));
        Assert.Equal(new long[] { 3, 2 }, s.ByTime.Select(r => r.Failures));
        Assert.Equal(new long[] { 2, 0 }, s.ByTime.Select(r => r.Challenges));
        Assert.Equal(new int?[] { 2, 3 }, s.ByTime.Select(r => r.Users));
        Assert.Equal(new int?[] { 0, 1 }, s.ByTime.Select(r => r.UnauthorizedUsers));
        Assert.Equal(new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc), s.ByTime[0].Start);

        // The 401 challenges count for the user the anchor mailbox was later seen authenticated as.
        Assert.Equal(new[] { "CONTOSO\\alice", "CONTOSO\\bob", "carol@contoso.com" }, s.ByUser.Select(r => r.Key));
        Assert.Equal(new long[] { 7, 7, 2 }, s.ByUser.Select(r => r.Requests));
        Assert.Equal(new long[] { 0, 3, 2 }, s.ByUser.Select(r => r.Failures));
        Assert.Equal(new long[] { 1, 1, 0 }, s.ByUser.Select(r => r.Challenges));
        Assert.Equal(new Dictionary<string, long> { ["503"] = 2, ["500"] = 1 }, Statuses(s.ByUser[1].FailuresByStatus));
        Assert.Equal("503=2; 500=1", s.ByUser[1].FailuresByStatusText);
        Assert.Equal("Outlook 16.0.16130", s.ByUser[1].Client);

        Assert.Equal(new[] { "Outlook 16.0.17928", "Outlook 16.0.16130" }, s.ByClient.Select(r => r.Key));
        Assert.Equal(new long[] { 9, 7 }, s.ByClient.Select(r => r.Requests));

        Assert.Equal(new[] { "EX01", "EX02" }, s.ByFrontEnd.Select(r => r.Key));
        Assert.Equal(new long[] { 9, 7 }, s.ByFrontEnd.Select(r => r.Requests));
        Assert.Equal(12, s.ByFrontEnd[0].LatencyP50Ms);
        Assert.Equal(40, s.ByFrontEnd[0].LatencyP95Ms);
        Assert.Equal(0, s.ByFrontEnd[0].ServiceUnavailableBursts);

        Assert.Equal(new[] { "ex03.contoso.com", "ex04.contoso.com" }, s.ByBackEnd.Select(r => r.Key));
        Assert.Equal(new long[] { 6, 6 }, s.ByBackEnd.Select(r => r.Requests));
        Assert.Equal(new long[] { 0, 3 }, s.ByBackEnd.Select(r => r.Failures));
        Assert.Equal(2, s.ByBackEnd[1].ServiceUnavailable);
        Assert.Null(s.ByUser[0].ServiceUnavailableBursts);

        MapiHttpLogFinding pass = Assert.Single(s.Findings);
        Assert.Equal(CheckStatus.Pass, pass.Status);
        Assert.Equal(MapiHttpCause.None, pass.Cause);
        Assert.Equal("No failure pattern in 16 requests from 2024-03-11 08:00 to 2024-03-11 09:20 UTC (5 failures, 12.5% failed with 401; 2 normal 401 challenges not counted as failures).", pass.Message);
        Assert.Equal(CheckStatus.Pass, s.Status);
    }

    [Fact]
    public void Back_end_IIS_lines_are_joined_to_front_end_failures_by_cafeReqId_and_each_request_is_counted_once()
    {
        var observer = new CollectingObserver();

        MapiHttpLogSummary s = Summarize(null, observer, LogFixtures.IisBackEnd, LogFixtures.Mailbox, LogFixtures.HttpProxy);

        Assert.Equal(MapiHttpLogKind.HttpProxy, s.Source);
        Assert.Equal(16, s.Requests);
        Assert.Equal(2, s.Files);
        Assert.Equal(3, s.JoinedRequests);
        Assert.Equal(new[] { ("HttpProxy 503 / IIS 503", 2L), ("HttpProxy 500 / IIS 200", 1L) }, s.JoinOutcomes.Cast<DictionaryEntry>().Select(e => ((string)e.Key, (long)e.Value!)));
        Assert.Equal(5, s.SecondaryLines);
        Assert.Contains("1 MapiHttpMailbox log file(s) not summarized: each request is counted once, from the HttpProxy logs.", observer.Messages);
        Assert.Equal(new[] { LogFixtures.HttpProxy, LogFixtures.IisBackEnd }.OrderBy(p => p, StringComparer.OrdinalIgnoreCase), s.Path);
    }

    [Fact]
    public void Without_front_end_logs_the_back_end_logs_are_summarized()
    {
        MapiHttpLogSummary mailbox = Summarize(null, null, LogFixtures.Mailbox, LogFixtures.ClientAccess);
        Assert.Equal(MapiHttpLogKind.MapiHttpMailbox, mailbox.Source);
        Assert.Equal(4, mailbox.Requests);
        Assert.Equal(2, mailbox.Failures);
        Assert.Equal(new[] { "alice@contoso.com", "bob@contoso.com" }, mailbox.ByUser.Select(u => u.Key));
        Assert.Equal(new[] { "EX01.contoso.com" }, mailbox.ByFrontEnd.Select(u => u.Key));
        Assert.Equal("Outlook 16.0.17928.20114", mailbox.ByClient[0].Key);

        MapiHttpLogSummary clientAccess = Summarize(null, null, LogFixtures.ClientAccess);
        Assert.Equal(MapiHttpLogKind.MapiClientAccess, clientAccess.Source);
        Assert.Equal(3, clientAccess.Requests);
        Assert.Equal(new Dictionary<string, long> { ["1010"] = 1 }, Statuses(clientAccess.FailuresByStatus));

        MapiHttpLogSummary iis = Summarize(null, null, LogFixtures.IisBackEnd, LogFixtures.IisFrontEnd);
        Assert.Equal(MapiHttpLogKind.Iis, iis.Source);
        Assert.Equal(7, iis.Requests);
        Assert.Equal(2, iis.OtherProtocolLines);
    }

    [Fact]
    public void Malformed_lines_and_unreadable_files_are_counted_and_the_summary_is_still_made()
    {
        var observer = new CollectingObserver();

        MapiHttpLogSummary s = Summarize(null, observer, LogFixtures.Malformed, LogFixtures.UnknownText, LogFixtures.HttpProxy);

        Assert.Equal(21, s.Requests);
        Assert.Equal(5, s.MalformedLines);
        Assert.Equal(2, s.Files);
        Assert.Equal(new[] { "UnknownLogFormat" }, observer.Errors.Select(e => e.Id));
    }

    [Fact]
    public void Filters_and_interval_shape_the_buckets_and_one_or_two_workers_agree()
    {
        var options = new SummaryOptions { Interval = TimeSpan.FromMinutes(15), Filter = new LogFilter(Day.AddHours(8), null, null, null, null, null) };
        string[] files = { LogFixtures.HttpProxy, LogFixtures.Malformed };

        MapiHttpLogSummary one = Summarize(new SummaryOptions { Interval = options.Interval, Filter = options.Filter, Parallelism = 1 }, null, files);
        MapiHttpLogSummary two = Summarize(new SummaryOptions { Interval = options.Interval, Filter = options.Filter, Parallelism = 2 }, null, files);

        Assert.Equal(new[] { "2024-03-11 08:00Z", "2024-03-11 08:30Z", "2024-03-11 09:00Z", "2024-03-11 09:15Z", "2024-03-11 10:00Z" }, one.ByTime.Select(r => r.Key));
        foreach (MapiHttpLogSummary s in new[] { one, two })
        {
            Assert.Equal(21, s.Requests);
        }

        Assert.Equal(one.ByUser.Select(u => (u.Key, u.Requests, u.Failures, u.LatencyP95Ms)), two.ByUser.Select(u => (u.Key, u.Requests, u.Failures, u.LatencyP95Ms)));
        Assert.Equal(one.ByTime.Select(u => (u.Key, u.Requests, u.Users)), two.ByTime.Select(u => (u.Key, u.Requests, u.Users)));

        MapiHttpLogSummary filtered = Summarize(new SummaryOptions { Filter = new LogFilter(null, null, null, new[] { 401 }, null, null) }, null, LogFixtures.HttpProxy);
        Assert.Equal(4, filtered.Requests);
        Assert.Equal(12, filtered.FilteredLines);
    }

    [Fact]
    public void A_503_burst_on_one_back_end_points_to_its_mailbox_app_pool()
    {
        var lines = Healthy(2).ToList();
        for (int minute = 0; minute < 4; minute++)
        {
            for (int i = 0; i < 8; i++)
            {
                lines.Add(new ProxyLine(Day.AddHours(8).AddMinutes(20 + minute).AddSeconds(i * 7), $"user{i:00}", 503, BackEnd: "ex04.contoso.com", Latency: 3));
            }
        }

        MapiHttpLogSummary s = Summarize(lines);

        MapiHttpLogFinding finding = Assert.Single(s.Findings, f => f.Cause == MapiHttpCause.AppPool);
        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal("ex04.contoso.com", finding.Server);
        Assert.Equal("MSExchangeMapiMailboxAppPool", finding.Target);
        Assert.Equal(Day.AddHours(8).AddMinutes(20), finding.FirstSeen);
        Assert.Equal(Day.AddHours(8).AddMinutes(24), finding.LastSeen);
        Assert.Equal(32, finding.Count);
        Assert.Equal(1, finding.Evidence["Bursts"]);
        Assert.Equal(4L, finding.Evidence["LongestBurstMinutes"]);
        Assert.Equal(
            "Invoke-Command -ComputerName ex04 -ScriptBlock { Import-Module WebAdministration; if ((Get-WebAppPoolState -Name 'MSExchangeMapiMailboxAppPool').Value -ne 'Started') { Start-WebAppPool -Name 'MSExchangeMapiMailboxAppPool' } else { Restart-WebAppPool -Name 'MSExchangeMapiMailboxAppPool' } }",
            finding.Recommendation);
        Assert.Contains("1 burst(s) of 503 from back end ex04.contoso.com: 32 responses between 2024-03-11 08:20 and 2024-03-11 08:24 UTC while 2 other back end(s) answered normally", finding.Message);
        Assert.Equal(1, s.ByBackEnd.Single(b => b.Key == "ex04.contoso.com").ServiceUnavailableBursts);
        Assert.Equal(0, s.ByBackEnd.Single(b => b.Key == "ex03.contoso.com").ServiceUnavailableBursts);

        // Four a minute stays under the default threshold of five; a threshold of 4 makes it a burst again.
        var below = Healthy(1).Concat(Enumerable.Range(0, 4).Select(i => new ProxyLine(Day.AddHours(8).AddMinutes(20).AddSeconds(i), "user01", 503, BackEnd: "ex04.contoso.com"))).ToList();
        Assert.DoesNotContain(Summarize(below).Findings, f => f.Cause == MapiHttpCause.AppPool);
        Assert.Contains(Summarize(below, new SummaryOptions { BurstThreshold = 4 }).Findings, f => f.Cause == MapiHttpCause.AppPool);
    }

    [Fact]
    public void A_503_burst_on_the_address_book_or_without_a_back_end_names_that_pool()
    {
        var nspi = Healthy(1).Concat(Enumerable.Range(0, 12).Select(i => new ProxyLine(Day.AddHours(8).AddMinutes(30).AddSeconds(i * 4), "user02", 503, BackEnd: "ex05.contoso.com", Stem: "/mapi/nspi/", Action: "Bind"))).ToList();
        MapiHttpLogFinding book = Assert.Single(Summarize(nspi).Findings, f => f.Cause == MapiHttpCause.AppPool);
        Assert.Equal("MSExchangeMapiAddressBookAppPool", book.Target);
        Assert.Equal("ex05.contoso.com", book.Server);

        var frontEnd = Healthy(1).Concat(Enumerable.Range(0, 12).Select(i => new ProxyLine(Day.AddHours(8).AddMinutes(30).AddSeconds(i * 4), "user03", 503, FrontEnd: "EX02", BackEnd: null))).ToList();
        MapiHttpLogFinding pool = Assert.Single(Summarize(frontEnd).Findings, f => f.Cause == MapiHttpCause.AppPool);
        Assert.Equal("MSExchangeMapiFrontEndAppPool", pool.Target);
        Assert.Equal("EX02", pool.Server);
    }

    [Fact]
    public void A_401_share_rising_across_users_points_to_authentication_on_the_front_end_that_answers_them()
    {
        // From 12:00 the even users' Outlook gets only 401s (no success follows them): authentication broke.
        var lines = Healthy(6).Where(l => !(l.Time.Hour is 12 or 13 && int.Parse(l.User.Substring(4)) % 2 == 0)).ToList();
        for (int u = 0; u < 30; u += 2)
        {
            for (int i = 0; i < 12; i++)
            {
                lines.Add(new ProxyLine(Day.AddHours(12).AddSeconds((u * 60) + (i * 2)), $"user{u:00}", 401, FrontEnd: "EX01", BackEnd: null, Latency: 1));
                lines.Add(new ProxyLine(Day.AddHours(13).AddSeconds((u * 60) + (i * 2)), $"user{u:00}", 401, FrontEnd: "EX01", BackEnd: null, Latency: 1));
            }
        }

        MapiHttpLogSummary s = Summarize(lines);

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.Authentication, finding.Cause);
        Assert.Equal("EX01", finding.Server);
        Assert.Equal(Day.AddHours(12), finding.FirstSeen);
        Assert.Equal(Day.AddHours(14), finding.LastSeen);
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", finding.Recommendation);
        // Per hour 12 and 13: 15 odd users x 10 requests (their challenges are not failures) + 15 even users x 12 failed 401s.
        Assert.StartsWith("The share of 401 responses rose from 0% to 54.5% (2024-03-11 12:00 UTC) across 15 users, on front end EX01, since 2024-03-11 12:00 UTC", finding.Message);
        Assert.Equal(2, finding.Evidence["ElevatedIntervals"]);
        Assert.Equal(15, finding.Evidence["UsersWith401"]);
        Assert.Equal(360L, finding.Count);
    }

    /// <summary>One hour of logs: users r0.. get only 401s (never authenticated), users o0.. only successes.</summary>
    private static List<ProxyLine> FewIntervals(int[] refused, int[] ok)
    {
        var lines = new List<ProxyLine>();
        DateTime t = Day.AddHours(8);
        for (int u = 0; u < refused.Length; u++)
        {
            lines.AddRange(Enumerable.Range(0, refused[u]).Select(i => new ProxyLine(t.AddMinutes(u * 5 + i), $"r{u}", 401, BackEnd: null, Latency: 1)));
        }

        for (int u = 0; u < ok.Length; u++)
        {
            lines.AddRange(Enumerable.Range(0, ok[u]).Select(i => new ProxyLine(t.AddMinutes(30 + u * 5 + i), $"o{u}", 200)));
        }

        return lines;
    }

    [Fact]
    public void Few_intervals_with_half_the_requests_refused_for_half_the_users_warn_of_authentication()
    {
        // Issue 19: the rule for logs too short to show a rise. At every threshold: 20 requests, 10 failed 401s
        // (share 0.5), 3 users refused of 6.
        MapiHttpLogSummary s = Summarize(FewIntervals(new[] { 4, 3, 3 }, new[] { 4, 3, 3 }));

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal("LogUnauthorizedRise", finding.Check);
        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.Equal(MapiHttpCause.Authentication, finding.Cause);
        Assert.Equal(
            "50% of 20 requests were answered 401, for 3 of 6 users; the logs cover too few intervals to tell whether this rose. " +
            "Normal Negotiate/NTLM challenges are a small share: check the MAPI virtual directory's authentication methods, IIS Windows authentication and the Auth certificate.",
            finding.Message);
        Assert.Equal("Get-MapiVirtualDirectory | Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,OAuth,Negotiate", finding.Recommendation);
        Assert.Equal(0.5, finding.Evidence["UnauthorizedShare"]);
        Assert.Equal(3, finding.Evidence["UsersWith401"]);
        Assert.Equal(6, finding.Evidence["Users"]);
        Assert.Equal(10L, finding.Count);
        Assert.Equal(Day.AddHours(8), finding.FirstSeen);
        Assert.Equal(Day.AddHours(8).AddMinutes(42), finding.LastSeen);
    }

    [Theory]
    [InlineData(new[] { 4, 3, 2 }, new[] { 4, 4, 3 })] // share 9/20 = 0.45, below one half
    [InlineData(new[] { 5, 5 }, new[] { 5, 5 })] // 2 users refused: fewer than 3
    [InlineData(new[] { 4, 3, 3 }, new[] { 3, 3, 3 })] // 19 requests: fewer than 20
    [InlineData(new[] { 4, 4, 4 }, new[] { 2, 2, 2, 2 })] // 3 users refused of 7: fewer than half
    public void Few_intervals_just_below_a_threshold_give_no_authentication_finding(int[] refused, int[] ok)
    {
        MapiHttpLogSummary s = Summarize(FewIntervals(refused, ok));

        Assert.DoesNotContain(s.Findings, f => f.Check == "LogUnauthorizedRise");
        Assert.Equal(refused.Sum() + ok.Sum(), s.Requests);
        Assert.Equal(refused.Sum(), s.Unauthorized);
    }

    [Theory]
    [InlineData(401, MapiHttpCause.Client, "Get-User -Identity 'CONTOSO\\dave' | Format-List UserAccountControl;")]
    [InlineData(403, MapiHttpCause.NotEnabled, "Get-CASMailbox -Identity 'CONTOSO\\dave' | Format-List MAPIEnabled,MapiHttpEnabled,MapiBlockOutlookRpcHttp,MapiBlockOutlookExternalConnectivity")]
    [InlineData(500, MapiHttpCause.Client, "Test-MAPIConnectivity -Identity 'CONTOSO\\dave'")]
    public void One_user_failing_while_the_others_succeed_points_to_the_mailbox_or_the_client(int status, MapiHttpCause cause, string recommendation)
    {
        var lines = Healthy(2).ToList();
        for (int i = 0; i < 20; i++)
        {
            lines.Add(new ProxyLine(Day.AddHours(8).AddMinutes(i * 3), "dave", i < 2 && status != 401 ? 200 : status, FrontEnd: "EX02", Agent: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.10417; Pro)"));
        }

        MapiHttpLogSummary s = Summarize(lines);

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(cause, finding.Cause);
        string user = status == 401 ? "dave@contoso.com" : "CONTOSO\\dave";
        Assert.Equal(user, finding.Target);
        Assert.StartsWith(recommendation.Replace("CONTOSO\\dave", user), finding.Recommendation);
        Assert.Equal(status == 401 ? 20 : 18, finding.Count);
        Assert.Contains("Outlook 16.0.10417", finding.Message);
        Assert.Equal(Day.AddHours(8).AddMinutes(status == 401 ? 0 : 6), finding.FirstSeen);
    }

    [Fact]
    public void Many_users_failing_is_not_reported_user_by_user()
    {
        var lines = Healthy(1, users: 10).ToList();
        for (int u = 0; u < 10; u++)
        {
            for (int i = 0; i < 20; i++)
            {
                lines.Add(new ProxyLine(Day.AddHours(8).AddMinutes(30).AddSeconds((u * 30) + i), $"user{u:00}", 500, BackEnd: "ex03.contoso.com"));
            }
        }

        MapiHttpLogSummary s = Summarize(lines);

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.Equal("LogUserFailures", finding.Check);
        Assert.StartsWith("10 of 10 users failed more than half of their requests: not a single mailbox or client", finding.Message);
    }

    [Fact]
    public void Front_end_failures_the_back_end_answered_point_to_the_network_between_them()
    {
        using var folder = new TempFolder();
        var lines = Healthy(1).ToList();
        var iis = new List<string> { "#Software: Microsoft Internet Information Services 10.0", "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken" };
        for (int i = 0; i < 6; i++)
        {
            var id = Guid.NewGuid();
            DateTime time = Day.AddHours(8).AddMinutes(10 + i);
            lines.Add(new ProxyLine(time, $"user{i:00}", 504, FrontEnd: "EX01", BackEnd: "ex05.contoso.com", Latency: 120000, RequestId: id));
            iis.Add($"{time:yyyy-MM-dd HH:mm:ss} 10.0.0.25 POST /mapi/emsmdb/ ?MailboxId=x@contoso.com&cafeReqId={id}; 444 CONTOSO\\user{i:00} 10.0.0.11 Microsoft+Office/16.0 200 0 0 35");
        }

        string proxy = folder.File("EX01/HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", HttpProxyLog.Text(lines.OrderBy(l => l.Time)));
        string backEnd = folder.File("EX05/W3SVC2/u_ex240311.log", string.Join("\r\n", iis) + "\r\n");

        MapiHttpLogSummary s = Summarize(null, null, backEnd, proxy);

        Assert.Equal(6, s.JoinedRequests);
        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(MapiHttpCause.Network, finding.Cause);
        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal("EX01", finding.Server);
        Assert.Equal("EX01 -> ex05.contoso.com", finding.Target);
        Assert.Equal("Invoke-Command -ComputerName EX01 -ScriptBlock { Test-NetConnection -ComputerName ex05.contoso.com -Port 444 }", finding.Recommendation);
        Assert.Equal(6L, finding.Evidence["Lost"]);
    }

    [Fact]
    public void Nothing_left_after_the_filters_is_reported_as_skipped()
    {
        MapiHttpLogSummary s = Summarize(new SummaryOptions { Filter = new LogFilter(null, null, new[] { "nobody" }, null, null, null) }, null, LogFixtures.HttpProxy);

        Assert.Equal(0, s.Requests);
        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(CheckStatus.Skipped, finding.Status);
        Assert.Null(s.LatencyP50Ms);
    }
}
