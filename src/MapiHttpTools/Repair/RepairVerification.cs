using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Repair;

/// <summary>
/// The pure part of verifying a repaired server (issue 11): what the server should look like after the changes, which
/// address reaches it, and the verdict from the probe's results. The probing itself is the endpoint prober's.
/// </summary>
internal static class RepairVerification
{
    /// <summary>Whether the virtual directory exists after the changes, its InternalUrl and its methods.</summary>
    public static (bool Exists, string? Url, IReadOnlyList<string> Methods) Expected(RepairFacts facts, IEnumerable<ChangeOutcome> outcomes)
    {
        string? url = facts.VirtualDirectory?.InternalUrl;
        IReadOnlyList<string> methods = facts.VirtualDirectory?.AuthenticationMethods ?? Array.Empty<string>();
        bool exists = facts.VirtualDirectory is not null;
        foreach (ChangeOutcome outcome in outcomes.Where(o => o.Outcome == MapiRepairOutcome.Changed))
        {
            switch (outcome.Change.Step)
            {
                case RepairStep.InternalUrl:
                    url = (string?)outcome.Change.After;
                    break;
                case RepairStep.AuthenticationMethods:
                    methods = (IReadOnlyList<string>)outcome.Change.After!;
                    break;
                case RepairStep.RemoveVirtualDirectory:
                    exists = false;
                    break;
                case RepairStep.NewVirtualDirectory:
                    exists = true;
                    url = outcome.Change.NewVirtualDirectory!.InternalUrl;
                    methods = outcome.Change.NewVirtualDirectory.AuthenticationMethods;
                    break;
            }
        }

        return (exists, url, methods);
    }

    /// <summary>
    /// The name the probe connects to: the server's FQDN (the host of the virtual directory's MetabasePath), or the
    /// server name when it is already qualified. Null when only a short name is known: a short name need not resolve
    /// from where the repair runs, and probing it would report the name, not the repair (issue 11).
    /// </summary>
    public static string? Address(RepairFacts facts)
    {
        if (facts.VirtualDirectory?.Fqdn is { Length: > 0 } fqdn)
        {
            return fqdn;
        }

        string server = facts.Server.Trim();
        return server.IndexOf('.') > 0 ? server : null;
    }

    /// <summary>The verdict: Verified (Pass, or Warning with the warning said) or Failed with the worst finding; never Verified with Fail.</summary>
    public static MapiRepairResult Judge(Uri uri, string address, string server, string? identity, string command, string? backupPath, IReadOnlyList<MapiHttpEndpointResult> probes)
    {
        MapiHttpEndpointResult? worst = probes
            .Where(r => r.Status is CheckStatus.Warning or CheckStatus.Fail or CheckStatus.Error)
            .OrderByDescending(r => r.Status)
            .FirstOrDefault();
        var evidence = new Dictionary<string, object?>
        {
            ["Uri"] = uri.ToString(),
            ["TargetAddress"] = address,
            ["Passed"] = probes.Count(r => r.Status == CheckStatus.Pass),
            ["Failed"] = probes.Count(r => r.Status is CheckStatus.Fail or CheckStatus.Error),
        };
        string passed = string.Join(", ", probes.Where(r => r.Status == CheckStatus.Pass).Select(r => r.Check));
        if (worst is null)
        {
            return MapiRepairResult.Verified(MapiRepairOutcome.Verified, CheckStatus.Pass, MapiHttpCause.None, uri.ToString(), server, identity, command, backupPath,
                $"Verified: {uri} answers as expected at {address} ({passed} passed).", null, evidence, probes);
        }

        if (worst.Status == CheckStatus.Warning)
        {
            return MapiRepairResult.Verified(MapiRepairOutcome.Verified, CheckStatus.Warning, worst.Cause, uri.ToString(), server, identity, command, backupPath,
                $"Verified with a warning: {uri} answers at {address}, but {worst.Check}: {Infrastructure.DisplayText.Safe(worst.Message)}", worst.Recommendation, evidence, probes);
        }

        return MapiRepairResult.Verified(MapiRepairOutcome.Failed, worst.Status, worst.Cause, uri.ToString(), server, identity, command, backupPath,
            $"Verification of {uri} at {address} found a problem: {worst.Check}: {Infrastructure.DisplayText.Safe(worst.Message)}", worst.Recommendation, evidence, probes);
    }
}
