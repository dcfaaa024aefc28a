using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.ClientState;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>
/// Repair-MapiHttpClientState against the registry stand-in, a temporary Outlook folder and a Credential Manager
/// stand-in: the changes with their before/after and backups, -WhatIf changing nothing, and failures changing nothing.
/// </summary>
public sealed class RepairMapiHttpClientStateTests : IDisposable
{
    private const string ExchangeKey = @"Software\Microsoft\Exchange";

    private static readonly string[] CredentialTargets =
    {
        "MicrosoftOffice16_Data:SSPI:alice@contoso.com", "MSOID:alice@contoso.com", "Domain:target=mail.contoso.com", "git:https://github.com", "TERMSRV/rds01.contoso.com",
    };

    private readonly TempFolder _temp = new();
    private readonly InMemoryRegistry _registry = new("the registry stand-in");
    private readonly CredentialStoreStandIn _credentials = new(CredentialTargets);
    private readonly string _backup;
    private readonly string _cache;

    public RepairMapiHttpClientStateTests()
    {
        RegFileParser.Load(ClientStateFixtures.Reg("disabled-hkcu.reg"), _registry);
        RegFileParser.Load(ClientStateFixtures.Reg("hklm-clicktorun.reg"), _registry);
        _backup = _temp.Combine("backup");
        _cache = ClientStateFixtures.OutlookFolder(
            _temp,
            TimeSpan.FromDays(12),
            ("mapihttp.xml", @"16\0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml"),
            ("rpc-only.xml", "{C5A1C3F4-0D2E-4B6A-9F1E-3B2A4C5D6E7F} - Autod.xml"));
    }

    public void Dispose()
    {
        _temp.Dispose();
    }

    /// <summary>A console session whose registry and Credential Manager are this test's stand-ins.</summary>
    private ModuleSession Session(int width = 120)
    {
        var session = new ModuleSession(width: width);
        session.Services().Registry = _registry;
        session.Services().CredentialStore = _credentials;
        return session;
    }

    private Dictionary<string, object?> Vars() => new() { ["backup"] = _backup, ["cache"] = _cache };

    private RegistryValue? MapiHttpDisabled => _registry.GetValue(RegistryRoot.User, ExchangeKey, "MapiHttpDisabled");

    /// <summary>Every file under the folder with its bytes, to prove a folder unchanged.</summary>
    private static Dictionary<string, byte[]> Snapshot(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    [Fact]
    public void Without_BackupPath_the_backup_goes_under_the_module_services_folder_not_the_profile()
    {
        using ModuleSession session = Session();
        session.Services().DefaultBackupFolder = _backup;

        MapiHttpClientRepairResult result = Assert.Single(session.Invoke("Repair-MapiHttpClientState", Vars()).Objects<MapiHttpClientRepairResult>());

        // Issue 11: <default folder>\<yyyyMMdd-HHmmss>\MapiHttpDisabled.reg, inside this test's temporary folder.
        Assert.Equal(_backup, Path.GetDirectoryName(Path.GetDirectoryName(result.BackupPath)));
        Assert.Equal("MapiHttpDisabled.reg", Path.GetFileName(result.BackupPath));
        Assert.True(File.Exists(result.BackupPath));
    }

    [Fact]
    public void MapiHttpDisabled_is_set_to_0_after_a_backup_that_restores_the_old_value()
    {
        Dictionary<string, byte[]> cacheBefore = Snapshot(_cache);
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -BackupPath $backup", Vars());

        Assert.Empty(run.Errors);
        MapiHttpClientRepairResult result = Assert.Single(run.Objects<MapiHttpClientRepairResult>());
        string backupFile = Path.Combine(_backup, "MapiHttpDisabled.reg");
        Assert.Equal(
            ("SetMapiHttpDisabled", CheckStatus.Pass, MapiHttpCause.NotEnabled, @"HKCU\Software\Microsoft\Exchange\MapiHttpDisabled", "1 (REG_DWORD)", "0 (REG_DWORD)", true, backupFile),
            (result.Action.ToString(), result.Status, result.Cause, result.Target!, (string)result.Before!, (string)result.After!, result.Changed, result.BackupPath!));
        Assert.Equal(Environment.MachineName, result.ComputerName);
        Assert.StartsWith("Restart Outlook", result.Recommendation, StringComparison.Ordinal);
        Assert.Equal((RegistryValueType.DWord, (object)0u), (MapiHttpDisabled!.Type, MapiHttpDisabled.Data));
        Assert.Equal(1L, _registry.GetValue(RegistryRoot.User, ExchangeKey, "AlwaysUseMSOAuthForAutoDiscover")!.AsNumber());

        // The backup is a real .reg file: importing it brings the old value back.
        var restored = new InMemoryRegistry();
        Assert.Equal("UTF-16LE", RegFileParser.Load(backupFile, restored));
        Assert.Equal((RegistryValueType.DWord, (object)1u), (restored.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Exchange", "MapiHttpDisabled")!.Type, restored.GetValueAt(@"HKEY_CURRENT_USER\Software\Microsoft\Exchange", "MapiHttpDisabled")!.Data));

        // Only what was asked: the cache and the credentials are untouched.
        Assert.Equal(cacheBefore.Keys.OrderBy(k => k), Snapshot(_cache).Keys.OrderBy(k => k));
        Assert.Equal(new[] { "MapiHttpDisabled.reg" }, Directory.GetFiles(_backup).Select(Path.GetFileName).ToArray());
        Assert.Empty(_credentials.Deleted);
        Assert.Equal(new[] { $"Restart Outlook (close it completely, then start it) for the changes to take effect. The previous state is in {_backup}." }, run.Warnings);
    }

    [Fact]
    public void RemoveMapiHttpDisabled_deletes_the_value_and_leaves_its_neighbours()
    {
        using ModuleSession session = Session();

        MapiHttpClientRepairResult result = session.Invoke("Repair-MapiHttpClientState -RemoveMapiHttpDisabled -BackupPath $backup", Vars()).Objects<MapiHttpClientRepairResult>().Single();

        Assert.Equal(("RemoveMapiHttpDisabled", "1 (REG_DWORD)", "(not set)", true), (result.Action.ToString(), (string)result.Before!, (string)result.After!, result.Changed));
        Assert.Null(MapiHttpDisabled);
        Assert.Equal(new[] { "AlwaysUseMSOAuthForAutoDiscover" }, _registry.GetValues(RegistryRoot.User, ExchangeKey).Select(v => v.Name).ToArray());
        Assert.True(File.Exists(result.BackupPath));
    }

    [Fact]
    public void WhatIf_changes_nothing_anywhere_and_says_what_it_would_do()
    {
        Dictionary<string, byte[]> cacheBefore = Snapshot(_cache);
        string[] registryBefore = _registry.GetValues(RegistryRoot.User, ExchangeKey).Select(v => v.Name + "=" + v.Display()).ToArray();
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -ClearAutodiscoverCache -AutodiscoverCachePath $cache -RemoveOfficeCredentials -BackupPath $backup -WhatIf", Vars());

        Assert.Empty(run.Errors);
        Assert.Equal(registryBefore, _registry.GetValues(RegistryRoot.User, ExchangeKey).Select(v => v.Name + "=" + v.Display()).ToArray());
        Assert.Equal(cacheBefore.Keys.OrderBy(k => k), Snapshot(_cache).Keys.OrderBy(k => k));
        Assert.All(Snapshot(_cache), f => Assert.Equal(cacheBefore[f.Key], f.Value));
        Assert.False(Directory.Exists(_backup), "-WhatIf created the backup folder");
        Assert.Empty(_credentials.Deleted);
        Assert.Empty(run.Warnings);

        MapiHttpClientRepairResult[] results = run.Objects<MapiHttpClientRepairResult>().ToArray();
        Assert.Equal(
            new[] { "SetMapiHttpDisabled", "MoveAutodiscoverCache", "MoveAutodiscoverCache", "RemoveCredential", "RemoveCredential", "RemoveCredential" },
            results.Select(r => r.Action.ToString()).ToArray());
        Assert.All(results, r => Assert.False(r.Changed));
        Assert.All(results, r => Assert.Equal(CheckStatus.Skipped, r.Status));
        Assert.All(results, r => Assert.Equal(r.Before, r.After));
        Assert.Contains($"What if: Performing the operation \"Set the value to 0 (REG_DWORD), now 1 (REG_DWORD); backup to {_backup}\" on target \"HKCU\\Software\\Microsoft\\Exchange\\MapiHttpDisabled\".", session.Host.Output, StringComparison.Ordinal);
        Assert.Contains("on target \"MSOID:alice@contoso.com\"", session.Host.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cache_is_moved_to_the_backup_folder_with_identical_content()
    {
        Dictionary<string, byte[]> before = Snapshot(_cache);
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -ClearAutodiscoverCache -AutodiscoverCachePath $cache -BackupPath $backup", Vars());

        Assert.Empty(run.Errors);
        MapiHttpClientRepairResult[] moves = run.Objects<MapiHttpClientRepairResult>().Where(r => r.Action == MapiRepairAction.MoveAutodiscoverCache).ToArray();
        string[] relative = { "{C5A1C3F4-0D2E-4B6A-9F1E-3B2A4C5D6E7F} - Autod.xml", Path.Combine("16", "0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml") };
        Assert.Equal(relative.Select(r => Path.Combine(_cache, r)), moves.Select(m => (string)m.Before!));
        Assert.Equal(relative.Select(r => Path.Combine(_backup, "AutodiscoverCache", r)), moves.Select(m => (string)m.After!));
        Assert.All(moves, m => Assert.True(m.Changed && m.BackupPath == (string?)m.After && m.Status == CheckStatus.Pass && m.Cause == MapiHttpCause.Client));
        foreach (string name in relative)
        {
            Assert.False(File.Exists(Path.Combine(_cache, name)));
            Assert.Equal(before[name], File.ReadAllBytes(Path.Combine(_backup, "AutodiscoverCache", name)));
        }

        Assert.Equal(new[] { "Outlook Settings.xml", "alice@contoso.com.ost" }, Snapshot(_cache).Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray());
        Assert.Equal((RegistryValueType.DWord, (object)0u), (MapiHttpDisabled!.Type, MapiHttpDisabled.Data));
    }

    [Fact]
    public void Only_Office_and_Exchange_credentials_are_removed_and_only_with_the_switch()
    {
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -RemoveOfficeCredentials -AutodiscoverCachePath $cache -BackupPath $backup", Vars());

        Assert.Empty(run.Errors);
        Assert.Equal(new[] { "MicrosoftOffice16_Data:SSPI:alice@contoso.com", "MSOID:alice@contoso.com", "Domain:target=mail.contoso.com" }, _credentials.Deleted);
        Assert.Equal(new[] { "git:https://github.com", "TERMSRV/rds01.contoso.com" }, _credentials.Enumerate().Select(e => e.TargetName).ToArray());
        MapiHttpClientRepairResult[] removed = run.Objects<MapiHttpClientRepairResult>().Where(r => r.Action == MapiRepairAction.RemoveCredential).ToArray();
        Assert.Equal(_credentials.Deleted, removed.Select(r => (string)r.Before!).ToArray());
        Assert.All(removed, r => Assert.Equal(("(removed)", true, (string?)null), ((string)r.After!, r.Changed, r.BackupPath)));
        Assert.Equal(2, Snapshot(_cache).Count(f => f.Key.EndsWith(".xml", StringComparison.Ordinal) && f.Key.Contains("Autod", StringComparison.Ordinal)));
    }

    [Fact]
    public void Nothing_to_do_changes_nothing_and_creates_no_backup()
    {
        _registry.SetValue(RegistryRoot.User, ExchangeKey, RegistryValue.DWord("MapiHttpDisabled", 0));
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -BackupPath $backup", Vars());

        MapiHttpClientRepairResult result = Assert.Single(run.Objects<MapiHttpClientRepairResult>());
        Assert.Equal(("0 (REG_DWORD)", "0 (REG_DWORD)", false, (string?)null, CheckStatus.Pass), ((string)result.Before!, (string)result.After!, result.Changed, result.BackupPath, result.Status));
        Assert.Equal("MapiHttpDisabled is already 0: nothing to change.", result.Message);
        Assert.False(Directory.Exists(_backup));
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void A_state_read_from_an_export_is_refused_and_the_live_registry_is_untouched()
    {
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke(
            "Get-MapiHttpClientState -RegistryExportPath $export | Repair-MapiHttpClientState -BackupPath $backup",
            new Dictionary<string, object?> { ["export"] = ClientStateFixtures.Reg("disabled-hkcu.reg"), ["backup"] = _backup });

        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal("OfflineRepairNotSupported,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.IsType<MapiHttpClientStateResult>(error.TargetObject);
        Assert.Contains("never edits .reg files", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(run.Output);
        Assert.Equal(1L, MapiHttpDisabled!.AsNumber());
        Assert.False(Directory.Exists(_backup));
    }

    [Fact]
    public void A_live_state_piped_in_repairs_that_user_and_its_cache_folder()
    {
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Get-MapiHttpClientState -AutodiscoverCachePath $cache | Repair-MapiHttpClientState -ClearAutodiscoverCache -BackupPath $backup", Vars());

        Assert.Empty(run.Errors);
        Assert.Equal(new[] { "SetMapiHttpDisabled", "MoveAutodiscoverCache", "MoveAutodiscoverCache" }, run.Objects<MapiHttpClientRepairResult>().Select(r => r.Action.ToString()).ToArray());
        Assert.Equal(0L, MapiHttpDisabled!.AsNumber());
        Assert.Equal(2, Directory.EnumerateFiles(Path.Combine(_backup, "AutodiscoverCache"), "*.xml", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public void When_the_backup_cannot_be_made_nothing_is_changed()
    {
        File.WriteAllText(_backup, "a file where the backup folder should go");
        Dictionary<string, byte[]> cacheBefore = Snapshot(_cache);
        using ModuleSession session = Session();

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -ClearAutodiscoverCache -AutodiscoverCachePath $cache -BackupPath $backup", Vars());

        Assert.Equal(Enumerable.Repeat("BackupFailed,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand", 3), run.ErrorIds);
        Assert.All(run.Errors, e => Assert.Equal(ErrorCategory.WriteError, e.CategoryInfo.Category));
        Assert.DoesNotContain(run.Objects<MapiHttpClientRepairResult>(), r => r.Changed);
        Assert.Equal(1L, MapiHttpDisabled!.AsNumber());
        Assert.Equal(cacheBefore.Keys.OrderBy(k => k), Snapshot(_cache).Keys.OrderBy(k => k));
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public void A_refused_registry_write_is_an_error_and_the_value_stays()
    {
        using ModuleSession session = Session();
        session.Services().Registry = new ReadOnlyRegistryStandIn(_registry);

        ScriptResult run = session.Invoke("Repair-MapiHttpClientState -BackupPath $backup; 'next'", Vars());

        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal("RegistryWriteFailed,MapiHttpTools.Commands.RepairMapiHttpClientStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.WriteError, error.CategoryInfo.Category);
        Assert.Equal(@"HKCU\Software\Microsoft\Exchange\MapiHttpDisabled", error.TargetObject);
        Assert.Contains("Access to the registry key is denied.", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1L, MapiHttpDisabled!.AsNumber());
        Assert.Equal("next", Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public void Without_a_registry_the_registry_step_is_skipped_with_the_reason_and_the_cache_is_still_cleared()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // On Windows the live registry is there; this is the Linux/macOS behaviour.
        }

        using var session = new ModuleSession();

        MapiHttpClientRepairResult[] results = session.Invoke("Repair-MapiHttpClientState -ClearAutodiscoverCache -AutodiscoverCachePath $cache -RemoveOfficeCredentials -BackupPath $backup", Vars()).Objects<MapiHttpClientRepairResult>().ToArray();

        Assert.Equal(
            new[] { ("SetMapiHttpDisabled", CheckStatus.Skipped, false), ("MoveAutodiscoverCache", CheckStatus.Pass, true), ("MoveAutodiscoverCache", CheckStatus.Pass, true), ("RemoveCredential", CheckStatus.Skipped, false) },
            results.Select(r => (r.Action.ToString(), r.Status, r.Changed)).ToArray());
        Assert.StartsWith("There is no Windows registry on Linux or macOS", results[0].Message, StringComparison.Ordinal);
        Assert.Equal("There is no Windows Credential Manager on Linux or macOS.", results[3].Message);
    }

    [Fact]
    public void The_cmdlet_declares_ShouldProcess_with_medium_impact_and_its_output_type()
    {
        var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(typeof(Commands.RepairMapiHttpClientStateCommand), typeof(CmdletAttribute))!;
        using ModuleSession session = Session();

        CmdletInfo cmdlet = session.Invoke("Get-Command Repair-MapiHttpClientState").Objects<CmdletInfo>().Single();

        Assert.True(attribute.SupportsShouldProcess);
        Assert.Equal(ConfirmImpact.Medium, attribute.ConfirmImpact);
        Assert.Contains("WhatIf", cmdlet.Parameters.Keys);
        Assert.Equal(typeof(MapiHttpClientRepairResult), Assert.Single(cmdlet.OutputType).Type);
    }

    [Fact]
    public void The_repair_table_view_shows_before_and_after()
    {
        using ModuleSession session = Session(width: 160);

        session.Invoke("Repair-MapiHttpClientState -BackupPath $backup | Out-Default", Vars());
        string plain = System.Text.RegularExpressions.Regex.Replace(session.Host.Output, "\u001b\\[[0-9;?]*[A-Za-z]", string.Empty);
        string[] lines = plain.Split(Environment.NewLine).Where(l => l.Trim().Length > 0).ToArray();

        // One table view for the repair result family (issue 12).
        Assert.Equal("Outcome      Action                   Machine          Change or message", lines[0].TrimEnd());
        Assert.StartsWith("Changed      SetMapiHttpDisabled      ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(" MapiHttpDisabled: 1 (REG_DWORD) -> 0 (REG_DWORD)", lines[2].TrimEnd(), StringComparison.Ordinal);
    }
}
