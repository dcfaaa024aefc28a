using System.Linq;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Report;

/// <summary>The per-server one-screen summary of a diagnostic run (issue 15).</summary>
public sealed class ServerSummaryTests
{
    [Fact]
    public void The_verdict_carries_one_line_per_server_worst_first_with_causes_and_the_first_fix()
    {
        using ModuleSession session = ReportLab.Session();

        ScriptResult result = session.Invoke("(" + ReportLab.Run + " -Summary).ServerSummary");

        Assert.Empty(result.Errors);
        MapiHttpServerSummary[] rows = result.Objects<MapiHttpServerSummary>().ToArray();
        Assert.Equal(
            new[]
            {
                "EX03 Fail 2 NotEnabled,AppPool",
                "(organisation) Fail 1 NotEnabled",
                "EX02 Warning 1 Authentication",
                "EX01 Pass 0 ",
            },
            rows.Select(r => $"{r.Server} {r.Status} {r.Problems} {string.Join(",", r.Causes)}").ToArray());
        Assert.Equal("Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiHttpEnabled $true", rows[1].Fix);
        Assert.Null(rows[3].Fix);
    }

    [Fact]
    public void The_server_summary_view_fits_120_columns_with_the_fix_wrapped_between_words()
    {
        var screen = new System.IO.StringWriter();
        using ModuleSession session = ReportLab.Session(screen);

        ScriptResult result = session.Invoke("(" + ReportLab.Run + " -Summary).ServerSummary | Out-Default");

        Assert.Empty(result.Errors);
        string[] lines = screen.ToString().Replace("\r\n", "\n").Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));
        Assert.Equal("Server           Status  Problems Causes           First fix", lines[0].TrimEnd());
        Assert.Contains(lines, l => l.StartsWith("EX02             Warning        1 Authentication   Set-MapiVirtualDirectory -Identity 'EX02\\mapi (Default Web Site)'", System.StringComparison.Ordinal));
        Assert.Contains(lines, l => l.TrimEnd() == "EX01             Pass           0");
    }
}
