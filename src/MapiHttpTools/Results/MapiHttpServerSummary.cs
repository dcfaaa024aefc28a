using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools;

/// <summary>
/// One line per server of a diagnostic run (issue 15: an admin had to Group-Object the results to see per server what
/// is wrong): the worst status, the causes, and the first fix. Results without a server are "(organisation)".
/// </summary>
public sealed class MapiHttpServerSummary
{
    internal MapiHttpServerSummary(string server, CheckStatus status, IReadOnlyList<MapiHttpCause> causes, int problems, int results, string? message, string? fix, string? exchangeBuild = null, string? exchangeRelease = null)
    {
        Server = server;
        ExchangeBuild = exchangeBuild;
        ExchangeRelease = exchangeRelease;
        Status = status;
        Causes = causes;
        Problems = problems;
        Results = results;
        Message = message;
        Fix = fix;
    }

    public const string Organisation = "(organisation)";

    /// <summary>The Exchange server, or "(organisation)" for organisation-wide and mailbox results.</summary>
    public string Server { get; }

    /// <summary>The server's Exchange build ("15.2.1544.14") as its results' evidence gave it; null when none did.</summary>
    public string? ExchangeBuild { get; }

    /// <summary>Product, CU and update of that build ("Exchange 2019 CU14 Nov24SUv2"), or why it is unknown (issue 15).</summary>
    public string? ExchangeRelease { get; }

    /// <summary>The worst status of the server's results.</summary>
    public CheckStatus Status { get; }

    /// <summary>The causes of its Warning, Fail and Error results, worst first.</summary>
    public IReadOnlyList<MapiHttpCause> Causes { get; }

    /// <summary>How many of its results are Warning, Fail or Error.</summary>
    public int Problems { get; }

    /// <summary>How many results it has.</summary>
    public int Results { get; }

    /// <summary>The message of its worst result.</summary>
    public string? Message { get; }

    /// <summary>The first recommendation among its worst results.</summary>
    public string? Fix { get; }

    public override string ToString() => $"{Server}: {Status}" + (Causes.Count > 0 ? " (" + string.Join(", ", Causes) + ")" : string.Empty);

    /// <summary>The summaries of <paramref name="results"/> (the verdict itself left out): worst server first, then by name.</summary>
    internal static IReadOnlyList<MapiHttpServerSummary> From(IEnumerable<MapiHttpResult> results) =>
        results.Where(r => r is not MapiHttpVerdictResult)
            .GroupBy(r => string.IsNullOrEmpty(r.Server) ? Organisation : r.Server!, StringComparer.OrdinalIgnoreCase)
            .Select(g =>
            {
                List<MapiHttpResult> ordered = g.OrderByDescending(r => r.Status).ToList();
                MapiHttpResult worst = ordered[0];
                List<MapiHttpResult> problems = ordered.Where(ResultFilter.IsProblem).ToList();
                return new MapiHttpServerSummary(
                    g.Key,
                    worst.Status,
                    problems.Select(r => r.Cause).Where(c => c != MapiHttpCause.None).Distinct().ToArray(),
                    problems.Count,
                    ordered.Count,
                    problems.Count > 0 ? worst.Message : null,
                    problems.Select(r => r.Recommendation).FirstOrDefault(f => !string.IsNullOrEmpty(f)),
                    EvidenceText(ordered, "ExchangeBuild"),
                    EvidenceText(ordered, "ExchangeRelease"));
            })
            .OrderByDescending(s => s.Status).ThenBy(s => s.Server == Organisation ? 1 : 0).ThenBy(s => s.Server, StringComparer.OrdinalIgnoreCase)
            .ToArray();

    /// <summary>The first text of an evidence key among a server's results (the configuration checks carry the build).</summary>
    private static string? EvidenceText(IEnumerable<MapiHttpResult> results, string key) =>
        results.Select(r => r.Evidence.Contains(key) ? r.Evidence[key] as string : null).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
