using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Builds the verdict from any results (configuration, endpoint probe, IIS, mailboxes): it reads only Status, Cause,
/// Check and Server. Health pages ("HealthCheck" for /mapi, "HealthCheck:owa" and the like for the other virtual
/// directories) tell a MAPI-only failure from a front end where every protocol fails; a server set offline
/// (ServerWideOffline inactive) counts as the latter. What fails on such a server is not blamed on MAPI/HTTP.
/// </summary>
internal static class MapiHttpVerdict
{
    public const string HealthCheck = "HealthCheck";

    /// <summary>When two causes are equally bad, the one an admin should look at first.</summary>
    private static readonly MapiHttpCause[] Priority =
    {
        MapiHttpCause.NotEnabled, MapiHttpCause.VirtualDirectory, MapiHttpCause.Authentication, MapiHttpCause.Certificate,
        MapiHttpCause.AppPool, MapiHttpCause.Network, MapiHttpCause.Client,
    };

    public static MapiHttpVerdictResult From(IEnumerable<MapiHttpResult> results)
    {
        MapiHttpResult[] all = results.Where(r => r is not MapiHttpVerdictResult).ToArray();
        int Count(CheckStatus status) => all.Count(r => r.Status == status);

        // Front ends: which servers fail every health page, which fail only /mapi's.
        var wholeFrontEnd = new List<string>();
        var mapiOnly = new List<string>();
        foreach (IGrouping<string, MapiHttpResult> frontEnd in all.Where(IsHealthCheck).GroupBy(r => r.Server ?? r.Target ?? string.Empty, StringComparer.OrdinalIgnoreCase))
        {
            MapiHttpResult[] mapi = frontEnd.Where(IsMapiHealthCheck).ToArray();
            MapiHttpResult[] others = frontEnd.Where(r => !IsMapiHealthCheck(r)).ToArray();
            if (!mapi.Any(Failed))
            {
                continue;
            }

            if (others.Length > 0 && others.All(Failed))
            {
                wholeFrontEnd.Add(frontEnd.Key);
            }
            else if (others.Any(r => r.Status == CheckStatus.Pass))
            {
                mapiOnly.Add(frontEnd.Key);
            }
        }

        string[] offline = all
            .Where(r => r.Check == "ComponentState" && r.Target == "ServerWideOffline" && Failed(r) && r.Server is not null)
            .Select(r => r.Server!)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        string[] downServers = wholeFrontEnd.Concat(offline).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

        // Findings: warnings and failures with a cause, except the consequences on a front end that is down as a whole.
        MapiHttpResult[] findings = all
            .Where(r => r.Status is CheckStatus.Warning or CheckStatus.Fail && r.Cause != MapiHttpCause.None)
            .Where(r => !(r.Server is not null && downServers.Contains(r.Server, StringComparer.OrdinalIgnoreCase) &&
                          (r is not MapiHttpConfigurationResult || (r.Check == "ComponentState" && r.Target == "ServerWideOffline"))))
            .ToArray();
        var groups = findings
            .GroupBy(r => r.Cause)
            .Select(g => (Cause: g.Key, Worst: g.Max(r => r.Status), Results: g.OrderByDescending(r => r.Status).ToArray()))
            .OrderByDescending(g => g.Worst)
            .ThenBy(g => Array.IndexOf(Priority, g.Cause))
            .ToArray();

        var lines = new List<string>();
        var sentences = new List<string>();
        if (findings.Any(r => r.Check == "OrganizationMapiHttp" && r.Status == CheckStatus.Fail))
        {
            sentences.Add("MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless a mailbox enables MAPI/HTTP itself.");
        }

        foreach (string server in offline)
        {
            sentences.Add($"{server} is offline (ServerWideOffline inactive): every protocol on it is off, not a MAPI/HTTP problem.");
        }

        foreach (string server in wholeFrontEnd.Where(s => !offline.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            sentences.Add($"All protocols on {server} fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it).");
        }

        foreach ((MapiHttpCause cause, CheckStatus worst, MapiHttpResult[] members) in groups)
        {
            string where = Where(members);
            MapiHttpResult first = members[0];
            lines.Add($"{cause} ({worst}) {where}: {first.Message}" + (members.Length > 1 ? $" (and {members.Length - 1} more)" : string.Empty));
        }

        if (groups.Length > 0)
        {
            string list = string.Join("; ", groups.Select(g => $"{g.Cause} {Where(g.Results)}"));
            sentences.Add(groups[0].Worst == CheckStatus.Fail ? $"Cause: {list}." : $"No failure; warnings: {list}.");
        }

        foreach (string server in mapiOnly.Where(s => !downServers.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            sentences.Add($"Only MAPI/HTTP fails on {server}; its other protocols answer (the \"OWA works, Outlook does not\" pattern).");
        }

        CheckStatus status = new[]
        {
            groups.Length > 0 ? groups[0].Worst : CheckStatus.Pass,
            downServers.Length > 0 ? CheckStatus.Fail : CheckStatus.Pass,
            all.Any(r => r.Status == CheckStatus.Error) ? CheckStatus.Error : CheckStatus.Pass,
        }.Max();
        if (sentences.Count == 0)
        {
            sentences.Add(status == CheckStatus.Error
                ? $"No MAPI/HTTP problem found, but {Count(CheckStatus.Error)} check(s) could not run; see the results with Status Error."
                : $"MAPI/HTTP looks healthy: {Count(CheckStatus.Pass)} checks passed. If Outlook still fails, the problem is elsewhere (the client, its profile or its network path).");
        }
        else if (Count(CheckStatus.Error) > 0)
        {
            sentences.Add($"{Count(CheckStatus.Error)} check(s) could not run.");
        }

        IReadOnlyList<MapiHttpCause> causes = groups.Select(g => g.Cause).ToArray();
        string[] affected = downServers
            .Concat(groups.SelectMany(g => g.Results).Select(r => r.Server).Where(s => s is not null).Select(s => s!))
            .Concat(mapiOnly)
            .Where(s => s.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(s => s, StringComparer.OrdinalIgnoreCase)
            .ToArray();
        string? recommendation = groups.SelectMany(g => g.Results).Select(r => r.Recommendation).FirstOrDefault(r => r is not null);
        var evidence = new List<KeyValuePair<string, object?>>
        {
            new("Pass", Count(CheckStatus.Pass)),
            new("Warning", Count(CheckStatus.Warning)),
            new("Fail", Count(CheckStatus.Fail)),
            new("Error", Count(CheckStatus.Error)),
            new("Skipped", Count(CheckStatus.Skipped)),
        };

        return new MapiHttpVerdictResult(
            status,
            causes.Count > 0 ? causes[0] : MapiHttpCause.None,
            string.Join(" ", sentences),
            recommendation,
            evidence,
            causes,
            affected,
            downServers,
            lines,
            Count(CheckStatus.Pass),
            Count(CheckStatus.Warning),
            Count(CheckStatus.Fail),
            Count(CheckStatus.Error),
            Count(CheckStatus.Skipped));
    }

    private static bool Failed(MapiHttpResult result) => result.Status is CheckStatus.Fail or CheckStatus.Error;

    private static bool IsHealthCheck(MapiHttpResult result) =>
        result.Check == HealthCheck || result.Check.StartsWith(HealthCheck + ":", StringComparison.OrdinalIgnoreCase);

    private static bool IsMapiHealthCheck(MapiHttpResult result) =>
        result.Check == HealthCheck || string.Equals(result.Check, HealthCheck + ":mapi", StringComparison.OrdinalIgnoreCase);

    /// <summary>"on EX01, EX02", "on the organisation", "on 3 mailboxes", or a mix.</summary>
    private static string Where(IReadOnlyCollection<MapiHttpResult> members)
    {
        var parts = new List<string>();
        string[] servers = members.Select(r => r.Server).Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray();
        if (servers.Length > 0)
        {
            parts.Add(string.Join(", ", servers));
        }

        int mailboxes = members.Count(r => r is MapiHttpMailboxStateResult);
        if (mailboxes > 0)
        {
            parts.Add(mailboxes == 1 ? "1 mailbox" : $"{mailboxes} mailboxes");
        }

        // Organisation-wide configuration (organisation, Auth certificate); a probe of a namespace names its target.
        if (members.Any(r => r.Server is null && r is MapiHttpConfigurationResult))
        {
            parts.Add("the organisation");
        }

        parts.AddRange(members
            .Where(r => r.Server is null && r is not MapiHttpConfigurationResult && r is not MapiHttpMailboxStateResult && r.Target is not null)
            .Select(r => r.Target!)
            .Distinct(StringComparer.OrdinalIgnoreCase));

        return "on " + string.Join(" and ", parts);
    }
}
