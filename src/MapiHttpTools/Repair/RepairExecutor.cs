using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace MapiHttpTools.Repair;

/// <summary>What the confirmation said about one change.</summary>
internal enum RepairApproval
{
    Approved,
    WhatIf,
    Declined,
}

/// <summary>How one change of a plan ended.</summary>
internal sealed record ChangeOutcome(PlannedChange Change, MapiRepairOutcome Outcome, string Message, Exception? Error = null);

/// <summary>
/// Applies the approved changes of a plan in its fixed order and stops at the first failure: the failing change is
/// Failed, every later approved change NotAttempted; decided ones keep NoChange/Skipped. Knows nothing of PowerShell
/// beyond the two targets it is given.
/// </summary>
internal sealed class RepairExecutor
{
    private readonly IExchangeRepairClient _exchange;
    private readonly IIisRepairTarget? _iis;

    public RepairExecutor(IExchangeRepairClient exchange, IIisRepairTarget? iis)
    {
        _exchange = exchange;
        _iis = iis;
    }

    public IReadOnlyList<ChangeOutcome> Execute(IReadOnlyList<PlannedChange> plan, IReadOnlyDictionary<PlannedChange, RepairApproval> approvals, CancellationToken cancellation)
    {
        var outcomes = new List<ChangeOutcome>(plan.Count);
        PlannedChange? failed = null;
        foreach (PlannedChange change in plan)
        {
            if (change.Decided is MapiRepairOutcome decided)
            {
                outcomes.Add(new ChangeOutcome(change, decided, change.Reason ?? string.Empty));
                continue;
            }

            RepairApproval approval = approvals.TryGetValue(change, out RepairApproval a) ? a : RepairApproval.Declined;
            if (approval == RepairApproval.WhatIf)
            {
                outcomes.Add(change.Step == RepairStep.ResetIis && !outcomes.Any(o => o.Outcome == MapiRepairOutcome.WhatIf && o.Change.NeedsIisReset)
                    ? new ChangeOutcome(change, MapiRepairOutcome.NoChange, "IIS would not be reset: nothing would change that needs it.")
                    : new ChangeOutcome(change, MapiRepairOutcome.WhatIf, Summary(change, done: false)));
                continue;
            }

            if (approval == RepairApproval.Declined)
            {
                outcomes.Add(new ChangeOutcome(change, MapiRepairOutcome.Skipped, "Not changed: declined at the confirmation prompt."));
                continue;
            }

            if (failed is not null)
            {
                outcomes.Add(new ChangeOutcome(change, MapiRepairOutcome.NotAttempted, $"Not attempted: the change before it ({failed.Setting} of '{failed.Target}') failed, and the repair stops at the first failure."));
                continue;
            }

            cancellation.ThrowIfCancellationRequested();
            if (change.Step == RepairStep.ResetIis && !outcomes.Any(o => o.Outcome == MapiRepairOutcome.Changed && o.Change.NeedsIisReset))
            {
                outcomes.Add(new ChangeOutcome(change, MapiRepairOutcome.NoChange, "IIS was not reset: nothing changed that needs it."));
                continue;
            }

            try
            {
                Apply(change, cancellation);
                outcomes.Add(new ChangeOutcome(change, MapiRepairOutcome.Changed, Summary(change, done: true)));
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                failed = change;
                outcomes.Add(new ChangeOutcome(change, MapiRepairOutcome.Failed, $"{change.Setting} of '{change.Target}' was not changed: {ex.Message}", ex));
            }
        }

        return outcomes;
    }

    private void Apply(PlannedChange change, CancellationToken cancellation)
    {
        switch (change.Step)
        {
            case RepairStep.OrganizationMapiHttpEnabled:
                _exchange.SetOrganizationMapiHttpEnabled((bool)change.After!);
                break;
            case RepairStep.RemoveVirtualDirectory:
                _exchange.RemoveVirtualDirectory(change.Target);
                break;
            case RepairStep.NewVirtualDirectory:
                _exchange.NewVirtualDirectory(change.NewVirtualDirectory!);
                break;
            case RepairStep.InternalUrl:
            case RepairStep.ExternalUrl:
                _exchange.SetVirtualDirectoryUrl(change.Target, change.Setting, (string?)change.After);
                break;
            case RepairStep.AuthenticationMethods:
                _exchange.SetVirtualDirectoryAuthentication(change.Target, (IReadOnlyList<string>)change.After!);
                break;
            case RepairStep.WindowsAuthentication:
                Iis.SetAuthenticationEnabled(RepairScope.MapiLocation, RepairScope.WindowsAuthenticationSection, (bool)change.After!);
                break;
            case RepairStep.AnonymousAuthentication:
                Iis.SetAuthenticationEnabled(RepairScope.MapiLocation, RepairScope.AnonymousAuthenticationSection, (bool)change.After!);
                break;
            case RepairStep.AppPoolState:
                if (Equals(change.After, "Started"))
                {
                    Iis.StartAppPool(change.Target);
                }
                else
                {
                    Iis.StopAppPool(change.Target);
                }

                break;
            case RepairStep.AppPoolRecycle:
                if (string.Equals(change.Before as string, "Started", StringComparison.OrdinalIgnoreCase))
                {
                    Iis.RecycleAppPool(change.Target);
                }
                else
                {
                    Iis.StartAppPool(change.Target);
                }

                break;
            case RepairStep.ResetIis:
                Iis.ResetIis(cancellation);
                break;
            default:
                throw new InvalidOperationException($"No way to apply {change.Step}.");
        }
    }

    private IIisRepairTarget Iis => _iis ?? throw new InvalidOperationException("IIS cannot be changed from here.");

    /// <summary>One short sentence for the table; the values are in Before/After and the command in Command.</summary>
    private static string Summary(PlannedChange change, bool done) => (change.Step, done) switch
    {
        (RepairStep.RemoveVirtualDirectory, true) => $"Removed '{change.Target}'.",
        (RepairStep.RemoveVirtualDirectory, false) => $"Would remove '{change.Target}'.",
        (RepairStep.NewVirtualDirectory, true) => $"Created '{change.Target}'.",
        (RepairStep.NewVirtualDirectory, false) => $"Would create '{change.Target}'.",
        (RepairStep.AppPoolRecycle, true) => $"Restarted {change.Target}.",
        (RepairStep.AppPoolRecycle, false) => $"Would restart {change.Target}.",
        (RepairStep.AppPoolState, true) => $"{(Equals(change.After, "Started") ? "Started" : "Stopped")} {change.Target}.",
        (RepairStep.AppPoolState, false) => $"Would {(Equals(change.After, "Started") ? "start" : "stop")} {change.Target}.",
        (RepairStep.ResetIis, true) => $"Reset IIS on {change.Target}.",
        (RepairStep.ResetIis, false) => $"Would reset IIS on {change.Target}.",
        (_, true) => $"Set {change.Setting} of '{change.Target}'.",
        (_, false) => $"Would set {change.Setting} of '{change.Target}'.",
    };
}
