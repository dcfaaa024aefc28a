using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Turns the results of a run into verdict findings (facts in, findings out; <see cref="VerdictRanking"/> orders them).
/// It reads only Status, Cause, Check, Server, Target, Message and Recommendation. Every server is named by its
/// Exchange name; a result of a namespace probe is about the namespace, never a server (issue 11). Health pages
/// ("HealthCheck" for /mapi, "HealthCheck:owa" and the like) tell a MAPI-only failure from a front end where every
/// probed protocol page fails (issue 19); a server set offline (ServerWideOffline inactive) counts as the latter.
/// What fails on such a server is not blamed on MAPI/HTTP.
/// </summary>
internal static class VerdictFindings
{
    public const string HealthCheck = "HealthCheck";

    /// <summary>One result with the server it is about (an Exchange name) or the namespace it was probed through.</summary>
    private sealed record Observation(MapiHttpResult Result, string? Server, string? Namespace)
    {
        // Autodiscover withholding mapiHttp from a mailbox is about that mailbox, not about the front end that answered (issue 14).
        public bool IsMailbox => Result is MapiHttpMailboxStateResult || Result.Check == ConfigurationCheckNames.MailboxProtocol ||
                                 (Result is MapiHttpAutodiscoverResult && Result.Cause == MapiHttpCause.NotEnabled);
    }

    /// <summary>What the front ends' health pages and component states say.</summary>
    internal sealed record FrontEnds(IReadOnlyList<string> AllPagesFailing, IReadOnlyList<string> Offline, IReadOnlyDictionary<string, (string[] Answering, string[] Failing)> MapiOnly)
    {
        public IReadOnlyList<string> Down => AllPagesFailing.Concat(Offline).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray();
    }

    public static (IReadOnlyList<MapiHttpVerdictFinding> Findings, FrontEnds FrontEnds) From(IReadOnlyList<MapiHttpResult> results, ServerInventory servers, Func<MapiHttpResult, bool> isNamespaceResult)
    {
        Observation[] all = results.Select(r => Observe(r, servers, isNamespaceResult)).ToArray();
        FrontEnds frontEnds = JudgeFrontEnds(all);
        var findings = new List<MapiHttpVerdictFinding>();

        if (frontEnds.AllPagesFailing.Count > 0)
        {
            string list = string.Join(", ", frontEnds.AllPagesFailing);
            string first = frontEnds.AllPagesFailing[0];
            string message = $"Every protocol page probed on {list} fails: not a MAPI/HTTP handler problem.";
            findings.Add(new MapiHttpVerdictFinding(
                MapiHttpVerdictScope.FrontEndDown, MapiHttpCause.Network, CheckStatus.Fail, frontEnds.AllPagesFailing, Array.Empty<string>(), 0, false,
                $"All protocols on {list} fail: not a MAPI/HTTP handler problem (look at the server, IIS and the load balancer in front of it).",
                message,
                $"Get-ServerComponentState -Identity {PowerShellText.Quote(first)} | Where-Object State -ne 'Active'; on {first} ({servers.HostOf(first)}): Get-Service W3SVC, WAS; Get-Website 'Default Web Site'; then the load balancer's health of {servers.HostOf(first)}",
                all.Count(o => IsHealthCheck(o.Result) && o.Server is not null && frontEnds.AllPagesFailing.Contains(o.Server, StringComparer.OrdinalIgnoreCase) && Failed(o.Result))));
        }

        Observation[] offline = all.Where(o => IsOffline(o.Result) && o.Server is not null && frontEnds.Offline.Contains(o.Server, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (offline.Length > 0)
        {
            Observation representative = offline[0];
            string list = string.Join(", ", frontEnds.Offline);
            findings.Add(new MapiHttpVerdictFinding(
                MapiHttpVerdictScope.FrontEndDown, representative.Result.Cause, CheckStatus.Fail, frontEnds.Offline, Array.Empty<string>(), 0, false,
                $"{list} {(frontEnds.Offline.Count == 1 ? "is" : "are")} offline (ServerWideOffline inactive): every protocol on {(frontEnds.Offline.Count == 1 ? "it" : "them")} is off, not a MAPI/HTTP problem.",
                representative.Result.Message,
                representative.Result.Recommendation,
                offline.Length));
        }

        // The rest: failures and warnings with a cause (and hardening warnings without one), except what fails on a
        // front end that is down as a whole (its configuration findings stay: they are true whatever its state).
        IReadOnlyList<string> down = frontEnds.Down;
        Observation[] rest = all
            .Where(o => o.Result is not MapiHttpVerdictResult)

            // IMAP4/POP3 results (-IncludeProtocol, issue 16) are not MAPI/HTTP findings: the verdict names them apart.
            .Where(o => o.Result is not ExchangeClientProtocolResult)
            .Where(o => o.Result.Status == CheckStatus.Fail && o.Result.Cause != MapiHttpCause.None || o.Result.Status == CheckStatus.Warning)
            .Where(o => !IsOffline(o.Result))
            .Where(o => !(o.Server is not null && down.Contains(o.Server, StringComparer.OrdinalIgnoreCase) && o.Result is not MapiHttpConfigurationResult))
            .ToArray();
        foreach (IGrouping<(MapiHttpVerdictScope Scope, MapiHttpCause Cause), Observation> group in rest.GroupBy(o => (VerdictRanking.ScopeOf(o.Result.Status, o.Result.Cause, o.IsMailbox, o.Server is not null), o.Result.Cause)))
        {
            findings.Add(Finding(group.Key.Scope, group.Key.Cause, group.ToArray(), servers, frontEnds));
        }

        return (VerdictRanking.Order(findings), frontEnds);
    }

    private static MapiHttpVerdictFinding Finding(MapiHttpVerdictScope scope, MapiHttpCause cause, Observation[] members, ServerInventory servers, FrontEnds frontEnds)
    {
        string[] serverNames = Distinct(members.Select(o => o.Server));
        string[] namespaces = Distinct(members.Select(o => o.Namespace));
        int mailboxes = members.Count(o => o.IsMailbox);
        bool organization = members.Any(o => o.Server is null && o.Namespace is null && !o.IsMailbox);
        CheckStatus status = members.Max(o => o.Result.Status);

        // Message and fix come from one result: the worst about a real server if there is one, else any with a fix.
        Observation representative = members
            .OrderByDescending(o => o.Result.Status)
            .ThenBy(o => o.Server is null ? 1 : 0)
            .ThenBy(o => o.Result.Recommendation is null ? 1 : 0)
            .First();
        string message = representative.Result.Message;
        string? recommendation = representative.Result.Recommendation;
        if (representative.Namespace is not null)
        {
            // Only the namespace fails (each server probed directly does not): the fix is at the load balancer,
            // and the command to tell which node fails names the real servers, never the namespace as a server.
            string url = representative.Result.Target ?? $"https://{representative.Namespace}/mapi";
            message = $"Through the namespace {representative.Namespace}: {representative.Result.Message}";
            recommendation = servers.IsEmpty
                ? $"Test-MapiHttpEndpoint -Uri {url} -TargetAddress <each server behind {representative.Namespace}>, then check the load balancer's pool and health probe for /mapi"
                : $"Test-MapiHttpEndpoint -Uri {url} -TargetAddress {string.Join(", ", servers.Fqdns)}, then check the load balancer's pool and health probe for /mapi";
        }

        string where = new MapiHttpVerdictFinding(scope, cause, status, serverNames, namespaces, mailboxes, organization, string.Empty, message, recommendation, members.Length).Where;
        string headline = scope switch
        {
            MapiHttpVerdictScope.OrganizationNotEnabled => "MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless a mailbox enables MAPI/HTTP itself.",
            MapiHttpVerdictScope.MapiOnServers when MapiOnlySentence(serverNames, frontEnds) is { Length: > 0 } only => $"{cause} {where}: {message} {only}",
            MapiHttpVerdictScope.Warning when cause == MapiHttpCause.None => $"No failure; warning {where}: {message}",
            MapiHttpVerdictScope.Warning => $"No failure; warning: {cause} {where}: {message}",
            _ => $"{cause} {where}: {message}",
        };
        return new MapiHttpVerdictFinding(scope, cause, status, serverNames, namespaces, mailboxes, organization, headline, message, recommendation, members.Length);
    }

    /// <summary>
    /// "Only MAPI/HTTP fails on EX02; its other protocols answer" when every other page answered; when some other page
    /// fails too (OWA 200, EWS 503, issue 19) it says which, rather than calling it MAPI-only or all protocols.
    /// </summary>
    private static string MapiOnlySentence(IReadOnlyList<string> servers, FrontEnds frontEnds)
    {
        var sentences = new List<string>();
        foreach (string server in servers)
        {
            if (!frontEnds.MapiOnly.TryGetValue(server, out (string[] Answering, string[] Failing) pages))
            {
                continue;
            }

            sentences.Add(pages.Failing.Length == 0
                ? $"Only MAPI/HTTP fails on {server}; its other protocols answer (the \"OWA works, Outlook does not\" pattern)."
                : $"MAPI/HTTP fails on {server} while {string.Join(", ", pages.Answering)} {(pages.Answering.Length == 1 ? "answers" : "answer")}; {string.Join(", ", pages.Failing)} {(pages.Failing.Length == 1 ? "fails" : "fail")} as well.");
        }

        return string.Join(" ", sentences);
    }

    private static Observation Observe(MapiHttpResult result, ServerInventory servers, Func<MapiHttpResult, bool> isNamespaceResult)
    {
        if (isNamespaceResult(result))
        {
            string? host = DisplayText.Safe(CheckText.HostOf(result.Target) ?? result.Target);
            return new Observation(result, null, host);
        }

        // Names from Exchange reach the verdict's text: control characters made visible, as everywhere.
        string? server = string.IsNullOrEmpty(result.Server) ? null : DisplayText.Safe(servers.Find(result.Server)?.Name ?? result.Server);
        return new Observation(result, server, null);
    }

    /// <summary>
    /// Per server (never per namespace): all pages fail only when /mapi's and at least one other protocol's page were
    /// probed and every one of them failed; a server with /mapi failing and another page answering is MAPI-only.
    /// </summary>
    private static FrontEnds JudgeFrontEnds(IReadOnlyList<Observation> all)
    {
        IReadOnlyList<ClientProtocolDifferential.Outcome> clientProtocols = ClientProtocolDifferential.From(all.Select(o => o.Result).OfType<ExchangeClientProtocolResult>());
        var allFailing = new List<string>();
        var mapiOnly = new Dictionary<string, (string[] Answering, string[] Failing)>(StringComparer.OrdinalIgnoreCase);
        foreach (IGrouping<string, Observation> frontEnd in all.Where(o => o.Server is not null && IsHealthCheck(o.Result)).GroupBy(o => o.Server!, StringComparer.OrdinalIgnoreCase))
        {
            MapiHttpResult[] probed = frontEnd.Select(o => o.Result).Where(r => r.Status != CheckStatus.Skipped).ToArray();
            MapiHttpResult[] mapi = probed.Where(IsMapiHealthCheck).ToArray();
            MapiHttpResult[] others = probed.Where(r => !IsMapiHealthCheck(r)).ToArray();
            if (!mapi.Any(Failed))
            {
                continue;
            }

            // IMAP4/POP3 of the same server (-IncludeProtocol, issue 16) count as protocols beside the health pages.
            (string Name, bool Fails)[] pages = others.Select(r => (PageName(r), Failed(r)))
                .Concat(clientProtocols.Where(c => string.Equals(c.Server, frontEnd.Key, StringComparison.OrdinalIgnoreCase)).Select(c => (MailJudgementText(c.Protocol), c.Fails)))
                .ToArray();
            if (pages.Length > 0 && pages.All(p => p.Fails))
            {
                allFailing.Add(frontEnd.Key);
            }
            else if (pages.Any(p => !p.Fails))
            {
                mapiOnly[frontEnd.Key] = (pages.Where(p => !p.Fails).Select(p => p.Name).ToArray(), pages.Where(p => p.Fails).Select(p => p.Name).ToArray());
            }
        }

        string[] offline = Distinct(all.Where(o => IsOffline(o.Result)).Select(o => o.Server));
        return new FrontEnds(
            allFailing.Where(s => !offline.Contains(s, StringComparer.OrdinalIgnoreCase)).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray(),
            offline,
            mapiOnly);
    }

    private static string MailJudgementText(ExchangeClientProtocol protocol) => ClientProtocols.MailJudgement.Text(protocol);

    /// <summary>"owa" for "HealthCheck:owa" (only pages other than /mapi's are named, so the check always has a suffix).</summary>
    private static string PageName(MapiHttpResult result) => result.Check.Substring(HealthCheck.Length + 1);

    private static string[] Distinct(IEnumerable<string?> names) =>
        names.Where(n => !string.IsNullOrEmpty(n)).Select(n => n!).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToArray();

    private static bool IsOffline(MapiHttpResult result) =>
        result.Check == ConfigurationCheckNames.ComponentState && result.Target == "ServerWideOffline" && result.Status is CheckStatus.Fail;

    private static bool Failed(MapiHttpResult result) => result.Status is CheckStatus.Fail or CheckStatus.Error;

    private static bool IsHealthCheck(MapiHttpResult result) =>
        result is not MapiHttpConfigurationResult &&
        (result.Check == HealthCheck || result.Check.StartsWith(HealthCheck + ":", StringComparison.OrdinalIgnoreCase));

    private static bool IsMapiHealthCheck(MapiHttpResult result) =>
        result.Check == HealthCheck || string.Equals(result.Check, HealthCheck + ":mapi", StringComparison.OrdinalIgnoreCase);
}
