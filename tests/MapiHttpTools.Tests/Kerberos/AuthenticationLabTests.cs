using System.Linq;
using System.Net;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using MapiHttpTools.Tests.Iis;
using MapiHttpTools.Tests.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Kerberos;

/// <summary>Test-MapiHttpAuthentication probes the virtual directory's URL itself for the wire side of the comparison (issue 14).</summary>
[Collection("Lab")]
public sealed class AuthenticationLabTests
{
    private readonly LabFixture _lab;

    public AuthenticationLabTests(LabFixture lab) => _lab = lab;

    [Fact]
    public async Task A_front_end_that_does_not_offer_negotiate_is_the_wire_side_against_iis_providers_that_list_it()
    {
        await using LabServer server = await LabServer.StartAsync(new LabOptions { Fault = LabFault.NegotiateMissing, ListenAddress = IPAddress.Parse("127.0.0.10") }, _lab.Certificates);
        using var session = new ModuleSession();
        session.Services().HostResolver = new LabResolver();
        var vdir = ExchangeObjects.MapiVirtualDirectory("EX01", server.MapiUri.AbsoluteUri, null);

        ScriptResult run = session.Invoke(
            "$vdir | Test-MapiHttpAuthentication -SetspnOutputPath $spn -ClientAccessServicePath $cas -ApplicationHostConfigPath $config -TimeoutSec 5",
            new() { ["vdir"] = vdir, ["spn"] = KerberosFixture.File("setspn-Q-none.txt"), ["cas"] = KerberosFixture.File("GetClientAccessService-Asa.xml"), ["config"] = IisFixture.ConfigPath });

        Assert.Empty(run.Errors);
        MapiHttpConfigurationResult providers = run.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "AuthenticationProviders");
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Network, "EX01"), (providers.Status, providers.Cause, providers.Server));
        Assert.StartsWith("IIS offers Negotiate at Default Web Site/mapi, but the probe did not see it in WWW-Authenticate", providers.Message);
        Assert.Equal(new[] { "NTLM" }, (string[])providers.Evidence["OfferedOnTheWire"]!);
        Assert.Equal(server.MapiUri.AbsoluteUri, providers.Evidence["ProbedUri"]);

        // Only the anonymous challenge went out: no credentials, the vdir's own host and port.
        Assert.Contains(server.Requests, r => r.Path.Equals("/mapi/emsmdb/", System.StringComparison.OrdinalIgnoreCase) && r.Method == "POST");
        Assert.All(server.Requests, r => Assert.False(r.Headers.ContainsKey("Authorization")));
        Assert.Equal("mail.contoso.lab", run.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "KerberosSpn").Target);
    }
}
