using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Lab;
using MapiHttpTools.Repair;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>
/// Repair-MapiVirtualDirectory through the imported module against stand-in Exchange cmdlets and a stand-in IIS that
/// record every call. In the "Lab" collection because the IIS and resolver seams are process-wide.
/// </summary>
[Collection("Lab")]
public sealed class RepairCommandTests : IDisposable
{
    private const string Command = "MapiHttpTools.Commands.RepairMapiVirtualDirectoryCommand";
    private const string Everything = "-EnableOrganization -InternalUrl https://mail.contoso.lab/mapi -AuthenticationMethods Negotiate -ResetIisAuthentication -StartAppPools -ResetIis";
    private readonly RepairSession _repair = new();

    public void Dispose() => _repair.Dispose();

    [Fact]
    public void Adding_Negotiate_keeps_OAuth_and_makes_exactly_one_Set_call()
    {
        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -SkipVerify -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                "Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeCalls);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, _repair.Methods);
        Assert.Empty(_repair.IisServers);

        MapiRepairResult change = run.Objects<MapiRepairResult>().First();
        Assert.Equal((MapiRepairAction.AddAuthenticationMethods, MapiRepairOutcome.Changed, CheckStatus.Pass), (change.Action, change.Outcome, change.Status));
        Assert.Equal(("IISAuthenticationMethods", RepairSession.Identity, "EX01"), (change.Setting, change.Target, change.Server));
        Assert.Equal(new[] { "Ntlm", "OAuth" }, (IEnumerable<string>)change.Before!);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, (IEnumerable<string>)change.After!);
        Assert.Equal(@"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", change.Command);
        Assert.Equal(Assert.Single(_repair.BackupFiles), change.BackupPath);

        // The guide's iisreset is named, not run.
        MapiRepairResult reset = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.ResetIis);
        Assert.Equal(MapiRepairOutcome.Skipped, reset.Outcome);
        Assert.Equal("iisreset EX01 /noforce", reset.Recommendation);
        Assert.Contains(run.Warnings, w => w.Contains("-ResetIis", StringComparison.Ordinal) && w.Contains("iisreset EX01 /noforce", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Objects<MapiRepairResult>(), r => r.Action == MapiRepairAction.Verify);
    }

    [Fact]
    public void WhatIf_prints_every_planned_change_and_calls_nothing_that_changes_and_writes_no_backup()
    {
        _repair.Break();

        ScriptResult run = _repair.Repair($"-Server EX01 {Everything} -WhatIf");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { "Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly", "Get-OrganizationConfig" }, _repair.ExchangeCalls);
        Assert.Empty(_repair.Iis.Calls);
        Assert.Empty(_repair.BackupFiles);
        Assert.False(Directory.Exists(_repair.BackupFolder));

        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        Assert.Equal(
            new[]
            {
                (MapiRepairAction.EnableOrganization, "MapiHttpEnabled", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.SetInternalUrl, "InternalUrl", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.AddAuthenticationMethods, "IISAuthenticationMethods", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.ResetIisAuthentication, "WindowsAuthentication", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.ResetIisAuthentication, "AnonymousAuthentication", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.StartAppPool, "State", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.StartAppPool, "State", MapiRepairOutcome.WhatIf),
                (MapiRepairAction.StartAppPool, "State", MapiRepairOutcome.NoChange),
                (MapiRepairAction.ResetIis, "IIS", MapiRepairOutcome.WhatIf),
            },
            results.Select(r => (r.Action, r.Setting!, r.Outcome)).ToArray());
        Assert.All(results, r => Assert.Null(r.BackupPath));

        string screen = _repair.Session.Host.Output;
        Assert.Contains("What if: Set MapiHttpEnabled of 'Organization' from False to True (Set-OrganizationConfig -MapiHttpEnabled $true)", screen, StringComparison.Ordinal);
        foreach (MapiRepairResult planned in results.Where(r => r.Outcome == MapiRepairOutcome.WhatIf))
        {
            Assert.Contains(planned.Command!, screen.Replace(Environment.NewLine, string.Empty), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_already_correct_server_gets_NoChange_everywhere_and_no_call_that_changes_anything()
    {
        _repair.Heal();

        ScriptResult run = _repair.Repair($"-Server EX01 {Everything} -RestartAppPools:$false -SkipVerify -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        Assert.Empty(_repair.ExchangeChanges);
        Assert.Empty(_repair.Iis.Calls);
        Assert.Empty(_repair.BackupFiles);
        Assert.Empty(run.Warnings);
        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        Assert.Equal(9, results.Length);
        Assert.All(results, r => Assert.Equal(MapiRepairOutcome.NoChange, r.Outcome));
        Assert.Contains(results, r => r.Message == "MapiHttpEnabled of the organisation is already True.");
        Assert.Contains(results, r => r.Message == "IISAuthenticationMethods already has Negotiate.");
        Assert.Contains(results, r => r.Message == "IIS on EX01 is not reset: nothing changes that needs it.");
    }

    [Fact]
    public void A_full_repair_backs_up_first_and_RestoreFrom_puts_everything_back()
    {
        _repair.Break();
        var iis = _repair.Iis;

        ScriptResult run = _repair.Repair($"-Server EX01 {Everything} -SkipVerify -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                "Set-OrganizationConfig -MapiHttpEnabled $true",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -InternalUrl https://mail.contoso.lab/mapi",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeChanges);
        Assert.Equal(
            new[]
            {
                "SetAuthenticationEnabled Default Web Site/mapi windowsAuthentication True",
                "SetAuthenticationEnabled Default Web Site/mapi anonymousAuthentication False",
                "StartAppPool MSExchangeMapiFrontEndAppPool",
                "StartAppPool MSExchangeMapiMailboxAppPool",
                "ResetIis",
            },
            iis.Calls);
        string backupPath = Assert.Single(_repair.BackupFiles);
        Assert.Matches(@"MapiRepair-EX01-\d{8}T\d{6}Z\.xml$", backupPath);
        Assert.All(run.Objects<MapiRepairResult>(), r => Assert.Equal(backupPath, r.BackupPath));
        Assert.Equal(MapiRepairOutcome.Changed, run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.ResetIis).Outcome);

        // The file: a versioned table of everything the repair touched, as it was before.
        RepairBackup backup = RepairBackup.Read(backupPath);
        Assert.Equal("EX01", backup.Server);
        Assert.Equal(
            new (string, string, object?)[]
            {
                ("Organization", "MapiHttpEnabled", false),
                (RepairSession.Identity, "Exists", true),
                (RepairSession.Identity, "Server", "EX01"),
                (RepairSession.Identity, "InternalUrl", "https://old.contoso.lab/mapi"),
                (RepairSession.Identity, "ExternalUrl", null),
                ("Default Web Site/mapi", "WindowsAuthentication", false),
                ("Default Web Site/mapi", "AnonymousAuthentication", true),
                ("MSExchangeMapiFrontEndAppPool", "State", "Stopped"),
                ("MSExchangeMapiMailboxAppPool", "State", "Stopped"),
            },
            backup.Items().Where(i => i.Setting != "IISAuthenticationMethods").ToArray());
        Assert.Equal(new[] { "Ntlm", "OAuth" }, (string[])backup.Items().Single(i => i.Setting == "IISAuthenticationMethods").Value!);
        var table = (System.Collections.Hashtable)((PSObject)PSSerializer.Deserialize(File.ReadAllText(backupPath))).BaseObject;
        Assert.Equal(("MapiHttpTools.RepairBackup", 1, "EX01"), (table["Kind"], table["FormatVersion"], table["Server"]));
        Assert.Equal(DateTimeKind.Utc, ((DateTime)table["CreatedUtc"]!).Kind);
        Assert.Equal(new[] { "CreatedUtc", "FormatVersion", "Items", "Kind", "ModuleVersion", "Server" }, table.Keys.Cast<string>().OrderBy(k => k, StringComparer.Ordinal));

        // Restore: everything back, in the fixed order, with its own backup first.
        iis.Calls.Clear();
        _repair.Set("$global:ExchangeCalls.Clear()");
        ScriptResult restore = _repair.Repair("-Server EX01 -RestoreFrom $path -Force -SkipVerify -Confirm:$false", new() { ["path"] = backupPath });

        Assert.Empty(restore.ErrorIds);
        Assert.Equal(
            new[]
            {
                "Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly",
                "Get-OrganizationConfig",
                "Set-OrganizationConfig -MapiHttpEnabled $false",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -InternalUrl https://old.contoso.lab/mapi",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth",
            },
            _repair.ExchangeCalls);
        Assert.Equal(
            new[]
            {
                "SetAuthenticationEnabled Default Web Site/mapi windowsAuthentication False",
                "SetAuthenticationEnabled Default Web Site/mapi anonymousAuthentication True",
                "StopAppPool MSExchangeMapiFrontEndAppPool",
                "StopAppPool MSExchangeMapiMailboxAppPool",
            },
            iis.Calls);
        Assert.False((bool)_repair.Get("$global:Org.MapiHttpEnabled")!);
        Assert.Equal("https://old.contoso.lab/mapi", _repair.Get("\"$($global:Vdir.InternalUrl)\""));
        Assert.Equal(new[] { "Ntlm", "OAuth" }, _repair.Methods);
        Assert.Equal((false, true), (iis.Windows, iis.Anonymous));
        Assert.Contains(restore.Warnings, w => w.StartsWith("The restore put AnonymousAuthentication of Default Web Site/mapi on EX01 back to True", StringComparison.Ordinal));
        Assert.Contains(restore.Warnings, w => w.StartsWith("The restore put WindowsAuthentication of Default Web Site/mapi on EX01 back to False", StringComparison.Ordinal));

        MapiRepairResult[] restored = restore.Objects<MapiRepairResult>().ToArray();
        Assert.All(restored.Where(r => r.Outcome == MapiRepairOutcome.Changed), r => Assert.Equal(MapiRepairAction.Restore, r.Action));
        Assert.Equal(7, restored.Count(r => r.Outcome == MapiRepairOutcome.Changed));
        Assert.Equal(2, _repair.BackupFiles.Length);
        string restoreBackup = _repair.BackupFiles.Single(f => f != backupPath);
        Assert.All(restored.Where(r => r.Action == MapiRepairAction.Restore), r => Assert.Equal(restoreBackup, r.BackupPath));
        Assert.True(RepairBackup.Read(restoreBackup).OrganizationMapiHttpEnabled);
    }

    [Fact]
    public void A_failure_midway_stops_there_and_reports_what_changed_what_did_not_and_the_backup()
    {
        _repair.Break();
        _repair.Set("$global:FailOn = @{ Command = 'Set-MapiVirtualDirectory'; Parameter = 'InternalUrl'; Message = 'Active Directory operation failed on DC01.contoso.lab.' }");

        ScriptResult run = _repair.Repair("-Server EX01 -EnableOrganization -InternalUrl https://mail.contoso.lab/mapi -AuthenticationMethods Negotiate -StartAppPools -Confirm:$false");

        Assert.Equal(
            new[] { "Set-OrganizationConfig -MapiHttpEnabled $true", @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -InternalUrl https://mail.contoso.lab/mapi" },
            _repair.ExchangeChanges);
        Assert.Empty(_repair.Iis.Calls);
        string backupPath = Assert.Single(_repair.BackupFiles);

        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        Assert.Equal(
            new[] { MapiRepairOutcome.Changed, MapiRepairOutcome.Failed, MapiRepairOutcome.NotAttempted, MapiRepairOutcome.NotAttempted, MapiRepairOutcome.NotAttempted, MapiRepairOutcome.NoChange },
            results.Where(r => r.Action != MapiRepairAction.ResetIis).Select(r => r.Outcome).ToArray());
        MapiRepairResult failed = results.Single(r => r.Outcome == MapiRepairOutcome.Failed);
        Assert.Equal(CheckStatus.Error, failed.Status);
        Assert.Contains("Active Directory operation failed on DC01.contoso.lab.", failed.Message, StringComparison.Ordinal);
        Assert.Contains("Changed before it: MapiHttpEnabled of 'Organization'.", failed.Message, StringComparison.Ordinal);
        Assert.Contains(@"Not attempted: IISAuthenticationMethods of 'EX01\mapi (Default Web Site)', State of 'MSExchangeMapiFrontEndAppPool', State of 'MSExchangeMapiMailboxAppPool'.", failed.Message, StringComparison.Ordinal);
        Assert.Contains(backupPath, failed.Message, StringComparison.Ordinal);
        Assert.Equal($"Repair-MapiVirtualDirectory -Server EX01 -RestoreFrom {backupPath}", failed.Recommendation);
        Assert.All(results.Where(r => r.Outcome == MapiRepairOutcome.NotAttempted), r => Assert.StartsWith("Not attempted: the change before it (InternalUrl of", r.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(results, r => r.Action == MapiRepairAction.Verify);

        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal($"RepairFailed,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal("EX01", error.TargetObject);
        Assert.Contains(backupPath, error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Recreate_without_Force_refuses_before_any_call()
    {
        ErrorRecord error = _repair.Terminating("-Server EX01 -Recreate -Confirm:$false");

        Assert.Equal($"RecreateRequiresForce,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Contains("-Force", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(_repair.ExchangeCalls);
        Assert.Empty(_repair.IisServers);
        Assert.Empty(_repair.BackupFiles);
    }

    [Fact]
    public void Recreate_with_Force_removes_and_creates_with_the_URLs_and_all_methods_then_restore_brings_the_old_settings_back()
    {
        ScriptResult run = _repair.Repair("-Server EX01 -Recreate -Force -ExternalUrl https://mail.contoso.com/mapi -SkipVerify -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                @"Remove-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -Confirm:$false",
                "New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.lab/mapi -ExternalUrl https://mail.contoso.com/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeChanges);
        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        Assert.Equal(new[] { MapiRepairAction.Recreate, MapiRepairAction.Recreate, MapiRepairAction.ResetIis }, results.Select(r => r.Action));
        Assert.Equal(new[] { MapiRepairOutcome.Changed, MapiRepairOutcome.Changed, MapiRepairOutcome.Skipped }, results.Select(r => r.Outcome));
        Assert.Equal("InternalUrl=https://mail.contoso.lab/mapi; ExternalUrl=(none); IISAuthenticationMethods=Ntlm, OAuth", results[0].Before);
        Assert.True(RepairBackup.Read(Assert.Single(_repair.BackupFiles)).VirtualDirectory!.Exists);

        _repair.Set("$global:ExchangeCalls.Clear()");
        ScriptResult restore = _repair.Repair("-Server EX01 -RestoreFrom $path -SkipVerify -Confirm:$false", new() { ["path"] = _repair.BackupFiles.Single() });
        Assert.Empty(restore.ErrorIds);
        Assert.Equal(
            new[]
            {
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -ExternalUrl $null",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth",
            },
            _repair.ExchangeChanges);
    }

    [Fact]
    public void Declining_at_the_prompt_changes_nothing_and_says_so()
    {
        _repair.Break();
        _repair.Session.Host.Choices.Enqueue(2); // "No" of Yes / Yes to All / No / No to All / Suspend

        ScriptResult run = _repair.Repair("-Server EX01 -EnableOrganization -SkipVerify");

        Assert.Empty(_repair.ExchangeChanges);
        Assert.Empty(_repair.BackupFiles);
        MapiRepairResult result = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.EnableOrganization);
        Assert.Equal(MapiRepairOutcome.Skipped, result.Outcome);
        Assert.Equal("Not changed: declined at the confirmation prompt.", result.Message);
    }

    [Fact]
    public void Without_Exchange_cmdlets_it_stops_with_one_error_that_says_what_to_do()
    {
        using var bare = new RepairSession(standIns: false);
        ErrorRecord error = bare.Terminating("-Server EX01 -EnableOrganization -Confirm:$false");

        Assert.Equal($"ExchangeCmdletsNotFound,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("Get-MapiVirtualDirectory, Get-OrganizationConfig, Set-OrganizationConfig", error.TargetObject);
        Assert.Contains("Exchange Management Shell", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(bare.IisServers);
    }

    [Theory]
    [InlineData("-InternalUrl http://mail.contoso.lab/mapi")]
    [InlineData("-InternalUrl https://mail.contoso.lab/owa")]
    [InlineData("-ExternalUrl mail.contoso.lab/mapi")]
    public void A_URL_that_is_not_an_https_mapi_URL_is_refused_before_any_call(string argument)
    {
        ErrorRecord error = _repair.Terminating($"-Server EX01 {argument} -Confirm:$false");

        Assert.Equal($"InvalidUrl,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void Nothing_asked_is_an_error_and_nothing_is_called()
    {
        ErrorRecord error = _repair.Terminating("-Server EX01 -Confirm:$false");

        Assert.Equal($"NoRepairRequested,{Command}", error.FullyQualifiedErrorId);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void No_server_is_an_error()
    {
        ErrorRecord error = _repair.Terminating("-EnableOrganization -Confirm:$false");

        Assert.Equal($"ServerNotSpecified,{Command}", error.FullyQualifiedErrorId);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void A_missing_virtual_directory_is_an_error_for_that_server_unless_recreated()
    {
        _repair.Set("$global:Vdir = $null");

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -Confirm:$false");
        Assert.Equal($"VirtualDirectoryNotFound,{Command}", Assert.Single(run.ErrorIds));
        Assert.Empty(_repair.ExchangeChanges);

        ScriptResult recreate = _repair.Repair("-Server EX01 -Recreate -Force -InternalUrl https://mail.contoso.lab/mapi -SkipVerify -Confirm:$false");
        Assert.Empty(recreate.ErrorIds);
        Assert.Equal(new[] { "New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.lab/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate" }, _repair.ExchangeChanges);
        Assert.False(RepairBackup.Read(Assert.Single(_repair.BackupFiles)).VirtualDirectory!.Exists);
    }

    [Fact]
    public void A_damaged_or_foreign_backup_is_BackupInvalid_naming_the_file_and_nothing_is_called()
    {
        string damaged = Path.Combine(_repair.Folder, "damaged.xml");
        File.WriteAllText(damaged, "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><Obj RefId=\"0\"><DCT>");
        string foreign = Path.Combine(_repair.Folder, "foreign.xml");
        _repair.Set("[System.IO.File]::WriteAllText($p, [System.Management.Automation.PSSerializer]::Serialize(@{ Name = 'not a backup' }))", new() { ["p"] = foreign });
        string newer = Path.Combine(_repair.Folder, "newer.xml");
        _repair.Set("[System.IO.File]::WriteAllText($p, [System.Management.Automation.PSSerializer]::Serialize(@{ Kind = 'MapiHttpTools.RepairBackup'; FormatVersion = 2; Server = 'EX01'; CreatedUtc = [datetime]::UtcNow; Items = @() }))", new() { ["p"] = newer });

        foreach ((string path, string why) in new[] { (damaged, "it is not a CLIXML file"), (foreign, "it is not a backup of Repair-MapiVirtualDirectory"), (newer, "written by a newer MapiHttpTools") })
        {
            ErrorRecord error = _repair.Terminating("-Server EX01 -RestoreFrom $path -Confirm:$false", new() { ["path"] = path });
            Assert.Equal($"BackupInvalid,{Command}", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
            Assert.Equal(path, error.TargetObject);
            Assert.StartsWith($"'{path}' is not a usable backup of Repair-MapiVirtualDirectory: ", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains(why, error.Exception.Message, StringComparison.Ordinal);
        }

        ErrorRecord missing = _repair.Terminating("-Server EX01 -RestoreFrom $path -Confirm:$false", new() { ["path"] = Path.Combine(_repair.Folder, "none.xml") });
        Assert.Equal($"BackupNotFound,{Command}", missing.FullyQualifiedErrorId);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void Restart_recycles_running_pools_starts_stopped_ones_and_touches_no_other_pool()
    {
        _repair.Iis.Pools["MSExchangeMapiAddressBookAppPool"] = "Stopped";

        ScriptResult run = _repair.Repair("-Server EX01 -RestartAppPools -SkipVerify -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[] { "RecycleAppPool MSExchangeMapiFrontEndAppPool", "RecycleAppPool MSExchangeMapiMailboxAppPool", "StartAppPool MSExchangeMapiAddressBookAppPool" },
            _repair.Iis.Calls);
        Assert.Empty(_repair.ExchangeChanges);
        Assert.Equal(new[] { "EX01" }, _repair.IisServers);
        Assert.DoesNotContain(run.Objects<MapiRepairResult>(), r => r.Action == MapiRepairAction.ResetIis);
    }
}
