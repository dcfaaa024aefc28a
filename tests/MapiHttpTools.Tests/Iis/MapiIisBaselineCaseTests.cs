using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// Issue 19: the IIS baseline's decisions that no fixture variant reached, each with literal facts in and the
/// literal finding out: boundaries of the pool rules, runtime states, event counts and their wording, and the
/// application's placement, site, sslFlags, Extended Protection and binding choices.
/// </summary>
public sealed class MapiIisBaselineCaseTests
{
    private const string Mailbox = "MSExchangeMapiMailboxAppPool";
    private static readonly DateTime End = new(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
    private static readonly MapiIisJudgementContext Context = new("EX01", null);

    private static readonly AppPoolConfig Good = new(
        Mailbox, AutoStart: true, ManagedRuntimeVersion: "v4.0", ManagedPipelineMode: "Integrated", IdentityType: "LocalSystem", UserName: null,
        IdleTimeout: TimeSpan.Zero, PeriodicRestartTime: TimeSpan.Zero, PeriodicRestartMemory: 0, PeriodicRestartPrivateMemory: 0, PeriodicRestartRequests: 0,
        PeriodicRestartSchedule: Array.Empty<TimeSpan>(), RapidFailProtection: false, QueueLength: 1000, ClrConfigFile: null);

    private static MapiPoolDefinition MailboxPool => new(Mailbox, "Exchange Back End/mapi/emsmdb (mailbox)");

    private static MapiPoolEventFacts NoEvents => new(null, null, null, TimeSpan.FromHours(24), Array.Empty<EventFacts>());

    private static MapiPoolEventFacts Events(TimeSpan window, params EventFacts[] events) =>
        new(new EventReadResult(events, End - window, End, null), "events.xml", null, window, events);

    private static EventFacts Event(int id, int hoursAgo, string? message, params string[] properties) =>
        new(id, MapiPoolEvents.WasProvider, "System", End.AddHours(-hoursAgo), message, "EX01", properties);

    private static MapiAppPoolHealthResult Pool(AppPoolConfig? config = null, RuntimeFacts? runtime = null, MapiPoolEventFacts? events = null) =>
        MapiPoolJudgement.Judge(new MapiPoolFacts(MailboxPool, "test", config ?? Good, runtime, events ?? NoEvents), Context);

    private static string Local(DateTime utc) => utc.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Application pool 'MSExchangeOWAAppPool' is being automatically disabled", null)]
    [InlineData("A worker process serving application pool 'msexchangemapimailboxapppool' crashed", "MSExchangeMapiMailboxAppPool")]
    [InlineData("MSExchangeMapiAddressBookAppPool", "MSExchangeMapiAddressBookAppPool")]
    [InlineData("MSExchangeMapiAddressBookAppPool and MSExchangeMapiFrontEndAppPool", "MSExchangeMapiFrontEndAppPool")] // the first of the baseline's pools
    public void The_pool_a_text_names_is_found_in_any_case(string? text, string? pool) =>
        Assert.Equal(pool, MapiIisBaseline.PoolNamedIn(text));

    [Fact]
    public void Values_are_compared_trimmed_and_in_any_case_and_the_queue_length_of_1000_is_the_least_that_passes()
    {
        AppPoolConfig spelled = Good with { ManagedRuntimeVersion = " V4.0 ", ManagedPipelineMode = "integrated", IdentityType = "LOCALSYSTEM ", QueueLength = 1001 };
        Assert.All(MapiPoolJudgement.Settings(spelled), f => Assert.Equal(CheckStatus.Pass, f.Status));

        MapiAppPoolFinding queue = MapiPoolJudgement.Settings(Good with { QueueLength = 999 }).Single(f => f.Status != CheckStatus.Pass);
        Assert.Equal(("QueueLength", CheckStatus.Warning, 1000L, 999L), (queue.Check, queue.Status, queue.Expected, queue.Actual));
        Assert.Equal("MSExchangeMapiMailboxAppPool queues only 999 requests (Exchange sets 1000): under load HTTP.sys answers 503 Queue Full.", queue.Message);
        Assert.Equal("MSExchangeMapiMailboxAppPool queues up to 1000 requests.", MapiPoolJudgement.Settings(Good).Last().Message);
    }

    [Fact]
    public void Each_passing_rule_says_what_holds_with_the_value_read()
    {
        MapiAppPoolFinding[] findings = MapiPoolJudgement.Settings(Good).ToArray();

        Assert.Equal(
            new[]
            {
                "MSExchangeMapiMailboxAppPool starts with IIS (autoStart true).",
                "MSExchangeMapiMailboxAppPool runs .NET CLR v4.0.",
                "MSExchangeMapiMailboxAppPool uses the Integrated pipeline.",
                "MSExchangeMapiMailboxAppPool runs as LocalSystem.",
                "MSExchangeMapiMailboxAppPool never shuts down when idle (idleTimeout 00:00:00).",
                "MSExchangeMapiMailboxAppPool has no periodic restart (time 00:00:00, no schedule, no memory or request limit).",
                "MSExchangeMapiMailboxAppPool has rapid-fail protection off, as Exchange sets it.",
                "MSExchangeMapiMailboxAppPool queues up to 1000 requests.",
            },
            findings.Select(f => f.Message));
        Assert.Equal(new object?[] { true, "v4.0", "Integrated", "LocalSystem", TimeSpan.Zero, "none", false, 1000L }, findings.Select(f => f.Actual));
        Assert.Equal(new object?[] { true, "v4.0", "Integrated", "LocalSystem", TimeSpan.Zero, "none", false, 1000L }, findings.Select(f => f.Expected));
        Assert.All(findings, f => Assert.Null(f.Recommendation));
    }

    [Fact]
    public void Every_periodic_restart_condition_is_named_with_its_own_fix_in_order()
    {
        AppPoolConfig pool = Good with
        {
            PeriodicRestartTime = TimeSpan.FromHours(29),
            PeriodicRestartSchedule = new[] { new TimeSpan(3, 0, 0) },
            PeriodicRestartMemory = 1,
            PeriodicRestartPrivateMemory = 2,
            PeriodicRestartRequests = 3,
        };

        MapiAppPoolFinding finding = MapiPoolJudgement.Settings(pool).Single(f => f.Check == "PeriodicRestart");

        Assert.Equal(
            "MSExchangeMapiMailboxAppPool recycles every 1.05:00:00 (time), at 03:00:00 (schedule), at 1 KB virtual memory (memory), at 2 KB private memory (privateMemory), after 3 requests (requests): " +
            "each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            finding.Message);
        Assert.Equal("every 1.05:00:00 (time), at 03:00:00 (schedule), at 1 KB virtual memory (memory), at 2 KB private memory (privateMemory), after 3 requests (requests)", finding.Actual);
        Assert.Equal("none", finding.Expected);
        Assert.Equal(
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiMailboxAppPool' -Name recycling.periodicRestart.time -Value ([TimeSpan]::Zero); " +
            "Clear-WebConfiguration -PSPath IIS:\\ -Filter \"/system.applicationHost/applicationPools/add[@name='MSExchangeMapiMailboxAppPool']/recycling/periodicRestart/schedule\"; " +
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiMailboxAppPool' -Name recycling.periodicRestart.memory -Value 0; " +
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiMailboxAppPool' -Name recycling.periodicRestart.privateMemory -Value 0; " +
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiMailboxAppPool' -Name recycling.periodicRestart.requests -Value 0",
            finding.Recommendation);
    }

    [Fact]
    public void A_built_in_identity_is_named_without_a_user()
    {
        MapiAppPoolFinding finding = MapiPoolJudgement.Settings(Good with { IdentityType = "NetworkService" }).Single(f => f.Status != CheckStatus.Pass);

        Assert.Equal("MSExchangeMapiMailboxAppPool runs as NetworkService, not LocalSystem: Exchange's MAPI code lacks the rights it needs.", finding.Message);
        Assert.Equal(("LocalSystem", "NetworkService"), (finding.Expected, finding.Actual));
    }

    [Theory]
    [InlineData("Starting", "Warning", "MSExchangeMapiMailboxAppPool is Starting, not Started.", "Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool")]
    [InlineData(null, "Warning", "MSExchangeMapiMailboxAppPool is Unknown, not Started.", "Restart-WebAppPool -Name MSExchangeMapiMailboxAppPool")]
    [InlineData("Stopping", "Fail", "MSExchangeMapiMailboxAppPool is Stopping: every MAPI request it serves gets 503 Service Unavailable.", "Start-WebAppPool -Name MSExchangeMapiMailboxAppPool")]
    public void A_pool_neither_Started_nor_Stopped_is_judged_by_its_state(string? state, string status, string message, string fix)
    {
        MapiAppPoolHealthResult result = Pool(runtime: new RuntimeFacts(true, state, null, null));

        MapiAppPoolFinding finding = result.Findings.Single(f => f.Check == "RuntimeState");
        Assert.Equal(status, finding.Status.ToString());
        Assert.Equal(MapiHttpCause.AppPool, finding.Cause);
        Assert.Equal(message, finding.Message);
        Assert.Equal(fix, finding.Recommendation);
        Assert.Equal(("Started", state ?? "Unknown"), (finding.Expected, finding.Actual));
        Assert.Equal(status, result.Status.ToString());
        Assert.Equal(state, result.State);
    }

    [Fact]
    public void A_started_pool_without_workers_says_IIS_starts_one_on_the_first_request()
    {
        MapiAppPoolHealthResult result = Pool(runtime: new RuntimeFacts(true, "Started", null, null));

        Assert.Equal("MSExchangeMapiMailboxAppPool is Started; no worker process yet (IIS starts one on the first request).", result.Findings.Single(f => f.Check == "RuntimeState").Message);
        Assert.Null(result.WorkerProcesses);
        Assert.Null(result.Evidence["WorkerProcesses"]);
        Assert.Equal(CheckStatus.Pass, result.Status);
    }

    [Fact]
    public void Without_runtime_facts_the_state_and_events_are_Skipped_with_their_reasons()
    {
        MapiAppPoolHealthResult result = Pool(runtime: null);

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal("Runtime state of MSExchangeMapiMailboxAppPool not checked: the source has no runtime state.", result.Findings.Single(f => f.Check == "RuntimeState").Message);
        Assert.Equal("Crash, disable and recycle events of MSExchangeMapiMailboxAppPool not counted: no event source.", result.Findings.Single(f => f.Check == "Events").Message);
        Assert.Equal("Matches the known-good MAPI configuration; not checked: RuntimeState, Events.", result.Message);
        Assert.Null(result.State);

        MapiAppPoolHealthResult reasoned = Pool(events: new MapiPoolEventFacts(null, null, "-EventPath was not given", TimeSpan.FromHours(24), Array.Empty<EventFacts>()));
        Assert.Equal("Crash, disable and recycle events of MSExchangeMapiMailboxAppPool not counted: -EventPath was not given.", reasoned.Findings.Single(f => f.Check == "Events").Message);
    }

    [Fact]
    public void Events_that_could_not_be_read_are_an_Error_and_events_not_available_are_Skipped()
    {
        var failed = new MapiPoolEventFacts(new EventReadResult(null, End.AddHours(-24), End, "the RPC server is unavailable", Failed: true), "System log on EX01", null, TimeSpan.FromHours(24), Array.Empty<EventFacts>());
        var unavailable = new MapiPoolEventFacts(new EventReadResult(null, End.AddHours(-24), End, "the log is empty"), "System log on EX01", null, TimeSpan.FromHours(24), Array.Empty<EventFacts>());

        MapiAppPoolHealthResult error = Pool(events: failed);
        MapiAppPoolHealthResult skipped = Pool(events: unavailable);

        MapiAppPoolFinding e = error.Findings.Single(f => f.Check == "Events");
        Assert.Equal((CheckStatus.Error, MapiHttpCause.AppPool), (e.Status, e.Cause));
        Assert.Equal("Events of MSExchangeMapiMailboxAppPool could not be counted: the RPC server is unavailable.", e.Message);
        Assert.Equal(CheckStatus.Error, error.Status);
        Assert.Null(error.CrashCount);

        MapiAppPoolFinding s = skipped.Findings.Single(f => f.Check == "Events");
        Assert.Equal(CheckStatus.Skipped, s.Status);
        Assert.Equal("Events of MSExchangeMapiMailboxAppPool not counted: the log is empty.", s.Message);
        Assert.False(skipped.Evidence.Contains("EventSource"));
    }

    [Fact]
    public void One_event_of_each_kind_is_counted_in_the_singular_and_a_disable_fails_the_pool()
    {
        MapiPoolEventFacts events = Events(
            TimeSpan.FromHours(24),
            Event(5186, 5, "idle"),
            Event(1053, 4, "MAPI over HTTP request failed."),
            Event(5077, 3, "recycle on virtual memory"),
            Event(5011, 2, "crash"),
            Event(5002, 1, IisFixture.WasDisable(Mailbox)));

        MapiAppPoolHealthResult result = Pool(events: events);

        MapiAppPoolFinding finding = result.Findings.Single(f => f.Check == "Events");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (finding.Status, finding.Cause));
        Assert.Equal(
            "MSExchangeMapiMailboxAppPool in the last 24 h: 1 disable (5002), 1 worker process failure (5011), 1 recycle (5077), 1 idle shutdown (5186), 1 MAPI over HTTP failure (1053); " +
            $"latest {Local(End.AddHours(-1))} (event 5002): {IisFixture.WasDisable(Mailbox)} WAS disabled the pool after repeated failures.",
            finding.Message);
        Assert.Equal(
            "Start-WebAppPool -Name MSExchangeMapiMailboxAppPool; Get-WinEvent -ComputerName EX01 -FilterHashtable @{LogName='System'; ProviderName='Microsoft-Windows-WAS'; StartTime=(Get-Date).AddHours(-24)} " +
            "| Where-Object Message -like '*MSExchangeMapiMailboxAppPool*' | Format-List TimeCreated, Id, Message",
            finding.Recommendation);
        Assert.Equal((0, 5), (finding.Expected, finding.Actual));
        Assert.Equal(CheckStatus.Fail, result.Status);
        Assert.Equal((1, 1, 1, 1), (result.DisableCount, result.CrashCount, result.RecycleCount, result.FailureEventCount));
        Assert.Equal(1, result.Evidence["IdleShutdowns"]);
        Assert.Equal(5002, result.Evidence["LatestEventId"]);
        Assert.Equal("events.xml", result.Evidence["EventSource"]);
        Assert.Equal(End.AddHours(-1).ToLocalTime(), result.LatestEventTime);
    }

    [Fact]
    public void Several_events_of_a_kind_are_counted_in_the_plural_with_their_distinct_ids_and_no_disable_warns()
    {
        MapiPoolEventFacts events = Events(
            TimeSpan.FromHours(12.4),
            Event(5010, 9, "no ping"),
            Event(5009, 8, "terminated"),
            Event(5009, 7, "terminated"),
            Event(5117, 6, "private memory"),
            Event(5074, 5, "time"),
            Event(5186, 4, "idle"),
            Event(5186, 3, "idle"),
            Event(1053, 2, "failed"),
            Event(1053, 1, "  ", MapiIisBaseline.MailboxPool, "4242"));

        MapiAppPoolHealthResult result = Pool(events: events);

        MapiAppPoolFinding finding = result.Findings.Single(f => f.Check == "Events");
        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.Equal(
            "MSExchangeMapiMailboxAppPool in the last 12 h: 3 worker process failures (5009/5010), 2 recycles (5074/5117), 2 idle shutdowns (5186), 2 MAPI over HTTP failures (1053); " +
            $"latest {Local(End.AddHours(-1))} (event 1053): event 1053: MSExchangeMapiMailboxAppPool, 4242",
            finding.Message);
        Assert.Equal(
            "Get-WinEvent -ComputerName EX01 -FilterHashtable @{LogName='System'; ProviderName='Microsoft-Windows-WAS'; StartTime=(Get-Date).AddHours(-12)} | Where-Object Message -like '*MSExchangeMapiMailboxAppPool*' | Format-List TimeCreated, Id, Message",
            finding.Recommendation);
        Assert.Equal(9, finding.Actual);
        Assert.Equal("event 1053: MSExchangeMapiMailboxAppPool, 4242", result.LatestEventMessage);
        Assert.Equal((0, 3, 2, 2), (result.DisableCount, result.CrashCount, result.RecycleCount, result.FailureEventCount));
    }

    [Fact]
    public void A_long_latest_message_is_cut_to_200_characters_in_the_finding_and_kept_in_the_result()
    {
        string text = "A process serving application pool 'MSExchangeMapiMailboxAppPool' suffered a fatal communication error " + new string('x', 150);
        MapiAppPoolHealthResult result = Pool(events: Events(TimeSpan.FromHours(24), Event(5011, 1, text), Event(5013, 2, null)));

        MapiAppPoolFinding finding = result.Findings.Single(f => f.Check == "Events");
        Assert.EndsWith($"(event 5011): {text.Substring(0, 197)}...", finding.Message);
        Assert.Equal(text, result.LatestEventMessage);
        Assert.Equal((0, 2), (finding.Expected, finding.Actual));

        // An event with neither message nor insertion strings is named by its id.
        MapiAppPoolHealthResult bare = Pool(events: Events(TimeSpan.FromHours(24), Event(5013, 2, null)));
        Assert.Equal("event 5013", bare.LatestEventMessage);
        Assert.EndsWith("(event 5013): event 5013", bare.Findings.Single(f => f.Check == "Events").Message);
    }

    [Fact]
    public void A_pool_whose_configuration_could_not_be_read_is_an_Error_and_still_exists()
    {
        MapiAppPoolHealthResult result = MapiPoolJudgement.Judge(
            new MapiPoolFacts(MailboxPool, "test", null, null, NoEvents, "queueLength 'lots' is not a number (line 12, position 5)"), Context);

        Assert.Equal((CheckStatus.Error, MapiHttpCause.AppPool), (result.Status, result.Cause));
        Assert.Equal("The configuration of MSExchangeMapiMailboxAppPool could not be read: queueLength 'lots' is not a number (line 12, position 5)", result.Message);
        Assert.Equal(new[] { "Configuration", "Events" }, result.Findings.Select(f => f.Check).OrderBy(c => c, StringComparer.Ordinal));
        Assert.Equal(true, result.Evidence["Exists"]);
        Assert.False(result.Evidence.Contains("autoStart"));
        Assert.Null(result.QueueLength);
    }

    [Fact]
    public void The_evidence_and_details_carry_every_value_read_and_the_user_name_only_when_set()
    {
        AppPoolConfig pool = Good with
        {
            IdentityType = "SpecificUser",
            UserName = "CONTOSO\\svc-mapi",
            IdleTimeout = TimeSpan.FromMinutes(20),
            PeriodicRestartMemory = 11,
            PeriodicRestartPrivateMemory = 12,
            PeriodicRestartRequests = 13,
            RapidFailProtection = true,
            QueueLength = 500,
        };

        MapiAppPoolHealthResult result = Pool(config: pool, runtime: new RuntimeFacts(true, "Started", new[] { new WorkerProcessFacts(77, "Running", null) }, null));

        Assert.Equal("CONTOSO\\svc-mapi", result.Evidence["processModel.userName"]);
        Assert.Equal(TimeSpan.FromMinutes(20), result.Evidence["processModel.idleTimeout"]);
        Assert.Equal((11L, 12L, 13L), ((long)result.Evidence["recycling.periodicRestart.memory"]!, (long)result.Evidence["recycling.periodicRestart.privateMemory"]!, (long)result.Evidence["recycling.periodicRestart.requests"]!));
        Assert.Equal(true, result.Evidence["failure.rapidFailProtection"]);
        Assert.Equal(500L, result.Evidence["queueLength"]);
        Assert.Equal("Started", result.Evidence["State"]);
        Assert.Equal((11L, 12L, 13L), (result.PeriodicRestartMemory, result.PeriodicRestartPrivateMemory, result.PeriodicRestartRequests));
        Assert.Equal((true, 500L, "SpecificUser"), (result.RapidFailProtection, result.QueueLength, result.IdentityType));
        Assert.Equal(TimeSpan.FromMinutes(20), result.IdleTimeout);
        Assert.Equal(77, Assert.Single(result.WorkerProcesses!).ProcessId);
        Assert.False(Pool().Evidence.Contains("processModel.userName"));
    }
}
