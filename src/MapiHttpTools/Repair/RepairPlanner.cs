using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Repair;

/// <summary>
/// Turns the facts of one server and what was asked into the ordered list of changes: each with its target,
/// setting, value before and after and exact command, or decided NoChange (already right) or Skipped (with why).
/// Pure: it reads nothing and changes nothing.
/// </summary>
internal static class RepairPlanner
{
    private const string AuthenticationFilter = "system.webServer/security/authentication/";

    /// <summary>The plan of a repair (explicit parameters and piped findings).</summary>
    public static IReadOnlyList<PlannedChange> Plan(RepairRequest request, RepairFacts facts)
    {
        var changes = new List<PlannedChange>();
        if (request.EnableOrganization)
        {
            changes.Add(Organization(facts, true, MapiRepairAction.EnableOrganization));
        }

        if (request.Recreate)
        {
            changes.AddRange(Recreate(request, facts));
        }
        else if (request.InternalUrl is not null || request.ExternalUrl is not null || request.AuthenticationMethods is not null)
        {
            VirtualDirectoryFacts vdir = facts.VirtualDirectory
                ?? throw new RepairException("VirtualDirectoryNotFound", $"{facts.Server} has no MAPI virtual directory to change.");
            if (request.InternalUrl is not null)
            {
                changes.Add(Url(vdir, "InternalUrl", request.InternalUrl, MapiRepairAction.SetInternalUrl));
            }

            if (request.ExternalUrl is not null)
            {
                changes.Add(Url(vdir, "ExternalUrl", request.ExternalUrl, MapiRepairAction.SetExternalUrl));
            }

            if (request.AuthenticationMethods is not null)
            {
                changes.Add(AddMethods(vdir, request.AuthenticationMethods));
            }
        }

        if (request.ResetIisAuthentication)
        {
            changes.Add(IisAuthentication(facts, RepairScope.WindowsAuthenticationSection, true, MapiRepairAction.ResetIisAuthentication));
            changes.Add(IisAuthentication(facts, RepairScope.AnonymousAuthenticationSection, false, MapiRepairAction.ResetIisAuthentication));
        }

        foreach (string pool in RepairScope.Pools)
        {
            if (request.RestartPools.Contains(pool))
            {
                changes.Add(RestartPool(facts, pool));
            }
            else if (request.StartPools.Contains(pool))
            {
                changes.Add(PoolState(facts, pool, "Started", MapiRepairAction.StartAppPool));
            }
        }

        if (request.ResetIis)
        {
            changes.Add(ResetIis(facts));
        }

        return Order(changes);
    }

    /// <summary>The plan that puts a server back as a backup describes it.</summary>
    public static IReadOnlyList<PlannedChange> PlanRestore(RepairBackup backup, RepairFacts facts, bool resetIis)
    {
        var changes = new List<PlannedChange>();
        if (backup.OrganizationMapiHttpEnabled is bool org)
        {
            changes.Add(Organization(facts, org, MapiRepairAction.Restore));
        }

        if (backup.VirtualDirectory is { } saved)
        {
            VirtualDirectoryFacts? current = facts.VirtualDirectory;
            if (!saved.Exists && current is not null)
            {
                changes.Add(Remove(current, MapiRepairAction.Restore, "the backup was taken before the virtual directory existed", group: null));
            }
            else if (saved.Exists && current is null)
            {
                var spec = new NewVirtualDirectorySpec(saved.Server ?? facts.Server, saved.InternalUrl, saved.ExternalUrl, saved.AuthenticationMethods);
                changes.Add(New(spec, MapiRepairAction.Restore, before: null, group: null));
            }
            else if (saved.Exists && current is not null)
            {
                changes.Add(Url(current, "InternalUrl", saved.InternalUrl, MapiRepairAction.Restore));
                changes.Add(Url(current, "ExternalUrl", saved.ExternalUrl, MapiRepairAction.Restore));
                changes.Add(SetMethods(current, saved.AuthenticationMethods, MapiRepairAction.Restore));
            }
        }

        if (backup.WindowsAuthentication is bool windows)
        {
            changes.Add(IisAuthentication(facts, RepairScope.WindowsAuthenticationSection, windows, MapiRepairAction.Restore));
        }

        if (backup.AnonymousAuthentication is bool anonymous)
        {
            changes.Add(IisAuthentication(facts, RepairScope.AnonymousAuthenticationSection, anonymous, MapiRepairAction.Restore));
        }

        foreach (KeyValuePair<string, string> pool in backup.PoolStates)
        {
            changes.Add(PoolState(facts, pool.Key, pool.Value, MapiRepairAction.Restore));
        }

        if (resetIis)
        {
            changes.Add(ResetIis(facts));
        }

        return Order(changes);
    }

    /// <summary>
    /// The changes in the fixed order (stable within a step). An asked-for IIS reset is NoChange when no pending
    /// change needs one: iisreset drops every connection of the server and is never run for nothing.
    /// </summary>
    private static IReadOnlyList<PlannedChange> Order(List<PlannedChange> changes)
    {
        bool resetNeeded = changes.Any(c => c.IsPending && c.NeedsIisReset);
        return changes
            .Select((c, i) => (c, i))
            .OrderBy(x => x.c.Step)
            .ThenBy(x => x.i)
            .Select(x => x.c.Step == RepairStep.ResetIis && x.c.IsPending && !resetNeeded
                ? new PlannedChange(x.c.Step, x.c.Action, x.c.Cause, x.c.Target, x.c.Setting, null, null, x.c.Command)
                {
                    Decided = MapiRepairOutcome.NoChange,
                    Reason = $"IIS on {x.c.Target} is not reset: nothing changes that needs it.",
                }
                : x.c)
            .ToArray();
    }

    private static PlannedChange Organization(RepairFacts facts, bool wanted, MapiRepairAction action)
    {
        bool? current = facts.OrganizationMapiHttpEnabled;
        string command = $"Set-OrganizationConfig -MapiHttpEnabled {RunspaceExchangeClient.Argument(wanted)}";
        return new PlannedChange(RepairStep.OrganizationMapiHttpEnabled, action, MapiHttpCause.NotEnabled, "Organization", "MapiHttpEnabled", current, wanted, command)
        {
            Decided = current == wanted ? MapiRepairOutcome.NoChange : null,
            Reason = current == wanted ? $"MapiHttpEnabled of the organisation is already {wanted}." : null,
            NeedsIisReset = true,
        };
    }

    private static PlannedChange Url(VirtualDirectoryFacts vdir, string setting, string? wanted, MapiRepairAction action)
    {
        string? current = setting == "InternalUrl" ? vdir.InternalUrl : vdir.ExternalUrl;
        string command = $"Set-MapiVirtualDirectory -Identity {RunspaceExchangeClient.Argument(vdir.Identity)} -{setting} {RunspaceExchangeClient.Argument(wanted)}";
        bool same = RepairScope.SameUrl(current, wanted);
        return new PlannedChange(RepairStepFor(setting), action, MapiHttpCause.VirtualDirectory, vdir.Identity, setting, current, wanted, command)
        {
            Decided = same ? MapiRepairOutcome.NoChange : null,
            Reason = same ? $"{setting} is already {MapiRepairResult.Text(current)}." : null,
            NeedsIisReset = true,
        };
    }

    private static RepairStep RepairStepFor(string setting) => setting == "InternalUrl" ? RepairStep.InternalUrl : RepairStep.ExternalUrl;

    private static PlannedChange AddMethods(VirtualDirectoryFacts vdir, IReadOnlyList<string> wanted)
    {
        IReadOnlyList<string> missing = AuthenticationMethodNames.Missing(vdir.AuthenticationMethods, wanted);
        IReadOnlyList<string> after = AuthenticationMethodNames.Union(vdir.AuthenticationMethods, wanted);
        PlannedChange change = SetMethods(vdir, after, MapiRepairAction.AddAuthenticationMethods);
        return missing.Count > 0
            ? change
            : new PlannedChange(change.Step, change.Action, change.Cause, change.Target, change.Setting, vdir.AuthenticationMethods, vdir.AuthenticationMethods, change.Command)
            {
                Decided = MapiRepairOutcome.NoChange,
                Reason = $"IISAuthenticationMethods already has {string.Join(", ", wanted.Select(AuthenticationMethodNames.Canonical))}.",
                NeedsIisReset = true,
            };
    }

    private static PlannedChange SetMethods(VirtualDirectoryFacts vdir, IReadOnlyList<string> wanted, MapiRepairAction action)
    {
        string command = $"Set-MapiVirtualDirectory -Identity {RunspaceExchangeClient.Argument(vdir.Identity)} -IISAuthenticationMethods {RunspaceExchangeClient.Argument(wanted)}";
        bool same = AuthenticationMethodNames.SameSet(vdir.AuthenticationMethods, wanted);
        return new PlannedChange(RepairStep.AuthenticationMethods, action, MapiHttpCause.Authentication, vdir.Identity, "IISAuthenticationMethods", vdir.AuthenticationMethods, wanted, command)
        {
            Decided = same ? MapiRepairOutcome.NoChange : null,
            Reason = same ? $"IISAuthenticationMethods is already {MapiRepairResult.Text(wanted)}." : null,
            NeedsIisReset = true,
        };
    }

    private static IEnumerable<PlannedChange> Recreate(RepairRequest request, RepairFacts facts)
    {
        VirtualDirectoryFacts? current = facts.VirtualDirectory;
        string? internalUrl = request.InternalUrl ?? current?.InternalUrl;
        if (internalUrl is null)
        {
            throw new RepairException("InternalUrlRequired",
                $"The MAPI virtual directory of {facts.Server} cannot be recreated without an InternalUrl: {(current is null ? "it does not exist" : "it has none")}. Pass -InternalUrl https://<namespace>/mapi.");
        }

        IReadOnlyList<string> methods = AuthenticationMethodNames.Union(current?.AuthenticationMethods ?? Array.Empty<string>(), request.AuthenticationMethods ?? RepairRequest.DefaultAuthenticationMethods);
        var spec = new NewVirtualDirectorySpec(current?.Server is { Length: > 0 } server ? server : facts.Server, internalUrl, request.ExternalUrl ?? current?.ExternalUrl, methods);
        const string group = "Recreate";
        if (current is not null)
        {
            yield return Remove(current, MapiRepairAction.Recreate, null, group);
        }

        yield return New(spec, MapiRepairAction.Recreate, current is null ? null : Describe(current), group);
    }

    private static PlannedChange Remove(VirtualDirectoryFacts vdir, MapiRepairAction action, string? why, string? group)
    {
        string command = $"Remove-MapiVirtualDirectory -Identity {RunspaceExchangeClient.Argument(vdir.Identity)} -Confirm:$false";
        return new PlannedChange(RepairStep.RemoveVirtualDirectory, action, MapiHttpCause.VirtualDirectory, vdir.Identity, "VirtualDirectory", Describe(vdir), "(removed)", command)
        {
            NeedsIisReset = true,
            Reason = why,
            ConfirmGroup = group,
        };
    }

    private static PlannedChange New(NewVirtualDirectorySpec spec, MapiRepairAction action, string? before, string? group)
    {
        var parameters = new List<(string, object?)> { ("Server", spec.Server) };
        if (spec.InternalUrl is not null)
        {
            parameters.Add(("InternalUrl", spec.InternalUrl));
        }

        if (spec.ExternalUrl is not null)
        {
            parameters.Add(("ExternalUrl", spec.ExternalUrl));
        }

        parameters.Add(("IISAuthenticationMethods", spec.AuthenticationMethods));
        string command = RunspaceExchangeClient.CommandText("New-MapiVirtualDirectory", parameters);
        string after = $"InternalUrl={MapiRepairResult.Text(spec.InternalUrl)}; ExternalUrl={MapiRepairResult.Text(spec.ExternalUrl)}; IISAuthenticationMethods={MapiRepairResult.Text(spec.AuthenticationMethods)}";
        return new PlannedChange(RepairStep.NewVirtualDirectory, action, MapiHttpCause.VirtualDirectory, $"{spec.Server}\\mapi (Default Web Site)", "VirtualDirectory", before ?? "(absent)", after, command)
        {
            NeedsIisReset = true,
            ConfirmGroup = group,
            NewVirtualDirectory = spec,
        };
    }

    private static string Describe(VirtualDirectoryFacts vdir) =>
        $"InternalUrl={MapiRepairResult.Text(vdir.InternalUrl)}; ExternalUrl={MapiRepairResult.Text(vdir.ExternalUrl)}; IISAuthenticationMethods={MapiRepairResult.Text(vdir.AuthenticationMethods)}";

    private static PlannedChange IisAuthentication(RepairFacts facts, string section, bool wanted, MapiRepairAction action)
    {
        bool windows = section == RepairScope.WindowsAuthenticationSection;
        string setting = windows ? "WindowsAuthentication" : "AnonymousAuthentication";
        bool? current = facts.IisAuthentication is null ? null : windows ? facts.IisAuthentication.WindowsEnabled : facts.IisAuthentication.AnonymousEnabled;
        string command = $"Set-WebConfigurationProperty -PSPath IIS:\\ -Location '{RepairScope.MapiLocation}' -Filter {AuthenticationFilter}{section} -Name enabled -Value {RunspaceExchangeClient.Argument(wanted)}";
        return new PlannedChange(windows ? RepairStep.WindowsAuthentication : RepairStep.AnonymousAuthentication, action, MapiHttpCause.Authentication, RepairScope.MapiLocation, setting, current, wanted, command)
        {
            Decided = facts.IisUnavailableReason is not null ? MapiRepairOutcome.Skipped : current == wanted ? MapiRepairOutcome.NoChange : null,
            Reason = facts.IisUnavailableReason is string reason
                ? $"IIS authentication of {RepairScope.MapiLocation} on {facts.Server} was not changed: {reason}. Run it on the server: {command}"
                : current == wanted ? $"{setting} of {RepairScope.MapiLocation} is already {(wanted ? "on" : "off")}." : null,
        };
    }

    private static PlannedChange PoolState(RepairFacts facts, string pool, string wanted, MapiRepairAction action)
    {
        bool start = wanted.Equals("Started", StringComparison.OrdinalIgnoreCase);
        string command = start ? $"Start-WebAppPool -Name {pool}" : $"Stop-WebAppPool -Name {pool}";
        facts.PoolStates.TryGetValue(pool, out string? current);
        bool known = facts.PoolStates.ContainsKey(pool);
        (MapiRepairOutcome? decided, string? reason) = facts.IisUnavailableReason is string unavailable
            ? (MapiRepairOutcome.Skipped, $"The application pool {pool} on {facts.Server} was not changed: {unavailable}. Run it on the server: {command}")
            : known && current is null
                ? (MapiRepairOutcome.Skipped, $"The application pool {pool} does not exist on {facts.Server}; recreate it (Get-MapiAppPoolHealth -Server {facts.Server} says how) or recreate the virtual directory.")
                : string.Equals(current, wanted, StringComparison.OrdinalIgnoreCase)
                    ? (MapiRepairOutcome.NoChange, $"{pool} is already {wanted}.")
                    : ((MapiRepairOutcome?)null, (string?)null);
        return new PlannedChange(RepairStep.AppPoolState, action, MapiHttpCause.AppPool, pool, "State", current, start ? "Started" : "Stopped", command)
        {
            Decided = decided,
            Reason = reason,
        };
    }

    private static PlannedChange RestartPool(RepairFacts facts, string pool)
    {
        facts.PoolStates.TryGetValue(pool, out string? current);
        bool running = string.Equals(current, "Started", StringComparison.OrdinalIgnoreCase);
        string command = running ? $"Restart-WebAppPool -Name {pool}" : $"Start-WebAppPool -Name {pool}";
        (MapiRepairOutcome? decided, string? reason) = facts.IisUnavailableReason is string unavailable
            ? (MapiRepairOutcome.Skipped, $"The application pool {pool} on {facts.Server} was not restarted: {unavailable}. Run it on the server: {command}")
            : facts.PoolStates.ContainsKey(pool) && current is null
                ? (MapiRepairOutcome.Skipped, $"The application pool {pool} does not exist on {facts.Server}.")
                : ((MapiRepairOutcome?)null, (string?)null);
        return new PlannedChange(RepairStep.AppPoolRecycle, MapiRepairAction.RestartAppPool, MapiHttpCause.AppPool, pool, "State", current, running ? "Started (recycled)" : "Started", command)
        {
            Decided = decided,
            Reason = reason,
        };
    }

    private static PlannedChange ResetIis(RepairFacts facts)
    {
        string command = LiveIisRepairTarget.IsThisComputer(facts.Server) ? "iisreset /noforce" : $"iisreset {facts.Server} /noforce";
        return new PlannedChange(RepairStep.ResetIis, MapiRepairAction.ResetIis, MapiHttpCause.None, facts.Server, "IIS", null, null, command)
        {
            Decided = facts.IisUnavailableReason is null ? null : MapiRepairOutcome.Skipped,
            Reason = facts.IisUnavailableReason is string reason ? $"IIS on {facts.Server} was not reset: {reason}. Run {command} on the server." : null,
        };
    }
}
