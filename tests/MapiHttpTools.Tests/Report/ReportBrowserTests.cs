using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Report;

/// <summary>
/// The HTML report in a real browser (issue 15): Debian's chromium, headless, loads the file from disk with the
/// network blocked and every attempt to leave counted; the assertions read the DOM after the page's script ran.
/// The lab report's screenshot is kept in out/TestResults/ as the test artifact.
/// </summary>
public sealed class ReportBrowserTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.ReportBrowser." + Guid.NewGuid().ToString("N"));
    private readonly HeadlessBrowser _browser;

    public ReportBrowserTests()
    {
        Directory.CreateDirectory(_folder);
        _browser = new HeadlessBrowser(_folder);
    }

    public void Dispose()
    {
        _browser.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static readonly Regex Article = new("<article class=\"result st-(?<css>[A-Za-z]+)\" data-status=\"(?<status>[^\"]*)\" data-cause=\"(?<cause>[^\"]*)\" data-server=\"(?<server>[^\"]*)\"(?<hidden> hidden=\"\")?>", RegexOptions.Compiled);

    private string LabReport()
    {
        using ModuleSession session = ReportLab.Session();
        string path = Path.Combine(_folder, "lab report.html");
        session.Invoke(ReportLab.Run + " | Export-MapiHttpReport -Path $p", new Dictionary<string, object?> { ["p"] = path });
        return path;
    }

    [Fact]
    public void The_lab_report_shows_the_verdict_a_row_per_server_status_colours_and_copy_buttons_with_nothing_leaving_the_file()
    {
        string report = LabReport();

        BrowserRun run = _browser.DumpDom(report);

        Assert.Empty(run.ConsoleLines);
        Assert.Equal(0, run.RequestsThatLeft);
        Assert.Contains("data-ready=\"1\"", run.Dom);
        Assert.Contains("<h1>MAPI/HTTP verdict: <span class=\"badge st-Fail\">Fail</span></h1>", run.Dom);
        Assert.Matches("<p class=\"headline\" id=\"headline\">[^<]*EX03[^<]*</p>", run.Dom);
        Assert.Contains("<strong id=\"affected\">", run.Dom);
        string[] rows = Regex.Matches(run.Dom, "<tr data-server=\"([^\"]*)\">").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(new[] { "EX01", "EX02", "EX03", string.Empty }, rows);
        string ex03 = Regex.Match(run.Dom, "<tr data-server=\"EX03\">.*?</tr>").Value;
        Assert.Contains("<td class=\"st-Fail\" data-status=\"Fail\"", ex03);
        string ex01 = Regex.Match(run.Dom, "<tr data-server=\"EX01\">.*?</tr>").Value;
        Assert.DoesNotContain("st-Fail", ex01);
        Assert.DoesNotContain("st-Warning", ex01);
        Assert.Contains("<td class=\"st-Pass\" data-status=\"Pass\"", ex01);
        // Each server's Exchange release under its name, its build as the tooltip (issue 15).
        Assert.Contains("<th>EX01<br><span class=\"release meta\" title=\"15.2.1544.14\">Exchange 2019 CU14 Nov24SUv2</span></th>", ex01);
        Assert.Contains("<button type=\"button\" class=\"copy\" data-copy=\"fix-verdict\">Copy</button>", run.Dom);
        Assert.Contains("<form id=\"filters\">", run.Dom);

        // Default filter: the problems shown, passes hidden.
        var articles = Article.Matches(run.Dom).ToList();
        Assert.Contains(articles, a => a.Groups["status"].Value == "Pass" && a.Groups["hidden"].Success);
        Assert.All(articles.Where(a => a.Groups["status"].Value is "Fail" or "Warning"), a => Assert.False(a.Groups["hidden"].Success));

        string png = Path.Combine(_folder, "lab-report.png");
        BrowserRun shot = _browser.Screenshot(report, png);
        Assert.Equal(0, shot.RequestsThatLeft);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4).ToArray());
        string artifacts = Path.Combine(ModuleSession.RepoRoot, "out", "TestResults");
        Directory.CreateDirectory(artifacts);
        File.Copy(png, Path.Combine(artifacts, "report-lab.png"), overwrite: true);
        File.Copy(report, Path.Combine(artifacts, "report-lab.html"), overwrite: true);
    }

    [Fact]
    public void The_filters_show_only_the_chosen_status_and_server()
    {
        string report = LabReport();

        BrowserRun all = _browser.DumpDom(report, "#status=Pass,Skipped,Warning,Fail,Error");
        BrowserRun ex03Fails = _browser.DumpDom(report, "#status=Fail&server=EX03");

        Assert.Empty(ex03Fails.ConsoleLines);
        var everything = Article.Matches(all.Dom).ToList();
        Assert.All(everything, a => Assert.False(a.Groups["hidden"].Success));
        var filtered = Article.Matches(ex03Fails.Dom).ToList();
        Assert.Equal(everything.Count, filtered.Count);
        var shown = filtered.Where(a => !a.Groups["hidden"].Success).ToList();
        Assert.NotEmpty(shown);
        Assert.All(shown, a => Assert.Equal(("Fail", "EX03"), (a.Groups["status"].Value, a.Groups["server"].Value)));
        Assert.Contains($"<span id=\"shown\">{shown.Count}</span>", ex03Fails.Dom);
        Assert.Contains(filtered, a => a.Groups["server"].Value == "EX01" && a.Groups["hidden"].Success);
        string[] visibleRows = Regex.Matches(ex03Fails.Dom, "<tr data-server=\"([^\"]*)\">").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(new[] { "EX03" }, visibleRows);
    }

    [Fact]
    public void Injected_script_markup_and_links_in_the_data_do_not_run_and_fetch_nothing()
    {
        using ModuleSession session = new();
        string report = Path.Combine(_folder, "hostile.html");
        string clixml = Path.Combine(_folder, "hostile.xml");
        int port = 9;

        // Through CLIXML (what Export-Clixml writes and Import-Clixml reads), as a file from elsewhere arrives.
        session.Invoke("[IO.File]::WriteAllText($x, [Management.Automation.PSSerializer]::Serialize($r, 2)); [Management.Automation.PSSerializer]::Deserialize([IO.File]::ReadAllText($x)) | Export-MapiHttpReport -Path $p",
            new Dictionary<string, object?> { ["r"] = HostileResults.Create(port), ["x"] = clixml, ["p"] = report });
        BrowserRun run = _browser.DumpDom(report, "#status=Pass,Fail");

        Assert.Empty(run.ConsoleLines);
        Assert.Equal(0, run.RequestsThatLeft);
        Assert.Contains("data-ready=\"1\"", run.Dom);
        Assert.Matches("<title>MAPI/HTTP report: Fail \\([^<]*\\)</title>", run.Dom);
        Assert.Single(Regex.Matches(run.Dom, "<script"));
        Assert.Single(Regex.Matches(run.Dom, "<style"));
        Assert.DoesNotContain("<img", run.Dom);
        Assert.DoesNotContain("<b>", run.Dom);
        Assert.Contains("&lt;script&gt;document.title='pwned'&lt;/script&gt; broke", run.Dom);
        Assert.Contains("Ünïcødé-服务器", run.Dom);
        Assert.Contains("data-server=\"EX&quot;01' onmouseover='alert(1)\"", run.Dom);
        Assert.DoesNotContain(" onmouseover=\"", run.Dom);
        Assert.Equal(2, Article.Matches(run.Dom).Count);
    }
}
