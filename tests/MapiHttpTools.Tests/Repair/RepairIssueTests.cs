using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Repair;
using MapiHttpTools.Tests.Exchange;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>Issues 11, 12 and 20 of Repair-MapiVirtualDirectory: pipe, -WhatIf and verification, backups, restore safety, result family.</summary>
[Collection("Lab")]
public sealed class RepairIssueTests : IDisposable
{
    private const string Command = "MapiHttpTools.Commands.RepairMapiVirtualDirectoryCommand";
    private readonly RepairSession _repair = new();

    public void Dispose() => _repair.Dispose();

    [Fact]
    public async Task The_configuration_checks_findings_for_the_organisation_and_an_http_InternalUrl_are_repaired_from_the_pipe()
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01");
        lab.Organization.Properties["MapiHttpEnabled"].Value = false;
        lab.ReplaceVirtualDirectory("EX01", ExchangeObjects.MapiVirtualDirectory("EX01", "http://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi"));
        var findings = new List<MapiHttpResult>();
        await ConfigurationDiagnostics.RunAsync(lab.Source(), new ConfigurationDiagnosticOptions { Resolver = new LabResolver(), OnError = _ => { } }, findings.Add, CancellationToken.None);
        MapiHttpResult organization = findings.Single(f => f.Check == "OrganizationMapiHttp");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled, (string?)null), (organization.Status, organization.Cause, organization.Server));
        _repair.Set("""
            $global:Org.MapiHttpEnabled = $false
            $global:Vdir.InternalUrl = [uri]'http://mail.contoso.lab/mapi'
            """);

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["findings"] = findings.ToArray() }, pipeline: "$findings");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                "Set-OrganizationConfig -MapiHttpEnabled $true",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -InternalUrl https://mail.contoso.lab/mapi",
            },
            _repair.ExchangeChanges);
        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        MapiRepairResult org = results.Single(r => r.Action == MapiRepairAction.EnableOrganization);
        Assert.Equal((MapiRepairOutcome.Changed, "Organization", (string?)null, (object?)false, (object?)true), (org.Outcome, org.Target, org.Server, org.Before, org.After));
        Assert.NotNull(org.BackupPath);
        Assert.True(RepairBackup.Read(org.BackupPath!).OrganizationMapiHttpEnabled == false);
        MapiRepairResult url = results.Single(r => r.Action == MapiRepairAction.SetInternalUrl);
        Assert.Equal((MapiRepairOutcome.Changed, "EX01", (object?)"http://mail.contoso.lab/mapi", (object?)"https://mail.contoso.lab/mapi"), (url.Outcome, url.Server, url.Before, url.After));
        Assert.DoesNotContain(results, r => r.Message.StartsWith("Not repaired automatically", StringComparison.Ordinal));

        // The organisation's backup names no server: it is put back with -Server Organization, nothing else is read.
        _repair.Set("$global:ExchangeCalls.Clear()");
        ScriptResult restore = _repair.Repair("-Server Organization -RestoreFrom $path -Confirm:$false", new() { ["path"] = org.BackupPath });
        Assert.Empty(restore.ErrorIds);
        Assert.Equal(new[] { "Get-OrganizationConfig", "Set-OrganizationConfig -MapiHttpEnabled $false" }, _repair.ExchangeCalls);
        Assert.Equal((MapiRepairAction.Restore, MapiRepairOutcome.Changed), restore.Objects<MapiRepairResult>().Select(r => (r.Action, r.Outcome)).Single());
    }

    [Fact]
    public void WhatIf_never_verifies_even_when_nothing_is_pending()
    {
        var names = new AskedNames();
        _repair.Session.Services().HostResolver = names;
        _repair.Heal();

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -WhatIf");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { MapiRepairAction.AddAuthenticationMethods }, run.Objects<MapiRepairResult>().Select(r => r.Action));
        Assert.Empty(names.Asked);
        Assert.Empty(_repair.BackupFiles);
    }

    [Fact]
    public void Verification_never_probes_a_short_name_it_names_the_command_instead()
    {
        var names = new AskedNames();
        _repair.Session.Services().HostResolver = names;
        _repair.Set("$global:Vdir.MetabasePath = $null");

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -Confirm:$false -WarningAction SilentlyContinue");

        Assert.Empty(run.ErrorIds);
        MapiRepairResult verify = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.Verify);
        Assert.Equal((MapiRepairOutcome.Skipped, CheckStatus.Skipped), (verify.Outcome, verify.Status));
        Assert.Equal("Test-MapiHttpEndpoint -Uri https://mail.contoso.lab/mapi -TargetAddress <FQDN of EX01>", verify.Recommendation);
        Assert.StartsWith("Not verified: the FQDN of EX01 is not known", verify.Message, StringComparison.Ordinal);
        Assert.Empty(names.Asked);
    }

    [Fact]
    public void Verification_probes_the_server_by_the_FQDN_of_its_MetabasePath()
    {
        var names = new AskedNames();
        _repair.Session.Services().HostResolver = names;

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -Confirm:$false -WarningAction SilentlyContinue");

        MapiRepairResult verify = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.Verify);
        Assert.Equal(new[] { "EX01.contoso.lab" }, names.Asked.Distinct());
        Assert.Equal("Test-MapiHttpEndpoint -Uri https://mail.contoso.lab/mapi -TargetAddress EX01.contoso.lab", verify.Command);

        // The name does not resolve here: the outcome says the verification failed, never Verified with Fail.
        Assert.Equal((MapiRepairOutcome.Failed, CheckStatus.Fail), (verify.Outcome, verify.Status));
    }

    [Fact]
    public void Without_BackupPath_the_backup_goes_to_the_module_services_folder_never_to_the_profile()
    {
        ScriptResult run = _repair.Session.InvokeCatching("Repair-MapiVirtualDirectory -Server EX01 -AuthenticationMethods Negotiate -SkipVerify -Confirm:$false -WarningAction SilentlyContinue");

        Assert.Empty(run.ErrorIds);
        string backup = Assert.Single(_repair.BackupFiles);
        Assert.Equal(backup, run.Objects<MapiRepairResult>().First().BackupPath);
        Assert.StartsWith(Path.GetTempPath(), backup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_suite_runs_with_the_profile_folder_pointed_at_a_temporary_folder()
    {
        string profileFolder = Infrastructure.ModuleServices.ProfileBackupFolder();

        Assert.Equal(Path.Combine(ProfileGuard.LocalApplicationData, "MapiHttpTools", "Backup"), profileFolder);
        Assert.StartsWith(Path.GetTempPath(), profileFolder, StringComparison.Ordinal);
        Assert.False(profileFolder.StartsWith(ProfileGuard.RealLocalApplicationData + Path.DirectorySeparatorChar, StringComparison.Ordinal) && !ProfileGuard.RealLocalApplicationData.StartsWith(Path.GetTempPath(), StringComparison.Ordinal));
    }

    [Fact]
    public void A_restore_applies_only_to_the_named_server_which_must_be_the_backups()
    {
        string other = Backup("EX99", @"EX99\mapi (Default Web Site)", "https://attacker.example/mapi");

        ErrorRecord error = _repair.Terminating("-Server EX01 -RestoreFrom $path -Confirm:$false", new() { ["path"] = other });

        Assert.Equal($"RestoreServerMismatch,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal((ErrorCategory.InvalidArgument, (object)"EX01"), (error.CategoryInfo.Category, error.TargetObject));
        Assert.Contains("is of the server 'EX99', not of EX01", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(_repair.ExchangeCalls);
        Assert.Empty(_repair.BackupFiles);

        ErrorRecord unnamed = _repair.Terminating("-RestoreFrom $path -Confirm:$false", new() { ["path"] = other });
        Assert.Equal($"RestoreServerRequired,{Command}", unnamed.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, unnamed.CategoryInfo.Category);

        string crafted = Backup("EX01", @"EX99\mapi (Default Web Site)", "https://mail.contoso.lab/mapi");
        ErrorRecord inside = _repair.Terminating("-Server EX01 -RestoreFrom $path -Confirm:$false", new() { ["path"] = crafted });
        Assert.Equal($"RestoreServerMismatch,{Command}", inside.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, inside.CategoryInfo.Category);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void A_restore_refuses_a_URL_outside_the_organisations_namespaces_unless_Force_and_shows_every_value()
    {
        string crafted = Backup("EX01", @"EX01\mapi (Default Web Site)", "https://attacker.example/mapi");

        ErrorRecord error = _repair.Terminating("-Server EX01 -RestoreFrom $path -Confirm:$false", new() { ["path"] = crafted });

        Assert.Equal($"RestoreUrlOutsideNamespace,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal((ErrorCategory.SecurityError, (object)"https://attacker.example/mapi"), (error.CategoryInfo.Category, error.TargetObject));
        Assert.Contains("(the hosts of the MAPI, OWA and EWS virtual directories now: mail.contoso.com, mail.contoso.lab)", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(_repair.ExchangeChanges);
        Assert.Contains("Get-OwaVirtualDirectory -ADPropertiesOnly", _repair.ExchangeCalls);
        Assert.Contains("Get-WebServicesVirtualDirectory -ADPropertiesOnly", _repair.ExchangeCalls);
        Assert.Empty(_repair.BackupFiles);

        ScriptResult preview = _repair.Repair("-Server EX01 -RestoreFrom $path -Force -WhatIf", new() { ["path"] = crafted });
        Assert.Empty(preview.ErrorIds);
        Assert.Empty(_repair.ExchangeChanges);
        string screen = _repair.Session.Host.Output.Replace(Environment.NewLine, string.Empty);
        Assert.Contains(@"What if: Set InternalUrl of 'EX01\mapi (Default Web Site)' from https://mail.contoso.lab/mapi to https://attacker.example/mapi", screen, StringComparison.Ordinal);
        Assert.Contains(@"Set IISAuthenticationMethods of 'EX01\mapi (Default Web Site)' from Ntlm, OAuth to Ntlm, OAuth, Negotiate", screen, StringComparison.Ordinal);
        MapiRepairResult internalUrl = preview.Objects<MapiRepairResult>().Single(r => r.Setting == "InternalUrl");
        Assert.Equal((MapiRepairOutcome.WhatIf, (object?)"https://mail.contoso.lab/mapi", (object?)"https://attacker.example/mapi"), (internalUrl.Outcome, internalUrl.Before, internalUrl.After));
    }

    [Theory]
    [InlineData("https://mail.contoso.lab/mapi\u001b]0;pwned\u0007", "InternalUrl holds control characters ('https://mail.contoso.lab/mapi\\e]0;pwned\\a')")]
    [InlineData("https://mail.contoso.lab/owa", "InternalUrl 'https://mail.contoso.lab/owa' is not an https URL with the path /mapi")]
    public void Hostile_backup_values_are_BackupInvalid_quoted_escaped_and_nothing_is_called(string url, string why)
    {
        string crafted = Backup("EX01", @"EX01\mapi (Default Web Site)", url);

        ErrorRecord error = _repair.Terminating("-Server EX01 -RestoreFrom $path -Force -Confirm:$false", new() { ["path"] = crafted });

        Assert.Equal($"BackupInvalid,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal((ErrorCategory.InvalidData, (object)crafted), (error.CategoryInfo.Category, error.TargetObject));
        Assert.Contains(why, error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error.Exception.Message);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void A_huge_value_in_a_backup_is_BackupInvalid_and_quoted_short()
    {
        string crafted = Backup(new string('A', 5000), @"EX01\mapi (Default Web Site)", "https://mail.contoso.lab/mapi");

        ErrorRecord error = _repair.Terminating("-Server EX01 -RestoreFrom $path -Confirm:$false", new() { ["path"] = crafted });

        Assert.Equal($"BackupInvalid,{Command}", error.FullyQualifiedErrorId);
        Assert.Contains("Server is 5000 characters long, more than the 2048 a backup value may be", error.Exception.Message, StringComparison.Ordinal);
        Assert.True(error.Exception.Message.Length < 1000, error.Exception.Message);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void Text_of_piped_findings_reaches_the_messages_escaped()
    {
        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", pipeline: "[pscustomobject]@{ Check = 'Tls'; Status = 'Fail'; Cause = 'Certificate'; Server = 'EX01'; Target = 'https://mail.contoso.lab/mapi'; Message = \"expired`e]0;pwned`a\" }");

        Assert.Empty(run.ErrorIds);
        MapiRepairResult note = Assert.Single(run.Objects<MapiRepairResult>());
        Assert.Contains("Not repaired: expired\\e]0;pwned\\a A Certificate cause", note.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', note.Message);
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void The_front_end_directory_is_picked_by_its_web_site_not_by_text_in_the_identity()
    {
        _repair.Set("""
            $backEnd = [pscustomobject]@{ Identity = 'EX01\mapi (Old (Default Web Site))'; Server = 'EX01'; InternalUrl = [uri]'https://ex01.contoso.lab:444/mapi'; ExternalUrl = $null; IISAuthenticationMethods = [string[]]('Ntlm'); MetabasePath = 'IIS://EX01.contoso.lab/W3SVC/2/ROOT/mapi' }
            $global:Vdir = @($backEnd, $global:Vdir)
            function global:Set-MapiVirtualDirectory { [CmdletBinding()] param([Parameter(Mandatory)][string]$Identity, [uri]$InternalUrl, [uri]$ExternalUrl, [string[]]$IISAuthenticationMethods) Write-StandInCall 'Set-MapiVirtualDirectory' $PSBoundParameters }
            """);

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -SkipVerify -Confirm:$false -WarningAction SilentlyContinue");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate" }, _repair.ExchangeChanges);
        Assert.Equal(("Old (Default Web Site)", false), (VirtualDirectoryName.WebSite(@"EX01\mapi (Old (Default Web Site))"), new VirtualDirectoryFacts(@"EX01\mapi (Old (Default Web Site))", "EX01", null, null, Array.Empty<string>(), null).IsDefaultWebSite));
    }

    [Fact]
    public void Both_repair_cmdlets_write_one_result_family()
    {
        Assert.Equal(typeof(MapiHttpRepairResult), typeof(MapiRepairResult).BaseType);
        Assert.Equal(typeof(MapiHttpRepairResult), typeof(MapiHttpClientRepairResult).BaseType);
        Assert.Equal(typeof(MapiHttpResult), typeof(MapiHttpRepairResult).BaseType);
        Assert.DoesNotContain(typeof(MapiRepairResult).GetConstructors(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance), c => c.GetParameters().Length > 3);
        foreach (string property in new[] { "Action", "Outcome", "Setting", "Before", "After", "BackupPath", "Command" })
        {
            Assert.Equal(typeof(MapiHttpRepairResult), typeof(MapiHttpClientRepairResult).GetProperty(property)!.DeclaringType);
        }
    }

    /// <summary>Writes a backup as a crafted file would hold it: a virtual directory item set for <paramref name="identity"/>.</summary>
    private string Backup(string server, string identity, string internalUrl)
    {
        string path = Path.Combine(_repair.Folder, $"crafted-{Guid.NewGuid():N}.xml");
        _repair.Set("""
            $items = @(
                @{ Target = $identity; Setting = 'Exists'; Value = $true },
                @{ Target = $identity; Setting = 'Server'; Value = $identity.Split('\')[0] },
                @{ Target = $identity; Setting = 'InternalUrl'; Value = $url },
                @{ Target = $identity; Setting = 'ExternalUrl'; Value = $null },
                @{ Target = $identity; Setting = 'IISAuthenticationMethods'; Value = [string[]]('Ntlm', 'OAuth', 'Negotiate') })
            $table = @{ Kind = 'MapiHttpTools.RepairBackup'; FormatVersion = 1; Server = $server; CreatedUtc = [datetime]::UtcNow; ModuleVersion = '1.0.0'; Items = $items }
            [System.IO.File]::WriteAllText($path, [System.Management.Automation.PSSerializer]::Serialize($table, 6))
            """, new() { ["server"] = server, ["identity"] = identity, ["url"] = internalUrl, ["path"] = path });
        return path;
    }

    /// <summary>Records every name asked; resolves none.</summary>
    private sealed class AskedNames : IHostResolver
    {
        private readonly ConcurrentQueue<string> _asked = new();

        public string[] Asked => _asked.ToArray();

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation)
        {
            _asked.Enqueue(host);
            return Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException(11001));
        }
    }
}
