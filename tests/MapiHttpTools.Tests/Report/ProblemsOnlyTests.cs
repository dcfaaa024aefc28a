using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Report;

/// <summary>-ProblemsOnly (issue 15): only Warning, Fail and Error; the Skipped "PING not attempted" rows go too.</summary>
[Collection("Lab")]
public sealed class ProblemsOnlyTests
{
    private readonly LabFixture _lab;

    public ProblemsOnlyTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task Test_MapiHttpEndpoint_ProblemsOnly_keeps_the_app_pool_failures_and_drops_passes_and_skipped_pings()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.MapiAppPoolStopped }, _lab.Certificates);
        using var session = new ModuleSession();
        var vars = new Dictionary<string, object?> { ["u"] = server.MapiUri };

        ScriptResult all = session.Invoke($"Test-MapiHttpEndpoint -Uri $u -TargetAddress {server.Address} -TimeoutSec 5", vars);
        ScriptResult problems = session.Invoke($"Test-MapiHttpEndpoint -Uri $u -TargetAddress {server.Address} -TimeoutSec 5 -ProblemsOnly", vars);

        Assert.Empty(problems.Errors);
        Assert.Contains(all.Objects<MapiHttpEndpointResult>(), r => r.Check == "EmsmdbPing" && r.Status == CheckStatus.Skipped);
        Assert.Equal(new[] { "HealthCheck", "EmsmdbAnonymous", "NspiAnonymous" }, problems.Objects<MapiHttpEndpointResult>().Select(r => r.Check).ToArray());
        Assert.All(problems.Objects<MapiHttpEndpointResult>(), r => Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (r.Status, r.Cause)));
    }

    [Fact]
    public void Invoke_MapiHttpDiagnostic_ProblemsOnly_writes_the_four_lab_faults_then_the_verdict()
    {
        using ModuleSession session = ReportLab.Session();

        ScriptResult result = session.Invoke(ReportLab.Run + " -ProblemsOnly");

        Assert.Empty(result.Errors);
        MapiHttpResult[] output = result.Objects<MapiHttpResult>().ToArray();
        Assert.Equal(5, output.Length);
        Assert.Equal(
            new[] { "Warning IisAuthenticationMethods EX02", "Fail ComponentState EX03", "Fail HealthCheck EX03", "Fail MailboxProtocol " },
            output.Take(4).Select(r => $"{r.Status} {r.Check} {r.Server}").OrderBy(s => s.StartsWith("Warning") ? 0 : 1).ThenBy(s => s, System.StringComparer.Ordinal).ToArray());
        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(output[4]);
        Assert.Equal(CheckStatus.Fail, verdict.Status);
        Assert.True(verdict.PassCount > 40, verdict.PassCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
