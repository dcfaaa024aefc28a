using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Repair;
using MapiHttpTools.Tests.Iis;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>
/// Findings piped in from the diagnostic cmdlets (against the lab front end, or offline IIS configuration) turn into
/// exactly the repairs their cause calls for; the repaired server is verified with the endpoint probe.
/// </summary>
[Collection("Lab")]
public sealed class RepairPipelineTests : IDisposable
{
    private const string Probe = "Test-MapiHttpEndpoint -Uri $u -TargetAddress 127.0.0.1 -Server EX01 -TimeoutSec 5";
    private readonly LabFixture _lab;
    private readonly RepairSession _repair = new();

    public RepairPipelineTests(LabFixture lab) => _lab = lab;

    public void Dispose() => _repair.Dispose();

    [Fact]
    public async Task A_401_without_Negotiate_adds_the_missing_method_keeping_OAuth()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.NegotiateMissing }, _lab.Certificates);

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["u"] = server.MapiUri }, pipeline: Probe);

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                "Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeCalls);
        Assert.Empty(_repair.Iis.Calls);
        Assert.Equal(new[] { "ReadAuthentication Default Web Site/mapi" }, _repair.Iis.Reads);
        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        Assert.Equal(
            new[] { (MapiRepairAction.AddAuthenticationMethods, MapiRepairOutcome.Changed), (MapiRepairAction.ResetIisAuthentication, MapiRepairOutcome.NoChange), (MapiRepairAction.ResetIisAuthentication, MapiRepairOutcome.NoChange), (MapiRepairAction.ResetIis, MapiRepairOutcome.Skipped) },
            results.Select(r => (r.Action, r.Outcome)).ToArray());
    }

    [Fact]
    public async Task Results_that_went_through_serialization_bind_the_same_way()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.NegotiateMissing }, _lab.Certificates);
        string serialized = $"[System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize(@({Probe}), 4))";

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["u"] = server.MapiUri }, pipeline: serialized);

        Assert.Empty(run.ErrorIds);
        Assert.Contains(@"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", _repair.ExchangeChanges);
    }

    [Fact]
    public async Task Probe_results_of_a_deserialized_virtual_directory_repair_that_directory_on_its_server()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.NegotiateMissing }, _lab.Certificates);
        _repair.Set("$global:Vdir.InternalUrl = $u", new() { ["u"] = server.MapiUri });

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", pipeline: "$global:Vdir | Test-MapiHttpEndpoint -UrlType Internal -TargetAddress 127.0.0.1 -TimeoutSec 5");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                @"Get-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -ADPropertiesOnly",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeCalls);
    }

    [Fact]
    public async Task An_anonymous_200_turns_anonymous_off_and_Windows_authentication_stays_on()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.AnonymousAllowed }, _lab.Certificates);
        _repair.Iis.Anonymous = true;

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["u"] = server.MapiUri }, pipeline: Probe);

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { "SetAuthenticationEnabled Default Web Site/mapi anonymousAuthentication False" }, _repair.Iis.Calls);
        Assert.Empty(_repair.ExchangeChanges);
        Assert.Equal(new[] { "EX01" }, _repair.IisServers);
        MapiRepairResult anonymous = run.Objects<MapiRepairResult>().Single(r => r.Setting == "AnonymousAuthentication");
        Assert.Equal((true, false, MapiRepairOutcome.Changed), ((bool)anonymous.Before!, (bool)anonymous.After!, anonymous.Outcome));
        Assert.True(RepairBackup.Read(anonymous.BackupPath!).AnonymousAuthentication);

        // Nothing in Exchange changed, so no IIS reset is called for.
        Assert.DoesNotContain(run.Objects<MapiRepairResult>(), r => r.Action == MapiRepairAction.ResetIis);
        Assert.Empty(run.Warnings);
    }

    [Fact]
    public async Task A_503_starts_only_the_MAPI_pools_that_are_stopped()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.MapiAppPoolStopped }, _lab.Certificates);
        _repair.Iis.Pools["MSExchangeMapiFrontEndAppPool"] = "Stopped";

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["u"] = server.MapiUri }, pipeline: Probe);

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { "StartAppPool MSExchangeMapiFrontEndAppPool" }, _repair.Iis.Calls);
        Assert.Equal(new[] { "Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly" }, _repair.ExchangeCalls);
        Assert.Equal(
            new[] { MapiRepairOutcome.Changed, MapiRepairOutcome.NoChange, MapiRepairOutcome.NoChange },
            run.Objects<MapiRepairResult>().Where(r => r.Action == MapiRepairAction.StartAppPool).Select(r => r.Outcome));
    }

    [Fact]
    public async Task A_404_is_not_repaired_automatically_and_says_how_to_recreate()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.MapiMissing }, _lab.Certificates);

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["u"] = server.MapiUri }, pipeline: Probe);

        Assert.Empty(run.ErrorIds);
        Assert.Empty(_repair.ExchangeCalls);
        Assert.Empty(_repair.IisServers);
        Assert.Empty(_repair.BackupFiles);
        MapiRepairResult note = Assert.Single(run.Objects<MapiRepairResult>());
        Assert.Equal((MapiRepairAction.Recreate, MapiRepairOutcome.Skipped, MapiHttpCause.VirtualDirectory), (note.Action, note.Outcome, note.Cause));
        Assert.Matches(@"^Repair-MapiVirtualDirectory -Server EX01(\.contoso\.lab)? -Recreate -Force$", note.Recommendation);
        Assert.Contains("missing in IIS", note.Message, StringComparison.Ordinal);

        // With -Recreate -Force the same findings name the server whose virtual directory is recreated.
        ScriptResult recreate = _repair.Repair("-Recreate -Force -SkipVerify -Confirm:$false", new() { ["u"] = server.MapiUri }, pipeline: Probe);
        Assert.Empty(recreate.ErrorIds);
        Assert.Equal(
            new[]
            {
                @"Remove-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -Confirm:$false",
                "New-MapiVirtualDirectory -Server EX01 -InternalUrl https://mail.contoso.lab/mapi -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeChanges);
    }

    [Fact]
    public void Offline_IIS_findings_reset_mapi_authentication_and_name_what_they_leave_alone()
    {
        using var iisFixture = new IisFixture();
        string config = iisFixture.Variant(d => IisFixture.Authentication(d, "Default Web Site/mapi", "anonymousAuthentication").SetAttributeValue("enabled", "true"));
        _repair.Iis.Anonymous = true;

        ScriptResult run = _repair.Repair("-Server EX01 -SkipVerify -Confirm:$false", new() { ["config"] = config }, pipeline: "Get-MapiAppPoolHealth -ConfigurationPath $config");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { "SetAuthenticationEnabled Default Web Site/mapi anonymousAuthentication False" }, _repair.Iis.Calls);
        Assert.Empty(_repair.ExchangeChanges);
        MapiRepairResult[] notes = run.Objects<MapiRepairResult>().Where(r => r.Outcome == MapiRepairOutcome.Skipped).ToArray();
        // The back-end results hold only the Extended Protection hardening Warning (Cause None since issue 11): nothing to note.
        Assert.Equal(new[] { "Default Web Site/mapi" }, notes.Select(n => n.Target));
        Assert.Contains("ExtendedProtection of Default Web Site/mapi", notes[0].Message, StringComparison.Ordinal);
        Assert.All(notes, n => Assert.Equal("EX01", n.Server));
    }

    [Fact]
    public void A_stopped_pool_result_starts_that_pool_only()
    {
        var stopped = new MapiAppPoolHealthResult("MapiAppPool", CheckStatus.Fail, MapiHttpCause.AppPool, "MSExchangeMapiMailboxAppPool", "EX01.contoso.lab", "Stopped.", "Start-WebAppPool -Name MSExchangeMapiMailboxAppPool", null,
            new MapiAppPoolHealthDetails { Kind = MapiIisObjectKind.AppPool, State = "Stopped" });
        _repair.Iis.Pools["MSExchangeMapiMailboxAppPool"] = "Stopped";
        _repair.Iis.Pools["MSExchangeMapiFrontEndAppPool"] = "Stopped";

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", new() { ["r"] = stopped }, pipeline: "$r");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { "StartAppPool MSExchangeMapiMailboxAppPool" }, _repair.Iis.Calls);
        Assert.Equal(new[] { "Get-MapiVirtualDirectory -Server EX01.contoso.lab -ADPropertiesOnly" }, _repair.ExchangeCalls);

        // IIS is opened under the name Exchange gives the server.
        Assert.Equal(new[] { "EX01" }, _repair.IisServers);
    }

    [Fact]
    public void Configuration_findings_bind_by_property_name_organisation_is_enabled_mailboxes_are_not_touched()
    {
        _repair.Set("$global:Org.MapiHttpEnabled = $false");
        const string findings = """
            [pscustomobject]@{ Check = 'OrganizationMapiHttpEnabled'; Status = 'Fail'; Cause = 'NotEnabled'; Server = 'EX01'; Target = 'Organization'; Message = 'MapiHttpEnabled is False for the organisation.' },
            [pscustomobject]@{ Check = 'MailboxMapiHttpEnabled'; Status = 'Fail'; Cause = 'NotEnabled'; Server = 'EX01'; Target = 'alice@contoso.lab'; Message = 'MapiHttpEnabled is False for alice.'; Recommendation = 'Set-CASMailbox alice@contoso.lab -MapiHttpEnabled $null' },
            [pscustomobject]@{ Check = 'Tls'; Status = 'Fail'; Cause = 'Certificate'; Server = 'EX01'; Target = 'https://mail.contoso.lab/mapi'; Message = 'The certificate has expired.' },
            [pscustomobject]@{ Check = 'HealthCheck'; Status = 'Pass'; Cause = 'None'; Server = 'EX01' }
            """;

        ScriptResult run = _repair.Repair("-SkipVerify -Confirm:$false", pipeline: findings);

        Assert.Empty(run.ErrorIds);
        Assert.Equal(new[] { "Get-MapiVirtualDirectory -Server EX01 -ADPropertiesOnly", "Get-OrganizationConfig", "Set-OrganizationConfig -MapiHttpEnabled $true" }, _repair.ExchangeCalls);
        MapiRepairResult[] results = run.Objects<MapiRepairResult>().ToArray();
        Assert.Equal(MapiRepairOutcome.Changed, results.Single(r => r.Action == MapiRepairAction.EnableOrganization).Outcome);
        MapiRepairResult mailbox = results.Single(r => r.Target == "alice@contoso.lab");
        Assert.Equal((MapiRepairOutcome.Skipped, "Set-CASMailbox alice@contoso.lab -MapiHttpEnabled $null"), (mailbox.Outcome, mailbox.Recommendation));
        Assert.Contains("Set-CASMailbox", mailbox.Message, StringComparison.Ordinal);
        Assert.Equal(MapiHttpCause.Certificate, results.Single(r => r.Target == "https://mail.contoso.lab/mapi").Cause);
    }

    [Fact]
    public void Only_passing_results_mean_nothing_to_repair()
    {
        ScriptResult run = _repair.Repair("-Confirm:$false", pipeline: "[pscustomobject]@{ Check = 'HealthCheck'; Status = 'Pass'; Cause = 'None'; Server = 'EX01' }");

        Assert.Empty(run.ErrorIds);
        MapiRepairResult result = Assert.Single(run.Objects<MapiRepairResult>());
        Assert.Equal((MapiRepairAction.None, MapiRepairOutcome.NoChange), (result.Action, result.Outcome));
        Assert.Empty(_repair.ExchangeCalls);
    }

    [Fact]
    public void Virtual_directories_piped_from_Get_MapiVirtualDirectory_bind_Identity_and_Server()
    {
        ScriptResult run = _repair.Repair("-AuthenticationMethods Negotiate -SkipVerify -Confirm:$false", pipeline: "$global:Vdir");

        Assert.Empty(run.ErrorIds);
        Assert.Equal(
            new[]
            {
                @"Get-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -ADPropertiesOnly",
                @"Set-MapiVirtualDirectory -Identity 'EX01\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            },
            _repair.ExchangeCalls);
    }

    [Fact]
    public async Task After_the_repair_the_server_is_probed_and_passes()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { AuthenticationMethods = new[] { "Negotiate", "NTLM", "OAuth" } }, _lab.Certificates);
        _repair.Set("$global:Vdir.InternalUrl = $u", new() { ["u"] = server.MapiUri });
        _repair.Session.Services().HostResolver = new LabNames(("EX01.contoso.lab", "127.0.0.1"));

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        MapiRepairResult verify = run.Objects<MapiRepairResult>().Last();
        Assert.Equal((MapiRepairAction.Verify, MapiRepairOutcome.Verified, CheckStatus.Pass), (verify.Action, verify.Outcome, verify.Status));
        Assert.Equal($"Test-MapiHttpEndpoint -Uri {server.MapiUri} -TargetAddress EX01.contoso.lab", verify.Command);
        Assert.Equal(new[] { "Dns", "TcpConnect", "Tls", "HealthCheck", "EmsmdbAnonymous", "NspiAnonymous" }, verify.Verification!.Where(r => r.Status != CheckStatus.Skipped || r.Check == "Dns").Select(r => r.Check));
        Assert.Equal(new[] { "NTLM", "Bearer", "Negotiate" }, (string[])verify.Verification!.Single(r => r.Check == "EmsmdbAnonymous").Evidence["ExpectedAuthentication"]!);
        Assert.Contains(server.Requests, r => r.Path.Equals("/mapi/emsmdb/", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(Assert.Single(_repair.BackupFiles), verify.BackupPath);
    }

    [Fact]
    public async Task A_server_still_broken_after_the_repair_is_reported_by_the_verification()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.NegotiateMissing }, _lab.Certificates);
        _repair.Heal();
        _repair.Set("$global:Vdir.InternalUrl = $u", new() { ["u"] = server.MapiUri });
        _repair.Session.Services().HostResolver = new LabNames(("EX01.contoso.lab", "127.0.0.1"));

        ScriptResult run = _repair.Repair("-Server EX01 -AuthenticationMethods Negotiate -Confirm:$false");

        Assert.Empty(run.ErrorIds);
        MapiRepairResult verify = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.Verify);

        // Issue 11: never Verified with Status Fail; the outcome says the verification failed.
        Assert.Equal((MapiRepairOutcome.Failed, CheckStatus.Fail, MapiHttpCause.Authentication), (verify.Outcome, verify.Status, verify.Cause));
        Assert.Contains("missing Bearer, Negotiate.", verify.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(verify.Recommendation));
        Assert.Empty(_repair.ExchangeChanges);
    }
}
