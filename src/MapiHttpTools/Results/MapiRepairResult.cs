using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MapiHttpTools;

/// <summary>What one line of a repair did or would do.</summary>
public enum MapiRepairAction
{
    /// <summary>Nothing this cmdlet can do: a piped finding it does not repair, or nothing to repair at all.</summary>
    None,
    EnableOrganization,
    SetInternalUrl,
    SetExternalUrl,
    AddAuthenticationMethods,
    ResetIisAuthentication,
    StartAppPool,
    RestartAppPool,
    Recreate,
    ResetIis,
    Verify,
    Restore,

    /// <summary>Repair-MapiHttpClientState: HKCU\Software\Microsoft\Exchange\MapiHttpDisabled set to 0.</summary>
    SetMapiHttpDisabled,

    /// <summary>Repair-MapiHttpClientState: MapiHttpDisabled removed.</summary>
    RemoveMapiHttpDisabled,

    /// <summary>Repair-MapiHttpClientState: a cached Autodiscover XML file moved to the backup folder.</summary>
    MoveAutodiscoverCache,

    /// <summary>Repair-MapiHttpClientState: an Office or Exchange entry removed from Credential Manager.</summary>
    RemoveCredential,
}

/// <summary>How one planned change ended.</summary>
public enum MapiRepairOutcome
{
    /// <summary>The setting was changed.</summary>
    Changed,

    /// <summary>The setting already had the wanted value; nothing was written.</summary>
    NoChange,

    /// <summary>-WhatIf: the change was printed, not made.</summary>
    WhatIf,

    /// <summary>The change was tried and failed, and the repair stopped here; for Verify: the probe found a problem (Status Fail or Error).</summary>
    Failed,

    /// <summary>An earlier change failed, so this one was not tried.</summary>
    NotAttempted,

    /// <summary>Not done, with the reason in Message (declined, not possible on this platform, not repairable here).</summary>
    Skipped,

    /// <summary>Action Verify: the endpoint probe ran and the repaired server answered as expected (Status Pass, or Warning).</summary>
    Verified,
}

/// <summary>
/// What every repair result has (issue 12: one family for Repair-MapiVirtualDirectory and Repair-MapiHttpClientState,
/// one table view): the action, how it ended, the setting with its value before and after, the command that makes the
/// change, and the backup that puts it back.
/// </summary>
public abstract class MapiHttpRepairResult : MapiHttpResult
{
    private protected MapiHttpRepairResult(RepairLine line)
        : base(line.Action.ToString(), line.Status ?? StatusOf(line.Outcome), line.Cause, line.Target, line.Server, line.Message, line.Recommendation, line.Evidence)
    {
        Action = line.Action;
        Outcome = line.Outcome;
        Setting = line.Setting;
        Before = line.Before;
        After = line.After;
        Command = line.Command;
        BackupPath = line.BackupPath;
    }

    public MapiRepairAction Action { get; }

    public MapiRepairOutcome Outcome { get; }

    /// <summary>The setting changed: MapiHttpEnabled, InternalUrl, IISAuthenticationMethods, AnonymousAuthentication, State, MapiHttpDisabled, ...</summary>
    public string? Setting { get; }

    /// <summary>The value found before the repair.</summary>
    public object? Before { get; }

    /// <summary>The value the repair sets (or would set, or kept).</summary>
    public object? After { get; }

    /// <summary>The command that makes (or would make) the change, as an admin would type it, where there is one.</summary>
    public string? Command { get; }

    /// <summary>Where the previous state was saved before the change; null when nothing was saved.</summary>
    public string? BackupPath { get; }

    /// <summary>"Setting: before -> after" for the table view (the pool's name instead of State); empty when nothing is set.</summary>
    public string Change => Before is null && After is null
        ? string.Empty
        : $"{(Setting is null or "State" or "VirtualDirectory" ? Target : Setting)}: {Text(Before)} -> {Text(After)}";

    /// <summary>A value as the table and messages show it: lists joined with ", ", null as "(none)".</summary>
    public static string Text(object? value) => value switch
    {
        null => "(none)",
        string s => s.Length == 0 ? "(none)" : s,
        bool b => b ? "True" : "False",
        IEnumerable list => string.Join(", ", list.Cast<object?>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>Status follows the outcome: Pass for Changed/NoChange/Verified, Skipped for WhatIf/Skipped, Warning for NotAttempted, Error for Failed.</summary>
    internal static CheckStatus StatusOf(MapiRepairOutcome outcome) => outcome switch
    {
        MapiRepairOutcome.Changed or MapiRepairOutcome.NoChange or MapiRepairOutcome.Verified => CheckStatus.Pass,
        MapiRepairOutcome.NotAttempted => CheckStatus.Warning,
        MapiRepairOutcome.Failed => CheckStatus.Error,
        _ => CheckStatus.Skipped,
    };
}

/// <summary>The values of one repair result, named (no constructor with a row of nulls).</summary>
internal sealed class RepairLine
{
    public RepairLine(MapiRepairAction action, MapiRepairOutcome outcome, string message)
    {
        Action = action;
        Outcome = outcome;
        Message = message;
    }

    public MapiRepairAction Action { get; }

    public MapiRepairOutcome Outcome { get; }

    public string Message { get; }

    /// <summary>Null: the status that follows from the outcome.</summary>
    public CheckStatus? Status { get; init; }

    public MapiHttpCause Cause { get; init; }

    public string? Target { get; init; }

    public string? Server { get; init; }

    public string? Setting { get; init; }

    public object? Before { get; init; }

    public object? After { get; init; }

    public string? Command { get; init; }

    public string? BackupPath { get; init; }

    public string? Recommendation { get; init; }

    public IEnumerable<KeyValuePair<string, object?>>? Evidence { get; init; }
}

/// <summary>
/// One planned change of Repair-MapiVirtualDirectory and how it ended, with the value before and after, the exact
/// command, and the backup that puts it back. Status is Pass for Changed/NoChange, Skipped for WhatIf/Skipped,
/// Warning for NotAttempted and Error for Failed; for Verify it is the probe's verdict (Verified: Pass or Warning,
/// Failed: Fail or Error; issue 11: outcome and status agree).
/// </summary>
public sealed class MapiRepairResult : MapiHttpRepairResult
{
    private MapiRepairResult(RepairLine line, string? identity, IReadOnlyList<MapiHttpEndpointResult>? verification = null)
        : base(line)
    {
        Identity = identity;
        Verification = verification;
    }

    /// <summary>The MAPI virtual directory repaired ("EX01\mapi (Default Web Site)"), where known.</summary>
    public string? Identity { get; }

    /// <summary>Action Verify: the endpoint probe results behind the verdict.</summary>
    public IReadOnlyList<MapiHttpEndpointResult>? Verification { get; }

    /// <summary>One change of a plan as it ended.</summary>
    internal static MapiRepairResult ForChange(Repair.PlannedChange change, MapiRepairOutcome outcome, string message, string? server, string? identity, string? backupPath, string? recommendation) =>
        new(new RepairLine(change.Action, outcome, message)
        {
            Cause = change.Cause,
            Target = change.Target,
            Server = server,
            Setting = change.Setting,
            Before = change.Before,
            After = change.After,
            Command = change.Command,
            BackupPath = backupPath,
            Recommendation = recommendation ?? (outcome == MapiRepairOutcome.Skipped && change.Decided is null ? change.Command : null),
            Evidence = new Dictionary<string, object?> { ["Step"] = change.Step.ToString(), ["Command"] = change.Command },
        }, identity);

    /// <summary>A line that changes nothing: a piped finding not repaired here, or nothing to repair.</summary>
    internal static MapiRepairResult Note(MapiRepairAction action, MapiRepairOutcome outcome, MapiHttpCause cause, string? target, string? server, string? identity, string message, string? recommendation) =>
        new(new RepairLine(action, outcome, message) { Cause = cause, Target = target, Server = server, Command = recommendation, Recommendation = recommendation }, identity);

    /// <summary>The IIS reset the Exchange changes need and that was not run.</summary>
    internal static MapiRepairResult ResetNeeded(string server, string? identity, string command, string? backupPath, string message) =>
        new(new RepairLine(MapiRepairAction.ResetIis, MapiRepairOutcome.Skipped, message)
        {
            Target = server,
            Server = server,
            Setting = "IIS",
            Command = command,
            BackupPath = backupPath,
            Recommendation = command,
        }, identity);

    /// <summary>The verification of a repaired server by the endpoint probe.</summary>
    internal static MapiRepairResult Verified(MapiRepairOutcome outcome, CheckStatus status, MapiHttpCause cause, string? target, string server, string? identity, string? command, string? backupPath,
        string message, string? recommendation, IEnumerable<KeyValuePair<string, object?>>? evidence, IReadOnlyList<MapiHttpEndpointResult>? probes) =>
        new(new RepairLine(MapiRepairAction.Verify, outcome, message)
        {
            Status = status,
            Cause = cause,
            Target = target,
            Server = server,
            Command = command,
            BackupPath = backupPath,
            Recommendation = recommendation,
            Evidence = evidence,
        }, identity, probes);
}
