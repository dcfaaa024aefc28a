using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Report;

/// <summary>Export-MapiHttpReport in the hosted engine (issue 15): what the files hold, live and deserialized, and every way the path can be wrong.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private const string CommandId = ",MapiHttpTools.Commands.ExportMapiHttpReportCommand";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Report." + Guid.NewGuid().ToString("N"));

    public ReportCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void The_html_report_of_the_lab_leads_with_the_verdict_and_has_one_matrix_row_per_server()
    {
        using ModuleSession session = ReportLab.Session();
        string path = Path.Combine(_folder, "lab.html");

        ScriptResult result = session.Invoke(ReportLab.Run + " | Export-MapiHttpReport -Path $p", Vars(("p", path)));

        Assert.Empty(result.Errors);
        FileInfo file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal(path, file.FullName);
        string html = File.ReadAllText(path);
        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.True(html.IndexOf("id=\"verdict\"", StringComparison.Ordinal) < html.IndexOf("id=\"matrix-section\"", StringComparison.Ordinal));
        Assert.Contains("<header id=\"verdict\" class=\"verdict st-Fail\" data-status=\"Fail\">", html);
        Assert.Contains("<tr data-server=\"EX01\">", html);
        Assert.Contains("<tr data-server=\"EX02\">", html);
        Assert.Contains("<tr data-server=\"EX03\">", html);
        Assert.Contains("Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty));
        Assert.DoesNotContain("https://cdn", html);
        Assert.Contains("content=\"default-src 'none'; style-src 'sha256-", html);
    }

    [Fact]
    public void Results_read_back_from_Import_Clixml_give_the_same_statuses_as_text()
    {
        using ModuleSession session = ReportLab.Session();
        string clixml = Path.Combine(_folder, "run.xml");
        string live = Path.Combine(_folder, "live.csv");
        string imported = Path.Combine(_folder, "imported.csv");

        ScriptResult result = session.Invoke(
            "$r = " + ReportLab.Run + "; [IO.File]::WriteAllText($x, [Management.Automation.PSSerializer]::Serialize($r, 2)); $null = $r | Export-MapiHttpReport -Path $a -Format Csv; " +
            "$d = [Management.Automation.PSSerializer]::Deserialize([IO.File]::ReadAllText($x)); $d[0].PSObject.TypeNames[0]; $null = $d | Export-MapiHttpReport -Path $b -Format Csv",
            Vars(("x", clixml), ("a", live), ("b", imported)));

        Assert.Empty(result.Errors);
        Assert.StartsWith("Deserialized.MapiHttpTools.", (string)result.Output[0].BaseObject);
        string[] liveRows = File.ReadAllLines(live);
        string[] importedRows = File.ReadAllLines(imported);
        Assert.Equal(liveRows, importedRows);
        Assert.Equal("\"Kind\",\"Status\",\"Cause\",\"Check\",\"Server\",\"Target\",\"Message\",\"Recommendation\",\"Timestamp\",\"Evidence\"", liveRows[0].TrimStart('\uFEFF'));
        string appPool = Assert.Single(importedRows, r => r.StartsWith("\"MapiHttpEndpointResult\",\"Fail\"", StringComparison.Ordinal));
        Assert.StartsWith("\"MapiHttpEndpointResult\",\"Fail\",\"AppPool\",\"HealthCheck\",\"EX03\",", appPool);
        Assert.EndsWith(",\"StatusCode=503; Server=Microsoft-IIS/10.0\"", appPool);
        Assert.Contains(importedRows, r => r.StartsWith("\"MapiHttpVerdictResult\",\"Fail\",\"AppPool\",\"Verdict\",", StringComparison.Ordinal));
    }

    [Fact]
    public void Json_has_Status_and_Cause_as_text_and_Evidence_as_an_object()
    {
        using ModuleSession session = ReportLab.Session();
        string path = Path.Combine(_folder, "run.json");

        session.Invoke(ReportLab.Run + " | Export-MapiHttpReport -Path $p -Format Json", Vars(("p", path)));

        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement appPool = json.RootElement.EnumerateArray().Single(e => e.GetProperty("Cause").GetString() == "AppPool" && e.GetProperty("Kind").GetString() == "MapiHttpEndpointResult");
        Assert.Equal("Fail", appPool.GetProperty("Status").GetString());
        Assert.Equal("EX03", appPool.GetProperty("Server").GetString());
        Assert.Equal("503", appPool.GetProperty("Evidence").GetProperty("StatusCode").GetString());
        Assert.Equal("Microsoft-IIS/10.0", appPool.GetProperty("Evidence").GetProperty("Server").GetString());
        JsonElement verdict = json.RootElement.EnumerateArray().Last();
        Assert.Equal(("MapiHttpVerdictResult", "Fail"), (verdict.GetProperty("Kind").GetString(), verdict.GetProperty("Status").GetString()));
        Assert.Contains("EX03", verdict.GetProperty("AffectedServers").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("AppPool", verdict.GetProperty("Findings")[0].GetProperty("Cause").GetString());
    }

    [Fact]
    public void Hostile_text_is_escaped_in_html_json_and_csv()
    {
        using ModuleSession session = new();
        string html = Path.Combine(_folder, "h.html");
        string json = Path.Combine(_folder, "h.json");
        string csv = Path.Combine(_folder, "h.csv");

        session.Invoke("$r | Export-MapiHttpReport $h; $r | Export-MapiHttpReport $j -Format Json; $r | Export-MapiHttpReport $c -Format Csv",
            Vars(("r", HostileResults.Create(9)), ("h", html), ("j", json), ("c", csv)));

        string page = File.ReadAllText(html);
        Assert.DoesNotContain("<script>alert", page);
        Assert.DoesNotContain("<img", page);
        Assert.Contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", page);
        Assert.Contains("data-server=\"EX&quot;01&#39; onmouseover=&#39;alert(1)\"", page);
        Assert.Contains("Ünïcødé-服务器", page);
        using JsonDocument parsed = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("<script>document.title='pwned'</script> broke", parsed.RootElement[0].GetProperty("Message").GetString());
        Assert.Contains("\\u003cscript\\u003e", File.ReadAllText(json));
        Assert.Contains("\"'=HYPERLINK(\"\"http://127.0.0.1:9/x\"\")\"", File.ReadAllText(csv));
    }

    [Fact]
    public void An_existing_file_is_refused_without_Force_and_kept()
    {
        using ModuleSession session = ReportLab.Session();
        string path = Path.Combine(_folder, "r.html");
        File.WriteAllText(path, "keep");

        ScriptResult refused = session.InvokeCatching(ReportLab.Run + " | Export-MapiHttpReport -Path $p", Vars(("p", path)));

        ErrorRecord error = Assert.Single(refused.Errors);
        Assert.Equal(("ReportExists" + CommandId, ErrorCategory.ResourceExists, (object)path), (error.FullyQualifiedErrorId, error.CategoryInfo.Category, error.TargetObject));
        Assert.Equal("keep", File.ReadAllText(path));

        session.Invoke(ReportLab.Run + " | Export-MapiHttpReport -Path $p -Force", Vars(("p", path)));
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
        Assert.Equal(new[] { "r.html" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    [Fact]
    public void A_missing_folder_is_ReportPathInvalid_and_WhatIf_writes_nothing()
    {
        using ModuleSession session = ReportLab.Session();
        string missing = Path.Combine(_folder, "no-such-folder", "r.html");
        string path = Path.Combine(_folder, "w.html");

        ScriptResult refused = session.InvokeCatching(ReportLab.Run + " | Export-MapiHttpReport -Path $p", Vars(("p", missing)));
        ScriptResult whatIf = session.Invoke(ReportLab.Run + " | Export-MapiHttpReport -Path $p -WhatIf", Vars(("p", path)));

        ErrorRecord error = Assert.Single(refused.Errors);
        Assert.Equal(("ReportPathInvalid" + CommandId, ErrorCategory.ObjectNotFound, (object)missing), (error.FullyQualifiedErrorId, error.CategoryInfo.Category, error.TargetObject));
        Assert.Empty(whatIf.Output);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public void Objects_that_are_not_results_are_left_out_with_a_warning()
    {
        using ModuleSession session = ReportLab.Session();
        string path = Path.Combine(_folder, "mixed.json");

        ScriptResult result = session.Invoke("@([datetime]::UtcNow) + @(" + ReportLab.Run + " -Summary) | Export-MapiHttpReport -Path $p -Format Json", Vars(("p", path)));

        Assert.Equal("1 input object(s) are not MapiHttpTools results and are left out (the first is a System.DateTime).", Assert.Single(result.Warnings));
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("MapiHttpVerdictResult", Assert.Single(json.RootElement.EnumerateArray()).GetProperty("Kind").GetString());
    }

    [Fact]
    public void Invoke_ReportPath_writes_every_result_of_the_run_even_with_Summary()
    {
        using ModuleSession session = ReportLab.Session();
        string path = Path.Combine(_folder, "run.json");
        File.WriteAllText(path, "last night's report");

        ScriptResult result = session.Invoke(ReportLab.Run + " -Summary -ReportPath $p", Vars(("p", path)));

        Assert.Empty(result.Errors);
        Assert.IsType<MapiHttpVerdictResult>(Assert.Single(result.Output).BaseObject);
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement[] rows = json.RootElement.EnumerateArray().ToArray();
        Assert.Equal("MapiHttpVerdictResult", rows[^1].GetProperty("Kind").GetString());
        Assert.Contains(rows, r => r.GetProperty("Kind").GetString() == "MapiHttpEndpointResult" && r.GetProperty("Status").GetString() == "Fail" && r.GetProperty("Server").GetString() == "EX03");
        Assert.Contains(rows, r => r.GetProperty("Kind").GetString() == "MapiHttpMailboxStateResult");
        Assert.True(rows.Length > 40, rows.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Invoke_ReportPath_in_a_missing_folder_is_an_error_and_the_run_still_ends_with_its_verdict()
    {
        using ModuleSession session = ReportLab.Session();
        string missing = Path.Combine(_folder, "nope", "r.html");

        ScriptResult result = session.Invoke(ReportLab.Run + " -Summary -ReportPath $p -ReportFormat Html", Vars(("p", missing)));

        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal(("ReportPathInvalid,MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand", ErrorCategory.ObjectNotFound, (object)missing), (error.FullyQualifiedErrorId, error.CategoryInfo.Category, error.TargetObject));
        Assert.Equal(CheckStatus.Fail, Assert.IsType<MapiHttpVerdictResult>(Assert.Single(result.Output).BaseObject).Status);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public void A_log_summary_adds_the_requests_per_interval_and_latency_per_back_end_charts_as_inline_svg()
    {
        using ModuleSession session = new();
        string logs = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Logs", "HttpProxy", "Mapi");
        string path = Path.Combine(_folder, "logs.html");

        ScriptResult result = session.Invoke(
            "$s = Get-MapiHttpLogSummary -Path $l; $s | Export-MapiHttpReport -Path $p | Out-Null; $s.ByTime.Count; @($s.ByBackEnd | Where-Object { $null -ne $_.LatencyP50Ms }).Count",
            Vars(("l", logs), ("p", path)));

        Assert.Empty(result.Errors);
        int hours = (int)result.Output[0].BaseObject;
        int backEnds = (int)result.Output[1].BaseObject;
        Assert.True(hours > 0 && backEnds > 0, $"{hours} intervals, {backEnds} back ends with latency");
        string html = File.ReadAllText(path);
        Assert.Contains("<section id=\"charts\" class=\"charts\"><h2>Logs</h2>", html);
        Assert.Contains("<svg class=\"chart-requests\"", html);
        Assert.Contains("<svg class=\"chart-latency\"", html);
        // One blue bar (with its tooltip) per interval, three percentile bars per back end.
        Assert.Equal(hours, System.Text.RegularExpressions.Regex.Matches(html, "fill=\"#54aeff\"><title>").Count);
        Assert.Equal(backEnds, System.Text.RegularExpressions.Regex.Matches(html, " P50 [0-9.]+ ms</title>").Count);
    }
}
