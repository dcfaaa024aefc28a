using System.Linq;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Issue 11, item 2: one server, one name: Exchange's name identifies it, the FQDN is an attribute.</summary>
public sealed class ServerNameTests
{
    [Fact]
    public void A_server_named_by_name_and_by_FQDN_is_checked_once_under_Exchange_s_name()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using var session = new ModuleSession();
        lab.Install(session);

        ScriptResult run = session.Invoke("Invoke-MapiHttpDiagnostic -Server EX01, EX01.contoso.lab -SkipEndpointTest -SkipIisCheck");

        Assert.Empty(run.Errors);
        MapiHttpResult[] results = run.Objects<MapiHttpResult>().ToArray();
        Assert.DoesNotContain(results, r => r.Server == "EX01.contoso.lab");
        Assert.Contains(results, r => r.Server == "EX01");
        Assert.Single(ExchangeLab.Calls(session), c => c.Command == "Get-MapiVirtualDirectory");
        Assert.Single(ExchangeLab.Calls(session), c => c.Command == "Get-ExchangeCertificate");
    }

    [Fact]
    public void A_snapshot_checked_by_name_and_by_FQDN_gives_the_results_of_the_name_alone()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        using var session = new ModuleSession();
        lab.Install(session);
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "MapiHttpTools.ServerName." + System.Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        try
        {
            string path = System.IO.Path.Combine(folder, "s.xml");
            Assert.Empty(session.Invoke("Export-MapiHttpSnapshot -Path $p", new() { ["p"] = path }).Errors);

            string[] Lines(string servers) => session.Invoke($"Invoke-MapiHttpDiagnostic -SnapshotPath $p -Server {servers} -SkipEndpointTest -SkipIisCheck", new() { ["p"] = path })
                .Objects<MapiHttpResult>().Select(r => $"{r.Check}|{r.Server}|{r.Target}|{r.Status}").ToArray();

            string[] alone = Lines("EX01");
            Assert.NotEmpty(alone);
            Assert.Equal(alone, Lines("EX01, EX01.contoso.lab"));
        }
        finally
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}
