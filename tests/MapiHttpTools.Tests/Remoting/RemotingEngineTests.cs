using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Security;
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
}
