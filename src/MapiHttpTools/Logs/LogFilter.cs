using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.Logs;

/// <summary>
/// The filters both cmdlets apply while reading (-Since, -Until, -User, -Status, -Server, -MinimumLatencyMs).
/// Times are compared in UTC; user and server patterns are PowerShell wildcards, case-insensitive.
/// </summary>
internal sealed class LogFilter
{
    public static readonly LogFilter None = new(null, null, null, null, null, null);

    private readonly WildcardPattern[]? _users;
    private readonly WildcardPattern[]? _servers;
    private readonly HashSet<int>? _statuses;

    public LogFilter(DateTime? since, DateTime? until, IEnumerable<string>? users, IEnumerable<int>? statuses, IEnumerable<string>? servers, double? minimumLatencyMs)
    {
        SinceTicks = since.HasValue ? ToUtc(since.Value).Ticks : long.MinValue;
        UntilTicks = until.HasValue ? ToUtc(until.Value).Ticks : long.MaxValue;
        _users = Patterns(users);
        _servers = Patterns(servers);
        _statuses = statuses is null ? null : new HashSet<int>(statuses);
        if (_statuses is { Count: 0 })
        {
            _statuses = null;
        }

        MinimumLatencyMs = minimumLatencyMs;
    }

    /// <summary>Inclusive lower bound (UTC ticks).</summary>
    public long SinceTicks { get; }

    /// <summary>Exclusive upper bound (UTC ticks).</summary>
    public long UntilTicks { get; }

    public double? MinimumLatencyMs { get; }

    public bool FiltersUsers => _users is not null;

    public bool FiltersServers => _servers is not null;

    public bool FiltersStatus => _statuses is not null;

    public bool IsEmpty => SinceTicks == long.MinValue && UntilTicks == long.MaxValue && _users is null && _servers is null && _statuses is null && MinimumLatencyMs is null;

    /// <summary>
    /// Local and unspecified times are converted to UTC as the local time they are (what Get-Date and
    /// [datetime]'2024-03-11 08:00' give in a shell); UTC stays as is.
    /// </summary>
    public static DateTime ToUtc(DateTime value) => value.Kind == DateTimeKind.Utc ? value : value.ToUniversalTime();

    public bool MatchesStatus(int status) => _statuses is null || _statuses.Contains(status);

    public bool MatchesUser(string value) => Matches(_users, value);

    public bool MatchesServer(string value) => Matches(_servers, value);

    private static bool Matches(WildcardPattern[]? patterns, string value)
    {
        if (patterns is null)
        {
            return true;
        }

        foreach (WildcardPattern pattern in patterns)
        {
            if (pattern.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }

    private static WildcardPattern[]? Patterns(IEnumerable<string>? values)
    {
        WildcardPattern[]? patterns = values?.Where(v => !string.IsNullOrEmpty(v))
            .Select(v => new WildcardPattern(v, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant))
            .ToArray();
        return patterns is { Length: > 0 } ? patterns : null;
    }
}
