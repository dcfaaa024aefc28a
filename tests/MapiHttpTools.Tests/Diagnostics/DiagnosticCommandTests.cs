using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Diagnostics;
using MapiHttpTools.Exchange;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using Xunit;

namespace MapiHttpTools.Tests.Diagnostics;

/// <summary>
/// Invoke-MapiHttpDiagnostic in the hosted engine (issue 11): the exit code of the scheduled-task pattern for each
/// case, results emitted from many threads at once all reaching the verdict, one plan entry per server, and the
/// verdict's views at 120 columns.
/// </summary>
public sealed class DiagnosticCommandTests : IDisposable
{
    private const string CommandId = ",MapiHttpTools.Commands.InvokeMapiHttpDiagnosticCommand";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "MapiHttpTools.DiagnosticCommand." + Guid.NewGuid().ToString("N"));

    public DiagnosticCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static ModuleSession Session(ExchangeLab? lab)
    {
        var session = new ModuleSession();
        lab?.Install(session);
        return session;
    }

    /// <summary>The README's scheduled task, as a script file run in the session: its exit code lands in $LASTEXITCODE.</summary>
    private (int ExitCode, ScriptResult Result) ScheduledTask(ModuleSession session, string parameters)
    {
        string script = Path.Combine(_folder, "Test-MapiHttp.ps1");
        File.WriteAllText(script, $"exit (Invoke-MapiHttpDiagnostic -Summary {parameters}).ExitCode\n");
        ScriptResult result = session.Invoke("$global:LASTEXITCODE = -1; & $script; $global:LASTEXITCODE", new Dictionary<string, object?> { ["script"] = script });
        return ((int)result.Output.Last().BaseObject, result);
    }

    [Fact]
    public void Without_Exchange_cmdlets_the_summary_still_writes_an_Error_verdict_and_the_task_exits_3()
    {
        using ModuleSession session = Session(null);

        ScriptResult result = session.Invoke("$v = Invoke-MapiHttpDiagnostic -Summary; $v; $v.ExitCode");

        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(result.Output[0].BaseObject);
        Assert.Equal(3, (int)result.Output[1].BaseObject);
        Assert.Equal((CheckStatus.Error, MapiHttpCause.None, 1), (verdict.Status, verdict.Cause, verdict.ErrorCount));
        Assert.StartsWith("Nothing was checked: ", verdict.Message);
        Assert.Contains("-SnapshotPath", verdict.Message);
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("ExchangeCmdletsNotFound" + CommandId, error.FullyQualifiedErrorId);

        (int exitCode, ScriptResult task) = ScheduledTask(session, string.Empty);
        Assert.Equal(3, exitCode);
        Assert.Equal("ExchangeCmdletsNotFound" + CommandId, Assert.Single(task.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Without_Exchange_cmdlets_ErrorAction_Stop_stops_without_a_verdict()
    {
        using ModuleSession session = Session(null);

        ScriptResult result = session.InvokeCatching("Invoke-MapiHttpDiagnostic -Summary -ErrorAction Stop");

        Assert.Empty(result.Output);
        Assert.Equal("ExchangeCmdletsNotFound" + CommandId, result.TerminatingError!.FullyQualifiedErrorId);
    }

    [Fact]
    public void A_snapshot_that_is_not_there_writes_SnapshotNotFound_and_an_Error_verdict()
    {
        using ModuleSession session = Session(null);
        string missing = Path.Combine(_folder, "missing.xml");

        (int exitCode, ScriptResult task) = ScheduledTask(session, $"-SnapshotPath '{missing}'");

        Assert.Equal(3, exitCode);
        ErrorRecord error = Assert.Single(task.Errors);
        Assert.Equal(("SnapshotNotFound" + CommandId, ErrorCategory.ObjectNotFound), (error.FullyQualifiedErrorId, error.CategoryInfo.Category));
    }

    [Fact]
    public void A_file_that_is_not_a_snapshot_writes_SnapshotNotRecognized_and_an_Error_verdict()
    {
        using ModuleSession session = Session(null);
        string path = Path.Combine(_folder, "other.xml");
        File.WriteAllText(path, "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\"><S>not a snapshot</S></Objs>");

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p", new Dictionary<string, object?> { ["p"] = path });

        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(Assert.Single(result.Output).BaseObject);
        Assert.Equal((CheckStatus.Error, 3), (verdict.Status, verdict.ExitCode));
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal(("SnapshotNotRecognized" + CommandId, ErrorCategory.InvalidData, (object)path), (error.FullyQualifiedErrorId, error.CategoryInfo.Category, error.TargetObject));
    }

    [Fact]
    public void A_snapshot_whose_CreatedBy_holds_control_characters_is_named_escaped_in_the_verbose_line()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso("EX01"));
        string path = Path.Combine(_folder, "hostile.xml");
        session.Invoke("Export-MapiHttpSnapshot -Path $p", new Dictionary<string, object?> { ["p"] = path });
        string text = File.ReadAllText(path);
        var createdBy = new System.Text.RegularExpressions.Regex("(<S N=\"Key\">CreatedBy</S>\\s*<S N=\"Value\">)[^<]*");
        Assert.Matches(createdBy, text);
        File.WriteAllText(path, createdBy.Replace(text, "${1}evil_x001B_]0;pwned_x0007_", 1));

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -SnapshotPath $p -Summary -SkipEndpointTest -Verbose", new Dictionary<string, object?> { ["p"] = path });

        Assert.Empty(result.Errors);
        string line = Assert.Single(result.Verbose, v => v.StartsWith("Checking ", StringComparison.Ordinal));
        Assert.Contains(@" by evil\e]0;pwned\a (Exchange ", line);
        Assert.DoesNotContain('\u001b', line);
    }

    public static TheoryData<string, int> ExitCodes => new()
    {
        { "healthy", 0 },
        { "warning", 1 },
        { "fail", 2 },
        { "unreadable", 3 },
    };

    [Theory]
    [MemberData(nameof(ExitCodes))]
    public void The_scheduled_task_exits_0_healthy_1_warning_2_fail_3_could_not_check(string scenario, int expected)
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        switch (scenario)
        {
            case "warning":
                lab.ReplaceVirtualDirectory("EX01", ExchangeObjects.MapiVirtualDirectory("EX01", "https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi", new[] { "Ntlm", "Negotiate" }));
                break;
            case "fail":
                lab.Organization.Properties["MapiHttpEnabled"].Value = false;
                break;
            case "unreadable":
                lab.Failing.Add("Get-ExchangeCertificate:EX01");
                break;
        }

        using ModuleSession session = Session(lab);

        (int exitCode, ScriptResult task) = ScheduledTask(session, "-SkipEndpointTest -SkipIisCheck");

        Assert.Equal(expected, exitCode);
        Assert.Empty(task.Errors);
    }

    /// <summary>A probe that emits from many threads at once, all released together.</summary>
    private sealed class SilentStage : IEndpointProbeStage
    {
        public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation) =>
            Task.CompletedTask;
    }

    private sealed class FloodStage : IEndpointProbeStage
    {
        public const int Threads = 8;
        public const int PerThread = 100000;

        public Task RunAsync(IReadOnlyList<EndpointProbeRequest> requests, Action<MapiHttpResult, bool> emit, Action<int, int>? progress, CancellationToken cancellation)
        {
            // One result object per thread, emitted over and over: little else runs between two adds, so an
            // unlocked collector loses some (or throws while growing) on every run.
            using var start = new Barrier(Threads);
            Task[] workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
                () =>
                {
                    var result = new MapiHttpEndpointResult("HealthCheck:owa", CheckStatus.Warning, MapiHttpCause.Network, "https://mail.contoso.lab/mapi", "127.0.0.11", "EX01", null, 1, 200, false, $"flood {t}", null, null);
                    start.SignalAndWait(cancellation);
                    for (int i = 0; i < PerThread; i++)
                    {
                        emit(result, false);
                    }
                },
                cancellation,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            Task.WaitAll(workers, cancellation);
            return Task.CompletedTask;
        }
    }

    [Theory]
    [InlineData("", 8)]
    [InlineData(" -ThrottleLimit 40", 40)]
    public void ThrottleLimit_sets_how_many_endpoint_probes_run_at_once(string parameter, int expected)
    {
        // Issue 18: 40 front ends at a fixed 8 at a time took five rounds; the admin now chooses the fan-out.
        using ModuleSession session = Session(ExchangeLab.Contoso());
        var seen = new List<int>();
        session.Services().EndpointProbeStageFactory = options =>
        {
            seen.Add(options.ThrottleLimit);
            return new SilentStage();
        };

        session.Invoke("Invoke-MapiHttpDiagnostic -Summary -SkipIisCheck" + parameter);

        Assert.Equal(new[] { expected }, seen);
    }

    [Fact]
    public void Results_emitted_from_many_threads_at_once_all_reach_the_verdict()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        session.Services().EndpointProbeStageFactory = _ => new FloodStage();

        ScriptResult result = session.Invoke("Invoke-MapiHttpDiagnostic -Summary -SkipIisCheck");

        Assert.Empty(result.Errors);
        MapiHttpVerdictResult verdict = Assert.IsType<MapiHttpVerdictResult>(Assert.Single(result.Output).BaseObject);
        Assert.Equal(800000, verdict.WarningCount);
        Assert.Equal(800000, verdict.Findings.Single().ResultCount);
    }

    [Fact]
    public void The_probe_plan_has_each_server_once_and_a_server_name_in_a_URL_is_not_a_namespace()
    {
        var ex01 = new ExchangeServerFacts("EX01", "ex01.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false);
        var ex02 = new ExchangeServerFacts("EX02", "ex02.contoso.lab", "Default-First-Site-Name", "Version 15.2 (Build 1544.4)", true, false);
        string[] methods = { "Ntlm", "OAuth", "Negotiate" };
        var run = new ConfigurationRun(
            null,
            new[] { ex01, ex02, ex01 },
            new[]
            {
                new MapiVirtualDirectoryFacts("EX01\\mapi (Default Web Site)", "EX01", "https://EX01/mapi", "https://mail.contoso.lab/mapi", methods, methods, methods),
                new MapiVirtualDirectoryFacts("EX02\\mapi (Default Web Site)", "EX02", "https://EX02.contoso.lab/mapi", "https://mail.contoso.lab/mapi", methods, methods, methods),
            });

        IReadOnlyList<EndpointProbeRequest> plan = EndpointProbePlan.From(run);

        Assert.Equal(
            new[] { ("https://EX01/mapi", (string?)"EX01", false, (string?)"ex01.contoso.lab"), ("https://EX02.contoso.lab/mapi", "EX02", false, "ex02.contoso.lab"), ("https://mail.contoso.lab/mapi", null, true, null) },
            plan.Select(p => (p.Url.OriginalString, p.Server, p.IsNamespace, p.TargetAddress)));
    }

    [Fact]
    public void The_verdict_and_its_findings_read_well_at_120_columns()
    {
        // Out-String and Format-List are not part of this engine (core cmdlets only): the default views go to a
        // host 120 columns wide through Out-Default, as they reach an admin's console.
        ExchangeLab lab = ExchangeLab.Contoso("EX01", "EX02");
        lab.Organization.Properties["MapiHttpEnabled"].Value = false;
        lab.ReplaceVirtualDirectory("EX02", ExchangeObjects.MapiVirtualDirectory("EX02", "https://mail.contoso.lab/mapi", "https://mail.contoso.lab/mapi", new[] { "Ntlm", "Negotiate" }));
        using ModuleSession session = Session(lab);

        ScriptResult result = session.Invoke("$v = Invoke-MapiHttpDiagnostic -Summary -SkipEndpointTest -SkipIisCheck -Mailbox bob; $v | Out-Default; $v.Findings | Out-Default; \"$v\"");

        Assert.Empty(result.Errors);
        string screen = session.Host.Output.Replace("\r", string.Empty);
        Assert.DoesNotContain("MapiHttpTools.", screen);
        Assert.DoesNotContain("System.", screen);
        Assert.All(screen.Split('\n'), line => Assert.True(line.Length <= 120, line));
        string[] expected =
        {
            "Status  Causes           Servers         Verdict",
            "Fail    NotEnabled       EX02            MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless",
            "        Authentication                   a mailbox enables MAPI/HTTP itself. Also: NotEnabled (Fail) on 1 mailbox;",
            "                                         Authentication (Warning) on EX02.",
            "Scope                  Cause            Where                    Message",
            "OrganizationNotEnabled NotEnabled       on the organisation      MAPI/HTTP is disabled for the organisation SoloORG:",
            "                                                                 Autodiscover offers Outlook Anywhere (RPC/HTTP) to",
            "Mailbox                NotEnabled       on 1 mailbox             MAPI/HTTP is off for bob@contoso.lab (set on the",
            "                                                                 mailbox): Autodiscover gives Outlook Outlook Anywhere",
            "Warning                Authentication   on EX02                  IISAuthenticationMethods of EX02\\mapi (Default Web",
        };
        string[] lines = screen.Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.All(expected, e => Assert.Contains(e, lines));
        Assert.Equal("MAPI/HTTP is disabled for the organisation: Outlook is offered RPC/HTTP unless a mailbox enables MAPI/HTTP itself.", Assert.Single(result.Output).BaseObject);
    }

    [Fact]
    public void In_a_list_the_findings_read_as_sentences()
    {
        // What Format-List * shows for Findings: each element's ToString().
        ExchangeLab lab = ExchangeLab.Contoso("EX01");
        lab.Organization.Properties["MapiHttpEnabled"].Value = false;
        using ModuleSession session = Session(lab);

        ScriptResult result = session.Invoke("(Invoke-MapiHttpDiagnostic -Summary -SkipEndpointTest -SkipIisCheck).Findings | ForEach-Object { \"$_\" }");

        Assert.Equal(new object[] { "NotEnabled (Fail) on the organisation: MAPI/HTTP is disabled for the organisation SoloORG: Autodiscover offers Outlook Anywhere (RPC/HTTP) to every mailbox that does not enable MAPI/HTTP itself." }, result.Output.Select(o => o.BaseObject).ToArray());
    }
}
