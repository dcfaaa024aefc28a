using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Lab;
using MapiHttpTools.Remoting;
using Xunit;

namespace MapiHttpTools.Tests.Remoting;

/// <summary>Issue 17: the parts of the remoting fan-out that need no remote end (the SSH runs are in tests/Pester).</summary>
public sealed class RemotingEngineTests
{
    [Fact]
    public void An_older_remote_module_is_a_warning_that_names_both_versions_and_the_parameters_left_out()
    {
        string? warning = RemoteModuleStatus.SkewWarning("EX07", "Get-MapiAppPoolHealth", "0.0.9", new Version(0, 1, 0), new[] { "MapiUrl", "Hours" });

        Assert.Equal("EX07 has MapiHttpTools 0.0.9, older than this one (0.1.0): Get-MapiAppPoolHealth ran with what that version knows, " +
                     "without -MapiUrl, -Hours (not a parameter there). Update the module on EX07 (Install-Module MapiHttpTools -RequiredVersion 0.1.0, or copy this version) for the same checks everywhere.", warning);
    }

    [Theory]
    [InlineData("0.1.0")]
    [InlineData("0.2.0")]
    public void The_same_or_a_newer_remote_module_is_no_warning(string remote)
    {
        Assert.Null(RemoteModuleStatus.SkewWarning("EX07", "Get-MapiAppPoolHealth", remote, new Version(0, 1, 0), Array.Empty<string>()));
    }

    [Fact]
    public void The_status_object_is_told_from_results_by_its_deserialized_type_name()
    {
        var status = new PSObject();
        status.TypeNames.Insert(0, "Deserialized.MapiHttpTools.RemoteModuleStatus");
        status.Properties.Add(new PSNoteProperty("Installed", true));
        status.Properties.Add(new PSNoteProperty("Version", "0.0.1"));
        status.Properties.Add(new PSNoteProperty("CommandFound", true));
        status.Properties.Add(new PSNoteProperty("Dropped", new PSObject(new ArrayList { "MapiUrl" })));
        var result = new PSObject();
        result.TypeNames.Insert(0, "Deserialized.MapiHttpTools.MapiAppPoolHealthResult");

        RemoteModuleStatus? read = RemoteModuleStatus.TryRead(status);

        Assert.NotNull(read);
        Assert.True(read!.Installed);
        Assert.Equal("0.0.1", read.Version);
        Assert.Equal(new[] { "MapiUrl" }, read.DroppedParameters);
        Assert.Null(RemoteModuleStatus.TryRead(result));
    }

    [Fact]
    public void Each_way_of_naming_computers_becomes_its_own_Invoke_Command_parameters()
    {
        var credential = new PSCredential("CONTOSO\\admin", new SecureString());
        var targets = RemoteTarget.From(new[] { "EX01" }, credential, new[] { "ex02.contoso.com" },
            new SshOptions { UserName = "admin", KeyFilePath = "/keys/id", Port = 2222 }, null);

        Assert.Equal(new[] { "EX01", "ex02.contoso.com" }, targets.Select(t => t.Name));
        Assert.Equal(new[] { "ComputerName", "Credential" }, targets[0].Connection.Keys.Cast<string>().OrderBy(k => k));
        Assert.Same(credential, targets[0].Connection["Credential"]);
        Assert.Equal(new[] { "HostName", "KeyFilePath", "Port", "UserName" }, targets[1].Connection.Keys.Cast<string>().OrderBy(k => k));
        Assert.Equal(2222, targets[1].Connection["Port"]);
    }

    [Fact]
    public void Two_ways_of_naming_computers_at_once_stop_the_command()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("try { Get-MapiAppPoolHealth -ComputerName EX01 -HostName ex01.contoso.com } catch { $_ }");

        ErrorRecord error = Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
        Assert.Equal("RemotingTargetsAmbiguous,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public void A_WinRM_computer_that_cannot_be_reached_is_one_error_naming_it_and_the_credential_never_shows()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke(
            "$s = [securestring]::new(); foreach ($ch in 'S3cret-pass'.ToCharArray()) { $s.AppendChar($ch) }; $c = [pscredential]::new('CONTOSO\\admin', $s); " +
            "Get-MapiAppPoolHealth -ComputerName EX01, EX02 -Credential $c -ConfigurationPath C:\\x.config");

        Assert.Equal(new[] { "RemoteConnectionFailed,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand", "RemoteConnectionFailed,MapiHttpTools.Commands.GetMapiAppPoolHealthCommand" }, result.ErrorIds);
        Assert.Equal(new object[] { "EX01", "EX02" }, result.Errors.Select(e => e.TargetObject));
        Assert.DoesNotContain(result.Errors, e => e.Exception.ToString().Contains("S3cret-pass", StringComparison.Ordinal));
    }

    [Fact]
    public void A_deserialized_result_is_settled_like_a_live_one_machine_named_and_enums_by_name()
    {
        // As remoting delivers it at SerializationDepth 3: enums as <Obj> with their name in ToString and their number.
        const string Enum = "<TN RefId=\"{0}\"><T>Deserialized.MapiHttpTools.{1}</T><T>Deserialized.System.Enum</T><T>Deserialized.System.ValueType</T><T>Deserialized.System.Object</T></TN>";
        string clixml =
            "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" +
            "<Obj RefId=\"0\"><TN RefId=\"0\"><T>Deserialized.MapiHttpTools.MapiAppPoolHealthResult</T><T>Deserialized.System.Object</T></TN><Props>" +
            "<Obj N=\"Status\" RefId=\"1\">" + string.Format(Enum, 1, "CheckStatus") + "<ToString>Fail</ToString><I32>2</I32></Obj>" +
            "<Obj N=\"Cause\" RefId=\"2\">" + string.Format(Enum, 2, "MapiHttpCause") + "<ToString>AppPool</ToString><I32>4</I32></Obj>" +
            "<Nil N=\"Server\" />" +
            "<Obj N=\"Findings\" RefId=\"3\"><TN RefId=\"3\"><T>System.Collections.ArrayList</T><T>System.Object</T></TN><LST>" +
            "<Obj RefId=\"4\"><TN RefId=\"4\"><T>Deserialized.MapiHttpTools.MapiAppPoolFinding</T><T>Deserialized.System.Object</T></TN><Props>" +
            "<S N=\"Check\">ManagedRuntimeVersion</S><Obj N=\"Status\" RefId=\"5\"><TNRef RefId=\"1\" /><ToString>Fail</ToString><I32>2</I32></Obj></Props></Obj>" +
            "</LST></Obj></Props></Obj></Objs>";
        var result = (PSObject)PSSerializer.Deserialize(clixml);
        var finding = (PSObject)((IEnumerable)((PSObject)result.Properties["Findings"].Value).BaseObject).Cast<object>().Single();
        Assert.IsNotType<string>(result.Properties["Status"].Value);

        RemoteFanOut.Settle(result, "EX05");

        Assert.Equal("Fail", result.Properties["Status"].Value);
        Assert.Equal("AppPool", result.Properties["Cause"].Value);
        Assert.Equal("EX05", result.Properties["Server"].Value);
        Assert.Equal("EX05", result.Properties["PSComputerName"].Value);
        Assert.Equal("Fail", finding.Properties["Status"].Value);
    }

    [Fact]
    public void A_deserialized_pool_result_becomes_a_typed_one_named_by_the_Exchange_server()
    {
        PSObject remote = Deserialized("MapiAppPoolHealthResult",
            ("Check", "MapiAppPool"), ("Status", "Fail"), ("Cause", "AppPool"), ("Name", "MSExchangeMapiFrontEndAppPool"), ("Server", "10.0.0.5"), ("Kind", "AppPool"),
            ("Source", "live IIS on EX02"), ("ManagedRuntimeVersion", "v2.0"), ("AutoStart", true), ("IdleTimeout", TimeSpan.Zero), ("QueueLength", 1000L),
            ("Message", "MSExchangeMapiFrontEndAppPool has managedRuntimeVersion 'v2.0', not v4.0."),
            ("Findings", new PSObject(new ArrayList { Deserialized("MapiAppPoolFinding", ("Check", "ManagedRuntimeVersion"), ("Status", "Fail"), ("Cause", "AppPool"), ("Message", "v2.0"), ("Expected", "v4.0"), ("Actual", "v2.0")) })));

        MapiAppPoolHealthResult result = RemoteAppPoolHealth.ToResult(remote, "EX02");

        Assert.Equal(("MapiAppPool", CheckStatus.Fail, MapiHttpCause.AppPool, "EX02", "MSExchangeMapiFrontEndAppPool"), (result.Check, result.Status, result.Cause, result.Server, result.Name));
        Assert.Equal(("live IIS on EX02", "v2.0", (bool?)true, (TimeSpan?)TimeSpan.Zero, (long?)1000L), (result.Source, result.ManagedRuntimeVersion, result.AutoStart, result.IdleTimeout, result.QueueLength));
        MapiAppPoolFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("ManagedRuntimeVersion", CheckStatus.Fail, MapiHttpCause.AppPool, (object?)"v4.0", (object?)"v2.0"), (finding.Check, finding.Status, finding.Cause, finding.Expected, finding.Actual));
        Assert.Null(result.CrashCount);
    }

    [Fact]
    public async Task The_IIS_stage_writes_servers_in_their_order_and_one_Skipped_result_for_each_server_not_read()
    {
        var ex01 = new ExchangeServerFacts("EX01", "ex01.contoso.lab", null, null, true, false);
        var ex02 = new ExchangeServerFacts("EX02", "ex02.contoso.lab", null, null, true, false);
        var edge = new ExchangeServerFacts("EDGE1", "edge1.contoso.lab", null, null, false, true);
        MapiAppPoolHealthResult pool = RemoteAppPoolHealth.ToResult(Deserialized("MapiAppPoolHealthResult", ("Check", "MapiAppPool"), ("Status", "Pass"), ("Cause", "None"), ("Name", "MSExchangeMapiMailboxAppPool"), ("Kind", "AppPool")), "EX02");
        var reader = new StandInReader(servers => new[]
        {
            new RemoteIisOutcome(servers[1], new[] { pool }, reachedThrough: "WinRM (ex02.contoso.lab)"),
            new RemoteIisOutcome(servers[0], Array.Empty<MapiAppPoolHealthResult>(), "MapiHttpTools is not installed on EX01.", "RemoteModuleMissing", "WinRM (ex01.contoso.lab)"),
        });
        var emitted = new List<MapiHttpResult>();

        await IisDiagnosticStage.RunAsync(new[] { ex01, ex02, edge }, null, TimeSpan.FromHours(24), reader, emitted.Add, CancellationToken.None);

        Assert.Equal(new[] { "EX01", "EX02" }, reader.Asked);
        Assert.Equal(new[] { "EX01|IisMapiApplications|Skipped", "EX02|MapiAppPool|Pass" }, emitted.Select(r => $"{r.Server}|{r.Check}|{r.Status}"));
        Assert.Equal("The IIS configuration of EX01 was not read through PowerShell remoting: MapiHttpTools is not installed on EX01.", emitted[0].Message);
        Assert.Equal(new object?[] { "RemoteModuleMissing", "WinRM (ex01.contoso.lab)" }, new[] { emitted[0].Evidence["ErrorId"], emitted[0].Evidence["ReachedThrough"] });
        Assert.Same(pool, emitted[1]);
    }

    private static PSObject Deserialized(string type, params (string Name, object? Value)[] properties)
    {
        var item = new PSObject();
        item.TypeNames.Clear();
        item.TypeNames.Add("Deserialized.MapiHttpTools." + type);
        item.TypeNames.Add("Deserialized.System.Object");
        foreach ((string name, object? value) in properties)
        {
            item.Properties.Add(new PSNoteProperty(name, value));
        }

        return item;
    }

    private sealed class StandInReader : IRemoteIisReader
    {
        private readonly Func<IReadOnlyList<ExchangeServerFacts>, IReadOnlyList<RemoteIisOutcome>> _answer;

        public StandInReader(Func<IReadOnlyList<ExchangeServerFacts>, IReadOnlyList<RemoteIisOutcome>> answer) => _answer = answer;

        public List<string> Asked { get; } = new();

        public Task<IReadOnlyList<RemoteIisOutcome>> ReadAsync(IReadOnlyList<ExchangeServerFacts> servers, TimeSpan eventWindow, CancellationToken cancellation)
        {
            Asked.AddRange(servers.Select(s => s.Name));
            return Task.FromResult(_answer(servers));
        }
    }
}
