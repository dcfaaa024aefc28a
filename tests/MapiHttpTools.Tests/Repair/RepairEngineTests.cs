using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Lab;
using MapiHttpTools.Repair;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>The planner, the backup file and the platform fallback, without stand-in cmdlets where none are needed.</summary>
[Collection("Lab")]
public sealed class RepairEngineTests
{
    private static readonly VirtualDirectoryFacts Vdir = new(RepairSession.Identity, "EX01", "https://mail.contoso.lab/mapi", null, new[] { "Ntlm", "OAuth" }, "EX01.contoso.lab");

    [Fact]
    public void The_plan_is_in_the_fixed_order_whatever_order_the_request_was_built_in()
    {
        var request = new RepairRequest { ResetIis = true, ResetIisAuthentication = true, ExternalUrl = "https://mail.contoso.com/mapi", EnableOrganization = true, InternalUrl = "https://new.contoso.lab/mapi" };
        request.StartPools.Add("MSExchangeMapiAddressBookAppPool");
        request.StartPools.Add("MSExchangeMapiFrontEndAppPool");
        request.AddAuthenticationMethods(new[] { "negotiate" });
        RepairFacts facts = Facts(org: false, windows: false, anonymous: true, pools: new (string, string?)[] { ("MSExchangeMapiFrontEndAppPool", "Stopped"), ("MSExchangeMapiAddressBookAppPool", "Stopped") });

        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(request, facts);

        Assert.Equal(
            new[]
            {
                "MapiHttpEnabled", "InternalUrl", "ExternalUrl", "IISAuthenticationMethods", "WindowsAuthentication", "AnonymousAuthentication",
                "State MSExchangeMapiFrontEndAppPool", "State MSExchangeMapiAddressBookAppPool", "IIS",
            },
            plan.Select(c => c.Setting == "State" ? $"State {c.Target}" : c.Setting));
        Assert.All(plan, c => Assert.True(c.IsPending, c.Setting));
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, (IEnumerable<string>)plan[3].After!);
        Assert.Equal(@"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -ExternalUrl https://mail.contoso.com/mapi", plan[2].Command);
        Assert.Equal("Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/anonymousAuthentication -Name enabled -Value $false", plan[5].Command);
        Assert.Equal(new[] { true, true, true, true, false, false, false, false, false }, plan.Select(c => c.NeedsIisReset));
    }

    [Fact]
    public void Methods_are_only_ever_added_and_existing_ones_stay_first()
    {
        var request = new RepairRequest();
        request.AddAuthenticationMethods(new[] { "Negotiate", "Ntlm" });

        PlannedChange change = Assert.Single(RepairPlanner.Plan(request, Facts(methods: new[] { "OAuth", "Basic" })));

        Assert.Equal(new[] { "OAuth", "Basic" }, (IEnumerable<string>)change.Before!);
        Assert.Equal(new[] { "OAuth", "Basic", "Negotiate", "Ntlm" }, (IEnumerable<string>)change.After!);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, AuthenticationMethodNames.Union(new[] { "NTLM", "oauth" }, RepairRequest.DefaultAuthenticationMethods));
    }

    [Fact]
    public void An_IIS_reset_is_planned_only_when_a_change_needs_it()
    {
        var iisOnly = new RepairRequest { ResetIis = true, ResetIisAuthentication = true };
        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(iisOnly, Facts(anonymous: true));
        Assert.Equal(MapiRepairOutcome.NoChange, plan.Single(c => c.Step == RepairStep.ResetIis).Decided);

        var exchange = new RepairRequest { ResetIis = true, InternalUrl = "https://new.contoso.lab/mapi" };
        PlannedChange reset = RepairPlanner.Plan(exchange, Facts()).Single(c => c.Step == RepairStep.ResetIis);
        Assert.True(reset.IsPending);
        Assert.Equal("iisreset EX01 /noforce", reset.Command);
    }

    [Fact]
    public void Without_IIS_the_IIS_changes_are_Skipped_with_the_reason_and_the_command_to_run()
    {
        var request = new RepairRequest { ResetIisAuthentication = true };
        request.StartPools.Add("MSExchangeMapiFrontEndAppPool");
        RepairFacts facts = Facts();
        facts.IisUnavailableReason = "IIS can only be read live on Windows; this is Unix";

        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(request, facts);

        Assert.All(plan, c => Assert.Equal(MapiRepairOutcome.Skipped, c.Decided));
        Assert.All(plan, c => Assert.Contains("IIS can only be read live on Windows; this is Unix", c.Reason, StringComparison.Ordinal));
        Assert.EndsWith("Run it on the server: Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool", plan.Last().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Recreating_a_directory_that_has_no_InternalUrl_needs_one()
    {
        RepairException ex = Assert.Throws<RepairException>(() => RepairPlanner.Plan(new RepairRequest { Recreate = true }, new RepairFacts("EX01")));
        Assert.Equal("InternalUrlRequired", ex.ErrorId);
        Assert.Contains("-InternalUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_backup_round_trips_and_holds_only_what_the_plan_touches()
    {
        var request = new RepairRequest { ResetIisAuthentication = true };
        request.RestartPools.Add("MSExchangeMapiMailboxAppPool");
        RepairFacts facts = Facts(org: false, windows: true, anonymous: true, pools: new (string, string?)[] { ("MSExchangeMapiMailboxAppPool", "Started") });
        IReadOnlyList<PlannedChange> plan = RepairPlanner.Plan(request, facts);
        DateTime created = new(2026, 3, 1, 12, 30, 5, DateTimeKind.Utc);
        string folder = Path.Combine(Path.GetTempPath(), "MapiRepairTests", Guid.NewGuid().ToString("N"));
        try
        {
            RepairBackup backup = RepairBackup.For(facts, plan.Where(c => c.IsPending), created);
            string first = backup.Write(folder);
            string second = backup.Write(folder);

            Assert.Equal(Path.Combine(folder, "MapiRepair-EX01-20260301T123005Z.xml"), first);
            Assert.Equal(Path.Combine(folder, "MapiRepair-EX01-20260301T123005Z-2.xml"), second);
            RepairBackup read = RepairBackup.Read(first);
            Assert.Equal(("EX01", created), (read.Server, read.CreatedUtc));
            Assert.Equal(
                new (string, string, object?)[]
                {
                    ("Default Web Site/mapi", "WindowsAuthentication", true),
                    ("Default Web Site/mapi", "AnonymousAuthentication", true),
                    ("MSExchangeMapiMailboxAppPool", "State", "Started"),
                },
                read.Items());
            Assert.Null(read.OrganizationMapiHttpEnabled);
            Assert.Null(read.VirtualDirectory);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Restoring_plans_NoChange_for_what_is_already_as_the_backup_says()
    {
        var backup = new RepairBackup("EX01", DateTime.UtcNow)
        {
            OrganizationMapiHttpEnabled = true,
            VirtualDirectory = new SavedVirtualDirectory(true, RepairSession.Identity, "EX01", "https://mail.contoso.lab/mapi", null, new[] { "Ntlm", "OAuth" }),
            AnonymousAuthentication = false,
        };
        backup.PoolStates["MSExchangeMapiFrontEndAppPool"] = "Started";

        IReadOnlyList<PlannedChange> plan = RepairPlanner.PlanRestore(backup, Facts(org: true, anonymous: false, pools: new (string, string?)[] { ("MSExchangeMapiFrontEndAppPool", "Started") }), resetIis: true);

        Assert.All(plan, c => Assert.Equal(MapiRepairOutcome.NoChange, c.Decided));
        Assert.All(plan.Where(c => c.Step != RepairStep.ResetIis), c => Assert.Equal(MapiRepairAction.Restore, c.Action));
    }

    [MapiHttpTools.Tests.Iis.UnixFact]
    public void On_a_computer_without_IIS_the_live_target_reports_why_and_the_cmdlet_skips_the_IIS_steps()
    {
        // Issue 19: the literal reason, not the production function's answer compared with itself.
        Assert.Null(IisRepairTargets.Open("EX01", new MapiHttpTools.Infrastructure.ModuleServices(), out string? reason));
        Assert.Equal("IIS can only be read live on Windows; this is Unix", reason);

        using var session = new ModuleSession();
        string folder = Path.Combine(Path.GetTempPath(), "MapiRepairTests", Guid.NewGuid().ToString("N"));
        session.Invoke("function global:Get-MapiVirtualDirectory { param($Server, $Identity, [switch]$ADPropertiesOnly) }");
        ScriptResult run = session.Invoke("Repair-MapiVirtualDirectory -Server EX01 -StartAppPools -ResetIisAuthentication -Confirm:$false -BackupPath $f", new() { ["f"] = folder });

        Assert.Empty(run.ErrorIds);
        MapiRepairResult[] results = run.Objects<MapiRepairResult>().Where(r => r.Action != MapiRepairAction.Verify).ToArray();
        Assert.Equal(5, results.Length);
        Assert.All(results, r => Assert.Equal(MapiRepairOutcome.Skipped, r.Outcome));
        Assert.All(results, r => Assert.Contains(reason!, r.Message, StringComparison.Ordinal));
        Assert.False(Directory.Exists(folder));
        MapiRepairResult verify = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.Verify);
        Assert.Equal((MapiRepairOutcome.Skipped, "Not verified: the server has no MAPI virtual directory."), (verify.Outcome, verify.Message));
    }

    [Fact]
    public void The_table_view_reads_at_120_columns_one_line_per_result_without_a_group_header()
    {
        using var repair = new RepairSession();
        repair.Session.Invoke("""
            $global:Org.MapiHttpEnabled = $false
            $r = @(Repair-MapiVirtualDirectory -Server EX01 -EnableOrganization -AuthenticationMethods Negotiate -SkipVerify -Confirm:$false -BackupPath $b -WarningAction SilentlyContinue)
            $global:Count = $r.Count
            $r | Out-Default
            """, new() { ["b"] = repair.BackupFolder });
        int count = (int)repair.Get("$global:Count")!;

        // The session's host is 120 columns wide (the engine here has no Out-String; Out-Default formats the same view).
        string text = repair.Session.Host.Output;

        string[] lines = text.Replace("\r\n", "\n").Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("Server:", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.Length <= 120, $"{l.Length} columns: {l}"));
        Assert.Equal("Outcome      Action                   Machine          Change or message", lines[0].TrimEnd());
        Assert.Equal(2 + count, lines.Length);
        Assert.Equal("Changed      EnableOrganization       EX01             MapiHttpEnabled: False -> True", lines[2].TrimEnd());
        Assert.Equal("Changed      AddAuthenticationMethods EX01             IISAuthenticationMethods: Ntlm, OAuth -> Ntlm, OAuth, Negotiate", lines[3].TrimEnd());
        Assert.StartsWith("Skipped      ResetIis                 EX01             Not reset; the Exchange changes need it: iisreset EX01", lines[4], StringComparison.Ordinal);
    }

    private static RepairFacts Facts(bool? org = null, bool windows = true, bool anonymous = false, string[]? methods = null, (string Pool, string? State)[]? pools = null)
    {
        var facts = new RepairFacts("EX01")
        {
            VirtualDirectory = methods is null ? Vdir : Vdir with { AuthenticationMethods = methods },
            OrganizationMapiHttpEnabled = org,
            IisAuthentication = new IisAuthenticationFacts(windows, anonymous, new[] { "Negotiate", "NTLM" }),
        };
        foreach ((string pool, string? state) in pools ?? Array.Empty<(string, string?)>())
        {
            facts.PoolStates[pool] = state;
        }

        return facts;
    }
}
