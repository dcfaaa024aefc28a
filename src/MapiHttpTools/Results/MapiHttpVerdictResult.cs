using System.Collections.Generic;

namespace MapiHttpTools;

/// <summary>
/// The answer an admin wants first: which of the known causes break MAPI/HTTP and on which servers, or that
/// MAPI/HTTP looks healthy and the problem is elsewhere. Built from every result of a diagnostic run.
/// </summary>
public sealed class MapiHttpVerdictResult : MapiHttpResult
{
    internal MapiHttpVerdictResult(
        CheckStatus status,
        MapiHttpCause cause,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>> evidence,
        IReadOnlyList<MapiHttpCause> causes,
        IReadOnlyList<string> affectedServers,
        IReadOnlyList<string> serversWithAllProtocolsFailing,
        IReadOnlyList<string> findings,
        int passCount,
        int warningCount,
        int failCount,
        int errorCount,
        int skippedCount)
        : base("Verdict", status, cause, null, null, message, recommendation, evidence)
    {
        Causes = causes;
        AffectedServers = affectedServers;
        ServersWithAllProtocolsFailing = serversWithAllProtocolsFailing;
        Findings = findings;
        PassCount = passCount;
        WarningCount = warningCount;
        FailCount = failCount;
        ErrorCount = errorCount;
        SkippedCount = skippedCount;
    }

    /// <summary>The causes found, most important first (failures before warnings).</summary>
    public IReadOnlyList<MapiHttpCause> Causes { get; }

    /// <summary>The servers with a finding or a front end that fails altogether.</summary>
    public IReadOnlyList<string> AffectedServers { get; }

    /// <summary>Servers whose every health page fails (or that are offline): not a MAPI/HTTP handler problem.</summary>
    public IReadOnlyList<string> ServersWithAllProtocolsFailing { get; }

    /// <summary>One line per cause: the cause, where, and the first finding behind it.</summary>
    public IReadOnlyList<string> Findings { get; }

    /// <summary>True when nothing failed, nothing warned and every front end answers.</summary>
    public bool Healthy => Status is CheckStatus.Pass or CheckStatus.Skipped;

    public int PassCount { get; }

    public int WarningCount { get; }

    public int FailCount { get; }

    public int ErrorCount { get; }

    public int SkippedCount { get; }

    /// <summary>For scheduled tasks: 0 healthy, 1 warnings, 2 failures, 3 a check could not run (exit (...).ExitCode).</summary>
    public int ExitCode => Status switch
    {
        CheckStatus.Warning => 1,
        CheckStatus.Fail => 2,
        CheckStatus.Error => 3,
        _ => 0,
    };
}
