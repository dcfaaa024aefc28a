using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;
using System.Linq;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Logs;

/// <summary>A run of minutes with at least the burst threshold of 503s.</summary>
internal readonly struct Burst
{
    public Burst(long firstMinute, long lastMinute, long responses)
    {
        FirstMinute = firstMinute;
        LastMinute = lastMinute;
        Responses = responses;
    }

    public long FirstMinute { get; }

    public long LastMinute { get; }

    public long Responses { get; }

    public DateTime Start => new(FirstMinute * TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    public DateTime End => new((LastMinute + 1) * TimeSpan.TicksPerMinute, DateTimeKind.Utc);
}

/// <summary>
/// Turns merged groups into the public summary: statistics rows and the findings that map what the logs
/// show to the module's causes (docs/design.md "The five causes"):
/// <list type="bullet">
/// <item>503 bursts on a back end: that back end's MAPI application pool (AppPool).</item>
/// <item>503 bursts a front end answered without a back end: the front end's pool (AppPool).</item>
/// <item>The share of 401s rising over time across many users: Authentication.</item>
/// <item>One user failing while the others succeed: the mailbox (NotEnabled on 403/404) or the client (Client).</item>
/// <item>Front-end failures the back end's IIS answered successfully (cafeReqId join): Network.</item>
/// </list>
/// </summary>
internal sealed class LogSummaryBuilder
{
    internal const int MinimumBucketRequests = 20;
    internal const int MinimumUserRequests = 5;
    internal const int MaxUserFindings = 10;
    internal const int MinimumLostResponses = 5;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly SummaryOptions _options;
    private readonly SummaryPartial _data;
    private readonly JoinResult _join;
    private readonly List<MapiHttpLogFinding> _findings = new();

    public LogSummaryBuilder(SummaryOptions options, SummaryPartial data, JoinResult join)
    {
        _options = options;
        _data = data;
        _join = join;
    }

    public MapiHttpLogSummary Build()
    {
        GroupStats total = _data.Total;
        var summary = new MapiHttpLogSummary
        {
            Interval = _options.Interval,
            Requests = total.Requests,
            Failures = total.Failures,
            FailuresByStatus = StatusDictionary(total),
            Unauthorized = total.Unauthorized,
            Challenges = total.Challenges,
            ServiceUnavailable = total.ServiceUnavailable,
            ServiceUnavailableBursts = Bursts(total).Count,
            LatencyP50Ms = total.Latency.Percentile(50),
            LatencyP95Ms = total.Latency.Percentile(95),
            LatencyP99Ms = total.Latency.Percentile(99),
            From = Time(total.FirstTicks),
            To = Time(total.LastTicks),
            JoinedRequests = _join.Matched,
            JoinOutcomes = Ordered(_join.Outcomes.OrderByDescending(p => p.Value).Select(p => new KeyValuePair<object, object>(p.Key, p.Value))),
        };

        summary.IncludesMonitoring = _options.IncludeMonitoring;
        summary.Monitoring = _data.Monitoring.Requests > 0 ? Row(MapiHttpLogDimension.Monitoring, "Exchange monitoring", _data.Monitoring, trackBursts: false) : null;
        summary.ByTime = _data.Buckets.Values.OrderBy(b => b.StartTicks).Select(TimeRow).ToArray();
        summary.ByUser = Rows(MapiHttpLogDimension.User, _data.Users, trackBursts: false);
        summary.ByClient = Rows(MapiHttpLogDimension.Client, _data.Clients, trackBursts: false);
        summary.ByFrontEnd = Rows(MapiHttpLogDimension.FrontEnd, _data.FrontEnds, trackBursts: true);
        summary.ByBackEnd = Rows(MapiHttpLogDimension.BackEnd, _data.BackEnds, trackBursts: true);

        if (total.Requests == 0)
        {
            Add("LogSummary", CheckStatus.Skipped, MapiHttpCause.None, null, null,
                "No MAPI/HTTP requests in the logs read (after the filters): nothing to summarize." + WhyNothing(), null, null, null, null, 0);
        }
        else
        {
            BackEndPools();
            FrontEndPools();
            RisingUnauthorized();
            FailingUsers();
            LostAfterBackEnd();
            if (_findings.Count == 0)
            {
                Add("LogSummary", CheckStatus.Pass, MapiHttpCause.None, null, null,
                    $"No failure pattern in {total.Requests} requests from {Stamp(total.FirstTicks)} to {Stamp(total.LastTicks)} UTC " +
                    $"({total.Failures} failures, {Share(total.Unauthorized, total.Requests)} failed with 401; {total.Challenges} normal 401 challenges not counted as failures).",
                    null, null, Time(total.FirstTicks), Time(total.LastTicks), total.Requests);
            }
        }

        summary.Findings = _findings.OrderByDescending(f => f.Status).ThenBy(f => f.Cause).ThenByDescending(f => f.Count).ToArray();
        return summary;
    }

    /// <summary>Issue 11: -Since past the data left nothing; say which time range the data covers.</summary>
    private string WhyNothing()
    {
        if (_data.DataFirstTicks > _data.DataLastTicks)
        {
            return string.Empty;
        }

        LogFilter filter = _options.Filter;
        string range = $" The logs cover {Stamp(_data.DataFirstTicks)} to {Stamp(_data.DataLastTicks)} UTC";
        bool since = filter.SinceTicks > _data.DataLastTicks;
        bool until = filter.UntilTicks <= _data.DataFirstTicks;
        return since ? $"{range}; -Since {Stamp(filter.SinceTicks)} UTC is after the last of them."
            : until ? $"{range}; -Until {Stamp(filter.UntilTicks)} UTC is before the first of them."
            : $"{range}.";
    }

    private void BackEndPools()
    {
        int backEndsWithoutBursts = _data.BackEnds.Values.Count(g => Bursts(g).Count == 0);
        foreach (KeyValuePair<string, GroupStats> pair in _data.BackEnds.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            List<Burst> bursts = Bursts(pair.Value);
            if (bursts.Count == 0)
            {
                continue;
            }

            string server = pair.Key;
            GroupStats g = pair.Value;
            string pool = g.AddressBookUnavailable * 2 > g.ServiceUnavailable ? "MSExchangeMapiAddressBookAppPool" : "MSExchangeMapiMailboxAppPool";
            _join.BackEndUnavailable.TryGetValue(server, out long confirmed);
            string others = backEndsWithoutBursts > 0 ? $" while {backEndsWithoutBursts} other back end(s) answered normally" : string.Empty;
            string confirmedText = confirmed > 0 ? $"; the back end's own IIS log shows {confirmed} of them as 503" : string.Empty;
            AddPool(server, pool, bursts, g, $"back end {D(server)}", others + confirmedText, confirmed);
        }
    }

    private void FrontEndPools()
    {
        foreach (KeyValuePair<string, GroupStats> pair in _data.FrontEnds.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            GroupStats g = pair.Value;
            if (g.UnavailableWithoutBackEnd * 2 < g.ServiceUnavailable || g.ServiceUnavailable == 0)
            {
                continue;
            }

            List<Burst> bursts = Bursts(g);
            if (bursts.Count > 0)
            {
                AddPool(pair.Key, "MSExchangeMapiFrontEndAppPool", bursts, g, $"front end {D(pair.Key)} (no back end was reached)", string.Empty, 0);
            }
        }
    }

    private void AddPool(string server, string pool, List<Burst> bursts, GroupStats g, string where, string extra, long confirmed)
    {
        long inBursts = bursts.Sum(b => b.Responses);
        Burst longest = bursts.OrderByDescending(b => b.LastMinute - b.FirstMinute).First();
        string computer = LineEvaluator.ShortName(server);
        Add(
            "LogServiceUnavailableBurst",
            CheckStatus.Fail,
            MapiHttpCause.AppPool,
            pool,
            server,
            $"{bursts.Count} burst(s) of 503 from {where}: {inBursts} responses between {Stamp(bursts[0].Start.Ticks)} and {Stamp(bursts[bursts.Count - 1].End.Ticks)} UTC{extra}. " +
            $"{pool} on {D(computer)} was stopped, crashing or recycling; its System log shows WAS events 5002, 5011, 5012 or 5013 if it crashed or was disabled.",
            $"Invoke-Command -ComputerName {computer} -ScriptBlock {{ Import-Module WebAdministration; if ((Get-WebAppPoolState -Name '{pool}').Value -ne 'Started') {{ Start-WebAppPool -Name '{pool}' }} else {{ Restart-WebAppPool -Name '{pool}' }} }}",
            new[]
            {
                Pair("Server", server),
                Pair("ApplicationPool", pool),
                Pair("Bursts", bursts.Count),
                Pair("ResponsesInBursts", inBursts),
                Pair("ServiceUnavailable", g.ServiceUnavailable),
                Pair("LongestBurstMinutes", longest.LastMinute - longest.FirstMinute + 1),
                Pair("BurstThreshold", _options.BurstThreshold),
                Pair("BackEndIis503", confirmed),
            },
            bursts[0].Start,
            bursts[bursts.Count - 1].End,
            inBursts);
    }

    private void RisingUnauthorized()
    {
        List<BucketStats> buckets = _data.Buckets.Values.Where(b => b.Requests >= MinimumBucketRequests).OrderBy(b => b.StartTicks).ToList();
        GroupStats total = _data.Total;
        if (buckets.Count < 3)
        {
            int users = Union(_data.Buckets.Values, b => b.Identities);
            int refused = Union(_data.Buckets.Values, b => b.UnauthorizedIdentities);
            double share = (double)total.Unauthorized / total.Requests;
            if (share >= 0.5 && refused >= 3 && refused * 2 >= users && total.Requests >= MinimumBucketRequests)
            {
                Add("LogUnauthorizedRise", CheckStatus.Warning, MapiHttpCause.Authentication, "401 responses", null,
                    $"{Share(total.Unauthorized, total.Requests)} of {total.Requests} requests were answered 401, for {refused} of {users} users; the logs cover too few intervals to tell whether this rose. " +
                    "Normal Negotiate/NTLM challenges are a small share: check the MAPI virtual directory's authentication methods, IIS Windows authentication and the Auth certificate.",
                    "Get-MapiVirtualDirectory | Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
                    new[] { Pair("UnauthorizedShare", Math.Round(share, 4)), Pair("UsersWith401", refused), Pair("Users", users) },
                    Time(total.FirstTicks), Time(total.LastTicks), total.Unauthorized);
            }

            return;
        }

        double[] shares = buckets.Select(b => (double)b.Unauthorized / b.Requests).OrderBy(s => s).ToArray();
        double baseline = shares[(shares.Length - 1) / 2];
        var elevated = buckets.Where(b =>
        {
            double share = (double)b.Unauthorized / b.Requests;
            int users = b.Identities.Count();
            return share >= baseline + 0.10 && share >= baseline * 2 && b.UnauthorizedIdentities.Count() >= Math.Max(3, (int)Math.Ceiling(users * 0.25));
        }).ToList();
        if (elevated.Count == 0)
        {
            return;
        }

        BucketStats peak = elevated.OrderByDescending(b => (double)b.Unauthorized / b.Requests).First();
        int affected = Union(elevated, b => b.UnauthorizedIdentities);
        long refusedTotal = elevated.Sum(b => b.Unauthorized);
        var byFrontEnd = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, long> pair in elevated.SelectMany(b => b.UnauthorizedByFrontEnd))
        {
            byFrontEnd.TryGetValue(pair.Key, out long count);
            byFrontEnd[pair.Key] = count + pair.Value;
        }

        string? server = null;
        string where = "on every front end";
        long attributed = byFrontEnd.Values.Sum();
        if (byFrontEnd.Count > 0)
        {
            KeyValuePair<string, long> top = byFrontEnd.OrderByDescending(p => p.Value).First();
            if (byFrontEnd.Count == 1 || top.Value >= attributed * 0.8)
            {
                server = top.Key;
                where = byFrontEnd.Count == 1 ? $"on front end {D(top.Key)}" : $"mostly on front end {D(top.Key)} ({Share(top.Value, attributed)} of them)";
            }
        }

        string recommendation = server is null
            ? "Get-MapiVirtualDirectory | Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,OAuth,Negotiate"
            : $"Set-MapiVirtualDirectory -Identity '{LineEvaluator.ShortName(server)}\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate";
        BucketStats first = elevated[0];
        BucketStats last = elevated[elevated.Count - 1];
        Add(
            "LogUnauthorizedRise",
            CheckStatus.Fail,
            MapiHttpCause.Authentication,
            "401 responses",
            server,
            $"The share of 401 responses rose from {Share(baseline)} to {Share(peak.Unauthorized, peak.Requests)} ({Stamp(peak.StartTicks)} UTC) across {affected} users, {where}, " +
            $"since {Stamp(first.StartTicks)} UTC: authentication broke for everyone, not for one user. Check the MAPI virtual directory's authentication methods, IIS Windows authentication providers and the Auth certificate (Get-AuthConfig).",
            recommendation,
            new[]
            {
                Pair("BaselineShare", Math.Round(baseline, 4)),
                Pair("PeakShare", Math.Round((double)peak.Unauthorized / peak.Requests, 4)),
                Pair("PeakStart", Time(peak.StartTicks)),
                Pair("ElevatedIntervals", elevated.Count),
                Pair("UsersWith401", affected),
                Pair("Unauthorized", refusedTotal),
            },
            Time(first.StartTicks),
            Time(last.StartTicks + _options.Interval.Ticks),
            refusedTotal);
    }

    private void FailingUsers()
    {
        GroupStats total = _data.Total;
        var eligible = _data.Users.Where(p => p.Value.Requests >= MinimumUserRequests).ToList();
        var failing = eligible.Where(p => p.Value.Failures * 2 >= p.Value.Requests)
            .OrderByDescending(p => p.Value.Failures).ThenBy(p => p.Key, StringComparer.OrdinalIgnoreCase).ToList();
        if (failing.Count == 0)
        {
            return;
        }

        if (failing.Count > Math.Max(3, eligible.Count / 10))
        {
            bool explained = _findings.Any(f => f.Status == CheckStatus.Fail);
            Add("LogUserFailures", CheckStatus.Warning, MapiHttpCause.None, "users", null,
                $"{failing.Count} of {eligible.Count} users failed more than half of their requests: not a single mailbox or client" +
                (explained ? "; see the other findings for the cause." : "; look at ByTime and ByBackEnd for when and where it started."),
                null,
                new[] { Pair("FailingUsers", failing.Count), Pair("Users", eligible.Count), Pair("Examples", string.Join(", ", failing.Take(5).Select(p => D(p.Key)))) },
                Time(failing.Min(p => p.Value.FirstFailureTicks)), Time(failing.Max(p => p.Value.LastFailureTicks)), failing.Sum(p => p.Value.Failures));
            return;
        }

        // One user (or a few) failing while the others succeed: the rest must fail clearly less.
        foreach (KeyValuePair<string, GroupStats> pair in failing.Where(p => IsolatedFailure(p.Value, total)).Take(MaxUserFindings))
        {
            AddUser(pair.Key, pair.Value, total);
        }
    }

    private static double OthersFailureShare(GroupStats user, GroupStats total)
    {
        long otherRequests = total.Requests - user.Requests;
        return otherRequests <= 0 ? 0 : (double)(total.Failures - user.Failures) / otherRequests;
    }

    private static bool IsolatedFailure(GroupStats user, GroupStats total)
    {
        double share = (double)user.Failures / user.Requests;
        double others = OthersFailureShare(user, total);
        return others < 0.5 && share >= others * 2.5;
    }

    private void AddUser(string user, GroupStats u, GroupStats total)
    {
        List<KeyValuePair<int, long>> statuses = u.FailureStatuses();
        int dominant = statuses.Count > 0 ? statuses[0].Key : -1;
        double others = OthersFailureShare(u, total);
        string client = u.Client is null ? string.Empty : $" from {D(u.Client)}";
        string head = $"{D(user)}: {u.Failures} of {u.Requests} requests{client} failed ({StatusText(statuses)}) while other users failed {Share(others)}";
        MapiHttpCause cause;
        string message;
        string recommendation;
        if (dominant == 401)
        {
            cause = MapiHttpCause.Client;
            message = $"{head}: the user's Outlook sends stale or wrong credentials, or the account is locked or disabled.";
            recommendation = $"Get-User -Identity '{Quote(user)}' | Format-List UserAccountControl; then on the user's computer remove the saved Exchange credentials (Credential Manager, Windows Credentials) and restart Outlook";
        }
        else if (dominant is 403 or 404)
        {
            cause = MapiHttpCause.NotEnabled;
            message = $"{head}: MAPI over HTTP is refused for this mailbox; if MAPIEnabled or MapiHttpEnabled is False, Set-CASMailbox -Identity '{Quote(user)}' -MAPIEnabled $true -MapiHttpEnabled $true turns it on.";
            recommendation = $"Get-CASMailbox -Identity '{Quote(user)}' | Format-List MAPIEnabled,MapiHttpEnabled,MapiBlockOutlookRpcHttp,MapiBlockOutlookExternalConnectivity";
        }
        else
        {
            cause = MapiHttpCause.Client;
            message = $"{head}: the mailbox or the client is at fault; Test-MAPIConnectivity succeeding points to the client, failing to the mailbox or its database.";
            recommendation = $"Test-MAPIConnectivity -Identity '{Quote(user)}'";
        }

        Add("LogUserFailures", CheckStatus.Fail, cause, user, null, message, recommendation,
            new[]
            {
                Pair("User", user),
                Pair("Requests", u.Requests),
                Pair("Failures", u.Failures),
                Pair("FailuresByStatus", StatusText(statuses)),
                Pair("OtherUsersFailureShare", Math.Round(others, 4)),
                Pair("Client", u.Client),
            },
            Time(u.FirstFailureTicks), Time(u.LastFailureTicks), u.Failures);
    }

    private void LostAfterBackEnd()
    {
        if (_join.LostAfterBackEnd < MinimumLostResponses)
        {
            return;
        }

        KeyValuePair<string, long> frontEnd = _join.LostAfterBackEndByFrontEnd.OrderByDescending(p => p.Value).First();
        KeyValuePair<string, long> backEnd = _join.LostAfterBackEndByBackEnd.OrderByDescending(p => p.Value).First();
        Add(
            "LogFrontEndToBackEnd",
            CheckStatus.Fail,
            MapiHttpCause.Network,
            $"{frontEnd.Key} -> {backEnd.Key}",
            frontEnd.Key,
            $"{_join.LostAfterBackEnd} requests failed at the front end although the back end's IIS answered them successfully (most through {D(frontEnd.Key)} to {D(backEnd.Key)}): " +
            "the path between front end and back end (network, firewall, TLS inspection) or a proxy timeout lost the responses.",
            $"Invoke-Command -ComputerName {LineEvaluator.ShortName(frontEnd.Key)} -ScriptBlock {{ Test-NetConnection -ComputerName {backEnd.Key} -Port 444 }}",
            new[]
            {
                Pair("Lost", _join.LostAfterBackEnd),
                Pair("Joined", _join.Matched),
                Pair("FrontEnd", frontEnd.Key),
                Pair("BackEnd", backEnd.Key),
            },
            null,
            null,
            _join.LostAfterBackEnd);
    }

    private List<Burst> Bursts(GroupStats group)
    {
        var bursts = new List<Burst>();
        if (group.UnavailableMinutes is null || group.UnavailableMinutes.Count == 0)
        {
            return bursts;
        }

        long start = -1;
        long previous = -1;
        long responses = 0;
        foreach (KeyValuePair<long, int> minute in group.UnavailableMinutes.Where(m => m.Value >= _options.BurstThreshold).OrderBy(m => m.Key))
        {
            if (start >= 0 && minute.Key == previous + 1)
            {
                previous = minute.Key;
                responses += minute.Value;
                continue;
            }

            if (start >= 0)
            {
                bursts.Add(new Burst(start, previous, responses));
            }

            start = previous = minute.Key;
            responses = minute.Value;
        }

        if (start >= 0)
        {
            bursts.Add(new Burst(start, previous, responses));
        }

        return bursts;
    }

    private MapiHttpLogStatistics TimeRow(BucketStats b)
    {
        MapiHttpLogStatistics row = Row(MapiHttpLogDimension.Time, new DateTime(b.StartTicks, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm'Z'", Inv), b, trackBursts: false);
        row.Start = new DateTime(b.StartTicks, DateTimeKind.Utc);
        row.Users = b.Identities.Count();
        row.UnauthorizedUsers = b.UnauthorizedIdentities.Count();
        return row;
    }

    private MapiHttpLogStatistics[] Rows(MapiHttpLogDimension dimension, Dictionary<string, GroupStats> groups, bool trackBursts) =>
        groups.OrderByDescending(p => p.Value.Requests).ThenBy(p => p.Key, StringComparer.OrdinalIgnoreCase)
            .Select(p => Row(dimension, p.Key, p.Value, trackBursts)).ToArray();

    private MapiHttpLogStatistics Row(MapiHttpLogDimension dimension, string key, GroupStats g, bool trackBursts) => new(dimension, key)
    {
        Requests = g.Requests,
        Failures = g.Failures,
        FailuresByStatus = StatusDictionary(g),
        Unauthorized = g.Unauthorized,
        Challenges = g.Challenges,
        ServiceUnavailable = g.ServiceUnavailable,
        ServiceUnavailableBursts = trackBursts ? Bursts(g).Count : null,
        LatencyP50Ms = g.Latency.Percentile(50),
        LatencyP95Ms = g.Latency.Percentile(95),
        LatencyP99Ms = g.Latency.Percentile(99),
        LatencyMaxMs = g.Latency.Count > 0 ? g.Latency.Max : null,
        Client = dimension == MapiHttpLogDimension.User ? g.Client : null,
        FirstSeen = Time(g.FirstTicks),
        LastSeen = Time(g.LastTicks),
    };

    private static int Union(IEnumerable<BucketStats> buckets, Func<BucketStats, BitSet> set)
    {
        var union = new BitSet();
        foreach (BucketStats bucket in buckets)
        {
            union.Or(set(bucket));
        }

        return union.Count();
    }

    private static OrderedDictionary StatusDictionary(GroupStats g) =>
        Ordered(g.FailureStatuses().Select(p => new KeyValuePair<object, object>(p.Key < 0 ? "none" : p.Key, p.Value)));

    private static OrderedDictionary Ordered(IEnumerable<KeyValuePair<object, object>> pairs)
    {
        var dictionary = new OrderedDictionary();
        foreach (KeyValuePair<object, object> pair in pairs)
        {
            dictionary.Add(pair.Key, pair.Value);
        }

        return dictionary.AsReadOnly();
    }

    /// <summary>
    /// Issue 20: user names, user agents and server names come from the logs; an ESC or BEL in them must not reach
    /// the console, so every text of a finding is escaped here (data values are also cut where they are quoted).
    /// </summary>
    private void Add(string check, CheckStatus status, MapiHttpCause cause, string? target, string? server, string message, string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence, DateTime? first, DateTime? last, long count) =>
        _findings.Add(new MapiHttpLogFinding(check, status, cause, Text(target), Text(server), Text(message)!, Text(recommendation),
            evidence?.Select(p => p.Value is string v ? Pair(p.Key, Text(v)) : p).ToArray(), first, last, count));

    private static string? Text(string? value) => value is null ? null : DisplayText.Safe(value, int.MaxValue);

    /// <summary>A value from the logs quoted in a message: escaped and cut.</summary>
    private static string D(string? value) => DisplayText.Safe(value);

    private static KeyValuePair<string, object?> Pair(string key, object? value) => new(key, value);

    private static string StatusText(List<KeyValuePair<int, long>> statuses) =>
        string.Join(", ", statuses.Take(3).Select(p => $"{(p.Key < 0 ? "no status" : p.Key.ToString(Inv))} x{p.Value}"));

    private static string Quote(string value) => MapiHttpTools.Exchange.PowerShellText.Escape(value);

    private static DateTime? Time(long ticks) => ticks is long.MaxValue or long.MinValue ? null : new DateTime(ticks, DateTimeKind.Utc);

    private static string Stamp(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm", Inv);

    private static string Share(long part, long whole) => Share(whole == 0 ? 0 : (double)part / whole);

    private static string Share(double share) => (share * 100).ToString("0.#", Inv) + "%";
}
