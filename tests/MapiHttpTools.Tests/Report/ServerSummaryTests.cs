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
        Assert.Equal(
            new[]
            {
                "EX03 15.2.1748.60 Exchange 2019 CU15 (a build newer than Sep26SUv2, not in the table dated 2026-12-05)",
                "(organisation)  ",
                "EX02 15.2.986.5 Exchange 2019 CU11",
                "EX01 15.2.1544.14 Exchange 2019 CU14 Nov24SUv2",
            },
            rows.Select(r => $"{r.Server} {r.ExchangeBuild} {r.ExchangeRelease}").ToArray());
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
        Assert.Equal("Server           Exchange        Status  Problems Causes           First fix", lines[0].TrimEnd());
        // The Exchange release (issue 15) wraps between words in its own column, as the fix does in its.
        int ex02 = System.Array.FindIndex(lines, l => l.StartsWith("EX02 ", System.StringComparison.Ordinal));
        Assert.Equal("EX02             Exchange 2019   Warning        1 Authentication   Set-MapiVirtualDirectory -Identity 'EX02\\mapi", lines[ex02].TrimEnd());
        Assert.Equal("                 CU11                                              (Default Web Site)' -IISAuthenticationMethods", lines[ex02 + 1].TrimEnd());
        int ex01 = System.Array.FindIndex(lines, l => l.StartsWith("EX01 ", System.StringComparison.Ordinal));
        Assert.Equal("EX01             Exchange 2019   Pass           0", lines[ex01].TrimEnd());
        Assert.Equal("                 CU14 Nov24SUv2", lines[ex01 + 1].TrimEnd());
    }
}
