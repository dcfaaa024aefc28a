using System.Linq;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Lab;
using MapiHttpTools.Tests.Repair;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Issue 11: Exchange enums arrive over a remote session and in Export-Clixml files as
/// &lt;Obj&gt;&lt;TN&gt;...AuthenticationMethod, System.Enum...&lt;/TN&gt;&lt;ToString&gt;Ntlm&lt;/ToString&gt;&lt;I32&gt;2&lt;/I32&gt;&lt;/Obj&gt;.
/// A healthy virtual directory in that shape must read as healthy everywhere it enters the module.
/// </summary>
[Collection("Lab")]
public sealed class EnumShapeTests
{
    private readonly LabFixture _lab;

    public EnumShapeTests(LabFixture lab) => _lab = lab;

    [Fact]
    public void The_stand_in_vdir_carries_names_and_Exchange_numbers()
    {
        var vdir = ExchangeObjects.MapiVirtualDirectory("EX01", "https://mail.contoso.lab/mapi", null, iis: new[] { "Ntlm", "OAuth", "Negotiate" });
        var methods = ((System.Collections.IEnumerable)((System.Management.Automation.PSObject)vdir.Properties["IISAuthenticationMethods"].Value).BaseObject)
            .Cast<object>().Select(o => (o.ToString(), ((System.Management.Automation.PSObject)o).BaseObject)).ToArray();

        Assert.Equal(new (string?, object)[] { ("Ntlm", 2), ("OAuth", 10), ("Negotiate", 13) }, methods);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, MapiHttpTools.Exchange.ExchangeValues.Strings(vdir, "IISAuthenticationMethods"));
    }

    [Fact]
    public async Task A_healthy_deserialized_vdir_passes_the_probe_and_the_repair_plans_nothing()
    {
        await using LabServer server = await LabServer.StartAsync(
            new LabOptions { ServerName = "EX01.contoso.lab", AuthenticationMethods = new[] { "Negotiate", "NTLM", "OAuth" } }, _lab.Certificates);
        using var repair = new RepairSession();
        var vdir = ExchangeObjects.MapiVirtualDirectory("EX01", server.MapiUri.ToString(), null, iis: new[] { "Ntlm", "OAuth", "Negotiate" });

        ScriptResult probe = repair.Session.Invoke(
            "$global:Vdir = $vdir; $global:probe = @($vdir | Test-MapiHttpEndpoint -UrlType Internal -TargetAddress 127.0.0.1 -TimeoutSec 5); $global:probe",
            new() { ["vdir"] = vdir });

        Assert.Empty(probe.Errors);
        MapiHttpEndpointResult emsmdb = probe.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "EmsmdbAnonymous");
        Assert.True(emsmdb.Status == CheckStatus.Pass, emsmdb.Message);
        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (emsmdb.Status, emsmdb.Cause));
        Assert.DoesNotContain(probe.Objects<MapiHttpEndpointResult>(), r => r.Cause == MapiHttpCause.Authentication);

        ScriptResult run = repair.Repair("-WhatIf", pipeline: "$global:probe");

        Assert.Empty(run.ErrorIds);
        Assert.Empty(repair.ExchangeChanges);
        Assert.Empty(repair.Iis.Calls);
        Assert.DoesNotContain(run.Objects<MapiRepairResult>(), r => r.Outcome is MapiRepairOutcome.Changed or MapiRepairOutcome.WhatIf);
        Assert.DoesNotContain(run.Objects<MapiRepairResult>(), r => r.Action == MapiRepairAction.ResetIis && r.Outcome != MapiRepairOutcome.Skipped && r.Outcome != MapiRepairOutcome.NoChange);
    }

    [Fact]
    public void A_healthy_deserialized_vdir_piped_into_the_repair_plans_NoChange()
    {
        using var repair = new RepairSession();
        var vdir = ExchangeObjects.MapiVirtualDirectory("EX01", "https://mail.contoso.lab/mapi", null, iis: new[] { "Ntlm", "OAuth", "Negotiate" });
        repair.Session.Invoke("$global:Vdir = $vdir", new() { ["vdir"] = vdir });

        ScriptResult run = repair.Repair("-AuthenticationMethods Ntlm,OAuth,Negotiate -WhatIf", pipeline: "$global:Vdir");

        Assert.Empty(run.ErrorIds);
        Assert.Empty(repair.ExchangeChanges);
        Assert.Empty(repair.Iis.Calls);
        MapiRepairResult add = run.Objects<MapiRepairResult>().Single(r => r.Action == MapiRepairAction.AddAuthenticationMethods);
        Assert.Equal(MapiRepairOutcome.NoChange, add.Outcome);
    }
}
