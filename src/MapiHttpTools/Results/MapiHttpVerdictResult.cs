using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools;

/// <summary>
/// How wide an outage a verdict finding is, widest first (issue 11): the verdict's headline goes to the first.
/// The numeric order is the ranking; scripts may compare them.
/// </summary>
public enum MapiHttpVerdictScope
{
    /// <summary>Every probed protocol page of a front end fails, or the server is offline: not a MAPI/HTTP problem.</summary>
    FrontEndDown,

    /// <summary>MAPI/HTTP alone fails on servers (application pool, virtual directory, network, MapiProxy) or through a namespace.</summary>
    MapiOnServers,

    /// <summary>MAPI/HTTP is disabled for the whole organisation.</summary>
    OrganizationNotEnabled,

    /// <summary>A certificate that does not cover the name, is untrusted or has expired.</summary>
    Certificate,

    /// <summary>The authentication configuration (methods, the Auth certificate, auth servers).</summary>
    Authentication,

    /// <summary>Settings of single mailboxes or clients.</summary>
    Mailbox,

    /// <summary>Hardening and expiry warnings: nothing fails yet.</summary>
    Warning,
}

/// <summary>One finding of the verdict: a cause, how wide, where, and the fix, taken from the same results.</summary>
public sealed class MapiHttpVerdictFinding
{
    internal MapiHttpVerdictFinding(
        MapiHttpVerdictScope scope,
        MapiHttpCause cause,
        CheckStatus status,
        IReadOnlyList<string> servers,
        IReadOnlyList<string> namespaces,
        int mailboxCount,
        bool organization,
        string headline,
        string message,
        string? recommendation,
        int resultCount)
    {
        Scope = scope;
        Cause = cause;
        Status = status;
        Servers = servers;
        Namespaces = namespaces;
        MailboxCount = mailboxCount;
        Organization = organization;
        Headline = headline;
        Message = message;
        Recommendation = recommendation;
        ResultCount = resultCount;
    }

    /// <summary>How wide the outage is; the ranking's first key.</summary>
    public MapiHttpVerdictScope Scope { get; }

    public MapiHttpCause Cause { get; }

    /// <summary>The worst status of the results behind the finding.</summary>
    public CheckStatus Status { get; }

    /// <summary>The Exchange servers affected, by their Exchange name (never a namespace or a URL).</summary>
    public IReadOnlyList<string> Servers { get; }

    /// <summary>Load-balanced names whose probe failed; they are not servers.</summary>
    public IReadOnlyList<string> Namespaces { get; }

    public int MailboxCount { get; }

    /// <summary>True when an organisation-wide setting is behind the finding.</summary>
    public bool Organization { get; }

    /// <summary>Servers plus mailboxes affected: the ranking's tie-breaker within a scope.</summary>
    public int AffectedCount => Servers.Count + MailboxCount;

    /// <summary>"on EX01, EX02", "on 3 mailboxes", "on the organisation", "through mail.contoso.com", or a mix.</summary>
    public string Where
    {
        get
        {
            var parts = new List<string>();
            if (Servers.Count > 0)
            {
                parts.Add("on " + string.Join(", ", Servers));
            }

            if (MailboxCount > 0)
            {
                parts.Add(MailboxCount == 1 ? "on 1 mailbox" : $"on {MailboxCount} mailboxes");
            }

            if (Organization)
            {
                parts.Add("on the organisation");
            }

            if (Namespaces.Count > 0)
            {
                parts.Add("through " + string.Join(", ", Namespaces));
            }

            return parts.Count == 0 ? "(no server named)" : string.Join(" and ", parts);
        }
    }

    /// <summary>The sentence the verdict leads with when this finding is first.</summary>
    public string Headline { get; }

    /// <summary>The message of the result the finding's recommendation comes from.</summary>
    public string Message { get; }

    /// <summary>The fix, from the same result as <see cref="Message"/>.</summary>
    public string? Recommendation { get; }

    /// <summary>How many results stand behind the finding.</summary>
    public int ResultCount { get; }

    /// <summary>One line: cause, status, where, and what was found.</summary>
    public override string ToString() =>
        $"{Cause} ({Status}) {Where}: {Message}" + (ResultCount > 1 ? $" (and {ResultCount - 1} more)" : string.Empty);
}

/// <summary>
/// The answer an admin wants first: which of the known causes break MAPI/HTTP and on which servers, or that
/// MAPI/HTTP looks healthy and the problem is elsewhere. Built from every result of a diagnostic run. Cause, Message
/// and Recommendation come from the same finding, the first of <see cref="Findings"/> (issue 11); with no MAPI/HTTP
/// finding, from the first failing client protocol of -IncludeProtocol (issue 16).
/// </summary>
public sealed class MapiHttpVerdictResult : MapiHttpResult
{
    internal MapiHttpVerdictResult(
        CheckStatus status,
        string headline,
        string message,
        IEnumerable<KeyValuePair<string, object?>> evidence,
        IReadOnlyList<MapiHttpVerdictFinding> findings,
        IReadOnlyList<string> affectedServers,
        IReadOnlyList<string> serversWithAllProtocolsFailing,
        int passCount,
        int warningCount,
        int failCount,
        int errorCount,
        int skippedCount,
        (MapiHttpCause Cause, string? Recommendation)? withoutFindings = null)
        : base("Verdict", status, findings.Count > 0 ? findings[0].Cause : withoutFindings?.Cause ?? MapiHttpCause.None, null, null, message,
            findings.Count > 0 ? findings[0].Recommendation : withoutFindings?.Recommendation, evidence)
    {
        Headline = headline;
        Findings = findings;
        Causes = findings.Select(f => f.Cause).Distinct().ToArray();
        AffectedServers = affectedServers;
        ServersWithAllProtocolsFailing = serversWithAllProtocolsFailing;
        PassCount = passCount;
        WarningCount = warningCount;
        FailCount = failCount;
        ErrorCount = errorCount;
        SkippedCount = skippedCount;
    }

    /// <summary>The first sentence of Message: the widest outage, or that nothing failed.</summary>
    public string Headline { get; }

    /// <summary>The causes found, in the order of <see cref="Findings"/>.</summary>
    public IReadOnlyList<MapiHttpCause> Causes { get; }

    /// <summary>The Exchange servers (by Exchange name) with a finding or a front end that fails altogether.</summary>
    public IReadOnlyList<string> AffectedServers { get; }

    /// <summary>Servers whose every probed health page fails (or that are offline): not a MAPI/HTTP handler problem.</summary>
    public IReadOnlyList<string> ServersWithAllProtocolsFailing { get; }

    /// <summary>The findings, widest outage first (see about_MapiHttpTools, "The verdict").</summary>
    public IReadOnlyList<MapiHttpVerdictFinding> Findings { get; }

    /// <summary>True when nothing failed, nothing warned and every front end answers.</summary>
    public bool Healthy => Status is CheckStatus.Pass or CheckStatus.Skipped;

    public int PassCount { get; }

    public int WarningCount { get; }

    public int FailCount { get; }

    public int ErrorCount { get; }

    public int SkippedCount { get; }

    /// <summary>
    /// One line per server: worst status, causes, the first fix (issue 15); "(Invoke-MapiHttpDiagnostic -Summary).ServerSummary"
    /// is the one-screen view. Filled by Invoke-MapiHttpDiagnostic from every result of its run.
    /// </summary>
    public IReadOnlyList<MapiHttpServerSummary> ServerSummary { get; internal set; } = System.Array.Empty<MapiHttpServerSummary>();

    /// <summary>
    /// For scheduled tasks (exit (...).ExitCode): 0 healthy, 1 warnings, 2 failures, 3 a check could not run or
    /// nothing could be checked (no Exchange cmdlets, an unreadable snapshot).
    /// </summary>
    public int ExitCode => ExitCodeOf(Status);

    /// <summary>The headline, so that "$verdict" in a log line reads as the verdict.</summary>
    public override string ToString() => Headline;

    internal static int ExitCodeOf(CheckStatus status) => status switch
    {
        CheckStatus.Warning => 1,
        CheckStatus.Fail => 2,
        CheckStatus.Error => 3,
        _ => 0,
    };
}
