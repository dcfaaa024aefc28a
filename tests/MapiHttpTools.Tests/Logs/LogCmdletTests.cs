using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>Read-MapiHttpLog and Get-MapiHttpLogSummary as an admin runs them, in the hosted engine.</summary>
public sealed class LogCmdletTests
{
    /// <summary>The host text without ANSI styling (PowerShell 7 styles table headers).</summary>
    private static string Plain(string text) => Regex.Replace(text, "\u001b\\[[0-9;]*m", string.Empty);

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void Read_streams_typed_records_that_Where_Object_filters()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Read-MapiHttpLog -LiteralPath $path | Where-Object Status -ge 500", Vars(("path", LogFixtures.HttpProxy)));

        Assert.Empty(result.Errors);
        HttpProxyLogRecord[] records = result.Objects<HttpProxyLogRecord>().ToArray();
        Assert.Equal(new[] { 503, 503, 500 }, records.Select(r => r.Status!.Value));
        Assert.All(records, r => Assert.Equal("ex04.contoso.com", r.BackEnd));
    }

    [Fact]
    public void An_HttpProxy_log_of_another_protocol_gives_a_warning_that_names_it()
    {
        // Issue 11: an HttpProxy\Owa log has the HttpProxy columns; it used to give nothing, silently.
        using var folder = new TempFolder();
        string owa = HttpProxyLog.Text(Enumerable.Range(0, 3).Select(i => new ProxyLine(new DateTime(2024, 3, 11, 8, 0, i, DateTimeKind.Utc), "alice", 200, Stem: "/owa/service.svc")))
            .Replace(",Mapi,", ",Owa,");
        string path = folder.File("HttpProxy/Owa/HttpProxy_2024031108-1.LOG", owa);
        using var session = new ModuleSession();

        ScriptResult read = session.Invoke("Read-MapiHttpLog -LiteralPath $path", Vars(("path", path)));
        ScriptResult summary = session.Invoke("Get-MapiHttpLogSummary -LiteralPath $path", Vars(("path", path)));

        Assert.Empty(read.Output);
        Assert.Empty(read.Errors);
        Assert.Equal(new[] { $"'{path}' holds no MAPI/HTTP requests: every request in them is of protocol 'Owa'. Give the logs of Logging\\HttpProxy\\Mapi (or MapiHttp\\Mailbox, MAPI Client Access, IIS W3C with /mapi requests)." }, read.Warnings);
        Assert.Equal(read.Warnings, summary.Warnings);
        MapiHttpLogSummary s = Assert.IsType<MapiHttpLogSummary>(Assert.Single(summary.Output).BaseObject);
        Assert.Equal(3, s.OtherProtocolLines);
        Assert.Equal(CheckStatus.Skipped, Assert.Single(s.Findings).Status);
    }

    [Fact]
    public void Since_past_the_data_says_which_time_range_the_logs_cover()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke(
            "Get-MapiHttpLogSummary -LiteralPath $path -Since $since", Vars(("path", LogFixtures.HttpProxy), ("since", new DateTime(2024, 3, 12, 0, 0, 0, DateTimeKind.Utc))));

        Assert.Empty(result.Errors);
        MapiHttpLogSummary s = Assert.IsType<MapiHttpLogSummary>(Assert.Single(result.Output).BaseObject);
        MapiHttpLogFinding finding = Assert.Single(s.Findings);
        Assert.Equal(CheckStatus.Skipped, finding.Status);
        Assert.Equal(
            "No MAPI/HTTP requests in the logs read (after the filters): nothing to summarize. The logs cover 2024-03-11 08:00 to 2024-03-11 09:20 UTC; -Since 2024-03-12 00:00 UTC is after the last of them.",
            finding.Message);
        Assert.Equal(16, s.FilteredLines);
    }

    [Fact]
    public void Wildcards_resolve_through_the_session_and_folders_are_searched_for_log_files()
    {
        using var session = new ModuleSession();
        ScriptResult wildcard = session.Invoke("Read-MapiHttpLog -Path ([System.IO.Path]::Combine($root, 'HttpProxy', 'Map?', '*.LOG'))", Vars(("root", LogFixtures.Root)));
        Assert.Empty(wildcard.Errors);
        Assert.Equal(16, wildcard.Output.Count);

        ScriptResult folder = session.Invoke("Read-MapiHttpLog -Path $root", Vars(("root", LogFixtures.Root)));

        // 16 HttpProxy + 5 readable lines of the malformed file + 4 MapiHttp + 3 MAPI Client Access + 4 + 3 IIS /mapi lines.
        Assert.Equal(35, folder.Output.Count);
        Assert.Equal(16 + 5, folder.Objects<HttpProxyLogRecord>().Count());
        Assert.Equal(7, folder.Objects<IisLogRecord>().Count());
        Assert.Equal(4, folder.Objects<MapiHttpMailboxLogRecord>().Count());
        Assert.Equal(3, folder.Objects<MapiClientAccessLogRecord>().Count());
        Assert.Equal(new[] { "UnknownLogFormat,MapiHttpTools.Commands.ReadMapiHttpLogCommand", "UnknownLogFormat,MapiHttpTools.Commands.ReadMapiHttpLogCommand" }, folder.ErrorIds);
        Assert.Equal(new object[] { LogFixtures.UnknownEws, LogFixtures.UnknownText }, folder.Errors.Select(e => e.TargetObject));
        Assert.All(folder.Errors, e => Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category));
        Assert.Contains("'EWS Logs'", folder.Errors[0].Exception.Message);
    }

    [Fact]
    public void Files_piped_from_a_listing_bind_by_FullName_and_PSPath()
    {
        using var session = new ModuleSession();
        ScriptResult byFullName = session.Invoke(
            "[System.IO.DirectoryInfo]::new($root).GetFiles('*.LOG', 'AllDirectories') | Where-Object Name -like 'Http*' | Read-MapiHttpLog",
            Vars(("root", LogFixtures.Root)));
        Assert.Empty(byFullName.Errors);
        Assert.Equal(21, byFullName.Output.Count);

        ScriptResult byPsPath = session.Invoke(
            "[pscustomobject]@{ PSPath = 'Microsoft.PowerShell.Core\\FileSystem::' + $path } | Read-MapiHttpLog -Status 401",
            Vars(("path", LogFixtures.HttpProxy)));
        Assert.Empty(byPsPath.Errors);
        Assert.Equal(4, byPsPath.Output.Count);
    }

    [Fact]
    public void Paths_that_find_nothing_are_reported_with_LogFileNotFound_and_the_input_as_target()
    {
        using var session = new ModuleSession();
        using var empty = new TempFolder();
        empty.File("readme.txt", "no logs here");
        string missing = Path.Combine(LogFixtures.Root, "nope", "HttpProxy_2024031108-1.LOG");
        string pattern = Path.Combine(LogFixtures.Root, "HttpProxy", "Mapi", "*.nothing");

        ScriptResult result = session.Invoke(
            "Read-MapiHttpLog -LiteralPath $missing; Read-MapiHttpLog -Path $pattern; Read-MapiHttpLog -Path $empty; Read-MapiHttpLog -Path $missing, $hp",
            Vars(("missing", missing), ("pattern", pattern), ("empty", empty.Path), ("hp", LogFixtures.HttpProxy)));

        Assert.Equal(16, result.Output.Count);
        Assert.Equal(4, result.Errors.Count);
        Assert.All(result.ErrorIds, id => Assert.Equal("LogFileNotFound,MapiHttpTools.Commands.ReadMapiHttpLogCommand", id));
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category));
        Assert.Equal(new object[] { missing, pattern, empty.Path, missing }, result.Errors.Select(e => e.TargetObject));
        Assert.Contains("holds no *.log files", result.Errors[2].Exception.Message);
    }

    [Fact]
    public void Filters_bind_from_the_command_line()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke(
            "Read-MapiHttpLog -Path $path -Since $since -Until $until -User 'bob' -Server 'ex04*' -Status 503, 500 -MinimumLatencyMs 6",
            Vars(("path", LogFixtures.HttpProxy), ("since", new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc)), ("until", new DateTime(2024, 3, 11, 9, 0, 0, DateTimeKind.Utc))));

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "5e58f509-1ddc-48d3-82c6-0199bc121609", "5e58f50a-1ddc-48d3-82c6-0199bc121610" }, result.Objects<HttpProxyLogRecord>().Select(r => r.RequestId));
    }

    [Fact]
    public void An_empty_time_range_and_a_too_short_interval_stop_before_reading()
    {
        using var session = new ModuleSession();
        var vars = Vars(("path", LogFixtures.HttpProxy), ("since", new DateTime(2024, 3, 11, 9, 0, 0, DateTimeKind.Utc)), ("until", new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc)));

        ScriptResult range = session.InvokeCatching("Read-MapiHttpLog -Path $path -Since $since -Until $until", vars);
        ScriptResult interval = session.InvokeCatching("Get-MapiHttpLogSummary -Path $path -Interval '00:00:30'", vars);

        Assert.Equal(new[] { "InvalidTimeRange,MapiHttpTools.Commands.ReadMapiHttpLogCommand" }, range.ErrorIds);
        Assert.Equal(ErrorCategory.InvalidArgument, range.Errors[0].CategoryInfo.Category);
        Assert.Empty(range.Output);
        Assert.Equal(new[] { "InvalidInterval,MapiHttpTools.Commands.GetMapiHttpLogSummaryCommand" }, interval.ErrorIds);
        Assert.Empty(interval.Output);
    }

    [Fact]
    public void Malformed_lines_are_told_in_verbose_output()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Read-MapiHttpLog -Path $path -Verbose", Vars(("path", LogFixtures.Malformed)));

        Assert.Equal(5, result.Output.Count);
        Assert.Contains(result.Verbose, v => v == $"{LogFixtures.Malformed}: 5 malformed line(s) skipped: 2 with the wrong number of fields, first at line 8; 1 with broken quoting at line 15; 1 with a value that does not parse at line 12; 1 cut short without a line end (still being written?) at line 18.");
        Assert.Contains(result.Verbose, v => v.StartsWith("Read 1 file(s), ", StringComparison.Ordinal) && v.EndsWith(" 5 request(s) written, 0 left out by the filters, 0 of other protocols, 5 malformed.", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_is_reported_by_bytes_and_completed()
    {
        using var session = new ModuleSession();
        using PowerShell shell = session.Prepare("Read-MapiHttpLog -Path $path", Vars(("path", LogFixtures.Root)));
        shell.Invoke();

        ProgressRecord[] progress = shell.Streams.Progress.Where(p => p.Activity == "Reading MAPI/HTTP logs").ToArray();
        Assert.NotEmpty(progress);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].RecordType);
        Assert.Equal(100, progress[^1].PercentComplete);
        Assert.Matches(@"^[0-9.]+ of [0-9.]+ MB, file \d+ of 8$", progress[0].StatusDescription);
    }

    [Fact]
    public void Records_render_as_a_table_with_fixed_columns()
    {
        using var session = new ModuleSession();
        session.Invoke("Read-MapiHttpLog -Path $path -Status 503 | Out-Default", Vars(("path", LogFixtures.HttpProxy)));

        string[] lines = Plain(session.Host.Output).Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToArray();
        Assert.Matches(@"^DateTime \(UTC\)\s+Status\s+Ms RequestType\s+User\s+FrontEnd\s+BackEnd\s+Client$", lines[0]);
        Assert.Equal("2024-03-11 08:05:03.004    503      5 Execute          CONTOSO\\bob              EX02       ex04.contoso.com  16.0.16130", lines[2]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void The_summary_is_one_object_for_all_piped_files_with_its_findings()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke(
            "$hp, $be, $unknown | Get-MapiHttpLogSummary -Interval '00:30:00'",
            Vars(("hp", LogFixtures.HttpProxy), ("be", LogFixtures.IisBackEnd), ("unknown", LogFixtures.UnknownEws)));

        MapiHttpLogSummary summary = Assert.Single(result.Objects<MapiHttpLogSummary>());
        Assert.Equal(new[] { "UnknownLogFormat,MapiHttpTools.Commands.GetMapiHttpLogSummaryCommand" }, result.ErrorIds);
        Assert.Equal(16, summary.Requests);
        Assert.Equal(3, summary.JoinedRequests);
        Assert.Equal(TimeSpan.FromMinutes(30), summary.Interval);
        Assert.Equal(new[] { "2024-03-11 08:00Z", "2024-03-11 08:30Z", "2024-03-11 09:00Z" }, summary.ByTime.Select(t => t.Key));
        Assert.Equal(CheckStatus.Pass, Assert.Single(summary.Findings).Status);
    }

    [Fact]
    public void The_summary_and_its_rows_and_findings_render_as_tables()
    {
        using var session = new ModuleSession();
        session.Invoke("$s = Get-MapiHttpLogSummary -Path $path; $s | Out-Default; $s.ByBackEnd | Out-Default; $s.Findings | Out-Default", Vars(("path", LogFixtures.HttpProxy)));

        string output = Plain(session.Host.Output);
        Assert.Matches(new Regex(@"Status\s+Requests\s+Failures\s+401 %\s+503\s+Bursts\s+P50 ms\s+P95 ms\s+P99 ms\s+Malformed Findings"), output);
        Assert.Matches(new Regex(@"Pass\s+16\s+5\s+12\.5\s+2\s+0\s+15\s+100\s+100\s+0 Pass None\r?\n"), output);
        Assert.Matches(new Regex(@"BackEnd\s+ex04\.contoso\.com\s+6\s+3\s+0\s+2\s+18\s+100\s+100 503=2; 500=1"), output);
        Assert.Matches(new Regex(@"Pass\s+None\s+2024-03-11 08:00 No failure pattern in 16 requests"), output);
    }

    [Fact]
    public void Stopping_the_pipeline_stops_a_long_read_at_once()
    {
        using var folder = new TempFolder();
        var start = new DateTime(2024, 3, 11, 8, 0, 0, DateTimeKind.Utc);
        var text = new StringBuilder(HttpProxyLog.Header(start));
        string line = HttpProxyLog.Line(new ProxyLine(start, "alice", 200));
        for (int i = 0; i < 20000; i++)
        {
            text.Append(line).Append("\r\n");
        }

        string path = folder.File("HttpProxy_2024031108-1.LOG", text.ToString());
        using var session = new ModuleSession();
        using PowerShell shell = session.Prepare("Read-MapiHttpLog -Path $path | ForEach-Object { [System.Threading.Thread]::Sleep(5) }", Vars(("path", path)));

        IAsyncResult running = shell.BeginInvoke();
        System.Threading.Thread.Sleep(300);
        var clock = Stopwatch.StartNew();
        shell.Stop();

        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)));
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("Read-MapiHttpLog")]
    [InlineData("Get-MapiHttpLogSummary")]
    public void Help_documents_every_parameter_with_at_least_three_examples(string name)
    {
        string path = Path.Combine(ModuleSession.RepoRoot, "en-US", name + ".md");
        string help = File.ReadAllText(path);
        using var session = new ModuleSession();
        CmdletInfo command = session.Invoke("Get-Command $name", Vars(("name", name))).Objects<CmdletInfo>().Single();
        string[] parameters = command.Parameters.Keys.Except(Cmdlet.CommonParameters).Except(Cmdlet.OptionalCommonParameters).ToArray();

        Assert.StartsWith("---\nexternal help file: MapiHttpTools.dll-Help.xml\nModule Name: MapiHttpTools\n", help.Replace("\r\n", "\n"));
        Assert.Contains($"\n# {name}\n", help);
        foreach (string section in new[] { "## SYNOPSIS", "## SYNTAX", "## DESCRIPTION", "## EXAMPLES", "## PARAMETERS", "### CommonParameters", "## INPUTS", "## OUTPUTS", "## NOTES", "## RELATED LINKS" })
        {
            Assert.Contains("\n" + section + "\n", help);
        }

        MatchCollection examples = Regex.Matches(help, @"### Example \d+: [^\n]+\n```powershell\n(?<code>.*?)\n```\n\n(?<prose>[^\n#]+)", RegexOptions.Singleline);
        Assert.True(examples.Count >= 3, $"{name}: {examples.Count} examples");
        Assert.All(examples, e => Assert.Contains(name, e.Groups["code"].Value));
        foreach (string parameter in parameters)
        {
            Assert.Matches(new Regex($@"\n### -{parameter}\n[^\n]+.*?```yaml\nType: ", RegexOptions.Singleline), help);
        }

        foreach (string set in command.ParameterSets.Select(s => s.Name))
        {
            Assert.Contains($"\n### {set}", help);
        }

        foreach (Match parameter in Regex.Matches(help, @"\n### -(\w+)\n"))
        {
            Assert.Contains(parameter.Groups[1].Value, parameters);
        }
    }
}
