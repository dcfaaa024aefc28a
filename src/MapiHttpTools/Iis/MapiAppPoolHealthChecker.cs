using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace MapiHttpTools.Iis;

/// <summary>
/// Checks the MAPI pools and applications of one server against the known-good configuration
/// (<see cref="MapiIisBaseline"/>): gathers the facts (<see cref="MapiIisFactReader"/>), then judges them with pure
/// functions (<see cref="MapiPoolJudgement"/>, <see cref="MapiApplicationJudgement"/>). One result per pool and per
/// application. Knows nothing of where the facts come from (issue 12).
/// </summary>
internal sealed class MapiAppPoolHealthChecker
{
    public const string PoolCheck = "MapiAppPool";
    public const string ApplicationCheck = "MapiApplication";

    private readonly IIisConfigurationSource _iis;
    private readonly IEventSource? _events;
    private readonly string? _eventsUnavailableReason;
    private readonly TimeSpan _window;
    private readonly MapiIisJudgementContext _context;

    /// <param name="iis">The IIS facts.</param>
    /// <param name="events">The event source, or null when there is none (then <paramref name="eventsUnavailableReason"/> says why).</param>
    /// <param name="eventsUnavailableReason">Why there are no events to count.</param>
    /// <param name="window">How far back to count events.</param>
    /// <param name="mapiUrl">The MAPI URL whose host the front-end bindings must cover; null to accept any host.</param>
    /// <param name="server">The server name for results and commands; null to take the sources' machine name.</param>
    public MapiAppPoolHealthChecker(IIisConfigurationSource iis, IEventSource? events, string? eventsUnavailableReason, TimeSpan window, Uri? mapiUrl, string? server)
    {
        _iis = iis;
        _events = events;
        _eventsUnavailableReason = eventsUnavailableReason;
        _window = window;
        _context = new MapiIisJudgementContext(server ?? iis.MachineName ?? events?.MachineName, mapiUrl);
    }

    /// <summary>Events of the window that are MAPI-related by id but name none of the MAPI pools (not counted).</summary>
    public int UnattributedEventCount { get; private set; }

    /// <summary>Values of the configuration that could not be read, each spoiling only its own pool or site (issue 20).</summary>
    public IReadOnlyList<IisConfigurationException> Problems { get; private set; } = Array.Empty<IisConfigurationException>();

    public IReadOnlyList<MapiAppPoolHealthResult> Run(CancellationToken cancellation)
    {
        MapiIisFacts facts = MapiIisFactReader.Read(_iis, _events, _eventsUnavailableReason, _window, cancellation);
        UnattributedEventCount = facts.UnattributedEventCount;
        Problems = facts.Problems;
        return facts.Pools.Select(p => MapiPoolJudgement.Judge(p, _context))
            .Concat(facts.Applications.Select(a => MapiApplicationJudgement.Judge(a, _context)))
            .ToArray();
    }
}

/// <summary>One result from the findings of a pool or an application: the worst finding leads.</summary>
internal static class MapiIisResults
{
    public static MapiAppPoolHealthResult Build(string check, string name, string? server, MapiAppPoolHealthDetails details, List<KeyValuePair<string, object?>> evidence)
    {
        IReadOnlyList<MapiAppPoolFinding> findings = details.Findings;
        var assessed = findings.Where(f => f.Status != CheckStatus.Skipped).ToArray();
        CheckStatus status = assessed.Length == 0 ? CheckStatus.Skipped : assessed.Max(f => f.Status);
        MapiHttpCause cause = status is CheckStatus.Pass or CheckStatus.Skipped ? MapiHttpCause.None : assessed.First(f => f.Status == status).Cause;
        var skipped = findings.Where(f => f.Status == CheckStatus.Skipped).Select(f => f.Check).ToArray();

        // One sentence for the table: the worst finding, and how many more there are; Findings has them all.
        string message;
        string? recommendation = null;
        if (status is CheckStatus.Pass or CheckStatus.Skipped)
        {
            string notChecked = skipped.Length == 0 ? "." : $"; not checked: {string.Join(", ", skipped)}.";
            message = status == CheckStatus.Pass
                ? $"Matches the known-good MAPI configuration{notChecked}"
                : $"Could not be checked{notChecked}";
        }
        else
        {
            var problems = assessed.Where(f => f.Status >= CheckStatus.Warning).ToArray();
            message = problems.Length == 1
                ? problems[0].Message
                : $"{problems[0].Message} (+{problems.Length - 1} more: {string.Join(", ", problems.Skip(1).Select(f => f.Check))})";
            var commands = problems.Select(f => f.Recommendation).Where(r => !string.IsNullOrEmpty(r)).Distinct().ToArray();
            recommendation = commands.Length == 0 ? null : string.Join("; ", commands);
        }

        return new MapiAppPoolHealthResult(check, status, cause, name, server, message, recommendation, evidence, details);
    }
}
