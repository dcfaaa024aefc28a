using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;

namespace MapiHttpTools;

/// <summary>What a row of the summary is grouped by.</summary>
public enum MapiHttpLogDimension
{
    Total,
    Time,
    User,
    Client,
    FrontEnd,
    BackEnd,

    /// <summary>Exchange's own monitoring (HealthMailbox users, the MapiHttpClient probe), shown apart.</summary>
    Monitoring,
}

/// <summary>
/// Requests, failures and latency of one group of the summary: one time bucket, user, client (Outlook
/// build), front end or back end. Shares are fractions (0.25 is 25%).
/// </summary>
public sealed class MapiHttpLogStatistics
{
    internal MapiHttpLogStatistics(MapiHttpLogDimension dimension, string key)
    {
        Dimension = dimension;
        Key = key;
    }

    public MapiHttpLogDimension Dimension { get; }

    /// <summary>The user, client, server, or the bucket's start ("2024-03-11 08:00Z") for time rows.</summary>
    public string Key { get; }

    /// <summary>Start of the time bucket (UTC), for time rows.</summary>
    public DateTime? Start { get; internal set; }

    public long Requests { get; internal set; }

    public long Failures { get; internal set; }

    public double FailureShare => Requests == 0 ? 0 : (double)Failures / Requests;

    /// <summary>Failed requests per status code, most frequent first (key "none" for failures without a status).</summary>
    public OrderedDictionary FailuresByStatus { get; internal set; } = new OrderedDictionary().AsReadOnly();

    /// <summary>
    /// Requests answered 401 that failed: the client did not follow them with a success within a minute. The normal
    /// 401 of a Negotiate/NTLM handshake is counted in <see cref="Challenges"/> instead, not as a failure (issue 11).
    /// </summary>
    public long Unauthorized { get; internal set; }

    /// <summary>401 challenges the same client followed with a success within a minute: the normal handshake.</summary>
    public long Challenges { get; internal set; }

    public double UnauthorizedShare => Requests == 0 ? 0 : (double)Unauthorized / Requests;

    /// <summary>Requests answered 503.</summary>
    public long ServiceUnavailable { get; internal set; }

    /// <summary>Runs of minutes with at least -BurstThreshold 503s (front-end, back-end and total rows).</summary>
    public int? ServiceUnavailableBursts { get; internal set; }

    public double? LatencyP50Ms { get; internal set; }

    public double? LatencyP95Ms { get; internal set; }

    public double? LatencyP99Ms { get; internal set; }

    public double? LatencyMaxMs { get; internal set; }

    /// <summary>Distinct users active in the bucket (time rows).</summary>
    public int? Users { get; internal set; }

    /// <summary>Distinct users that got a 401 in the bucket (time rows).</summary>
    public int? UnauthorizedUsers { get; internal set; }

    /// <summary>The client last seen for the user (user rows).</summary>
    public string? Client { get; internal set; }

    public DateTime? FirstSeen { get; internal set; }

    public DateTime? LastSeen { get; internal set; }

    /// <summary>"401=12; 503=4" for tables.</summary>
    public string FailuresByStatusText =>
        string.Join("; ", FailuresByStatus.Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}"));
}

/// <summary>A cause the logs point to (or Pass when they point to none), with the command that fixes it.</summary>
public sealed class MapiHttpLogFinding : MapiHttpResult
{
    internal MapiHttpLogFinding(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        string? target,
        string? server,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence,
        DateTime? firstSeen,
        DateTime? lastSeen,
        long count)
        : base(check, status, cause, target, server, message, recommendation, evidence)
    {
        FirstSeen = firstSeen;
        LastSeen = lastSeen;
        Count = count;
    }

    /// <summary>When the pattern was first seen (UTC).</summary>
    public DateTime? FirstSeen { get; }

    /// <summary>When the pattern was last seen (UTC).</summary>
    public DateTime? LastSeen { get; }

    /// <summary>How many requests the finding rests on.</summary>
    public long Count { get; }

    // Issue 13: Format-List of a log summary shows its Findings by this text, not by the type name.
    public override string ToString() => $"{Check}: {Status} - {Message}";
}

/// <summary>
/// The summary of MAPI/HTTP logs: totals, rows per time bucket, user, client, front end and back end, and
/// the findings mapped to the module's causes.
/// </summary>
public sealed class MapiHttpLogSummary
{
    internal MapiHttpLogSummary()
    {
    }

    /// <summary>The log kind the numbers come from (each request is counted once, from the first of HttpProxy, MapiHttp Mailbox, MAPI Client Access, IIS that was given).</summary>
    public MapiHttpLogKind? Source { get; internal set; }

    /// <summary>First request (UTC).</summary>
    public DateTime? From { get; internal set; }

    /// <summary>Last request (UTC).</summary>
    public DateTime? To { get; internal set; }

    public TimeSpan Interval { get; internal set; }

    /// <summary>Files read (those with errors are not counted).</summary>
    public int Files { get; internal set; }

    /// <summary>The files read.</summary>
    public string[] Path { get; internal set; } = Array.Empty<string>();

    /// <summary>Bytes read.</summary>
    public long Bytes { get; internal set; }

    /// <summary>Requests counted (after the filters).</summary>
    public long Requests { get; internal set; }

    public long Failures { get; internal set; }

    public double FailureShare => Requests == 0 ? 0 : (double)Failures / Requests;

    public OrderedDictionary FailuresByStatus { get; internal set; } = new OrderedDictionary().AsReadOnly();

    /// <summary>401s that failed (not followed by the client's success within a minute).</summary>
    public long Unauthorized { get; internal set; }

    public double UnauthorizedShare => Requests == 0 ? 0 : (double)Unauthorized / Requests;

    /// <summary>401 challenges the same client followed with a success within a minute: the normal Negotiate/NTLM handshake, not failures.</summary>
    public long Challenges { get; internal set; }

    public long ServiceUnavailable { get; internal set; }

    public int ServiceUnavailableBursts { get; internal set; }

    public double? LatencyP50Ms { get; internal set; }

    public double? LatencyP95Ms { get; internal set; }

    public double? LatencyP99Ms { get; internal set; }

    /// <summary>Lines skipped because they were malformed (wrong field count, broken quoting, cut short, bad values).</summary>
    public long MalformedLines { get; internal set; }

    /// <summary>Lines that the filters (-Since, -User, ...) left out.</summary>
    public long FilteredLines { get; internal set; }

    /// <summary>Lines of other protocols (IIS /owa, HttpProxy lines of other protocols) that were skipped.</summary>
    public long OtherProtocolLines { get; internal set; }

    /// <summary>Lines of a second log kind that were read for the join only, or not at all (see Source).</summary>
    public long SecondaryLines { get; internal set; }

    /// <summary>Front-end failures matched by cafeReqId to the back end's IIS line of the same request.</summary>
    public long JoinedRequests { get; internal set; }

    /// <summary>"HttpProxy 503 / IIS 503" = count, for the joined requests.</summary>
    public OrderedDictionary JoinOutcomes { get; internal set; } = new OrderedDictionary().AsReadOnly();

    public MapiHttpLogStatistics[] ByTime { get; internal set; } = Array.Empty<MapiHttpLogStatistics>();

    public MapiHttpLogStatistics[] ByUser { get; internal set; } = Array.Empty<MapiHttpLogStatistics>();

    public MapiHttpLogStatistics[] ByClient { get; internal set; } = Array.Empty<MapiHttpLogStatistics>();

    public MapiHttpLogStatistics[] ByFrontEnd { get; internal set; } = Array.Empty<MapiHttpLogStatistics>();

    public MapiHttpLogStatistics[] ByBackEnd { get; internal set; } = Array.Empty<MapiHttpLogStatistics>();

    /// <summary>
    /// Exchange's own monitoring requests (HealthMailbox... users, user agent MapiHttpClient), counted apart; null when
    /// there were none. They are left out of every other figure unless -IncludeMonitoring was given (issue 11).
    /// </summary>
    public MapiHttpLogStatistics? Monitoring { get; internal set; }

    /// <summary>True when the monitoring requests are also counted in the other figures (-IncludeMonitoring).</summary>
    public bool IncludesMonitoring { get; internal set; }

    public MapiHttpLogFinding[] Findings { get; internal set; } = Array.Empty<MapiHttpLogFinding>();

    /// <summary>The worst finding status (Pass when nothing was found).</summary>
    public CheckStatus Status => Findings.Length == 0 ? CheckStatus.Skipped : Findings.Max(f => f.Status);
}
