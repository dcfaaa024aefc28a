using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>
/// Issue 19: the summary's rules at their thresholds, on HttpProxy logs written as Exchange writes them (request type
/// as RT: in ClientRequestId): 503 bursts and which pool they name, the rising-401 rule's user and front-end
/// thresholds, the failing-user rule's limits, the lost-response threshold and why nothing was left.
/// </summary>
public sealed class LogSummaryRuleTests
{
    private static readonly DateTime Day = new(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    private static MapiHttpLogSummary Summarize(IEnumerable<ProxyLine> lines, SummaryOptions? options = null)
    {
        using var folder = new TempFolder();
        string file = folder.File("HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", HttpProxyLog.Text(lines.OrderBy(l => l.Time)));
        return new LogSummaryEngine(options ?? new SummaryOptions(), new CollectingObserver()).Run(new[] { file }, CancellationToken.None);
    }

    /// <summary>30 users: per hour a challenge then 9 successes, on front ends EX01/EX02 and back ends ex03..ex05.</summary>
    private static IEnumerable<ProxyLine> Healthy(int hours, int users = 30)
    {
        for (int h = 0; h < hours; h++)
        {
            for (int u = 0; u < users; u++)
            {
                string user = $"user{u:00}";
                DateTime start = Day.AddHours(8 + h).AddSeconds(u * 60);
                yield return new ProxyLine(start, user, 401, FrontEnd: u % 2 == 0 ? "EX01" : "EX02", Latency: 2, Action: "Connect");
                for (int i = 1; i < 10; i++)
                {
                    yield return new ProxyLine(start.AddSeconds(i * 3), user, 200, FrontEnd: u % 2 == 0 ? "EX01" : "EX02", BackEnd: $"ex0{3 + (u % 3)}.contoso.com", Latency: 10 + i);
                }
            }
        }
    }

    /// <summary><paramref name="count"/> 503s in one minute, from different users.</summary>
    private static IEnumerable<ProxyLine> Unavailable(int minute, int count, string? backEnd = "ex04.contoso.com", string frontEnd = "EX01", string stem = "/mapi/emsmdb/") =>
        Enumerable.Range(0, count).Select(i => new ProxyLine(Day.AddHours(8).AddMinutes(minute).AddSeconds(i * 2), $"user{(minute + i) % 30:00}", 503, FrontEnd: frontEnd, BackEnd: backEnd, Latency: 3, Stem: stem));

    [Fact]
    public void Minutes_at_the_threshold_are_bursts_and_a_minute_without_breaks_the_run()
    {
        // 08:20 five (the threshold) and 08:21 six: one burst; 08:23 two: below; 08:30-08:32 five each: a second burst.
        var lines = Healthy(2).Concat(Unavailable(20, 5)).Concat(Unavailable(21, 6)).Concat(Unavailable(23, 2))
            .Concat(Unavailable(30, 5)).Concat(Unavailable(31, 5)).Concat(Unavailable(32, 5)).ToList();

        MapiHttpLogSummary s = Summarize(lines);

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(("LogServiceUnavailableBurst", CheckStatus.Fail, MapiHttpCause.AppPool), (finding.Check, finding.Status, finding.Cause));
        Assert.Equal(
            "2 burst(s) of 503 from back end ex04.contoso.com: 26 responses between 2024-03-11 08:20 and 2024-03-11 08:33 UTC while 2 other back end(s) answered normally. " +
            "MSExchangeMapiMailboxAppPool on ex04 was stopped, crashing or recycling; its System log shows WAS events 5002, 5011, 5012 or 5013 if it crashed or was disabled.",
            finding.Message);
        Assert.Equal((Day.AddHours(8).AddMinutes(20), Day.AddHours(8).AddMinutes(33)), (finding.FirstSeen, finding.LastSeen));
        Assert.Equal(26, finding.Count);
        Assert.Equal(2, Convert.ToInt32(finding.Evidence["Bursts"]));
        Assert.Equal(26, Convert.ToInt32(finding.Evidence["ResponsesInBursts"]));
        Assert.Equal(28, Convert.ToInt32(finding.Evidence["ServiceUnavailable"]));
        Assert.Equal(3, Convert.ToInt32(finding.Evidence["LongestBurstMinutes"]));
        Assert.Equal(5, Convert.ToInt32(finding.Evidence["BurstThreshold"]));
        Assert.Equal(0, Convert.ToInt32(finding.Evidence["BackEndIis503"]));
        Assert.Equal(2, s.ServiceUnavailableBursts);
        Assert.Equal(2, s.ByBackEnd.Single(b => b.Key == "ex04.contoso.com").ServiceUnavailableBursts);
        Assert.Equal(2, s.ByFrontEnd.Single(b => b.Key == "EX01").ServiceUnavailableBursts);
    }

    [Fact]
    public void The_only_back_end_bursting_is_named_without_the_others()
    {
        var lines = Unavailable(10, 6, backEnd: "ex07.contoso.com").Concat(new[] { new ProxyLine(Day.AddHours(8).AddMinutes(40), "user01", 200, BackEnd: "ex07.contoso.com") }).ToList();

        MapiHttpLogFinding finding = Assert.Single(Summarize(lines).Findings);

        Assert.StartsWith("1 burst(s) of 503 from back end ex07.contoso.com: 6 responses between 2024-03-11 08:10 and 2024-03-11 08:11 UTC. MSExchangeMapiMailboxAppPool on ex07 was stopped", finding.Message);
        Assert.Equal(1, Convert.ToInt32(finding.Evidence["LongestBurstMinutes"]));
    }

    [Theory]
    [InlineData(6, 6, "MSExchangeMapiMailboxAppPool")] // half the 503s from the address book: not more than half
    [InlineData(7, 5, "MSExchangeMapiAddressBookAppPool")]
    public void The_address_book_pool_is_named_when_more_than_half_of_the_503s_are_nspi(int nspi, int emsmdb, string pool)
    {
        var lines = Healthy(1).Concat(Unavailable(30, nspi, backEnd: "ex05.contoso.com", stem: "/mapi/nspi/"))
            .Concat(Unavailable(31, emsmdb, backEnd: "ex05.contoso.com")).ToList();

        MapiHttpLogFinding finding = Assert.Single(Summarize(lines).Findings);

        Assert.Equal(pool, finding.Target);
        Assert.Equal(pool, finding.Evidence["ApplicationPool"]);
        Assert.Equal("ex05.contoso.com", finding.Server);
    }

    [Theory]
    [InlineData(5, 3, 2, true)] // half of the front end's 503s reached no back end
    [InlineData(4, 3, 3, false)] // fewer than half
    public void A_front_end_burst_names_its_own_pool_when_at_least_half_reached_no_back_end(int withoutBackEnd, int ex05, int ex06, bool named)
    {
        // No back end gets five 503s in the minute: only the front end can burst.
        var lines = Healthy(1).Concat(Unavailable(40, withoutBackEnd, backEnd: null, frontEnd: "EX02"))
            .Concat(Unavailable(40, ex05, backEnd: "ex05.contoso.com", frontEnd: "EX02").Select(l => l with { Time = l.Time.AddSeconds(20) }))
            .Concat(Unavailable(40, ex06, backEnd: "ex06.contoso.com", frontEnd: "EX02").Select(l => l with { Time = l.Time.AddSeconds(40) })).ToList();

        MapiHttpLogSummary s = Summarize(lines);

        Assert.Equal(1, s.ByFrontEnd.Single(b => b.Key == "EX02").ServiceUnavailableBursts);
        if (named)
        {
            MapiHttpLogFinding finding = Assert.Single(s.Findings);
            Assert.Equal(("MSExchangeMapiFrontEndAppPool", "EX02"), (finding.Target, finding.Server));
            Assert.StartsWith("1 burst(s) of 503 from front end EX02 (no back end was reached): 10 responses between 2024-03-11 08:40 and 2024-03-11 08:41 UTC. MSExchangeMapiFrontEndAppPool on EX02", finding.Message);
        }
        else
        {
            Assert.DoesNotContain(s.Findings, f => f.Cause == MapiHttpCause.AppPool);
        }
    }

    /// <summary>Six healthy hours; in the 12:00 hour the users named get only failed 401s, on the front end given for each.</summary>
    private static List<ProxyLine> Refused(IReadOnlyList<string> frontEnds)
    {
        var refused = Enumerable.Range(0, frontEnds.Count).Select(u => $"user{u:00}").ToHashSet();
        var lines = Healthy(6).Where(l => !(l.Time.Hour == 12 && refused.Contains(l.User))).ToList();
        for (int u = 0; u < frontEnds.Count; u++)
        {
            for (int i = 0; i < 12; i++)
            {
                lines.Add(new ProxyLine(Day.AddHours(12).AddSeconds((u * 60) + (i * 2)), $"user{u:00}", 401, FrontEnd: frontEnds[u], BackEnd: null, Latency: 1));
            }
        }

        return lines;
    }

    [Fact]
    public void A_401_rise_needs_a_quarter_of_the_intervals_users_and_at_least_three()
    {
        // 30 users in the hour: ceiling(30 / 4) = 8 users must be refused; 7 are not enough however high the share.
        Assert.DoesNotContain(Summarize(Refused(Enumerable.Repeat("EX01", 7).ToArray())).Findings, f => f.Check == "LogUnauthorizedRise");

        MapiHttpLogSummary s = Summarize(Refused(Enumerable.Repeat("EX01", 8).ToArray()));

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(("LogUnauthorizedRise", CheckStatus.Fail, MapiHttpCause.Authentication, "EX01"), (finding.Check, finding.Status, finding.Cause, finding.Server));
        // 22 users x 10 requests + 8 x 12 refused: 96 of 316.
        Assert.StartsWith("The share of 401 responses rose from 0% to 30.4% (2024-03-11 12:00 UTC) across 8 users, on front end EX01, since 2024-03-11 12:00 UTC: authentication broke for everyone", finding.Message);
        Assert.Equal((Day.AddHours(12), Day.AddHours(13)), (finding.FirstSeen, finding.LastSeen));
        Assert.Equal(96, finding.Count);
        Assert.Equal(0.0, Convert.ToDouble(finding.Evidence["BaselineShare"]));
        Assert.Equal(0.3038, Convert.ToDouble(finding.Evidence["PeakShare"]));
        Assert.Equal(Day.AddHours(12), finding.Evidence["PeakStart"]);
        Assert.Equal(1, Convert.ToInt32(finding.Evidence["ElevatedIntervals"]));
        Assert.Equal(8, Convert.ToInt32(finding.Evidence["UsersWith401"]));
        Assert.Equal(96, Convert.ToInt32(finding.Evidence["Unauthorized"]));
    }

    [Theory]
    [InlineData(12, 3, "mostly on front end EX01 (80% of them)", "EX01")] // four fifths on one front end: that one
    [InlineData(11, 4, "on every front end", null)]
    public void A_401_rise_is_put_on_a_front_end_only_when_it_has_four_fifths_of_them(int onEx01, int onEx02, string where, string? server)
    {
        string[] frontEnds = Enumerable.Repeat("EX01", onEx01).Concat(Enumerable.Repeat("EX02", onEx02)).ToArray();

        MapiHttpLogFinding finding = Assert.Single(Summarize(Refused(frontEnds)).Findings);

        Assert.Equal(server, finding.Server);
        Assert.Contains($"across 15 users, {where}, since 2024-03-11 12:00 UTC", finding.Message, StringComparison.Ordinal);
        Assert.Equal(
            server is null
                ? "Get-MapiVirtualDirectory | Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,OAuth,Negotiate"
                : "Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            finding.Recommendation);
    }

    [Theory]
    [InlineData(37, true)] // 52 of 352 = 14.77%: at least ten points above the usual 4.76%
    [InlineData(36, false)] // 51 of 351 = 14.53%: not ten points above
    public void A_401_rise_must_be_ten_points_above_the_usual_share(int extra, bool reported)
    {
        // Every hour three accounts (r0..r2) are refused five times: the usual share is 15 of 315 = 4.76%. At 12:50
        // seven users still working are refused <paramref name="extra"/> more times (five each, the rest on the last).
        var lines = Healthy(6).ToList();
        for (int h = 0; h < 6; h++)
        {
            for (int r = 0; r < 3; r++)
            {
                lines.AddRange(Enumerable.Range(0, 5).Select(i => new ProxyLine(Day.AddHours(8 + h).AddMinutes(45 + r).AddSeconds(i * 5), $"r{r}", 401, FrontEnd: "EX02", BackEnd: null, Latency: 1)));
            }
        }

        for (int i = 0; i < extra; i++)
        {
            int u = Math.Min(i / 5, 6);
            lines.Add(new ProxyLine(Day.AddHours(12).AddMinutes(50 + u).AddSeconds(i % 30), $"user{u:00}", 401, FrontEnd: "EX02", BackEnd: null, Latency: 1));
        }

        MapiHttpLogSummary s = Summarize(lines);

        MapiHttpLogFinding[] rise = s.Findings.Where(f => f.Check == "LogUnauthorizedRise").ToArray();
        Assert.Equal(reported ? 1 : 0, rise.Length);
        Assert.All(rise, f => Assert.Equal(0.0476, Convert.ToDouble(f.Evidence["BaselineShare"])));
        Assert.All(rise, f => Assert.Equal(0.1477, Convert.ToDouble(f.Evidence["PeakShare"])));
        Assert.All(rise, f => Assert.Equal(10, Convert.ToInt32(f.Evidence["UsersWith401"])));
        Assert.All(rise, f => Assert.StartsWith("The share of 401 responses rose from 4.8% to 14.8% (2024-03-11 12:00 UTC) across 10 users, on front end EX02, since 2024-03-11 12:00 UTC", f.Message));
        Assert.Equal(15 + extra, s.ByTime.Single(r => r.Key == "2024-03-11 12:00Z").Unauthorized);
    }

    /// <summary><paramref name="failed"/> 500s then <paramref name="ok"/> successes of one user, a minute apart.</summary>
    private static IEnumerable<ProxyLine> User(string user, int failed, int ok, int startMinute = 0, int status = 500) =>
        Enumerable.Range(0, failed + ok).Select(i => new ProxyLine(Day.AddHours(8).AddMinutes(startMinute + i).AddSeconds(30), user, i < failed ? status : 200, FrontEnd: "EX02"));

    [Fact]
    public void Findings_are_listed_worst_first_then_by_cause_then_by_how_many_responses()
    {
        var lines = Healthy(2)
            .Concat(User("dave", 10, 0, 0))
            .Concat(User("erin", 10, 0, 15, status: 403))
            .Concat(User("frank", 8, 2, 30, status: 404))
            .Concat(Unavailable(20, 6))
            .Concat(Unavailable(30, 6, backEnd: "ex05.contoso.com")).Concat(Unavailable(31, 6, backEnd: "ex05.contoso.com"));

        MapiHttpLogSummary s = Summarize(lines);

        Assert.Equal(
            new[] { "LogUserFailures CONTOSO\\erin", "LogUserFailures CONTOSO\\frank", "LogServiceUnavailableBurst ex05.contoso.com", "LogServiceUnavailableBurst ex04.contoso.com", "LogUserFailures CONTOSO\\dave" },
            s.Findings.Select(f => $"{f.Check} {f.Server ?? f.Target}"));
        Assert.Equal(new long[] { 10, 8, 12, 6, 10 }, s.Findings.Select(f => f.Count));
        MapiHttpLogFinding frank = s.Findings[1];
        Assert.Equal(MapiHttpCause.NotEnabled, frank.Cause);
        Assert.Equal(
            "CONTOSO\\frank: 8 of 10 requests from Outlook 16.0.17928 failed (404 x8) while other users failed 6%: MAPI over HTTP is refused for this mailbox; " +
            "if MAPIEnabled or MapiHttpEnabled is False, Set-CASMailbox -Identity 'CONTOSO\\frank' -MAPIEnabled $true -MapiHttpEnabled $true turns it on.",
            frank.Message);
        Assert.Equal("Get-CASMailbox -Identity 'CONTOSO\\frank' | Format-List MAPIEnabled,MapiHttpEnabled,MapiBlockOutlookRpcHttp,MapiBlockOutlookExternalConnectivity", frank.Recommendation);
        Assert.Equal("Outlook 16.0.17928", frank.Evidence["Client"]);
        Assert.Equal(0.0596, Convert.ToDouble(frank.Evidence["OtherUsersFailureShare"]));
    }

    [Fact]
    public void Each_row_carries_its_latencies_largest_value_times_and_the_client_only_for_users()
    {
        MapiHttpLogSummary s = Summarize(Healthy(1));

        Assert.Null(s.Monitoring);
        MapiHttpLogStatistics user = s.ByUser.Single(r => r.Key == "CONTOSO\\user00");
        // A challenge of 2 ms and successes of 11..19 ms.
        Assert.Equal((14.0, 19.0, 19.0, 19.0), (user.LatencyP50Ms, user.LatencyP95Ms, user.LatencyP99Ms, user.LatencyMaxMs));
        Assert.Equal((Day.AddHours(8), Day.AddHours(8).AddSeconds(27)), (user.FirstSeen, user.LastSeen));
        Assert.Equal("Outlook 16.0.17928", user.Client);
        Assert.Null(user.ServiceUnavailableBursts);
        Assert.All(s.ByClient, r => Assert.Null(r.Client));
        Assert.All(s.ByFrontEnd, r => Assert.Null(r.Client));
        Assert.Equal(new[] { "EX01", "EX02" }, s.ByFrontEnd.Select(r => r.Key));
        Assert.Equal(new[] { "ex03.contoso.com", "ex04.contoso.com", "ex05.contoso.com" }, s.ByBackEnd.Select(r => r.Key));
        Assert.All(s.ByBackEnd, r => Assert.Equal(0, r.ServiceUnavailableBursts));
        Assert.Equal(19.0, s.ByBackEnd[0].LatencyMaxMs);
        Assert.Equal(new[] { "LogSummary" }, s.Findings.Select(f => f.Check));
        Assert.Equal(
            "No failure pattern in 300 requests from 2024-03-11 08:00 to 2024-03-11 08:29 UTC (0 failures, 0% failed with 401; 30 normal 401 challenges not counted as failures).",
            s.Findings[0].Message);
        Assert.Equal((Day.AddHours(8), Day.AddHours(8).AddMinutes(29).AddSeconds(27)), (s.Findings[0].FirstSeen, s.Findings[0].LastSeen));
        Assert.Equal(300, s.Findings[0].Count);
    }

    [Theory]
    [InlineData(4, 0)] // fewer than five requests: not judged
    [InlineData(4, 6)] // fewer than half failed
    public void A_user_with_fewer_than_five_requests_or_half_failed_is_not_reported(int failed, int ok)
    {
        MapiHttpLogSummary s = Summarize(Healthy(2).Concat(User("dave", failed, ok)));

        Assert.DoesNotContain(s.Findings, f => f.Check == "LogUserFailures");
        Assert.Equal(failed, s.Failures);
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(5, 5)] // exactly half failed
    public void A_user_is_judged_from_five_requests_and_failing_from_half_of_them(int failed, int ok)
    {
        MapiHttpLogSummary s = Summarize(Healthy(2).Concat(User("dave", failed, ok)));

        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(("LogUserFailures", CheckStatus.Fail, MapiHttpCause.Client, "CONTOSO\\dave"), (finding.Check, finding.Status, finding.Cause, finding.Target));
        Assert.Equal(
            $"CONTOSO\\dave: {failed} of {failed + ok} requests from Outlook 16.0.17928 failed (500 x{failed}) while other users failed 0%: " +
            "the mailbox or the client is at fault; Test-MAPIConnectivity succeeding points to the client, failing to the mailbox or its database.",
            finding.Message);
        Assert.Equal("Test-MAPIConnectivity -Identity 'CONTOSO\\dave'", finding.Recommendation);
        Assert.Equal(failed, finding.Count);
        Assert.Equal((Day.AddHours(8).AddSeconds(30), Day.AddHours(8).AddMinutes(failed - 1).AddSeconds(30)), (finding.FirstSeen, finding.LastSeen));
        Assert.Equal($"500 x{failed}", finding.Evidence["FailuresByStatus"]);
        Assert.Equal(0.0, Convert.ToDouble(finding.Evidence["OtherUsersFailureShare"]));
        Assert.Equal(failed + ok, Convert.ToInt32(finding.Evidence["Requests"]));
    }

    [Fact]
    public void Three_failing_users_are_reported_each_and_a_fourth_makes_it_one_warning()
    {
        List<ProxyLine> three = Healthy(2).Concat(new[] { "bad0", "bad1", "bad2" }.SelectMany((u, i) => User(u, 10, 0, i * 12))).ToList();
        MapiHttpLogSummary s3 = Summarize(three);
        Assert.Equal(new[] { "CONTOSO\\bad0", "CONTOSO\\bad1", "CONTOSO\\bad2" }, s3.Findings.Select(f => f.Target).OrderBy(t => t, StringComparer.Ordinal));
        Assert.All(s3.Findings, f => Assert.Equal(CheckStatus.Fail, f.Status));

        List<ProxyLine> four = three.Concat(User("bad3", 10, 0, 40)).ToList();
        MapiHttpLogFinding warning = Assert.Single(Summarize(four).Findings);
        Assert.Equal(("LogUserFailures", CheckStatus.Warning, MapiHttpCause.None, "users"), (warning.Check, warning.Status, warning.Cause, warning.Target));
        Assert.Equal("4 of 34 users failed more than half of their requests: not a single mailbox or client; look at ByTime and ByBackEnd for when and where it started.", warning.Message);
        Assert.Equal("CONTOSO\\bad0, CONTOSO\\bad1, CONTOSO\\bad2, CONTOSO\\bad3", warning.Evidence["Examples"]);
        Assert.Equal(4, Convert.ToInt32(warning.Evidence["FailingUsers"]));
        Assert.Equal(34, Convert.ToInt32(warning.Evidence["Users"]));
        Assert.Equal(40, warning.Count);
        Assert.Equal((Day.AddHours(8).AddSeconds(30), Day.AddHours(8).AddMinutes(49).AddSeconds(30)), (warning.FirstSeen, warning.LastSeen));

        // With a failure pattern found too, the warning points to it; the burst (Fail) is listed first.
        MapiHttpLogSummary explained = Summarize(four.Concat(Unavailable(55, 6)));
        Assert.Equal(new[] { "LogServiceUnavailableBurst", "LogUserFailures" }, explained.Findings.Select(f => f.Check));
        Assert.EndsWith("not a single mailbox or client; see the other findings for the cause.", explained.Findings[1].Message);
    }

    [Theory]
    [InlineData(5, true)]
    [InlineData(4, false)]
    public void Five_responses_lost_after_the_back_end_answered_point_to_the_network(int lost, bool reported)
    {
        using var folder = new TempFolder();
        var lines = Healthy(1).ToList();
        var iis = new List<string> { "#Software: Microsoft Internet Information Services 10.0", "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status sc-substatus sc-win32-status time-taken" };
        for (int i = 0; i < lost; i++)
        {
            var id = Guid.NewGuid();
            DateTime time = Day.AddHours(8).AddMinutes(10 + i);
            lines.Add(new ProxyLine(time, $"user{i:00}", 504, FrontEnd: "EX01", BackEnd: "ex05.contoso.com", Latency: 120000, RequestId: id));
            iis.Add($"{time:yyyy-MM-dd HH:mm:ss} 10.0.0.25 POST /mapi/emsmdb/ ?MailboxId=x@contoso.com&cafeReqId={id}; 444 CONTOSO\\user{i:00} 10.0.0.11 Microsoft+Office/16.0 200 0 0 35");
        }

        string proxy = folder.File("EX01/HttpProxy/Mapi/HttpProxy_2024031108-1.LOG", HttpProxyLog.Text(lines.OrderBy(l => l.Time)));
        string backEnd = folder.File("EX05/W3SVC2/u_ex240311.log", string.Join("\r\n", iis) + "\r\n");

        MapiHttpLogSummary s = new LogSummaryEngine(new SummaryOptions(), new CollectingObserver()).Run(new[] { backEnd, proxy }, CancellationToken.None);

        Assert.Equal(lost, s.JoinedRequests);
        if (reported)
        {
            MapiHttpLogFinding finding = Assert.Single(s.Findings);
            Assert.Equal(("LogFrontEndToBackEnd", MapiHttpCause.Network), (finding.Check, finding.Cause));
            Assert.Equal(
                "5 requests failed at the front end although the back end's IIS answered them successfully (most through EX01 to ex05.contoso.com): " +
                "the path between front end and back end (network, firewall, TLS inspection) or a proxy timeout lost the responses.",
                finding.Message);
            Assert.Equal(5, finding.Count);
            Assert.Equal(5, Convert.ToInt32(finding.Evidence["Joined"]));
        }
        else
        {
            Assert.DoesNotContain(s.Findings, f => f.Cause == MapiHttpCause.Network);
        }
    }

    [Fact]
    public void With_nothing_left_the_summary_says_which_range_the_logs_cover_and_which_filter_left_nothing()
    {
        MapiHttpLogSummary until = new LogSummaryEngine(new SummaryOptions { Filter = new LogFilter(null, new DateTime(2024, 3, 11, 7, 0, 0, DateTimeKind.Utc), null, null, null, null) }, new CollectingObserver())
            .Run(new[] { LogFixtures.HttpProxy }, CancellationToken.None);
        MapiHttpLogSummary user = new LogSummaryEngine(new SummaryOptions { Filter = new LogFilter(null, null, new[] { "nobody" }, null, null, null) }, new CollectingObserver())
            .Run(new[] { LogFixtures.HttpProxy }, CancellationToken.None);

        Assert.Equal(
            "No MAPI/HTTP requests in the logs read (after the filters): nothing to summarize. The logs cover 2024-03-11 08:00 to 2024-03-11 09:20 UTC; -Until 2024-03-11 07:00 UTC is before the first of them.",
            Assert.Single(until.Findings).Message);
        Assert.Equal(
            "No MAPI/HTTP requests in the logs read (after the filters): nothing to summarize. The logs cover 2024-03-11 08:00 to 2024-03-11 09:20 UTC.",
            Assert.Single(user.Findings).Message);
        Assert.Equal((CheckStatus.Skipped, MapiHttpCause.None, "LogSummary"), (user.Findings[0].Status, user.Findings[0].Cause, user.Findings[0].Check));
    }
}
