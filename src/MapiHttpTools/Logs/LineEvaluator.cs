using System;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>What became of a line after the filters.</summary>
internal enum LineOutcome
{
    Accepted,
    FilteredOut,

    /// <summary>Not a MAPI/HTTP request (an IIS line for /owa, an HttpProxy line of another protocol).</summary>
    NotMapi,

    /// <summary>A value that must parse does not.</summary>
    BadValue,
}

/// <summary>The values of one line every consumer needs, as numbers and pool ids (no strings).</summary>
internal struct LineFacts
{
    public long Ticks;
    public bool HasStatus;
    public int Status;
    public double LatencyMs;
    public int User;
    public int Anchor;
    public int FrontEnd;
    public int BackEnd;
    public int Agent;
    public bool IsFailure;

    /// <summary>A NotificationWait: a long poll that waits for mail by design, so its time is not latency.</summary>
    public bool IsLongPoll;

    /// <summary>Exchange's own monitoring (HealthMailbox... users, the MapiHttpClient probe agent): counted apart (issue 11).</summary>
    public bool IsMonitoring;

    /// <summary>Where the request type is in the line's buffer (ProtocolAction, or the RT: part of ClientRequestId); length 0 when none.</summary>
    public int RequestTypeStart;
    public int RequestTypeLength;

    public bool HasLatency => !double.IsNaN(LatencyMs);
}

/// <summary>
/// Reads the columns the filters and the summary need from a split line, in the order that rejects lines
/// cheapest (time, status, latency, then servers and users through interned values whose filter decision
/// is computed once per distinct value). One per thread: the pools are not thread-safe.
/// </summary>
internal sealed class LineEvaluator
{
    private const int Unknown = 0;
    private const int Match = 1;
    private const int NoMatch = 2;

    private readonly LogFilter _filter;
    private DayCache _day;
    private string?[] _clientKeys = new string?[64];
    private string?[] _clientVersions = new string?[64];
    private byte[] _monitoringUsers = new byte[256];
    private byte[] _monitoringAnchors = new byte[256];
    private byte[] _monitoringAgents = new byte[64];

    public LineEvaluator(LogFilter filter)
    {
        _filter = filter;
    }

    public LogFilter Filter => _filter;

    /// <summary>The first and last time of the MAPI/HTTP lines seen, before the time filter (issue 11: say what -Since missed).</summary>
    public long DataFirstTicks { get; private set; } = long.MaxValue;

    public long DataLastTicks { get; private set; } = long.MinValue;

    /// <summary>Authenticated users (and client names of MAPI Client Access).</summary>
    public BytePool Users { get; } = new();

    /// <summary>Anchor mailboxes ("SMTP:" prefix removed) and MapiHttp ActAsUserEmail.</summary>
    public BytePool Anchors { get; } = new();

    /// <summary>Front-end and back-end server names.</summary>
    public BytePool Servers { get; } = new(50_000);

    /// <summary>User agents, or client versions for back-end logs.</summary>
    public BytePool Agents { get; } = new(50_000);

    /// <summary>Other short values that repeat (protocol actions, authentication types, stems...).</summary>
    public BytePool Misc { get; } = new(100_000);

    [MethodImpl(Hot.Path)]
    public LineOutcome Evaluate(LineFields f, LogSchema s, out LineFacts facts)
    {
        facts = default;
        facts.User = facts.Anchor = facts.FrontEnd = facts.BackEnd = facts.Agent = -1;
        facts.LatencyMs = double.NaN;

        if (!IsMapi(f, s))
        {
            return LineOutcome.NotMapi;
        }

        bool timeOk = s.Kind == MapiHttpLogKind.Iis
            ? s.Date >= 0 && s.Time >= 0 && ValueParsers.TryParseW3C(f.Buffer, f.Start(s.Date), f.Length(s.Date), f.Start(s.Time), f.Length(s.Time), ref _day, out facts.Ticks)
            : s.DateTime >= 0 && ValueParsers.TryParseIsoUtc(f.Buffer, f.Start(s.DateTime), f.Length(s.DateTime), ref _day, out facts.Ticks);
        if (!timeOk)
        {
            return LineOutcome.BadValue;
        }

        if (facts.Ticks < DataFirstTicks)
        {
            DataFirstTicks = facts.Ticks;
        }

        if (facts.Ticks > DataLastTicks)
        {
            DataLastTicks = facts.Ticks;
        }

        if (facts.Ticks < _filter.SinceTicks || facts.Ticks >= _filter.UntilTicks)
        {
            return LineOutcome.FilteredOut;
        }

        if (!f.IsEmpty(s.Status))
        {
            bool statusOk = s.Kind == MapiHttpLogKind.MapiClientAccess
                ? f.TryGetLeadingInt32(s.Status, out facts.Status)
                : f.TryGetInt64(s.Status, out long status) && status is >= 0 and <= 999 && Assign(out facts.Status, (int)status);
            if (!statusOk)
            {
                return LineOutcome.BadValue;
            }

            facts.HasStatus = true;
        }

        if (_filter.FiltersStatus && (!facts.HasStatus || !_filter.MatchesStatus(facts.Status)))
        {
            return LineOutcome.FilteredOut;
        }

        if (!f.IsEmpty(s.Latency))
        {
            bool latencyOk = s.LatencyIsDuration
                ? ValueParsers.TryParseDurationMs(f.Buffer, f.Start(s.Latency), f.Length(s.Latency), out facts.LatencyMs)
                : f.TryGetDouble(s.Latency, out facts.LatencyMs);
            if (!latencyOk || facts.LatencyMs < 0)
            {
                return LineOutcome.BadValue;
            }
        }

        if (_filter.MinimumLatencyMs is double minimum && !(facts.HasLatency && facts.LatencyMs >= minimum))
        {
            return LineOutcome.FilteredOut;
        }

        InternServers(f, s, ref facts);
        if (_filter.FiltersServers && !(Matches(Servers, facts.FrontEnd, isUser: false) || Matches(Servers, facts.BackEnd, isUser: false)))
        {
            return LineOutcome.FilteredOut;
        }

        facts.User = Users.Intern(f, s.User);
        facts.Anchor = InternAnchor(f, s.Anchor);
        if (_filter.FiltersUsers && !(Matches(Users, facts.User, isUser: true) || Matches(Anchors, facts.Anchor, isUser: true)))
        {
            return LineOutcome.FilteredOut;
        }

        facts.Agent = s.UserAgent >= 0 ? Agents.Intern(f, s.UserAgent) : Agents.Intern(f, s.ClientVersion);
        facts.IsMonitoring = IsMonitoring(ref _monitoringUsers, Users, facts.User, MonitoringUser) ||
                             IsMonitoring(ref _monitoringAnchors, Anchors, facts.Anchor, MonitoringUser) ||
                             (s.UserAgent >= 0 && IsMonitoring(ref _monitoringAgents, Agents, facts.Agent, MonitoringAgent));
        facts.IsFailure = IsFailure(f, s, in facts);
        if (FindRequestType(f, s, out facts.RequestTypeStart, out facts.RequestTypeLength))
        {
            facts.IsLongPoll = BytesEqual(f.Buffer, facts.RequestTypeStart, facts.RequestTypeLength, "NotificationWait");
        }

        return LineOutcome.Accepted;
    }

    /// <summary>
    /// The request type: the request-type column where it is filled (MapiHttp Mailbox RequestType, MAPI Client
    /// Access operation, ProtocolAction of older HttpProxy lines), else the RT: part of HttpProxy's ClientRequestId,
    /// which is where Exchange really writes it (issue 11: "R:{guid}:7;RT:NotificationWait;CI:{guid}:3;CID:{guid}").
    /// </summary>
    [MethodImpl(Hot.Path)]
    internal static bool FindRequestType(LineFields f, LogSchema s, out int start, out int length)
    {
        if (!f.IsEmpty(s.RequestType))
        {
            start = f.Start(s.RequestType);
            length = f.Length(s.RequestType);
            return true;
        }

        return FindPart(f, s.ClientRequestId, "RT:", out start, out length);
    }

    /// <summary>The value of a "KEY:" part of a ';'-separated field (the part must start the field or follow a ';').</summary>
    [MethodImpl(Hot.Path)]
    internal static bool FindPart(LineFields f, int index, string key, out int start, out int length)
    {
        start = length = 0;
        if (index < 0 || f.IsEmpty(index))
        {
            return false;
        }

        int fieldStart = f.Start(index);
        int end = fieldStart + f.Length(index);
        byte[] b = f.Buffer;
        int at = fieldStart;
        while (at + key.Length <= end)
        {
            bool match = true;
            for (int k = 0; k < key.Length; k++)
            {
                if (b[at + k] != (byte)key[k])
                {
                    match = false;
                    break;
                }
            }

            if (match)
            {
                int valueStart = at + key.Length;
                int stop = valueStart;
                while (stop < end && b[stop] != (byte)';')
                {
                    stop++;
                }

                start = valueStart;
                length = stop - valueStart;
                return length > 0;
            }

            // Skip to the next part.
            while (at < end && b[at] != (byte)';')
            {
                at++;
            }

            at++;
        }

        return false;
    }

    private static bool BytesEqual(byte[] b, int start, int length, string text)
    {
        if (length != text.Length)
        {
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            if (b[start + i] != (byte)text[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"Outlook 16.0.17928" for the summary's client dimension (cached per distinct agent).</summary>
    public string? ClientKey(int agent, LineFields f, LogSchema s)
    {
        if (agent < 0)
        {
            return null;
        }

        Ensure(agent);
        if (_clientKeys[agent] is null)
        {
            Describe(agent, f, s);
        }

        return _clientKeys[agent];
    }

    /// <summary>The client build for <see cref="MapiHttpLogRecord.ClientVersion"/> (cached per distinct agent).</summary>
    public string? ClientVersion(int agent, LineFields f, LogSchema s)
    {
        if (agent < 0)
        {
            return null;
        }

        Ensure(agent);
        if (_clientKeys[agent] is null)
        {
            Describe(agent, f, s);
        }

        return _clientVersions[agent];
    }

    /// <summary>The user agent as sent (IIS writes spaces as '+').</summary>
    public string? AgentText(int agent, LogSchema s) =>
        agent < 0 ? null : s.Kind == MapiHttpLogKind.Iis ? Agents[agent].Replace('+', ' ') : Agents[agent];

    private void Describe(int agent, LineFields f, LogSchema s)
    {
        string key;
        string? version;
        if (s.UserAgent >= 0)
        {
            (key, version) = OutlookBuild.FromUserAgent(AgentText(agent, s)!);
        }
        else
        {
            version = Agents[agent];
            string? software = f.GetString(s.ClientSoftware);
            key = OutlookBuild.FromClientSoftware(software, version);
        }

        _clientKeys[agent] = key;
        _clientVersions[agent] = version;
    }

    private void Ensure(int agent)
    {
        if (agent >= _clientKeys.Length)
        {
            int size = Math.Max(agent + 1, _clientKeys.Length * 2);
            Array.Resize(ref _clientKeys, size);
            Array.Resize(ref _clientVersions, size);
        }
    }

    private static bool MonitoringUser(string name) => name.IndexOf("HealthMailbox", StringComparison.OrdinalIgnoreCase) >= 0;

    private static bool MonitoringAgent(string agent) => agent.StartsWith("MapiHttpClient", StringComparison.OrdinalIgnoreCase);

    /// <summary>The monitoring decision for a pooled value, computed once per distinct value.</summary>
    [MethodImpl(Hot.Path)]
    private static bool IsMonitoring(ref byte[] cache, BytePool pool, int id, Func<string, bool> test)
    {
        if (id < 0)
        {
            return false;
        }

        if (id >= cache.Length)
        {
            Array.Resize(ref cache, Math.Max(id + 1, cache.Length * 2));
        }

        if (cache[id] == 0)
        {
            cache[id] = test(pool[id]) ? (byte)1 : (byte)2;
        }

        return cache[id] == 1;
    }

    private static bool Assign(out int target, int value)
    {
        target = value;
        return true;
    }

    /// <summary>The protocol of a line that is not MAPI/HTTP ("Owa", "Eas", "RpcHttp"; for IIS the application, "owa"), for the warning.</summary>
    internal static string? Protocol(LineFields f, LogSchema s)
    {
        switch (s.Kind)
        {
            case MapiHttpLogKind.HttpProxy:
                return f.GetString(s.Protocol) ?? f.GetString(s.UrlStem);
            case MapiHttpLogKind.Iis:
                string? stem = f.GetString(s.UrlStem);
                if (stem is null)
                {
                    return null;
                }

                string[] parts = stem.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 ? parts[0] : stem;
            default:
                return f.GetString(s.Protocol);
        }
    }

    /// <summary>
    /// HttpProxy logs of other protocols, IIS lines of other applications and RPC Client Access lines (same
    /// fields as MAPI Client Access, other protocols) are not MAPI/HTTP requests.
    /// </summary>
    private static bool IsMapi(LineFields f, LogSchema s) => s.Kind switch
    {
        MapiHttpLogKind.HttpProxy => f.EqualsAscii(s.Protocol, "Mapi") || f.StartsWithAscii(s.UrlStem, "/mapi"),
        MapiHttpLogKind.Iis => f.StartsWithAscii(s.UrlStem, "/mapi/"),
        MapiHttpLogKind.MapiClientAccess => f.IsEmpty(s.Protocol) || f.IndexOfAscii(s.Protocol, "MapiHttp") >= 0,
        _ => true,
    };

    [MethodImpl(Hot.Path)]
    private void InternServers(LineFields f, LogSchema s, ref LineFacts facts)
    {
        switch (s.Kind)
        {
            case MapiHttpLogKind.Iis:
                int server = Servers.Intern(f, s.ServerName);
                if (f.TryGetInt64(s.Port, out long port) && port == 444)
                {
                    facts.BackEnd = server;
                }
                else
                {
                    facts.FrontEnd = server;
                }

                break;
            case MapiHttpLogKind.MapiClientAccess:
                int at = f.IndexOfAscii(s.RequestIds, "FE:");
                if (at >= 0)
                {
                    int start = at + 3;
                    int end = f.Start(s.RequestIds) + f.Length(s.RequestIds);
                    int stop = start;
                    while (stop < end && f.Buffer[stop] != (byte)'|' && f.Buffer[stop] != (byte)';')
                    {
                        stop++;
                    }

                    if (stop > start)
                    {
                        facts.FrontEnd = Servers.Intern(f.Buffer, start, stop - start);
                    }
                }

                break;
            default:
                facts.FrontEnd = Servers.Intern(f, s.FrontEnd);
                facts.BackEnd = Servers.Intern(f, s.BackEnd);
                break;
        }
    }

    [MethodImpl(Hot.Path)]
    private int InternAnchor(LineFields f, int index)
    {
        if (f.IsEmpty(index))
        {
            return -1;
        }

        int start = f.Start(index);
        int length = f.Length(index);
        if (f.StartsWithAscii(index, "SMTP:"))
        {
            start += 5;
            length -= 5;
        }

        return length > 0 ? Anchors.Intern(f.Buffer, start, length, f.HasEscapes(index)) : -1;
    }

    [MethodImpl(Hot.Path)]
    private bool Matches(BytePool pool, int id, bool isUser)
    {
        if (id < 0)
        {
            return false;
        }

        ref int decision = ref pool.Aux(id);
        if (decision == Unknown)
        {
            string value = pool[id];
            bool match = isUser ? MatchesUser(value) : _filter.MatchesServer(value) || _filter.MatchesServer(ShortName(value));
            decision = match ? Match : NoMatch;
        }

        return decision == Match;
    }

    /// <summary>A user matches by the whole name, by the part after "DOMAIN\" or by the part before "@".</summary>
    private bool MatchesUser(string value)
    {
        if (_filter.MatchesUser(value))
        {
            return true;
        }

        int slash = value.LastIndexOf('\\');
        if (slash >= 0 && _filter.MatchesUser(value.Substring(slash + 1)))
        {
            return true;
        }

        int at = value.IndexOf('@');
        return at > 0 && _filter.MatchesUser(value.Substring(0, at));
    }

    /// <summary>"EX02" for "ex02.contoso.com": -Server EX02 finds either form.</summary>
    internal static string ShortName(string server)
    {
        int dot = server.IndexOf('.');
        return dot > 0 ? server.Substring(0, dot) : server;
    }

    [MethodImpl(Hot.Path)]
    private static bool IsFailure(LineFields f, LogSchema s, in LineFacts facts)
    {
        switch (s.Kind)
        {
            case MapiHttpLogKind.MapiClientAccess:
                return facts.HasStatus && facts.Status != 0;
            case MapiHttpLogKind.MapiHttpMailbox:
                return (facts.HasStatus && facts.Status >= 400) || (f.TryGetInt64(s.ResponseCode, out long code) && code != 0);
            default:
                return facts.HasStatus && facts.Status >= 400;
        }
    }
}

/// <summary>Outlook builds from user agents and client versions.</summary>
internal static class OutlookBuild
{
    private static readonly string[] Markers = { "Microsoft Outlook ", "MacOutlook/", "Outlook-iOS/", "Outlook-Android/", "MAPICPP " };

    /// <summary>
    /// "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)" gives ("Outlook 16.0.17928", "16.0.17928");
    /// other agents give their product token ("MapiHttpClient") and no version.
    /// </summary>
    public static (string Key, string? Version) FromUserAgent(string agent)
    {
        foreach (string marker in Markers)
        {
            int at = agent.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (at < 0)
            {
                continue;
            }

            int start = at + marker.Length;
            int end = start;
            while (end < agent.Length && (char.IsDigit(agent[end]) || agent[end] == '.'))
            {
                end++;
            }

            string version = agent.Substring(start, end - start).TrimEnd('.');
            string product = marker.TrimEnd(' ', '/');
            product = product == "Microsoft Outlook" ? "Outlook" : product;
            return version.Length > 0 ? ($"{product} {version}", version) : (product, null);
        }

        int stop = 0;
        while (stop < agent.Length && stop < 48 && agent[stop] != '/' && agent[stop] != '(' && agent[stop] != ';')
        {
            stop++;
        }

        string token = agent.Substring(0, stop).Trim();
        return (token.Length > 0 ? token : "(unknown)", null);
    }

    /// <summary>"OUTLOOK.EXE" + "16.0.17928.20114" gives "Outlook 16.0.17928.20114".</summary>
    public static string FromClientSoftware(string? software, string? version)
    {
        string name = string.IsNullOrEmpty(software) ? "(unknown)" : software!;
        if (name.IndexOf("outlook", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            name = "Outlook";
        }

        return string.IsNullOrEmpty(version) ? name : $"{name} {version}";
    }
}
