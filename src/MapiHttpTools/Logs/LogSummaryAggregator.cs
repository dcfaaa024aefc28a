using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>
/// Adds accepted lines to the summary groups of one worker, by pool ids (no strings per line), and turns
/// them into a <see cref="SummaryPartial"/> at the end (groups keyed by name, bucket bit sets over the
/// partial's own user and anchor ids) so workers can be merged.
/// Users: a request with an authenticated user counts for that user; a request without one (a 401
/// challenge) counts for its anchor mailbox, and anchors later seen together with an authenticated user
/// are folded into that user, so one Outlook's challenges and its successes land in one row.
/// </summary>
internal sealed class LogSummaryAggregator
{
    private readonly LineEvaluator _e;
    private readonly long _intervalTicks;
    private readonly bool _collectJoin;
    private readonly bool _includeMonitoring;
    private readonly Dictionary<long, WorkerBucket> _buckets = new();
    private readonly List<GroupStats?> _users = new();
    private readonly List<GroupStats?> _anchors = new();
    private readonly List<GroupStats?> _frontEnds = new();
    private readonly List<GroupStats?> _backEnds = new();
    private readonly Dictionary<int, int> _anchorToUser = new();
    private readonly Dictionary<string, GroupStats> _clients = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<GroupStats?> _clientByAgent = new();
    private readonly Dictionary<Guid, JoinEntry> _join = new();
    private readonly ChallengePairing _pairing = new();
    private WorkerBucket? _lastBucket;
    private long _lastBucketKey = long.MinValue;

    public LogSummaryAggregator(LineEvaluator evaluator, TimeSpan interval, bool collectJoin, bool includeMonitoring = false)
    {
        _e = evaluator;
        _intervalTicks = interval.Ticks;
        _collectJoin = collectJoin;
        _includeMonitoring = includeMonitoring;
    }

    public GroupStats Total { get; } = new(trackMinutes: true);

    /// <summary>Exchange's own monitoring requests, always counted here; in the other groups only with IncludeMonitoring.</summary>
    public GroupStats Monitoring { get; } = new();

    public long JoinOverflow { get; private set; }

    [MethodImpl(Hot.Path)]
    public void Add(LineFields f, LogSchema s, in LineFacts facts)
    {
        bool addressBook = facts.HasStatus && facts.Status == 503 && f.IndexOfAscii(s.UrlStem, "/nspi") >= 0;
        bool unauthorized = facts.HasStatus && facts.Status == 401;
        bool deferred = unauthorized && facts.IsFailure && s.Kind != MapiHttpLogKind.MapiClientAccess;
        if (facts.IsMonitoring)
        {
            // Issue 11: HealthMailbox probes are not users; counted apart, and in the user figures only when asked.
            Monitoring.Add(facts, addressBook, deferred);
            if (!_includeMonitoring)
            {
                PairMonitoring(f, s, facts, deferred);
                return;
            }
        }

        Total.Add(facts, addressBook, deferred);

        GroupStats? user = null;
        if (facts.User >= 0)
        {
            user = Slot(_users, facts.User, trackMinutes: false);
            if (facts.Anchor >= 0 && !_anchorToUser.ContainsKey(facts.Anchor))
            {
                _anchorToUser[facts.Anchor] = facts.User;
            }
        }
        else if (facts.Anchor >= 0)
        {
            user = Slot(_anchors, facts.Anchor, trackMinutes: false);
        }

        string? client = null;
        GroupStats? clientGroup = null;
        if (facts.Agent >= 0)
        {
            clientGroup = facts.Agent < _clientByAgent.Count ? _clientByAgent[facts.Agent] : null;
            if (clientGroup is null)
            {
                client = _e.ClientKey(facts.Agent, f, s) ?? "(unknown)";
                if (!_clients.TryGetValue(client, out clientGroup))
                {
                    clientGroup = new GroupStats();
                    _clients[client] = clientGroup;
                }

                while (_clientByAgent.Count <= facts.Agent)
                {
                    _clientByAgent.Add(null);
                }

                _clientByAgent[facts.Agent] = clientGroup;
            }

            clientGroup.Add(facts, addressBook, deferred);
        }

        if (user is not null)
        {
            user.Add(facts, addressBook, deferred);
            if (facts.Agent >= 0)
            {
                user.Client = _e.ClientKey(facts.Agent, f, s);
            }
        }

        GroupStats? frontEnd = null;
        if (facts.FrontEnd >= 0)
        {
            frontEnd = Slot(_frontEnds, facts.FrontEnd, trackMinutes: true);
            frontEnd.Add(facts, addressBook, deferred);
        }

        GroupStats? backEnd = null;
        if (facts.BackEnd >= 0)
        {
            backEnd = Slot(_backEnds, facts.BackEnd, trackMinutes: true);
            backEnd.Add(facts, addressBook, deferred);
        }

        WorkerBucket bucket = Bucket(facts.Ticks);
        BucketStats stats = bucket.Stats;
        stats.Add(facts, addressBook, deferred);
        if (facts.User >= 0)
        {
            stats.Users.Set(facts.User);
        }
        else if (facts.Anchor >= 0)
        {
            stats.Anchors.Set(facts.Anchor);
        }

        if (deferred)
        {
            var pending = new PendingChallenge(facts.Ticks, user, clientGroup, frontEnd, backEnd, bucket, facts.User, facts.Anchor, facts.FrontEnd, facts.IsMonitoring ? Monitoring : null);
            if (!_pairing.Defer(f, s, facts, pending))
            {
                Fail(pending);
            }
        }
        else
        {
            if (unauthorized)
            {
                MarkUnauthorized(bucket, facts.User, facts.Anchor, facts.FrontEnd);
            }

            if (facts.HasStatus && !facts.IsFailure && facts.Status < 400)
            {
                ResolvePending(f, s, facts);
            }
        }

        if (_collectJoin && facts.IsFailure && s.Kind == MapiHttpLogKind.HttpProxy && !f.IsEmpty(s.RequestId) &&
            GuidParser.TryParse(f.Buffer, f.Start(s.RequestId), f.Length(s.RequestId), out Guid requestId))
        {
            if (_join.Count < JoinEntry.MaxEntries)
            {
                _join[requestId] = new JoinEntry(facts.Status, facts.FrontEnd >= 0 ? _e.Servers[facts.FrontEnd] : null, facts.BackEnd >= 0 ? _e.Servers[facts.BackEnd] : null);
            }
            else
            {
                JoinOverflow++;
            }
        }
    }

    /// <summary>Monitoring requests left out of the user figures still pair their 401s, for the Monitoring row only.</summary>
    private void PairMonitoring(LineFields f, LogSchema s, in LineFacts facts, bool deferred)
    {
        if (deferred)
        {
            var pending = new PendingChallenge(facts.Ticks, null, null, null, null, null, -1, -1, -1, Monitoring);
            if (!_pairing.Defer(f, s, facts, pending))
            {
                Fail(pending);
            }
        }
        else if (facts.HasStatus && !facts.IsFailure && facts.Status < 400)
        {
            ResolvePending(f, s, facts);
        }
    }

    private void ResolvePending(LineFields f, LogSchema s, in LineFacts facts)
    {
        if (_pairing.HasPending && _pairing.Resolve(f, s, facts, out List<PendingChallenge>? resolved))
        {
            foreach (PendingChallenge p in resolved!)
            {
                if (facts.Ticks - p.Ticks is >= 0 and <= ChallengePairing.WindowTicks)
                {
                    Challenge(p);
                }
                else
                {
                    Fail(p);
                }
            }
        }
    }

    /// <summary>At the end of a file: the 401s no success followed are failures (pairing stays within a file).</summary>
    public void EndFile()
    {
        foreach (PendingChallenge p in _pairing.Drain())
        {
            Fail(p);
        }
    }

    private void Fail(PendingChallenge p)
    {
        p.Monitoring?.AddFailedChallenge(p.Ticks);
        if (p.Bucket is null)
        {
            return;
        }

        Total.AddFailedChallenge(p.Ticks);
        p.User?.AddFailedChallenge(p.Ticks);
        p.Client?.AddFailedChallenge(p.Ticks);
        p.FrontEnd?.AddFailedChallenge(p.Ticks);
        p.BackEnd?.AddFailedChallenge(p.Ticks);
        p.Bucket.Stats.AddFailedChallenge(p.Ticks);
        MarkUnauthorized(p.Bucket, p.UserId, p.AnchorId, p.FrontEndId);
    }

    private void Challenge(PendingChallenge p)
    {
        p.Monitoring?.AddChallenge();
        if (p.Bucket is null)
        {
            return;
        }

        Total.AddChallenge();
        p.User?.AddChallenge();
        p.Client?.AddChallenge();
        p.FrontEnd?.AddChallenge();
        p.BackEnd?.AddChallenge();
        p.Bucket.Stats.AddChallenge();
    }

    private static void MarkUnauthorized(WorkerBucket bucket, int user, int anchor, int frontEnd)
    {
        if (user >= 0)
        {
            bucket.Stats.UnauthorizedUsers.Set(user);
        }
        else if (anchor >= 0)
        {
            bucket.Stats.UnauthorizedAnchors.Set(anchor);
        }

        if (frontEnd >= 0)
        {
            bucket.UnauthorizedByFrontEnd.TryGetValue(frontEnd, out long count);
            bucket.UnauthorizedByFrontEnd[frontEnd] = count + 1;
        }
    }

    [MethodImpl(Hot.Path)]
    private WorkerBucket Bucket(long ticks)
    {
        long key = ticks / _intervalTicks;
        if (key == _lastBucketKey && _lastBucket is not null)
        {
            return _lastBucket;
        }

        if (!_buckets.TryGetValue(key, out WorkerBucket? bucket))
        {
            bucket = new WorkerBucket(new BucketStats(key * _intervalTicks));
            _buckets[key] = bucket;
        }

        _lastBucketKey = key;
        _lastBucket = bucket;
        return bucket;
    }

    [MethodImpl(Hot.Path)]
    private static GroupStats Slot(List<GroupStats?> list, int id, bool trackMinutes)
    {
        while (list.Count <= id)
        {
            list.Add(null);
        }

        return list[id] ??= new GroupStats(trackMinutes);
    }

    /// <summary>The worker's groups keyed by name, ready to merge with other workers'.</summary>
    public SummaryPartial Finish()
    {
        var partial = new SummaryPartial(Total);
        partial.Monitoring.Merge(Monitoring);
        Collect(_users, _e.Users, partial.Users);
        Collect(_anchors, _e.Anchors, partial.Anchors);
        Collect(_frontEnds, _e.Servers, partial.FrontEnds);
        Collect(_backEnds, _e.Servers, partial.BackEnds);
        foreach (KeyValuePair<string, GroupStats> pair in _clients)
        {
            partial.Clients[pair.Key] = pair.Value;
        }

        foreach (KeyValuePair<int, int> pair in _anchorToUser)
        {
            partial.AnchorToUser[_e.Anchors[pair.Key]] = _e.Users[pair.Value];
        }

        int[] userMap = partial.MapUsers(Names(_e.Users));
        int[] anchorMap = partial.MapAnchors(Names(_e.Anchors));
        foreach (WorkerBucket bucket in _buckets.Values)
        {
            var stats = new BucketStats(bucket.Stats.StartTicks);
            stats.MergeBucket(bucket.Stats, userMap, anchorMap);
            foreach (KeyValuePair<int, long> pair in bucket.UnauthorizedByFrontEnd)
            {
                stats.UnauthorizedByFrontEnd[_e.Servers[pair.Key]] = pair.Value;
            }

            partial.Buckets[stats.StartTicks] = stats;
        }

        foreach (KeyValuePair<Guid, JoinEntry> pair in _join)
        {
            partial.Join[pair.Key] = pair.Value;
        }

        partial.JoinOverflow = JoinOverflow;
        return partial;
    }

    private static string[] Names(BytePool pool)
    {
        var names = new string[pool.Count];
        for (int id = 0; id < names.Length; id++)
        {
            names[id] = pool[id];
        }

        return names;
    }

    private static void Collect(List<GroupStats?> list, BytePool pool, Dictionary<string, GroupStats> into)
    {
        for (int id = 0; id < list.Count; id++)
        {
            if (list[id] is GroupStats stats)
            {
                string name = pool[id];
                if (into.TryGetValue(name, out GroupStats? existing))
                {
                    existing.Merge(stats);
                }
                else
                {
                    into[name] = stats;
                }
            }
        }
    }

    internal sealed class WorkerBucket
    {
        public WorkerBucket(BucketStats stats) => Stats = stats;

        public BucketStats Stats { get; }

        public Dictionary<int, long> UnauthorizedByFrontEnd { get; } = new();
    }
}

/// <summary>A 401 waiting for the same client's next success, with the groups it is counted in.</summary>
internal sealed class PendingChallenge
{
    public PendingChallenge(long ticks, GroupStats? user, GroupStats? client, GroupStats? frontEnd, GroupStats? backEnd, LogSummaryAggregator.WorkerBucket? bucket, int userId, int anchorId, int frontEndId, GroupStats? monitoring)
    {
        Monitoring = monitoring;
        Ticks = ticks;
        User = user;
        Client = client;
        FrontEnd = frontEnd;
        BackEnd = backEnd;
        Bucket = bucket;
        UserId = userId;
        AnchorId = anchorId;
        FrontEndId = frontEndId;
    }

    public long Ticks { get; }

    public GroupStats? User { get; }

    public GroupStats? Client { get; }

    public GroupStats? FrontEnd { get; }

    public GroupStats? BackEnd { get; }

    /// <summary>The bucket; null for a monitoring request left out of the user figures (only <see cref="Monitoring"/> counts it).</summary>
    public LogSummaryAggregator.WorkerBucket? Bucket { get; }

    public GroupStats? Monitoring { get; }

    /// <summary>The anchor id the pairing counted this entry under (-1: none).</summary>
    public int PairAnchor { get; set; } = -1;

    public int UserId { get; }

    public int AnchorId { get; }

    public int FrontEndId { get; }
}

/// <summary>
/// Issue 11: the first anonymous 401 of a Negotiate/NTLM handshake is normal. A 401 is a challenge when the same
/// client's next success in the same file comes within <see cref="WindowTicks"/> after it; otherwise (no success,
/// or only much later) it failed. The client is the Outlook session (the CI: GUID of HttpProxy's ClientRequestId),
/// or else the anchor mailbox (or user agent) with the client address.
/// </summary>
internal sealed class ChallengePairing
{
    /// <summary>A handshake's authenticated retry follows its 401 within seconds; a minute leaves room for slow clients.</summary>
    public const long WindowTicks = TimeSpan.TicksPerMinute;

    private readonly BytePool _keys = new(1_000_000);
    private readonly Dictionary<(int, int, int), List<PendingChallenge>> _pending = new();

    /// <summary>
    /// Pending 401s per anchor mailbox: a success whose mailbox has none skips the client key (most lines), which
    /// keeps the pairing off the hot path (issue 12: keep the engine's speed).
    /// </summary>
    private int[] _pendingByAnchor = new int[1024];
    private int _pendingWithoutAnchor;

    public bool HasPending => _pending.Count > 0;

    /// <summary>Keeps <paramref name="pending"/> for its client; false when the client cannot be told (then it is a failure at once).</summary>
    public bool Defer(LineFields f, LogSchema s, in LineFacts facts, PendingChallenge pending)
    {
        if (!Key(f, s, facts, out (int, int, int) key))
        {
            return false;
        }

        if (!_pending.TryGetValue(key, out List<PendingChallenge>? list))
        {
            _pending[key] = list = new List<PendingChallenge>(2);
        }

        list.Add(pending);
        pending.PairAnchor = facts.Anchor;
        if (facts.Anchor >= 0)
        {
            if (facts.Anchor >= _pendingByAnchor.Length)
            {
                Array.Resize(ref _pendingByAnchor, Math.Max(facts.Anchor + 1, _pendingByAnchor.Length * 2));
            }

            _pendingByAnchor[facts.Anchor]++;
        }
        else
        {
            _pendingWithoutAnchor++;
        }

        return true;
    }

    /// <summary>The 401s waiting for this line's client, removed.</summary>
    public bool Resolve(LineFields f, LogSchema s, in LineFacts facts, out List<PendingChallenge>? resolved)
    {
        resolved = null;
        if (facts.Anchor >= 0 && _pendingWithoutAnchor == 0 && (facts.Anchor >= _pendingByAnchor.Length || _pendingByAnchor[facts.Anchor] == 0))
        {
            return false;
        }

        if (!Key(f, s, facts, out (int, int, int) key) || !_pending.TryGetValue(key, out resolved))
        {
            return false;
        }

        _pending.Remove(key);
        foreach (PendingChallenge p in resolved)
        {
            if (p.PairAnchor >= 0)
            {
                _pendingByAnchor[p.PairAnchor]--;
            }
            else
            {
                _pendingWithoutAnchor--;
            }
        }

        return true;
    }

    public IEnumerable<PendingChallenge> Drain()
    {
        var all = new List<PendingChallenge>();
        foreach (List<PendingChallenge> list in _pending.Values)
        {
            all.AddRange(list);
        }

        _pending.Clear();
        Array.Clear(_pendingByAnchor, 0, _pendingByAnchor.Length);
        _pendingWithoutAnchor = 0;
        all.Sort((a, b) => a.Ticks.CompareTo(b.Ticks));
        return all;
    }

    private bool Key(LineFields f, LogSchema s, in LineFacts facts, out (int, int, int) key)
    {
        key = default;
        if (LineEvaluator.FindPart(f, s.ClientRequestId, "CI:", out int start, out int length))
        {
            // "CI:{guid}:3": the session is the GUID.
            int colon = start + length - 1;
            while (colon > start && f.Buffer[colon] != (byte)':')
            {
                colon--;
            }

            int id = _keys.Intern(f.Buffer, start, colon > start ? colon - start : length);
            key = (-2, id, 0);
            return id >= 0;
        }

        int ip = _keys.Intern(f, s.ClientIp);
        key = (facts.Anchor, ip, facts.Anchor >= 0 ? -1 : facts.Agent);
        return ip >= 0 && (facts.Anchor >= 0 || facts.Agent >= 0);
    }
}

/// <summary>A front-end failure kept to be joined with the back end's IIS line of the same request.</summary>
internal readonly struct JoinEntry
{
    /// <summary>Bounds the join's memory (about 100 bytes an entry): failures past this are counted, not joined.</summary>
    public const int MaxEntries = 1_000_000;

    public JoinEntry(int status, string? frontEnd, string? backEnd)
    {
        Status = status;
        FrontEnd = frontEnd;
        BackEnd = backEnd;
    }

    public int Status { get; }

    public string? FrontEnd { get; }

    public string? BackEnd { get; }
}

/// <summary>One worker's summary groups by name; <see cref="Merge"/> adds another worker's.</summary>
internal sealed class SummaryPartial
{
    public SummaryPartial(GroupStats total) => Total = total;

    public GroupStats Total { get; }

    /// <summary>Exchange's own monitoring requests (issue 11).</summary>
    public GroupStats Monitoring { get; } = new();

    public Dictionary<long, BucketStats> Buckets { get; } = new();

    public Dictionary<string, GroupStats> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, GroupStats> Anchors { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, GroupStats> Clients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, GroupStats> FrontEnds { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, GroupStats> BackEnds { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> AnchorToUser { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<Guid, JoinEntry> Join { get; } = new();

    public long JoinOverflow { get; set; }

    /// <summary>The time range of all dated MAPI/HTTP lines read, before the filters (set by the engine).</summary>
    public long DataFirstTicks { get; set; } = long.MaxValue;

    public long DataLastTicks { get; set; } = long.MinValue;

    /// <summary>User names by the id the buckets' bit sets use.</summary>
    public List<string> UserNames { get; } = new();

    /// <summary>Anchor names by the id the buckets' bit sets use.</summary>
    public List<string> AnchorNames { get; } = new();

    private readonly Dictionary<string, int> _userIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _anchorIds = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>This partial's ids for <paramref name="names"/> (added when new), by the caller's id.</summary>
    public int[] MapUsers(IReadOnlyList<string> names) => Map(names, UserNames, _userIds);

    public int[] MapAnchors(IReadOnlyList<string> names) => Map(names, AnchorNames, _anchorIds);

    private static int[] Map(IReadOnlyList<string> names, List<string> table, Dictionary<string, int> index)
    {
        var map = new int[names.Count];
        for (int i = 0; i < map.Length; i++)
        {
            if (!index.TryGetValue(names[i], out int id))
            {
                id = table.Count;
                table.Add(names[i]);
                index[names[i]] = id;
            }

            map[i] = id;
        }

        return map;
    }

    public void Merge(SummaryPartial other)
    {
        Total.Merge(other.Total);
        Monitoring.Merge(other.Monitoring);
        int[] userMap = MapUsers(other.UserNames);
        int[] anchorMap = MapAnchors(other.AnchorNames);
        foreach (KeyValuePair<long, BucketStats> pair in other.Buckets)
        {
            if (!Buckets.TryGetValue(pair.Key, out BucketStats? bucket))
            {
                Buckets[pair.Key] = bucket = new BucketStats(pair.Key);
            }

            bucket.MergeBucket(pair.Value, userMap, anchorMap);
        }

        MergeInto(Users, other.Users);
        MergeInto(Anchors, other.Anchors);
        MergeInto(Clients, other.Clients);
        MergeInto(FrontEnds, other.FrontEnds);
        MergeInto(BackEnds, other.BackEnds);
        foreach (KeyValuePair<string, string> pair in other.AnchorToUser)
        {
            if (!AnchorToUser.ContainsKey(pair.Key))
            {
                AnchorToUser[pair.Key] = pair.Value;
            }
        }

        foreach (KeyValuePair<Guid, JoinEntry> pair in other.Join)
        {
            if (Join.Count < JoinEntry.MaxEntries)
            {
                Join[pair.Key] = pair.Value;
            }
            else
            {
                JoinOverflow++;
            }
        }

        JoinOverflow += other.JoinOverflow;
    }

    /// <summary>Folds anchors into the users they were seen with; anchors never seen authenticated become users of their own.</summary>
    public void ResolveAnchors()
    {
        foreach (KeyValuePair<string, GroupStats> pair in Anchors)
        {
            string name = AnchorToUser.TryGetValue(pair.Key, out string? user) ? user : pair.Key;
            if (Users.TryGetValue(name, out GroupStats? existing))
            {
                existing.Merge(pair.Value);
            }
            else
            {
                Users[name] = pair.Value;
            }
        }

        Anchors.Clear();

        // In the buckets, an anchor counts as the user it was seen authenticated as (or that has its name);
        // an anchor never seen so is a user of its own, numbered after the users.
        var target = new int[AnchorNames.Count];
        for (int a = 0; a < target.Length; a++)
        {
            string name = AnchorNames[a];
            target[a] = AnchorToUser.TryGetValue(name, out string? user) && _userIds.TryGetValue(user, out int mapped) ? mapped
                : _userIds.TryGetValue(name, out int same) ? same
                : UserNames.Count + a;
        }

        foreach (BucketStats bucket in Buckets.Values)
        {
            bucket.Identities.Or(bucket.Users);
            bucket.Identities.OrMapped(bucket.Anchors, target);
            bucket.UnauthorizedIdentities.Or(bucket.UnauthorizedUsers);
            bucket.UnauthorizedIdentities.OrMapped(bucket.UnauthorizedAnchors, target);
        }
    }

    private static void MergeInto(Dictionary<string, GroupStats> into, Dictionary<string, GroupStats> from)
    {
        foreach (KeyValuePair<string, GroupStats> pair in from)
        {
            if (into.TryGetValue(pair.Key, out GroupStats? existing))
            {
                existing.Merge(pair.Value);
            }
            else
            {
                into[pair.Key] = pair.Value;
            }
        }
    }
}

/// <summary>Parses a GUID ("5e58f5e5-1ddc-48d3-82c6-0199bc121640", braces allowed) from bytes without a string.</summary>
internal static class GuidParser
{
    public static bool TryParse(byte[] b, int start, int length, out Guid guid)
    {
        guid = Guid.Empty;
        if (length == 38 && b[start] == (byte)'{' && b[start + 37] == (byte)'}')
        {
            start++;
            length = 36;
        }

        if (length != 36 || b[start + 8] != (byte)'-' || b[start + 13] != (byte)'-' || b[start + 18] != (byte)'-' || b[start + 23] != (byte)'-')
        {
            return false;
        }

        if (!Hex(b, start, 8, out ulong a) || !Hex(b, start + 9, 4, out ulong bb) || !Hex(b, start + 14, 4, out ulong c) ||
            !Hex(b, start + 19, 4, out ulong d) || !Hex(b, start + 24, 12, out ulong e))
        {
            return false;
        }

        guid = new Guid((uint)a, (ushort)bb, (ushort)c, (byte)(d >> 8), (byte)d, (byte)(e >> 40), (byte)(e >> 32), (byte)(e >> 24), (byte)(e >> 16), (byte)(e >> 8), (byte)e);
        return true;
    }

    private static bool Hex(byte[] b, int start, int count, out ulong value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            int x = b[i];
            int digit = x >= '0' && x <= '9' ? x - '0' : x >= 'a' && x <= 'f' ? x - 'a' + 10 : x >= 'A' && x <= 'F' ? x - 'A' + 10 : -1;
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }
}
