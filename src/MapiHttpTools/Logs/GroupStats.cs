using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>The counters of one summary group (a time bucket, a user, a client, a server, or everything).</summary>
internal class GroupStats
{
    private int[] _statusKeys = Array.Empty<int>();
    private long[] _statusCounts = Array.Empty<long>();
    private int _statusUsed;

    public GroupStats(bool trackMinutes = false)
    {
        if (trackMinutes)
        {
            UnavailableMinutes = new Dictionary<long, int>();
        }
    }

    public long Requests;
    public long Failures;

    /// <summary>401s that failed: not followed by the same client's success (issue 11).</summary>
    public long Unauthorized;

    /// <summary>401s the same client followed with a success within <see cref="ChallengePairing.Window"/>: the handshake, not failures.</summary>
    public long Challenges;
    public long ServiceUnavailable;

    /// <summary>503s on /mapi/nspi (the address book pool) rather than /mapi/emsmdb.</summary>
    public long AddressBookUnavailable;

    /// <summary>503s the front end answered without a back end (the front end's own pool).</summary>
    public long UnavailableWithoutBackEnd;

    public long FirstTicks = long.MaxValue;
    public long LastTicks = long.MinValue;
    public long FirstFailureTicks = long.MaxValue;
    public long LastFailureTicks = long.MinValue;

    /// <summary>The client seen last (for users).</summary>
    public string? Client;

    public LatencyHistogram Latency { get; } = new();

    /// <summary>503 count per minute (minute = ticks / TicksPerMinute), for burst detection; null when not tracked.</summary>
    public Dictionary<long, int>? UnavailableMinutes { get; }

    /// <summary>
    /// Counts a request. With <paramref name="deferred"/> (a 401 that may be a challenge) it is not yet a failure:
    /// <see cref="AddFailedChallenge"/> or <see cref="AddChallenge"/> says what it was once the client's next answer is known.
    /// </summary>
    [MethodImpl(Hot.Path)]
    public void Add(in LineFacts facts, bool addressBook, bool deferred = false)
    {
        Requests++;
        if (facts.Ticks < FirstTicks)
        {
            FirstTicks = facts.Ticks;
        }

        if (facts.Ticks > LastTicks)
        {
            LastTicks = facts.Ticks;
        }

        if (facts.HasLatency && !facts.IsLongPoll)
        {
            Latency.Add(facts.LatencyMs);
        }

        if (!facts.IsFailure || deferred)
        {
            return;
        }

        Failures++;
        if (facts.Ticks < FirstFailureTicks)
        {
            FirstFailureTicks = facts.Ticks;
        }

        if (facts.Ticks > LastFailureTicks)
        {
            LastFailureTicks = facts.Ticks;
        }

        AddStatus(facts.HasStatus ? facts.Status : -1, 1);
        if (!facts.HasStatus)
        {
            return;
        }

        if (facts.Status == 401)
        {
            Unauthorized++;
        }
        else if (facts.Status == 503)
        {
            ServiceUnavailable++;
            if (addressBook)
            {
                AddressBookUnavailable++;
            }

            if (facts.BackEnd < 0)
            {
                UnavailableWithoutBackEnd++;
            }

            if (UnavailableMinutes is not null)
            {
                long minute = facts.Ticks / TimeSpan.TicksPerMinute;
                UnavailableMinutes.TryGetValue(minute, out int count);
                UnavailableMinutes[minute] = count + 1;
            }
        }
    }

    /// <summary>A deferred 401 that was not followed by the client's success: a failure.</summary>
    public void AddFailedChallenge(long ticks)
    {
        Failures++;
        Unauthorized++;
        FirstFailureTicks = Math.Min(FirstFailureTicks, ticks);
        LastFailureTicks = Math.Max(LastFailureTicks, ticks);
        AddStatus(401, 1);
    }

    /// <summary>A deferred 401 the client followed with a success: the normal handshake.</summary>
    public void AddChallenge() => Challenges++;

    public void Merge(GroupStats other)
    {
        Requests += other.Requests;
        Failures += other.Failures;
        Unauthorized += other.Unauthorized;
        Challenges += other.Challenges;
        ServiceUnavailable += other.ServiceUnavailable;
        AddressBookUnavailable += other.AddressBookUnavailable;
        UnavailableWithoutBackEnd += other.UnavailableWithoutBackEnd;
        FirstTicks = Math.Min(FirstTicks, other.FirstTicks);
        LastTicks = Math.Max(LastTicks, other.LastTicks);
        FirstFailureTicks = Math.Min(FirstFailureTicks, other.FirstFailureTicks);
        LastFailureTicks = Math.Max(LastFailureTicks, other.LastFailureTicks);
        Client ??= other.Client;
        Latency.Merge(other.Latency);
        for (int i = 0; i < other._statusUsed; i++)
        {
            AddStatus(other._statusKeys[i], other._statusCounts[i]);
        }

        if (UnavailableMinutes is not null && other.UnavailableMinutes is not null)
        {
            foreach (KeyValuePair<long, int> pair in other.UnavailableMinutes)
            {
                UnavailableMinutes.TryGetValue(pair.Key, out int count);
                UnavailableMinutes[pair.Key] = count + pair.Value;
            }
        }
    }

    /// <summary>Failures per status (-1: failures without a status), most frequent first.</summary>
    public List<KeyValuePair<int, long>> FailureStatuses()
    {
        var list = new List<KeyValuePair<int, long>>(_statusUsed);
        for (int i = 0; i < _statusUsed; i++)
        {
            list.Add(new KeyValuePair<int, long>(_statusKeys[i], _statusCounts[i]));
        }

        list.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : a.Key.CompareTo(b.Key));
        return list;
    }

    public long FailuresWithStatus(Func<int, bool> predicate)
    {
        long total = 0;
        for (int i = 0; i < _statusUsed; i++)
        {
            if (predicate(_statusKeys[i]))
            {
                total += _statusCounts[i];
            }
        }

        return total;
    }

    private void AddStatus(int status, long count)
    {
        for (int i = 0; i < _statusUsed; i++)
        {
            if (_statusKeys[i] == status)
            {
                _statusCounts[i] += count;
                return;
            }
        }

        if (_statusUsed == _statusKeys.Length)
        {
            int size = Math.Max(4, _statusKeys.Length * 2);
            Array.Resize(ref _statusKeys, size);
            Array.Resize(ref _statusCounts, size);
        }

        _statusKeys[_statusUsed] = status;
        _statusCounts[_statusUsed] = count;
        _statusUsed++;
    }
}

/// <summary>
/// A time bucket: the group counters plus who was active and who got 401s, as bit sets over the user and
/// anchor ids of the <see cref="SummaryPartial"/> that holds the bucket; <see cref="SummaryPartial.ResolveAnchors"/>
/// folds them into <see cref="Identities"/> and <see cref="UnauthorizedIdentities"/>.
/// </summary>
internal sealed class BucketStats : GroupStats
{
    public BucketStats(long startTicks)
        : base(trackMinutes: false)
    {
        StartTicks = startTicks;
    }

    public long StartTicks { get; }

    public BitSet Users { get; } = new();

    public BitSet Anchors { get; } = new();

    public BitSet UnauthorizedUsers { get; } = new();

    public BitSet UnauthorizedAnchors { get; } = new();

    /// <summary>Distinct users after anchors are folded into the users they belong to (set by ResolveAnchors).</summary>
    public BitSet Identities { get; } = new();

    /// <summary>Distinct users with a 401 in the bucket, resolved the same way.</summary>
    public BitSet UnauthorizedIdentities { get; } = new();

    /// <summary>401s per front end in the bucket.</summary>
    public Dictionary<string, long> UnauthorizedByFrontEnd { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds <paramref name="other"/>, whose ids map into this bucket's through the two maps.</summary>
    public void MergeBucket(BucketStats other, int[] userMap, int[] anchorMap)
    {
        Merge(other);
        Users.OrMapped(other.Users, userMap);
        UnauthorizedUsers.OrMapped(other.UnauthorizedUsers, userMap);
        Anchors.OrMapped(other.Anchors, anchorMap);
        UnauthorizedAnchors.OrMapped(other.UnauthorizedAnchors, anchorMap);
        foreach (KeyValuePair<string, long> pair in other.UnauthorizedByFrontEnd)
        {
            UnauthorizedByFrontEnd.TryGetValue(pair.Key, out long count);
            UnauthorizedByFrontEnd[pair.Key] = count + pair.Value;
        }
    }
}
