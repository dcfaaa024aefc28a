using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.ClientState;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>Get-MapiHttpClientState as an admin runs it: offline exports, the live registry's stand-in, errors, the table view.</summary>
public sealed class GetMapiHttpClientStateTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public GetMapiHttpClientStateTests()
    {
    }

    public void Dispose()
    {
        _temp.Dispose();
    }

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] pairs) => pairs.ToDictionary(p => p.Name, p => p.Value);

    private static MapiHttpClientFinding Finding(MapiHttpClientStateResult result, string check) => result.Findings.First(f => f.Check == check);

    /// <summary>
    /// Runs the command inside try/catch: only a terminating error reaches the catch block, so a caught record proves
    /// the error stopped the command (a non-terminating one would be written to the error stream instead).
    /// </summary>
    internal static ErrorRecord? Terminating(ModuleSession session, string command, Dictionary<string, object?> variables, out ScriptResult run)
    {
        run = session.Invoke("try { " + command + " } catch { [pscustomobject]@{ Caught = $_ } }", variables);
        return run.Output.Select(o => o.Properties["Caught"]?.Value).OfType<ErrorRecord>().SingleOrDefault();
    }

    [Fact]
    public void A_healthy_client_from_its_exports_passes_with_every_fact_typed()
    {
        string cache = ClientStateFixtures.OutlookFolder(_temp, TimeSpan.FromDays(2), ("mapihttp.xml", @"16\0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml"));
        using var session = new ModuleSession();

        ScriptResult run = session.Invoke(
            "Get-MapiHttpClientState -RegistryExportPath $user, $machine -AutodiscoverCachePath $cache",
            Vars(("user", ClientStateFixtures.Reg("good-hkcu.reg")), ("machine", ClientStateFixtures.Reg("hklm-clicktorun.reg")), ("cache", cache)));

        Assert.Empty(run.Errors);
        MapiHttpClientStateResult result = Assert.Single(run.Objects<MapiHttpClientStateResult>());
        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, "ClientState"), (result.Status, result.Cause, result.Check));
        Assert.Equal("RegistryExport", result.Source);
        Assert.Equal(new[] { ClientStateFixtures.Reg("good-hkcu.reg"), ClientStateFixtures.Reg("hklm-clicktorun.reg") }, result.RegistryExportPath);
        Assert.Null(result.ComputerName);
        Assert.Null(result.MapiHttpDisabled);
        Assert.Equal(new Version(16, 0, 17928, 20156), result.OutlookVersion);
        Assert.Equal(("Microsoft 365 Apps", MapiHttpOfficeInstallType.ClickToRun, "Monthly Enterprise Channel", "x64"), (result.OutlookProduct, result.OfficeInstallType, result.OutlookChannel, result.OutlookBitness));
        Assert.True(result.OutlookSupportsMapiHttp);
        Assert.Equal(new[] { "ExcludeExplicitO365Endpoint=1", "ExcludeHttpsRootDomain=1" }, result.AutodiscoverOverrides.Select(s => s.ToString()).ToArray());
        Assert.All(result.AutodiscoverOverrides, s => Assert.Equal(@"HKCU\Software\Microsoft\Office\16.0\Outlook\AutoDiscover", s.KeyPath));
        Assert.StartsWith("1: Outlook 2016 and later skip the direct Office 365 Autodiscover check", result.AutodiscoverOverrides[0].Effect, StringComparison.Ordinal);
        Assert.Equal(new[] { "EnableADAL=1", "Version=1" }, result.ModernAuthentication.Select(s => s.ToString()).ToArray());
        MapiHttpCachedAutodiscover cached = Assert.Single(result.CachedAutodiscover);
        Assert.True(cached.HasMapiHttp);
        Assert.Equal(cache, result.AutodiscoverCachePath);
        Assert.Empty(result.CredentialTargets);
        Assert.Equal(
            new[] { ("OutlookVersion", CheckStatus.Pass), ("MapiHttpDisabled", CheckStatus.Pass), ("AutodiscoverOverrides", CheckStatus.Pass), ("ModernAuthentication", CheckStatus.Pass), ("AutodiscoverCache", CheckStatus.Pass), ("CredentialManager", CheckStatus.Skipped) },
            result.Findings.Select(f => (f.Check, f.Status)).ToArray());
        Assert.Equal(
            "Nothing found that keeps Microsoft 365 Apps 16.0.17928.20156 (Monthly Enterprise Channel, x64, Click-to-Run) from using MAPI/HTTP, but 1 check was skipped: Credential Manager is not part of a registry export; run Get-MapiHttpClientState on the client to list its entries.",
            result.Message);
        Assert.Equal("Current Channel", Finding(result, "OutlookVersion").Evidence["AssignedChannel"]);
    }

    [Theory]
    [InlineData("disabled-hkcu.reg")]
    [InlineData("disabled-hkcu-utf8.reg")]
    [InlineData("disabled-hkcu-utf16-nobom.reg")]
    public void MapiHttpDisabled_fails_as_NotEnabled_and_every_override_is_a_finding(string userExport)
    {
        using var session = new ModuleSession();

        MapiHttpClientStateResult result = session.Invoke(
            "Get-MapiHttpClientState -RegistryExportPath $user, $machine",
            Vars(("user", ClientStateFixtures.Reg(userExport)), ("machine", ClientStateFixtures.Reg("hklm-clicktorun.reg")))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled, 1L), (result.Status, result.Cause, result.MapiHttpDisabled));
        Assert.Equal("Repair-MapiHttpClientState; then restart Outlook", result.Recommendation);
        Assert.StartsWith("MapiHttpDisabled is 1: Outlook does not ask Autodiscover for MAPI/HTTP", result.Message, StringComparison.Ordinal);
        Assert.EndsWith("(4 more findings need attention: see Findings.)", result.Message, StringComparison.Ordinal);
        MapiHttpClientFinding disabled = Finding(result, "MapiHttpDisabled");
        Assert.Equal(@"HKCU\Software\Microsoft\Exchange\MapiHttpDisabled", disabled.Target);
        Assert.Equal("1 (REG_DWORD)", disabled.Evidence["Value"]);
        Assert.Equal(
            new[]
            {
                ("AutodiscoverOverrides", CheckStatus.Warning, MapiHttpCause.Client, @"HKCU\Software\Microsoft\Office\16.0\Outlook\AutoDiscover\PreferLocalXML"),
                ("AutodiscoverOverrides", CheckStatus.Warning, MapiHttpCause.Client, @"HKCU\Software\Microsoft\Office\16.0\Outlook\AutoDiscover\ExcludeScpLookup"),
                ("ModernAuthentication", CheckStatus.Warning, MapiHttpCause.Authentication, @"HKCU\Software\Microsoft\Exchange\AlwaysUseMSOAuthForAutoDiscover"),
                ("ModernAuthentication", CheckStatus.Warning, MapiHttpCause.Authentication, @"HKCU\Software\Microsoft\Office\16.0\Common\Identity\EnableADAL"),
            },
            result.Findings.Where(f => f.Status == CheckStatus.Warning).Select(f => (f.Check, f.Status, f.Cause, f.Target!)).ToArray());
        Assert.Contains("contoso.com=C:\\Autodiscover\\contoso.xml", Finding(result, "AutodiscoverOverrides").Message, StringComparison.Ordinal);
        Assert.Contains(result.AutodiscoverOverrides, s => s.Name == "contoso.com" && s.Effect.StartsWith("Local Autodiscover XML file for contoso.com", StringComparison.Ordinal));
        Assert.Equal(CheckStatus.Skipped, Finding(result, "AutodiscoverCache").Status);
    }

    [Fact]
    public void Outlook_2013_before_SP1_fails_as_a_client_cause()
    {
        using var session = new ModuleSession();

        MapiHttpClientStateResult result = session.Invoke(
            "Get-MapiHttpClientState -RegistryExportPath $user, $machine",
            Vars(("user", ClientStateFixtures.Reg("good-hkcu.reg")), ("machine", ClientStateFixtures.Reg("hklm-outlook2013-rtm.reg")))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Client, false), (result.Status, result.Cause, result.OutlookSupportsMapiHttp));
        Assert.Equal((MapiHttpOfficeInstallType.Msi, "Outlook 2013", new Version(15, 0, 4420, 1017), (string?)null), (result.OfficeInstallType, result.OutlookProduct, result.OutlookVersion!, result.OutlookChannel));
        Assert.Equal(
            "Outlook 2013 15.0.4420.1017 (x86, MSI) cannot use MAPI/HTTP: MAPI/HTTP needs Outlook 2013 SP1 (15.0.4569.1506) or later. It connects with Outlook Anywhere (RPC/HTTP) at best.",
            result.Message);
        Assert.Equal(@"HKLM\SOFTWARE\WOW6432Node\Microsoft\Office\15.0\Outlook", Finding(result, "OutlookVersion").Target);
    }

    [Fact]
    public void Cached_Autodiscover_without_mapiHttp_or_broken_is_a_warning_per_file_not_a_crash()
    {
        string cache = ClientStateFixtures.OutlookFolder(
            _temp,
            TimeSpan.FromDays(40),
            ("rpc-only.xml", "{C5A1C3F4-0D2E-4B6A-9F1E-3B2A4C5D6E7F} - Autod.xml"),
            ("malformed.xml", "9d1c3e5f7a9b4c2d8e0f1a2b3c4d5e6f - Autodiscover.xml"),
            ("mapihttp.xml", @"16\0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml"));
        using var session = new ModuleSession();

        ScriptResult run = session.Invoke(
            "Get-MapiHttpClientState -RegistryExportPath $user, $machine -AutodiscoverCachePath $cache",
            Vars(("user", ClientStateFixtures.Reg("good-hkcu.reg")), ("machine", ClientStateFixtures.Reg("hklm-clicktorun.reg")), ("cache", cache)));

        Assert.Empty(run.Errors);
        MapiHttpClientStateResult result = run.Objects<MapiHttpClientStateResult>().Single();
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Client), (result.Status, result.Cause));
        Assert.Equal("Repair-MapiHttpClientState -ClearAutodiscoverCache; then restart Outlook", result.Recommendation);
        MapiHttpClientFinding[] cacheFindings = result.Findings.Where(f => f.Check == "AutodiscoverCache").ToArray();
        Assert.Equal(new[] { CheckStatus.Warning, CheckStatus.Warning, CheckStatus.Pass }, cacheFindings.Select(f => f.Status).ToArray());
        Assert.StartsWith("'9d1c3e5f7a9b4c2d8e0f1a2b3c4d5e6f - Autodiscover.xml' (written 40 day(s) ago) is not a readable Autodiscover response: ", cacheFindings[0].Message, StringComparison.Ordinal);
        Assert.StartsWith("The cached Autodiscover response for alice@contoso.com ('{C5A1C3F4-0D2E-4B6A-9F1E-3B2A4C5D6E7F} - Autod.xml', written 40 day(s) ago) has no mapiHttp protocol (it offers EXCH, EXPR, WEB)", cacheFindings[1].Message, StringComparison.Ordinal);
        Assert.Equal("The cached Autodiscover response for alice@contoso.com ('0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml', written 40 day(s) ago) offers MAPI/HTTP: MailStore https://mail.contoso.com/mapi/emsmdb/?MailboxId=3b1e9f0a-62d4-4c8e-a1f7-5d2c8b9e0a13@contoso.com.", cacheFindings[2].Message);
        Assert.Equal(new[] { false, false, true }, result.CachedAutodiscover.Select(c => c.HasMapiHttp).ToArray());
        Assert.NotNull(result.CachedAutodiscover[0].ParseError);
    }

    [Fact]
    public void An_HKEY_USERS_export_is_read_as_that_user_and_names_the_missing_machine_keys()
    {
        using var session = new ModuleSession();

        MapiHttpClientStateResult result = session.Invoke("Get-MapiHttpClientState -RegistryExportPath $user", Vars(("user", ClientStateFixtures.Reg("hku-user.reg")))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal((ClientStateFixtures.UserSid, 1L, CheckStatus.Fail), (result.UserSid!, result.MapiHttpDisabled!.Value, result.Status));
        Assert.Equal($@"HKU\{ClientStateFixtures.UserSid}\Software\Microsoft\Exchange\MapiHttpDisabled", Finding(result, "MapiHttpDisabled").Target);
        Assert.Equal($"Repair-MapiHttpClientState -UserSid {ClientStateFixtures.UserSid}; then restart Outlook", result.Recommendation);
        MapiHttpClientFinding version = Finding(result, "OutlookVersion");
        Assert.Equal(CheckStatus.Skipped, version.Status);
        Assert.Contains("reg export HKLM\\SOFTWARE\\Microsoft\\Office office.reg", version.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_export_of_only_the_machine_skips_the_user_checks_with_the_reason()
    {
        using var session = new ModuleSession();

        MapiHttpClientStateResult result = session.Invoke("Get-MapiHttpClientState -RegistryExportPath $machine", Vars(("machine", ClientStateFixtures.Reg("hklm-clicktorun.reg")))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Null(result.MapiHttpDisabled);
        MapiHttpClientFinding disabled = Finding(result, "MapiHttpDisabled");
        Assert.Equal(CheckStatus.Skipped, disabled.Status);
        Assert.StartsWith("The registry export holds no user hive", disabled.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_export_path_is_resolved_against_the_PowerShell_location()
    {
        using var session = new ModuleSession();

        MapiHttpClientStateResult result = session.Invoke(
            "$null = $ExecutionContext.SessionState.Path.SetLocation($folder); Get-MapiHttpClientState -RegistryExportPath disabled-hkcu.reg",
            Vars(("folder", ClientStateFixtures.Root))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal(new[] { ClientStateFixtures.Reg("disabled-hkcu.reg") }, result.RegistryExportPath);
        Assert.Equal(1L, result.MapiHttpDisabled);
    }

    [Theory]
    [InlineData("malformed-dword.reg", "line 4: 'dword:1x' is not a DWORD")]
    [InlineData("malformed-hex.reg", "line 7: 'zz' in the hex data of 'Identity Eid' is not a byte")]
    public void A_bad_line_is_one_error_with_its_line_number_and_the_rest_is_still_analysed(string file, string text)
    {
        // Issue 20: one bad item is one clear error; the run goes on.
        using var session = new ModuleSession();
        string path = ClientStateFixtures.Reg(file);

        ScriptResult run = session.Invoke("Get-MapiHttpClientState -RegistryExportPath $path", Vars(("path", path)));

        ErrorRecord error = Assert.Single(run.Errors);
        Assert.Equal("RegistryExportInvalid,MapiHttpTools.Commands.GetMapiHttpClientStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(path, error.TargetObject);
        Assert.Contains(text, error.Exception.Message, StringComparison.Ordinal);
        Assert.Single(run.Objects<MapiHttpClientStateResult>());
    }

    [Theory]
    [InlineData("hku-two-users.reg", "RegistryExportAmbiguousUser", ErrorCategory.InvalidArgument, "name the one to examine with -UserSid")]
    [InlineData("does-not-exist.reg", "RegistryExportNotFound", ErrorCategory.ObjectNotFound, "does not exist")]
    public void Bad_offline_input_stops_the_command_with_a_clear_error(string file, string id, ErrorCategory category, string text)
    {
        using var session = new ModuleSession();
        string path = ClientStateFixtures.Reg(file);

        ErrorRecord error = Terminating(session, "Get-MapiHttpClientState -RegistryExportPath $path", Vars(("path", path)), out ScriptResult run)!;

        Assert.Single(run.Output);
        Assert.Empty(run.Errors);
        Assert.Equal($"{id},MapiHttpTools.Commands.GetMapiHttpClientStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Equal(path, error.TargetObject);
        Assert.Contains(text, error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_path_that_does_not_exist_stops_the_command()
    {
        using var session = new ModuleSession();
        string missing = _temp.Combine("no-such-folder");

        ErrorRecord error = Terminating(session, "Get-MapiHttpClientState -RegistryExportPath $user -AutodiscoverCachePath $missing", Vars(("user", ClientStateFixtures.Reg("good-hkcu.reg")), ("missing", missing)), out _)!;

        Assert.Equal("AutodiscoverCachePathNotFound,MapiHttpTools.Commands.GetMapiHttpClientStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(missing, error.TargetObject);
    }

    [Fact]
    public void Without_Windows_and_without_offline_input_it_says_so_plainly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // On Windows the live registry is there; this is the Linux/macOS behaviour.
        }

        using var session = new ModuleSession();

        ErrorRecord error = Terminating(session, "Get-MapiHttpClientState", Vars(), out _)!;

        Assert.Equal("ClientStateUnavailableOnPlatform,MapiHttpTools.Commands.GetMapiHttpClientStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotImplemented, error.CategoryInfo.Category);
        Assert.Contains("this is Linux or macOS, which has none of them", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("-RegistryExportPath", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_Windows_a_cache_folder_alone_is_analysed_and_the_registry_checks_say_why_they_were_skipped()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // On Windows the live registry would be read as well.
        }

        string cache = ClientStateFixtures.OutlookFolder(_temp, TimeSpan.FromHours(5), ("rpc-only.xml", "a - Autodiscover.xml"));
        using var session = new ModuleSession();

        MapiHttpClientStateResult result = session.Invoke("Get-MapiHttpClientState -AutodiscoverCachePath $cache", Vars(("cache", cache))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal(CheckStatus.Warning, result.Status);
        Assert.Equal("There is no Windows registry on Linux or macOS: analyse a client offline with -RegistryExportPath (a .reg file from 'reg export').", Finding(result, "MapiHttpDisabled").Message);
        Assert.Equal(CheckStatus.Skipped, Finding(result, "CredentialManager").Status);
        Assert.False(Assert.Single(result.CachedAutodiscover).HasMapiHttp);
    }

    [Fact]
    public void The_live_registry_stand_in_and_Credential_Manager_stand_in_are_read_like_the_real_ones()
    {
        var registry = new InMemoryRegistry();
        RegFileParser.Load(ClientStateFixtures.Reg("disabled-hkcu.reg"), registry);
        RegFileParser.Load(ClientStateFixtures.Reg("hklm-clicktorun.reg"), registry);
        string cache = ClientStateFixtures.OutlookFolder(_temp, TimeSpan.FromDays(1), ("mapihttp.xml", "a - Autodiscover.xml"));
        using var session = new ModuleSession();
        session.Services().Registry = registry;
        session.Services().CredentialStore = new CredentialStoreStandIn(
            "MicrosoftOffice16_Data:SSPI:alice@contoso.com", "MSOID:alice@contoso.com", "Domain:target=mail.contoso.com", "git:https://github.com", "TERMSRV/rds01.contoso.com");

        MapiHttpClientStateResult result = session.Invoke("Get-MapiHttpClientState -AutodiscoverCachePath $cache", Vars(("cache", cache))).Objects<MapiHttpClientStateResult>().Single();

        Assert.Equal(("Registry", Environment.MachineName, 1L), (result.Source, result.ComputerName!, result.MapiHttpDisabled!.Value));
        Assert.Empty(result.RegistryExportPath);
        Assert.Equal(new[] { "MicrosoftOffice16_Data:SSPI:alice@contoso.com", "MSOID:alice@contoso.com", "Domain:target=mail.contoso.com" }, result.CredentialTargets);
        MapiHttpClientFinding credentials = Finding(result, "CredentialManager");
        Assert.Equal(CheckStatus.Pass, credentials.Status);
        Assert.Equal("Repair-MapiHttpClientState -RemoveOfficeCredentials (only if Outlook keeps prompting)", credentials.Recommendation);
        Assert.Equal("mail.contoso.com, outlook.contoso.com", credentials.Evidence["ExchangeHosts"]);
    }

    [Fact]
    public void A_bad_sid_or_a_remote_computer_without_a_sid_fails_that_record_only()
    {
        using var session = new ModuleSession();
        session.Services().Registry = new InMemoryRegistry();

        ScriptResult run = session.Invoke(
            "Get-MapiHttpClientState -UserSid alice; Get-MapiHttpClientState -ComputerName PC0042.contoso.com; [pscustomobject]@{ DNSHostName = 'PC0043.contoso.com' } | Get-MapiHttpClientState; 'still running'");

        Assert.Equal(
            new[]
            {
                "InvalidUserSid,MapiHttpTools.Commands.GetMapiHttpClientStateCommand",
                "ComputerNameRequiresUserSid,MapiHttpTools.Commands.GetMapiHttpClientStateCommand",
                "ComputerNameRequiresUserSid,MapiHttpTools.Commands.GetMapiHttpClientStateCommand",
            },
            run.ErrorIds.ToArray());
        Assert.Equal(new object[] { "alice", "PC0042.contoso.com", "PC0043.contoso.com" }, run.Errors.Select(e => e.TargetObject).ToArray());
        Assert.Equal("still running", Assert.Single(run.Output).BaseObject);
    }

    [Fact]
    public void The_cmdlet_declares_its_output_type_and_its_two_parameter_sets()
    {
        using var session = new ModuleSession();

        CmdletInfo cmdlet = session.Invoke("Get-Command Get-MapiHttpClientState").Objects<CmdletInfo>().Single();

        Assert.Equal(typeof(MapiHttpClientStateResult), Assert.Single(cmdlet.OutputType).Type);
        Assert.Equal("Live", cmdlet.DefaultParameterSet);
        Assert.Equal(new[] { "Live", "Offline" }, cmdlet.ParameterSets.Select(s => s.Name).OrderBy(n => n).ToArray());
        Assert.True(cmdlet.Parameters["RegistryExportPath"].ParameterSets["Offline"].IsMandatory);
        Assert.False(cmdlet.Parameters.ContainsKey("WhatIf"));
    }

    [Fact]
    public void The_table_views_show_the_verdict_and_the_findings()
    {
        using var session = new ModuleSession();

        session.Invoke(
            "$r = Get-MapiHttpClientState -RegistryExportPath $user, $machine; $r | Out-Default; $r.Findings | Out-Default",
            Vars(("user", ClientStateFixtures.Reg("disabled-hkcu.reg")), ("machine", ClientStateFixtures.Reg("hklm-clicktorun.reg"))));
        // Colour escapes depend on the process-wide PSStyle; the text between them is what is compared.
        string plain = System.Text.RegularExpressions.Regex.Replace(session.Host.Output, "\u001b\\[[0-9;?]*[A-Za-z]", string.Empty);
        string[] lines = plain.Split(Environment.NewLine).Where(l => l.Trim().Length > 0).ToArray();

        Assert.Equal("Status  Cause          User               Outlook          Disabled Message", lines[0].TrimEnd());
        Assert.StartsWith("Fail    NotEnabled     (export)           16.0.17928.20156        1 MapiHttpDisabled is 1: Outlook does not", lines[2], StringComparison.Ordinal);
        int findings = Array.FindIndex(lines, l => l.StartsWith("Status  Cause          Check", StringComparison.Ordinal));
        Assert.True(findings > 0, plain);
        Assert.Contains(lines.Skip(findings), l => l.StartsWith("Fail    NotEnabled     MapiHttpDisabled      MapiHttpDisabled is 1", StringComparison.Ordinal));
        Assert.Contains(lines.Skip(findings), l => l.StartsWith("Warning Authentication EnableADAL", StringComparison.Ordinal) || l.StartsWith("Warning Authentication ModernAuthentication", StringComparison.Ordinal));
    }
}
