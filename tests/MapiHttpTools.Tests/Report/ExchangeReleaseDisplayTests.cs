using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using Xunit;

namespace MapiHttpTools.Tests.Report;

/// <summary>
/// Where the module shows a server's Exchange build it shows its product, CU and update beside it (issue 15): the
/// configuration results' Evidence (ExchangeBuild, ExchangeRelease), live and from a snapshot, and the HTML report's
/// server rows, live and from deserialized results.
/// </summary>
public sealed class ExchangeReleaseDisplayTests : IDisposable
{
    private const string Offline = " -SkipEndpointTest -SkipIisCheck";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Release." + Guid.NewGuid().ToString("N"));

    public ExchangeReleaseDisplayTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static ModuleSession Session(ExchangeLab lab)
    {
        var session = new ModuleSession();
        lab.Install(session);
        return session;
    }

    private static (string? Build, string? Release) Release(ScriptResult result, string server)
    {
        MapiHttpConfigurationResult vdir = result.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "MapiVirtualDirectory" && r.Server == server);
        return ((string?)vdir.Evidence["ExchangeBuild"], (string?)vdir.Evidence["ExchangeRelease"]);
    }

    [Fact]
    public void The_real_E19_export_reads_as_Exchange_2019_CU11_in_the_configuration_evidence()
    {
        using ModuleSession session = Session(ExchangeLab.Solo());

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic" + Offline);

        Assert.Empty(result.Errors);
        Assert.Equal(("15.2.986.5", "Exchange 2019 CU11"), Release(result, "SOLO-E19A"));
    }

    [Fact]
    public void A_snapshot_names_each_servers_release_and_the_newest_build_in_the_verbose_line()
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01", "EX02");
        lab.SetBuild("EX02", new Version(15, 2, 1544, 14));
        using ModuleSession session = Session(lab);
        string path = Path.Combine(_folder, "contoso.xml");
        session.Invoke("Export-MapiHttpSnapshot -Path $p", Vars(("p", path)));

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -SkipEndpointTest -Verbose", Vars(("p", path)));

        Assert.Empty(result.Errors);
        Assert.Equal(("15.2.986.5", "Exchange 2019 CU11"), Release(result, "EX01"));
        Assert.Equal(("15.2.1544.14", "Exchange 2019 CU14 Nov24SUv2"), Release(result, "EX02"));
        string line = Assert.Single(result.Verbose, v => v.StartsWith("Checking ", StringComparison.Ordinal));
        Assert.Contains(" (Exchange 15.2.1544.14, Exchange 2019 CU14 Nov24SUv2); certificates are judged as of that moment.", line);
    }

    [Fact]
    public void A_server_version_that_is_no_build_is_a_clear_unknown_with_its_control_characters_made_visible()
    {
        ExchangeLab lab = ExchangeLab.Contoso("EX01");
        lab.Servers[0] = ExchangeObjects.Fixture("GetExchangeServer.xml", t => ExchangeObjects.AsContosoServer("EX01")(t)
            .Replace("<ToString>Version 15.2 (Build 986.5)</ToString>", "<ToString>Version 15.2 (Build 986.5)_x001B_[2J</ToString>"))[0];
        using ModuleSession session = Session(lab);

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic" + Offline);

        Assert.Empty(result.Errors);
        Assert.Equal((null, "unknown build 'Version 15.2 (Build 986.5)\\e[2J' (not an Exchange build number)"), Release(result, "EX01"));
        Assert.Equal(CheckStatus.Pass, result.Objects<MapiHttpConfigurationResult>().Single(r => r.Check == "MapiVirtualDirectory").Status);
    }

    [Fact]
    public void The_html_report_shows_each_servers_release_beside_its_name_live_and_deserialized()
    {
        using ModuleSession session = ReportLab.Session();
        string clixml = Path.Combine(_folder, "run.xml");
        string live = Path.Combine(_folder, "live.html");
        string imported = Path.Combine(_folder, "imported.html");

        ScriptResult result = session.Invoke(
            "$r = " + ReportLab.Run + "; [IO.File]::WriteAllText($x, [Management.Automation.PSSerializer]::Serialize($r, 2)); $null = $r | Export-MapiHttpReport -Path $a; " +
            "$null = [Management.Automation.PSSerializer]::Deserialize([IO.File]::ReadAllText($x)) | Export-MapiHttpReport -Path $b",
            Vars(("x", clixml), ("a", live), ("b", imported)));

        Assert.Empty(result.Errors);
        foreach (string html in new[] { File.ReadAllText(live), File.ReadAllText(imported) })
        {
            Assert.Contains("<tr data-server=\"EX01\"><th>EX01<br><span class=\"release meta\" title=\"15.2.1544.14\">Exchange 2019 CU14 Nov24SUv2</span></th>", html);
            Assert.Contains("<tr data-server=\"EX02\"><th>EX02<br><span class=\"release meta\" title=\"15.2.986.5\">Exchange 2019 CU11</span></th>", html);
            Assert.Contains("<tr data-server=\"EX03\"><th>EX03<br><span class=\"release meta\" title=\"15.2.1748.60\">Exchange 2019 CU15 (a build newer than Sep26SUv2, not in the table dated 2026-12-05)</span></th>", html);
            Assert.Contains("<tr data-server=\"\"><th>(organisation)</th>", html);
        }
    }
}
