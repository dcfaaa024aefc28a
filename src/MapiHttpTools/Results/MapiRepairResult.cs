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

    /// <summary>The change was tried and failed; the repair stopped here.</summary>
    Failed,

    /// <summary>An earlier change failed, so this one was not tried.</summary>
    NotAttempted,

    /// <summary>Not done, with the reason in Message (declined, not possible on this platform, not repairable here).</summary>
    Skipped,

    /// <summary>Action Verify: the endpoint probe ran; Status says whether the repaired server passed.</summary>
    Verified,
}

/// <summary>
/// One planned change of Repair-MapiVirtualDirectory and how it ended, with the value before and after, the exact
/// command, and the backup that puts it back. Status is Pass for Changed/NoChange, Skipped for WhatIf/Skipped,
/// Warning for NotAttempted and Error for Failed; for Verify it is the probe's verdict.
/// </summary>
public sealed class MapiRepairResult : MapiHttpResult
{
    internal MapiRepairResult(
        MapiRepairAction action,
        MapiRepairOutcome outcome,
        CheckStatus status,
        MapiHttpCause cause,
        string? target,
        string? server,
        string? identity,
        string? setting,
        object? before,
        object? after,
        string? command,
        string? backupPath,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence,
        IReadOnlyList<MapiHttpEndpointResult>? verification = null)
        : base(action.ToString(), status, cause, target, server, message, recommendation, evidence)
    {
        Action = action;
        Outcome = outcome;
        Identity = identity;
        Setting = setting;
        Before = before;
        After = after;
        Command = command;
        BackupPath = backupPath;
        Verification = verification;
    }

    public MapiRepairAction Action { get; }

    public MapiRepairOutcome Outcome { get; }

    /// <summary>The MAPI virtual directory repaired ("EX01\mapi (Default Web Site)"), where known.</summary>
    public string? Identity { get; }

    /// <summary>The setting changed: MapiHttpEnabled, InternalUrl, IISAuthenticationMethods, AnonymousAuthentication, State, ...</summary>
    public string? Setting { get; }

    /// <summary>The value found before the repair.</summary>
    public object? Before { get; }

    /// <summary>The value the repair sets (or would set, or kept).</summary>
    public object? After { get; }

    /// <summary>The command that makes (or would make) the change, as an admin would type it.</summary>
    public string? Command { get; }

    /// <summary>The backup written before the first change on this server; Repair-MapiVirtualDirectory -RestoreFrom puts it back.</summary>
    public string? BackupPath { get; }

    /// <summary>Action Verify: the endpoint probe results behind the verdict.</summary>
    public IReadOnlyList<MapiHttpEndpointResult>? Verification { get; }

    /// <summary>"Setting: before -> after" for the table view (the pool's name instead of State); empty when nothing is set.</summary>
    public string Change => Before is null && After is null
        ? string.Empty
        : $"{(Setting == "State" || Setting == "VirtualDirectory" ? Target : Setting)}: {Text(Before)} -> {Text(After)}";

    /// <summary>A value as the table and messages show it: lists joined with ", ", null as "(none)".</summary>
    public static string Text(object? value) => value switch
    {
        null => "(none)",
        string s => s.Length == 0 ? "(none)" : s,
        bool b => b ? "True" : "False",
        IEnumerable list => string.Join(", ", list.Cast<object?>().Select(o => Convert.ToString(o, CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    internal static CheckStatus StatusOf(MapiRepairOutcome outcome) => outcome switch
    {
        MapiRepairOutcome.Changed or MapiRepairOutcome.NoChange or MapiRepairOutcome.Verified => CheckStatus.Pass,
        MapiRepairOutcome.NotAttempted => CheckStatus.Warning,
        MapiRepairOutcome.Failed => CheckStatus.Error,
        _ => CheckStatus.Skipped,
    };
}
