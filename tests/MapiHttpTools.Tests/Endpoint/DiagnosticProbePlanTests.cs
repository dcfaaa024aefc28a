using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>The endpoint side of Invoke-MapiHttpDiagnostic: servers probed directly, namespaces once, other vdirs compared.</summary>
[Collection("Lab")]
public sealed class DiagnosticProbePlanTests
{
    private readonly LabFixture _lab;

    public DiagnosticProbePlanTests(LabFixture lab) => _lab = lab;

    [Fact]
    public void Plan_probes_each_server_directly_and_each_namespace_once()
    {
        var vdirs = new[]
        {
            new VirtualDirectoryEndpoint("EX01", "ex01.contoso.com", "EX01\\mapi (Default Web Site)", new Uri("https://mail.contoso.com/mapi"), new Uri("https://outlook.contoso.com/mapi"), new[] { "Ntlm", "OAuth", "Negotiate" }),
            new VirtualDirectoryEndpoint("EX02", "ex02.contoso.com", "EX02\\mapi (Default Web Site)", new Uri("https://mail.contoso.com/mapi"), null, Array.Empty<string>()),
        };

        ProbeTarget[] targets = DiagnosticProbePlan.Build(vdirs).ToArray();

        Assert.Equal(4, targets.Length);
        Assert.Equal(new[] { "ex01.contoso.com" }, targets[0].TargetAddresses);
        Assert.Equal("EX01", targets[0].Server);
        Assert.Equal(new[] { "NTLM", "Bearer", "Negotiate" }, targets[0].ExpectedSchemes);
        Assert.Equal(new[] { "ex02.contoso.com" }, targets[1].TargetAddresses);
        Assert.Equal(new[] { "Negotiate", "NTLM" }, targets[1].ExpectedSchemes);
        Assert.Equal(new[] { "https://mail.contoso.com/mapi", "https://outlook.contoso.com/mapi" }, targets.Skip(2).Select(t => t.Uri.ToString()).ToArray());
        Assert.All(targets.Skip(2), t => Assert.Null(t.TargetAddresses));
    }

    [Fact]
    public async Task A_mapi_only_failure_on_one_server_shows_healthy_owa_beside_it()
    {
        await using LabServer ex01 = await LabServer.StartAsync(new LabOptions { ServerName = "EX01.contoso.lab" }, _lab.Certificates);
        await using LabServer ex02 = await LabServer.StartAsync(new LabOptions { ServerName = "EX02.contoso.lab", ListenAddress = IPAddress.Parse("127.0.0.2"), Port = ex01.Port, Fault = LabFault.MapiAppPoolStopped }, _lab.Certificates);
        var vdirs = new[]
        {
            new VirtualDirectoryEndpoint("EX01", "127.0.0.1", "EX01\\mapi (Default Web Site)", ex01.MapiUri, null, Array.Empty<string>()),
            new VirtualDirectoryEndpoint("EX02", "127.0.0.2", "EX02\\mapi (Default Web Site)", ex01.MapiUri, null, Array.Empty<string>()),
        };
        var results = new ConcurrentBag<MapiHttpEndpointResult>();
        var prober = new EndpointProber(new ProbeOptions { Timeout = TimeSpan.FromSeconds(5), CompareVirtualDirectories = ProbeSteps.OtherVirtualDirectories });

        await prober.ProbeAsync(DiagnosticProbePlan.Build(vdirs, includeNamespaces: false), results.Add, null, CancellationToken.None);

        MapiHttpEndpointResult[] ex02Results = results.Where(r => r.Server == "EX02").ToArray();
        Assert.Equal(MapiHttpCause.AppPool, ex02Results.Single(r => r.Check == "HealthCheck").Cause);
        Assert.Equal(CheckStatus.Pass, ex02Results.Single(r => r.Check == "HealthCheck:owa").Status);
        Assert.Equal(CheckStatus.Pass, ex02Results.Single(r => r.Check == "HealthCheck:Microsoft-Server-ActiveSync").Status);
        Assert.Equal(CheckStatus.Pass, results.Single(r => r.Server == "EX01" && r.Check == "HealthCheck").Status);
        Assert.Equal(5, results.Count(r => r.Server == "EX01" && r.Check.StartsWith("HealthCheck:")));
        Assert.All(ex02.Requests, r => Assert.Equal("mail.contoso.lab", r.SniHostName));
    }
}
