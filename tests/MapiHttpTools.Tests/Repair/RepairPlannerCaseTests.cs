using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Repair;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>
/// Issue 19: the planner's decisions one by one (NoChange and its reason, Skipped and its reason, the command, the
/// order within and across steps, restore and recreate), each with the literal values an admin reads.
/// </summary>
public sealed class RepairPlannerCaseTests
{
    private const string FrontEnd = "MSExchangeMapiFrontEndAppPool";
    private const string Mailbox = "MSExchangeMapiMailboxAppPool";
    private const string AddressBook = "MSExchangeMapiAddressBookAppPool";
    private const string Identity = @"EX01\mapi (Default Web Site)";

    private static readonly VirtualDirectoryFacts Vdir = new(Identity, "EX01", "https://mail.contoso.lab/mapi", null, new[] { "Ntlm", "OAuth", "Negotiate" }, "EX01.contoso.lab");

    private static RepairFacts Facts(string server = "EX01", VirtualDirectoryFacts? vdir = null, bool? org = true, IisAuthenticationFacts? iis = null, params (string Pool, string? State)[] pools)
    {
        var facts = new RepairFacts(server)
        {
            VirtualDirectory = vdir,
            OrganizationMapiHttpEnabled = org,
            IisAuthentication = iis ?? new IisAuthenticationFacts(true, false, new[] { "Negotiate", "NTLM" }),
        };
        foreach ((string pool, string? state) in pools)
        {
            facts.PoolStates[pool] = state;
        }

        return facts;
    }

    private static PlannedChange Single(RepairRequest request, RepairFacts facts) => Assert.Single(RepairPlanner.Plan(request, facts));

    [Theory]
    [InlineData("https://mail.contoso.lab/mapi/", "https://mail.contoso.lab/mapi")] // issue 19: the trailing slash Exchange accepts
    [InlineData("https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi/")]
    [InlineData("https://MAIL.contoso.lab/mapi", "https://mail.contoso.lab/MAPI")]
    public void A_URL_that_differs_only_by_a_trailing_slash_or_case_is_NoChange(string current, string wanted)
    {
        PlannedChange change = Single(new RepairRequest { InternalUrl = wanted }, Facts(vdir: Vdir with { InternalUrl = current }));

        Assert.Equal(MapiRepairOutcome.NoChange, change.Decided);
        Assert.Equal($"InternalUrl is already {current}.", change.Reason);
        Assert.Equal((RepairStep.InternalUrl, "InternalUrl", Identity), (change.Step, change.Setting, change.Target));
        Assert.True(change.NeedsIisReset);
    }

    [Fact]
    public void A_different_URL_is_a_pending_change_with_its_command_and_an_unset_ExternalUrl_matches_none()
    {
        PlannedChange changed = Single(new RepairRequest { ExternalUrl = "https://mail.contoso.com/mapi" }, Facts(vdir: Vdir));
        Assert.True(changed.IsPending);
        Assert.Null(changed.Reason);
        Assert.Equal((RepairStep.ExternalUrl, MapiRepairAction.SetExternalUrl, MapiHttpCause.VirtualDirectory), (changed.Step, changed.Action, changed.Cause));
        Assert.Null(changed.Before);
        Assert.Equal("https://mail.contoso.com/mapi", changed.After);
        Assert.Equal(@"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -ExternalUrl https://mail.contoso.com/mapi", changed.Command);

        PlannedChange other = Single(new RepairRequest { InternalUrl = "https://mail.contoso.lab/mapi2" }, Facts(vdir: Vdir));
        Assert.True(other.IsPending);
        Assert.Equal(MapiRepairAction.SetInternalUrl, other.Action);

        PlannedChange none = Single(new RepairRequest { ExternalUrl = string.Empty }, Facts(vdir: Vdir));
        Assert.Equal(MapiRepairOutcome.NoChange, none.Decided);
        Assert.Equal("ExternalUrl is already (none).", none.Reason);
    }

    [Fact]
    public void Changing_a_directory_that_does_not_exist_is_VirtualDirectoryNotFound()
    {
        RepairException ex = Assert.Throws<RepairException>(() => RepairPlanner.Plan(new RepairRequest { ExternalUrl = "https://mail.contoso.com/mapi" }, Facts()));

        Assert.Equal("VirtualDirectoryNotFound", ex.ErrorId);
        Assert.Equal("EX01 has no MAPI virtual directory to change.", ex.Message);
    }

    [Fact]
    public void Methods_already_there_in_any_spelling_are_NoChange_naming_them_canonically()
    {
        var request = new RepairRequest();
        request.AddAuthenticationMethods(new[] { "negotiate", "NTLM" });

        PlannedChange change = Single(request, Facts(vdir: Vdir));

        Assert.Equal(MapiRepairOutcome.NoChange, change.Decided);
        Assert.Equal("IISAuthenticationMethods already has Negotiate, Ntlm.", change.Reason);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, (IEnumerable<string>)change.Before!);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, (IEnumerable<string>)change.After!);
        Assert.Equal((RepairStep.AuthenticationMethods, MapiRepairAction.AddAuthenticationMethods, MapiHttpCause.Authentication), (change.Step, change.Action, change.Cause));
        Assert.True(change.NeedsIisReset);
        Assert.Equal(@"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", change.Command);
    }

    [Theory]
    [InlineData(null, true, null, "Set-OrganizationConfig -MapiHttpEnabled $true")]
    [InlineData(false, true, null, "Set-OrganizationConfig -MapiHttpEnabled $true")]
    [InlineData(true, true, "MapiHttpEnabled of the organisation is already True.", "Set-OrganizationConfig -MapiHttpEnabled $true")]
    public void The_organisation_flag_is_NoChange_only_when_it_is_already_on(bool? current, bool wanted, string? reason, string command)
    {
        PlannedChange change = Single(new RepairRequest { EnableOrganization = true }, Facts(org: current));

        Assert.Equal(reason is null ? null : MapiRepairOutcome.NoChange, change.Decided);
        Assert.Equal(reason, change.Reason);
        Assert.Equal(command, change.Command);
        Assert.Equal(wanted, change.After);
        Assert.Equal(current, change.Before);
        Assert.Equal(("Organization", MapiHttpCause.NotEnabled, MapiRepairAction.EnableOrganization), (change.Target, change.Cause, change.Action));
        Assert.True(change.NeedsIisReset);
    }

    [Fact]
    public void IIS_authentication_already_right_is_NoChange_and_unknown_is_pending_and_neither_needs_an_IIS_reset()
    {
        IReadOnlyList<PlannedChange> right = RepairPlanner.Plan(new RepairRequest { ResetIisAuthentication = true }, Facts());
        Assert.Equal(new[] { "WindowsAuthentication of Default Web Site/mapi is already on.", "AnonymousAuthentication of Default Web Site/mapi is already off." }, right.Select(c => c.Reason));
        Assert.All(right, c => Assert.Equal(MapiRepairOutcome.NoChange, c.Decided));
        Assert.All(right, c => Assert.False(c.NeedsIisReset));
        Assert.Equal(new[] { RepairStep.WindowsAuthentication, RepairStep.AnonymousAuthentication }, right.Select(c => c.Step));
        Assert.Equal(new object?[] { true, false }, right.Select(c => c.After));

        IReadOnlyList<PlannedChange> wrong = RepairPlanner.Plan(new RepairRequest { ResetIisAuthentication = true }, Facts(iis: new IisAuthenticationFacts(false, true, Array.Empty<string>())));
        Assert.All(wrong, c => Assert.True(c.IsPending));
        Assert.Equal(new object?[] { false, true }, wrong.Select(c => c.Before));
        Assert.Equal(
            "Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/windowsAuthentication -Name enabled -Value $true",
            wrong[0].Command);

        RepairFacts unread = Facts();
        unread.IisAuthentication = null;
        IReadOnlyList<PlannedChange> unknown = RepairPlanner.Plan(new RepairRequest { ResetIisAuthentication = true }, unread);
        Assert.All(unknown, c => Assert.True(c.IsPending));
        Assert.All(unknown, c => Assert.Null(c.Before));
    }

    [Fact]
    public void Starting_pools_follows_the_baseline_order_and_each_pools_state()
    {
        var request = new RepairRequest();
        request.StartPools.Add(AddressBook);
        request.StartPools.Add(Mailbox);
        request.StartPools.Add(FrontEnd);
        RepairFacts facts = Facts(pools: new (string, string?)[] { (FrontEnd, "started"), (Mailbox, null), (AddressBook, "Stopped") });

        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(request, facts);

        Assert.Equal(new[] { FrontEnd, Mailbox, AddressBook }, plan.Select(c => c.Target));
        Assert.Equal(new MapiRepairOutcome?[] { MapiRepairOutcome.NoChange, MapiRepairOutcome.Skipped, null }, plan.Select(c => c.Decided));
        Assert.Equal("MSExchangeMapiFrontEndAppPool is already Started.", plan[0].Reason);
        Assert.Equal(
            "The application pool MSExchangeMapiMailboxAppPool does not exist on EX01; recreate it (Get-MapiAppPoolHealth -Server EX01 says how) or recreate the virtual directory.",
            plan[1].Reason);
        Assert.Null(plan[2].Reason);
        Assert.Equal("Start-WebAppPool -Name MSExchangeMapiAddressBookAppPool", plan[2].Command);
        Assert.Equal(("Stopped", "Started"), (plan[2].Before, plan[2].After));
        Assert.All(plan, c => Assert.Equal((RepairStep.AppPoolState, MapiRepairAction.StartAppPool, MapiHttpCause.AppPool, "State"), (c.Step, c.Action, c.Cause, c.Setting)));
        Assert.All(plan, c => Assert.False(c.NeedsIisReset));

        // A pool whose state was not read at all is started.
        var unknown = new RepairRequest();
        unknown.StartPools.Add(FrontEnd);
        PlannedChange start = Single(unknown, Facts());
        Assert.True(start.IsPending);
        Assert.Null(start.Before);
    }

    [Fact]
    public void Restarting_recycles_a_running_pool_starts_a_stopped_one_and_wins_over_a_start_of_the_same_pool()
    {
        var request = new RepairRequest();
        request.RestartPools.Add(AddressBook);
        request.RestartPools.Add(FrontEnd);
        request.RestartPools.Add(Mailbox);
        request.StartPools.Add(FrontEnd);
        RepairFacts facts = Facts(pools: new (string, string?)[] { (FrontEnd, "Started"), (Mailbox, "Stopped"), (AddressBook, null) });

        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(request, facts);

        Assert.Equal(new[] { FrontEnd, Mailbox, AddressBook }, plan.Select(c => c.Target));
        Assert.All(plan, c => Assert.Equal((RepairStep.AppPoolRecycle, MapiRepairAction.RestartAppPool), (c.Step, c.Action)));
        Assert.Equal(new[] { "Restart-WebAppPool -Name MSExchangeMapiFrontEndAppPool", "Start-WebAppPool -Name MSExchangeMapiMailboxAppPool", "Start-WebAppPool -Name MSExchangeMapiAddressBookAppPool" }, plan.Select(c => c.Command));
        Assert.Equal(new object?[] { "Started (recycled)", "Started", "Started" }, plan.Select(c => c.After));
        Assert.Equal(new MapiRepairOutcome?[] { null, null, MapiRepairOutcome.Skipped }, plan.Select(c => c.Decided));
        Assert.Equal("The application pool MSExchangeMapiAddressBookAppPool does not exist on EX01.", plan[2].Reason);

        facts.IisUnavailableReason = "access denied";
        PlannedChange skipped = RepairPlanner.Plan(request, facts)[0];
        Assert.Equal(MapiRepairOutcome.Skipped, skipped.Decided);
        Assert.Equal("The application pool MSExchangeMapiFrontEndAppPool on EX01 was not restarted: access denied. Run it on the server: Restart-WebAppPool -Name MSExchangeMapiFrontEndAppPool", skipped.Reason);
    }

    [Fact]
    public void An_IIS_reset_follows_only_changes_that_need_it_and_runs_locally_without_a_server_name()
    {
        // Starting a pool does not need iisreset: the reset is NoChange.
        var poolOnly = new RepairRequest { ResetIis = true };
        poolOnly.StartPools.Add(FrontEnd);
        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(poolOnly, Facts(pools: new (string, string?)[] { (FrontEnd, "Stopped") }));
        Assert.Equal(new[] { RepairStep.AppPoolState, RepairStep.ResetIis }, plan.Select(c => c.Step));
        PlannedChange reset = plan[1];
        Assert.Equal(MapiRepairOutcome.NoChange, reset.Decided);
        Assert.Equal("IIS on EX01 is not reset: nothing changes that needs it.", reset.Reason);
        Assert.Equal(("IIS", "EX01", "iisreset EX01 /noforce", MapiRepairAction.ResetIis), (reset.Setting, reset.Target, reset.Command, reset.Action));
        Assert.Null(reset.Before);
        Assert.Null(reset.After);

        // A pending organisation change needs it; a NoChange one does not.
        PlannedChange local = RepairPlanner.Plan(new RepairRequest { ResetIis = true, EnableOrganization = true }, Facts(server: "localhost", org: false)).Last();
        Assert.True(local.IsPending);
        Assert.Equal("iisreset /noforce", local.Command);
        PlannedChange needless = RepairPlanner.Plan(new RepairRequest { ResetIis = true, EnableOrganization = true }, Facts(org: true)).Last();
        Assert.Equal(MapiRepairOutcome.NoChange, needless.Decided);

        // Without IIS the reset is Skipped (not NoChange) with the command to run there.
        RepairFacts noIis = Facts(org: false);
        noIis.IisUnavailableReason = "IIS can only be read live on Windows; this is Unix";
        PlannedChange skipped = RepairPlanner.Plan(new RepairRequest { ResetIis = true, EnableOrganization = true }, noIis).Last();
        Assert.Equal(MapiRepairOutcome.Skipped, skipped.Decided);
        Assert.Equal("IIS on EX01 was not reset: IIS can only be read live on Windows; this is Unix. Run iisreset EX01 /noforce on the server.", skipped.Reason);
        PlannedChange skippedAlone = RepairPlanner.Plan(new RepairRequest { ResetIis = true }, noIis).Single();
        Assert.Equal(MapiRepairOutcome.Skipped, skippedAlone.Decided);
    }

    [Fact]
    public void Recreating_removes_then_creates_with_the_old_URLs_and_the_methods_joined()
    {
        var request = new RepairRequest { Recreate = true, ExternalUrl = "https://mail.contoso.com/mapi" };
        VirtualDirectoryFacts current = Vdir with { AuthenticationMethods = new[] { "Basic" } };

        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(request, Facts(vdir: current));

        Assert.Equal(new[] { RepairStep.RemoveVirtualDirectory, RepairStep.NewVirtualDirectory }, plan.Select(c => c.Step));
        Assert.All(plan, c => Assert.Equal(("Recreate", MapiRepairAction.Recreate, true), (c.ConfirmGroup, c.Action, c.NeedsIisReset)));
        Assert.Equal(@"Remove-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -Confirm:$false", plan[0].Command);
        Assert.Equal("InternalUrl=https://mail.contoso.lab/mapi; ExternalUrl=(none); IISAuthenticationMethods=Basic", plan[0].Before);
        Assert.Equal("(removed)", plan[0].After);
        Assert.Null(plan[0].Reason);
        Assert.Equal("InternalUrl=https://mail.contoso.lab/mapi; ExternalUrl=(none); IISAuthenticationMethods=Basic", plan[1].Before);
        Assert.Equal("InternalUrl=https://mail.contoso.lab/mapi; ExternalUrl=https://mail.contoso.com/mapi; IISAuthenticationMethods=Basic, Ntlm, OAuth, Negotiate", plan[1].After);
        Assert.Equal(
            "New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.lab/mapi -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Basic,Ntlm,OAuth,Negotiate",
            plan[1].Command);
        Assert.Equal(@"EX01\mapi (Default Web Site)", plan[1].Target);
        Assert.Equal(new NewVirtualDirectorySpec("EX01", "https://mail.contoso.lab/mapi", "https://mail.contoso.com/mapi", plan[1].NewVirtualDirectory!.AuthenticationMethods), plan[1].NewVirtualDirectory);
        Assert.Equal(new[] { "Basic", "Ntlm", "OAuth", "Negotiate" }, plan[1].NewVirtualDirectory!.AuthenticationMethods);
    }

    [Fact]
    public void Recreating_an_absent_directory_creates_it_on_the_named_server_with_the_methods_asked()
    {
        var request = new RepairRequest { Recreate = true, InternalUrl = "https://mail.contoso.lab/mapi" };
        request.AddAuthenticationMethods(new[] { "Negotiate" });

        PlannedChange change = Single(request, Facts(server: "EX02"));

        Assert.Equal(RepairStep.NewVirtualDirectory, change.Step);
        Assert.Equal("(absent)", change.Before);
        Assert.Equal("New-MapiVirtualDirectory -Server EX02 -InternalUrl https://mail.contoso.lab/mapi -IISAuthenticationMethods Negotiate", change.Command);
        Assert.Equal(@"EX02\mapi (Default Web Site)", change.Target);

        // A directory whose Server is empty is recreated on the server named; its InternalUrl is kept.
        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(new RepairRequest { Recreate = true }, Facts(server: "EX03", vdir: Vdir with { Server = string.Empty }));
        Assert.Equal("New-MapiVirtualDirectory -Server EX03 -InternalUrl https://mail.contoso.lab/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate", plan[1].Command);

        RepairException ex = Assert.Throws<RepairException>(() => RepairPlanner.Plan(new RepairRequest { Recreate = true }, Facts(vdir: Vdir with { InternalUrl = null })));
        Assert.Equal("InternalUrlRequired", ex.ErrorId);
        Assert.Equal("The MAPI virtual directory of EX01 cannot be recreated without an InternalUrl: it has none. Pass -InternalUrl https://<namespace>/mapi.", ex.Message);
        RepairException absent = Assert.Throws<RepairException>(() => RepairPlanner.Plan(new RepairRequest { Recreate = true }, Facts()));
        Assert.Equal("The MAPI virtual directory of EX01 cannot be recreated without an InternalUrl: it does not exist. Pass -InternalUrl https://<namespace>/mapi.", absent.Message);
    }

    [Fact]
    public void Restoring_puts_back_each_value_the_backup_holds_in_the_fixed_order()
    {
        var backup = new RepairBackup("EX01", new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc))
        {
            OrganizationMapiHttpEnabled = false,
            VirtualDirectory = new SavedVirtualDirectory(true, Identity, "EX01", "https://old.contoso.lab/mapi", "https://old.contoso.com/mapi", new[] { "Ntlm" }),
            WindowsAuthentication = false,
            AnonymousAuthentication = true,
        };
        backup.PoolStates[Mailbox] = "Stopped";
        backup.PoolStates[FrontEnd] = "Started";
        RepairFacts facts = Facts(vdir: Vdir, org: true, pools: new (string, string?)[] { (FrontEnd, "Stopped"), (Mailbox, "Started") });

        IReadOnlyList<PlannedChange> plan = RepairPlanner.PlanRestore(backup, facts, resetIis: true);

        Assert.Equal(
            new[] { "MapiHttpEnabled", "InternalUrl", "ExternalUrl", "IISAuthenticationMethods", "WindowsAuthentication", "AnonymousAuthentication", "State", "State", "IIS" },
            plan.Select(c => c.Setting));
        Assert.All(plan.Take(8), c => Assert.Equal(MapiRepairAction.Restore, c.Action));
        Assert.All(plan, c => Assert.True(c.IsPending, c.Setting));
        Assert.Equal(new object?[] { false, "https://old.contoso.lab/mapi", "https://old.contoso.com/mapi" }, plan.Take(3).Select(c => c.After));
        Assert.Equal(new[] { "Ntlm" }, (IEnumerable<string>)plan[3].After!);
        Assert.Equal(new object?[] { false, true }, plan.Skip(4).Take(2).Select(c => c.After));

        // The backup's pools in name order (it keeps them sorted); each restored to its state.
        Assert.Equal(new[] { "Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool", "Stop-WebAppPool -Name MSExchangeMapiMailboxAppPool" }, plan.Skip(6).Take(2).Select(c => c.Command));
        Assert.Equal(new object?[] { "Started", "Stopped" }, plan.Skip(6).Take(2).Select(c => c.After));
        Assert.Equal("iisreset EX01 /noforce", plan[8].Command);
    }

    [Fact]
    public void Restoring_a_directory_that_did_not_exist_removes_it_and_one_that_is_gone_recreates_it()
    {
        var before = new RepairBackup("EX01", DateTime.UtcNow) { VirtualDirectory = new SavedVirtualDirectory(false, null, null, null, null, Array.Empty<string>()) };
        PlannedChange remove = Assert.Single(RepairPlanner.PlanRestore(before, Facts(vdir: Vdir), resetIis: false));
        Assert.Equal((RepairStep.RemoveVirtualDirectory, MapiRepairAction.Restore), (remove.Step, remove.Action));
        Assert.Equal("the backup was taken before the virtual directory existed", remove.Reason);
        Assert.Null(remove.ConfirmGroup);
        Assert.True(remove.IsPending);
        Assert.Empty(RepairPlanner.PlanRestore(before, Facts(), resetIis: false));

        var gone = new RepairBackup("EX01", DateTime.UtcNow) { VirtualDirectory = new SavedVirtualDirectory(true, Identity, null, "https://mail.contoso.lab/mapi", null, new[] { "Ntlm", "Negotiate" }) };
        PlannedChange create = Assert.Single(RepairPlanner.PlanRestore(gone, Facts(server: "EX01"), resetIis: false));
        Assert.Equal((RepairStep.NewVirtualDirectory, MapiRepairAction.Restore), (create.Step, create.Action));
        Assert.Equal("New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.lab/mapi -IISAuthenticationMethods Ntlm,Negotiate", create.Command);
        Assert.Equal("(absent)", create.Before);
        Assert.Null(create.ConfirmGroup);
        Assert.Equal("EX01", create.NewVirtualDirectory!.Server);
    }
}
