using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Builds the verdict from any results (configuration, endpoint probe, IIS, mailboxes). The findings come from
/// <see cref="VerdictFindings"/>, ranked by <see cref="VerdictRanking"/>; the verdict's Cause, Recommendation and the
/// first sentence of its Message (the Headline) all come from the first finding (issue 11), the others follow.
/// </summary>
internal static class MapiHttpVerdict
{
    public const string HealthCheck = VerdictFindings.HealthCheck;

    /// <summary>Results without a server inventory: server names as given, an endpoint result without a server is a namespace's.</summary>
    public static MapiHttpVerdictResult From(IEnumerable<MapiHttpResult> results) =>
        From(results, ServerInventory.Empty, r => r is MapiHttpEndpointResult && r.Server is null);

    public static MapiHttpVerdictResult From(IEnumerable<MapiHttpResult> results, ServerInventory servers, Func<MapiHttpResult, bool> isNamespaceResult)
    {
        MapiHttpResult[] all = results.Where(r => r is not MapiHttpVerdictResult).ToArray();
        int Count(CheckStatus status) => all.Count(r => r.Status == status);

        (IReadOnlyList<MapiHttpVerdictFinding> findings, VerdictFindings.FrontEnds frontEnds) = VerdictFindings.From(all, servers, isNamespaceResult);
        IReadOnlyList<ClientProtocolDifferential.Outcome> clientProtocols = ClientProtocolDifferential.From(all.OfType<ExchangeClientProtocolResult>());
        CheckStatus status = new[]
        {
            findings.Count > 0 ? findings.Max(f => f.Status) : CheckStatus.Pass,
            Count(CheckStatus.Error) > 0 ? CheckStatus.Error : CheckStatus.Pass,

            // A client protocol the admin asked about (-IncludeProtocol) that fails makes the run fail (issue 16).
            clientProtocols.Any(c => c.Fails) ? CheckStatus.Fail : CheckStatus.Pass,
        }.Max();

        string headline = findings.Count > 0
            ? findings[0].Headline
            : clientProtocols.Any(c => c.Fails)
                ? $"MAPI/HTTP looks healthy, but client protocols fail: {string.Join(", ", clientProtocols.Where(c => c.Fails).Select(c => $"{ClientProtocols.MailJudgement.Text(c.Protocol)} {c.Where}"))}."
            : status == CheckStatus.Error
                ? $"No MAPI/HTTP problem found, but {Count(CheckStatus.Error)} check(s) could not run; see the results with Status Error."
                : $"MAPI/HTTP looks healthy: {Count(CheckStatus.Pass)} checks passed. If Outlook still fails, the problem is elsewhere (the client, its profile or its network path).";
        var sentences = new List<string> { headline };
        if (findings.Count > 1)
        {
            sentences.Add("Also: " + string.Join("; ", findings.Skip(1).Select(f => $"{(f.Cause == MapiHttpCause.None ? "warning" : f.Cause.ToString())} ({f.Status}) {f.Where}")) + ".");
        }

        if (ClientProtocolDifferential.Sentence(clientProtocols) is { } clientSentence)
        {
            sentences.Add(clientSentence);
        }

        // Each failing client protocol with the command that fixes it (issue 16), as the findings carry theirs.
        if (ClientProtocolDifferential.Fixes(clientProtocols) is { } clientFixes)
        {
            sentences.Add(clientFixes);
        }

        if (findings.Count > 0 && Count(CheckStatus.Error) > 0)
        {
            sentences.Add($"{Count(CheckStatus.Error)} check(s) could not run.");
        }

        string[] affected = findings.SelectMany(f => f.Servers)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(s => s, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new MapiHttpVerdictResult(
            status,
            headline,
            string.Join(" ", sentences),
            Evidence(all.Length, Count),
            findings,
            affected,
            frontEnds.Down,
            Count(CheckStatus.Pass),
            Count(CheckStatus.Warning),
            Count(CheckStatus.Fail),
            Count(CheckStatus.Error),
            Count(CheckStatus.Skipped),
            clientProtocols.FirstOrDefault(c => c.Fails) is { } firstClient ? (firstClient.Cause, firstClient.Recommendation) : null);
    }

    /// <summary>
    /// The verdict of a run that could not check anything (no Exchange cmdlets, an unreadable snapshot): Status Error,
    /// ExitCode 3, so a scheduled task's "exit (Invoke-MapiHttpDiagnostic -Summary).ExitCode" does not report success.
    /// </summary>
    public static MapiHttpVerdictResult CouldNotCheck(ErrorRecord error)
    {
        string reason = Infrastructure.DisplayText.Safe(error.Exception?.Message ?? error.ToString(), 1024);
        string headline = $"Nothing was checked: {reason}";
        return new MapiHttpVerdictResult(
            CheckStatus.Error,
            headline,
            headline,
            new[] { new KeyValuePair<string, object?>("ErrorId", error.FullyQualifiedErrorId) },
            Array.Empty<MapiHttpVerdictFinding>(),
            Array.Empty<string>(),
            Array.Empty<string>(),
            0,
            0,
            0,
            1,
            0);
    }

    private static IEnumerable<KeyValuePair<string, object?>> Evidence(int total, Func<CheckStatus, int> count) => new KeyValuePair<string, object?>[]
    {
        new("Results", total),
        new("Pass", count(CheckStatus.Pass)),
        new("Warning", count(CheckStatus.Warning)),
        new("Fail", count(CheckStatus.Fail)),
        new("Error", count(CheckStatus.Error)),
        new("Skipped", count(CheckStatus.Skipped)),
    };
}
