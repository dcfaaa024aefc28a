using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Iis;

/// <summary>
/// One rule of the known-good pool configuration: what holds, how bad it is when it does not, what to say and what
/// to run. <see cref="MapiPoolJudgement.Rules"/> is the table (issue 12: the baseline reads, and is tested, as a table).
/// </summary>
internal sealed record MapiPoolRule(
    string Check,
    CheckStatus Severity,
    Func<AppPoolConfig, bool> Holds,
    Func<AppPoolConfig, string> PassMessage,
    Func<AppPoolConfig, string> ProblemMessage,
    Func<AppPoolConfig, string> Fix,
    object Expected,
    Func<AppPoolConfig, object?> Actual);

/// <summary>
/// Pure judgement of one MAPI pool's facts against the known-good configuration (facts in, result out; nothing read,
/// nothing changed). Text from the server (values, event messages) is passed through <see cref="DisplayText.Safe"/>.
/// </summary>
internal static class MapiPoolJudgement
{
    /// <summary>The baseline rules, in the order their findings are listed.</summary>
    public static readonly IReadOnlyList<MapiPoolRule> Rules = new MapiPoolRule[]
    {
        new("AutoStart", CheckStatus.Warning,
            p => p.AutoStart,
            p => $"{p.Name} starts with IIS (autoStart true).",
            p => $"{p.Name} has autoStart false: after an IIS reset or a reboot it stays stopped and MAPI requests get 503.",
            p => Set(p, "autoStart", "$true"),
            true, p => p.AutoStart),
        new("ManagedRuntimeVersion", CheckStatus.Fail,
            p => Same(p.ManagedRuntimeVersion, MapiIisBaseline.ManagedRuntimeVersion),
            p => $"{p.Name} runs .NET CLR {Safe(p.ManagedRuntimeVersion)}.",
            p => $"{p.Name} has managedRuntimeVersion '{Safe(p.ManagedRuntimeVersion)}', not v4.0: the Exchange MAPI application cannot load.",
            p => Set(p, "managedRuntimeVersion", "v4.0"),
            MapiIisBaseline.ManagedRuntimeVersion, p => p.ManagedRuntimeVersion),
        new("ManagedPipelineMode", CheckStatus.Fail,
            p => Same(p.ManagedPipelineMode, MapiIisBaseline.ManagedPipelineMode),
            p => $"{p.Name} uses the Integrated pipeline.",
            p => $"{p.Name} uses the {Safe(p.ManagedPipelineMode)} pipeline, not Integrated: the Exchange modules of /mapi do not run.",
            p => Set(p, "managedPipelineMode", "Integrated"),
            MapiIisBaseline.ManagedPipelineMode, p => p.ManagedPipelineMode),
        new("Identity", CheckStatus.Fail,
            p => Same(p.IdentityType, MapiIisBaseline.IdentityType),
            p => $"{p.Name} runs as LocalSystem.",
            p => $"{p.Name} runs as {Safe(p.IdentityType)}{(p.UserName is null ? string.Empty : " (" + Safe(p.UserName) + ")")}, not LocalSystem: Exchange's MAPI code lacks the rights it needs.",
            p => Set(p, "processModel.identityType", "LocalSystem"),
            MapiIisBaseline.IdentityType, p => p.IdentityType),
        new("IdleTimeout", CheckStatus.Warning,
            p => p.IdleTimeout == TimeSpan.Zero,
            p => $"{p.Name} never shuts down when idle (idleTimeout 00:00:00).",
            p => $"{p.Name} shuts its worker process down after {Time(p.IdleTimeout)} without requests: the next Outlook connection waits for a cold start.",
            p => Set(p, "processModel.idleTimeout", "([TimeSpan]::Zero)"),
            TimeSpan.Zero, p => p.IdleTimeout),

        // docs/design.md: periodicRestart time=00:00:00 and no other periodic restart condition (issue 19: a memory limit
        // recycles the pool as surely as a schedule does).
        new("PeriodicRestart", CheckStatus.Warning,
            p => Restarts(p).Count == 0,
            p => $"{p.Name} has no periodic restart (time 00:00:00, no schedule, no memory or request limit).",
            p => $"{p.Name} recycles {string.Join(", ", Restarts(p).Select(r => r.What))}: each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            p => string.Join("; ", Restarts(p).Select(r => r.Fix)),
            "none", p => Restarts(p).Count == 0 ? "none" : string.Join(", ", Restarts(p).Select(r => r.What))),
        new("RapidFailProtection", CheckStatus.Warning,
            p => !p.RapidFailProtection,
            p => $"{p.Name} has rapid-fail protection off, as Exchange sets it.",
            p => $"{p.Name} has rapid-fail protection on: a few worker process crashes disable the pool and MAPI answers 503 until someone starts it.",
            p => Set(p, "failure.rapidFailProtection", "$false"),
            false, p => p.RapidFailProtection),
        new("QueueLength", CheckStatus.Warning,
            p => p.QueueLength >= MapiIisBaseline.MinimumQueueLength,
            p => $"{p.Name} queues up to {p.QueueLength} requests.",
            p => $"{p.Name} queues only {p.QueueLength} requests (Exchange sets 1000): under load HTTP.sys answers 503 Queue Full.",
            p => Set(p, "queueLength", "1000"),
            MapiIisBaseline.MinimumQueueLength, p => p.QueueLength),
    };

    /// <summary>The result for one pool.</summary>
    public static MapiAppPoolHealthResult Judge(MapiPoolFacts facts, MapiIisJudgementContext context)
    {
        string name = facts.Definition.Name;
        var findings = new List<MapiAppPoolFinding>();
        if (facts.ReadProblem is not null)
        {
            findings.Add(new MapiAppPoolFinding("Configuration", CheckStatus.Error, MapiHttpCause.AppPool,
                $"The configuration of {name} could not be read: {facts.ReadProblem}", null, "valid settings", null));
        }
        else if (facts.Config is not AppPoolConfig pool)
        {
            findings.Add(new MapiAppPoolFinding("PoolExists", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"The application pool {name} does not exist: {facts.Definition.Serves} has no pool to run in and answers 503.",
                $"& \"$env:windir\\system32\\inetsrv\\appcmd.exe\" add apppool /name:{name} /managedRuntimeVersion:v4.0 /managedPipelineMode:Integrated /autoStart:true /queueLength:1000 " +
                "/processModel.identityType:LocalSystem /processModel.idleTimeout:00:00:00 /recycling.periodicRestart.time:00:00:00 /failure.rapidFailProtection:false",
                true, false));
        }
        else
        {
            findings.Add(new MapiAppPoolFinding("PoolExists", CheckStatus.Pass, MapiHttpCause.None, $"The application pool {name} exists.", null, true, true));
            findings.Add(Runtime(name, facts.Runtime ?? RuntimeFacts.Unknown("the source has no runtime state")));
            findings.AddRange(Settings(pool));
        }

        (MapiAppPoolFinding events, MapiPoolEventCounts? counts) = Events(name, facts.Events, context);
        findings.Add(events);

        MapiAppPoolHealthDetails details = Details(facts, counts);
        details.Findings = MapiAppPoolHealthDetails.Order(findings);
        return MapiIisResults.Build(MapiAppPoolHealthChecker.PoolCheck, name, context.Server, details, Evidence(facts, details, counts));
    }

    /// <summary>The findings of the settings rules for one pool.</summary>
    public static IEnumerable<MapiAppPoolFinding> Settings(AppPoolConfig pool) =>
        Rules.Select(rule => rule.Holds(pool)
            ? new MapiAppPoolFinding(rule.Check, CheckStatus.Pass, MapiHttpCause.None, rule.PassMessage(pool), null, rule.Expected, rule.Actual(pool))
            : new MapiAppPoolFinding(rule.Check, rule.Severity, MapiHttpCause.AppPool, rule.ProblemMessage(pool), rule.Fix(pool), rule.Expected, rule.Actual(pool)));

    /// <summary>Each periodic restart condition that is set, with what undoes it.</summary>
    public static IReadOnlyList<(string What, string Fix)> Restarts(AppPoolConfig pool)
    {
        var restarts = new List<(string, string)>();
        if (pool.PeriodicRestartTime != TimeSpan.Zero)
        {
            restarts.Add(($"every {Time(pool.PeriodicRestartTime)} (time)", Set(pool, "recycling.periodicRestart.time", "([TimeSpan]::Zero)")));
        }

        if (pool.PeriodicRestartSchedule.Count > 0)
        {
            restarts.Add(($"at {string.Join(", ", pool.PeriodicRestartSchedule.Select(Time))} (schedule)",
                $"Clear-WebConfiguration -PSPath IIS:\\ -Filter \"/system.applicationHost/applicationPools/add[@name='{pool.Name}']/recycling/periodicRestart/schedule\""));
        }

        if (pool.PeriodicRestartMemory != 0)
        {
            restarts.Add(($"at {pool.PeriodicRestartMemory} KB virtual memory (memory)", Set(pool, "recycling.periodicRestart.memory", "0")));
        }

        if (pool.PeriodicRestartPrivateMemory != 0)
        {
            restarts.Add(($"at {pool.PeriodicRestartPrivateMemory} KB private memory (privateMemory)", Set(pool, "recycling.periodicRestart.privateMemory", "0")));
        }

        if (pool.PeriodicRestartRequests != 0)
        {
            restarts.Add(($"after {pool.PeriodicRestartRequests} requests (requests)", Set(pool, "recycling.periodicRestart.requests", "0")));
        }

        return restarts;
    }

    private static MapiAppPoolFinding Runtime(string name, RuntimeFacts runtime)
    {
        if (runtime.Failed)
        {
            return new MapiAppPoolFinding("RuntimeState", CheckStatus.Error, MapiHttpCause.AppPool, $"The runtime state of {name} could not be read: {Safe(runtime.Reason)}", null, "Started", null);
        }

        if (!runtime.Known)
        {
            return new MapiAppPoolFinding("RuntimeState", CheckStatus.Skipped, MapiHttpCause.None, $"Runtime state of {name} not checked: {runtime.Reason}.", null, "Started", null);
        }

        string state = Safe(runtime.State ?? "Unknown");
        IReadOnlyList<MapiWorkerProcess>? processes = Workers(runtime);
        string workers = processes is null || processes.Count == 0
            ? "no worker process yet (IIS starts one on the first request)"
            : $"worker process {string.Join(", ", processes.Select(p => p.ToString()))}";
        return state switch
        {
            "Started" => new MapiAppPoolFinding("RuntimeState", CheckStatus.Pass, MapiHttpCause.None, $"{name} is Started; {workers}.", null, "Started", state),
            "Stopped" or "Stopping" => new MapiAppPoolFinding("RuntimeState", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"{name} is {state}: every MAPI request it serves gets 503 Service Unavailable.", $"Start-WebAppPool -Name {name}", "Started", state),
            _ => new MapiAppPoolFinding("RuntimeState", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"{name} is {state}, not Started.", $"Restart-WebAppPool -Name {name}", "Started", state),
        };
    }

    private static (MapiAppPoolFinding Finding, MapiPoolEventCounts? Counts) Events(string name, MapiPoolEventFacts facts, MapiIisJudgementContext context)
    {
        EventReadResult? events = facts.Read;
        if (events is null)
        {
            return (new MapiAppPoolFinding("Events", CheckStatus.Skipped, MapiHttpCause.None,
                $"Crash, disable and recycle events of {name} not counted: {facts.UnavailableReason ?? "no event source"}.", null, 0, null), null);
        }

        if (events.Events is null)
        {
            return (events.Failed
                ? new MapiAppPoolFinding("Events", CheckStatus.Error, MapiHttpCause.AppPool, $"Events of {name} could not be counted: {Safe(events.UnavailableReason)}.", null, 0, null)
                : new MapiAppPoolFinding("Events", CheckStatus.Skipped, MapiHttpCause.None, $"Events of {name} not counted: {Safe(events.UnavailableReason)}.", null, 0, null), null);
        }

        var counts = new MapiPoolEventCounts(facts);
        string hours = ((int)Math.Round(facts.Window.TotalHours)).ToString(CultureInfo.InvariantCulture);
        if (counts.Latest is null)
        {
            return (Pass("Events", $"No crash, disable or recycle of {name} in the last {hours} h ({counts.WindowText}).", 0, 0), counts);
        }

        var parts = new List<string>();
        void Count(int count, string what, int[] ids)
        {
            if (count > 0)
            {
                parts.Add($"{count} {what} ({string.Join("/", facts.PoolEvents.Where(e => ids.Contains(e.Id)).Select(e => e.Id).Distinct().OrderBy(i => i))})");
            }
        }

        Count(counts.Disables, counts.Disables == 1 ? "disable" : "disables", MapiPoolEvents.Disables);
        Count(counts.Crashes, counts.Crashes == 1 ? "worker process failure" : "worker process failures", MapiPoolEvents.Crashes);
        Count(counts.Recycles, counts.Recycles == 1 ? "recycle" : "recycles", MapiPoolEvents.Recycles);
        Count(counts.IdleShutdowns, counts.IdleShutdowns == 1 ? "idle shutdown" : "idle shutdowns", MapiPoolEvents.IdleShutdowns);
        Count(counts.Failures, counts.Failures == 1 ? "MAPI over HTTP failure" : "MAPI over HTTP failures", MapiPoolEvents.ApplicationFailures);

        string message = $"{name} in the last {hours} h: {string.Join(", ", parts)}; latest {counts.Latest.TimeCreatedUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} (event {counts.Latest.Id}): {Shorten(counts.LatestMessage)}";
        string view = $"Get-WinEvent -ComputerName {context.ServerArgument} -FilterHashtable @{{LogName='System'; ProviderName='{MapiPoolEvents.WasProvider}'; StartTime=(Get-Date).AddHours(-{hours})}} | Where-Object Message -like '*{name}*' | Format-List TimeCreated, Id, Message";
        if (counts.Disables > 0)
        {
            return (new MapiAppPoolFinding("Events", CheckStatus.Fail, MapiHttpCause.AppPool, message + " WAS disabled the pool after repeated failures.",
                $"Start-WebAppPool -Name {name}; {view}", 0, counts.Disables + counts.Crashes + counts.Recycles + counts.IdleShutdowns + counts.Failures), counts);
        }

        return (new MapiAppPoolFinding("Events", CheckStatus.Warning, MapiHttpCause.AppPool, message, view, 0, counts.Crashes + counts.Recycles + counts.IdleShutdowns + counts.Failures), counts);
    }

    /// <summary>The typed properties of the result: the pool's configuration, runtime and event counts as read.</summary>
    private static MapiAppPoolHealthDetails Details(MapiPoolFacts facts, MapiPoolEventCounts? counts)
    {
        var details = new MapiAppPoolHealthDetails { Kind = MapiIisObjectKind.AppPool, Source = facts.Source };
        if (facts.Config is AppPoolConfig pool)
        {
            details.State = facts.Runtime?.State is string state ? Safe(state) : null;
            details.WorkerProcesses = facts.Runtime is null ? null : Workers(facts.Runtime);
            details.AutoStart = pool.AutoStart;
            details.ManagedRuntimeVersion = pool.ManagedRuntimeVersion;
            details.ManagedPipelineMode = pool.ManagedPipelineMode;
            details.IdentityType = pool.IdentityType;
            details.IdleTimeout = pool.IdleTimeout;
            details.PeriodicRestartTime = pool.PeriodicRestartTime;
            details.PeriodicRestartMemory = pool.PeriodicRestartMemory;
            details.PeriodicRestartPrivateMemory = pool.PeriodicRestartPrivateMemory;
            details.PeriodicRestartRequests = pool.PeriodicRestartRequests;
            details.PeriodicRestartSchedule = pool.PeriodicRestartSchedule;
            details.RapidFailProtection = pool.RapidFailProtection;
            details.QueueLength = pool.QueueLength;
        }

        if (counts is not null)
        {
            details.DisableCount = counts.Disables;
            details.CrashCount = counts.Crashes;
            details.RecycleCount = counts.Recycles;
            details.FailureEventCount = counts.Failures;
            details.LatestEventTime = counts.Latest?.TimeCreatedUtc.ToLocalTime();
            details.LatestEventMessage = counts.LatestMessage;
        }

        return details;
    }

    /// <summary>The evidence, under IIS's own attribute names, taken from the details so each value is read once.</summary>
    private static List<KeyValuePair<string, object?>> Evidence(MapiPoolFacts facts, MapiAppPoolHealthDetails details, MapiPoolEventCounts? counts)
    {
        var evidence = new List<KeyValuePair<string, object?>> { new("Source", facts.Source), new("Exists", facts.Config is not null || facts.ReadProblem is not null) };
        if (facts.Config is AppPoolConfig pool)
        {
            evidence.Add(new("State", details.State));
            evidence.Add(new("WorkerProcesses", details.WorkerProcesses is null ? null : string.Join(", ", details.WorkerProcesses.Select(w => w.ToString()))));
            evidence.Add(new("autoStart", pool.AutoStart));
            evidence.Add(new("managedRuntimeVersion", Safe(pool.ManagedRuntimeVersion)));
            evidence.Add(new("managedPipelineMode", Safe(pool.ManagedPipelineMode)));
            evidence.Add(new("processModel.identityType", Safe(pool.IdentityType)));
            if (pool.UserName is not null)
            {
                evidence.Add(new("processModel.userName", Safe(pool.UserName)));
            }

            evidence.Add(new("processModel.idleTimeout", pool.IdleTimeout));
            evidence.Add(new("recycling.periodicRestart.time", pool.PeriodicRestartTime));
            evidence.Add(new("recycling.periodicRestart.memory", pool.PeriodicRestartMemory));
            evidence.Add(new("recycling.periodicRestart.privateMemory", pool.PeriodicRestartPrivateMemory));
            evidence.Add(new("recycling.periodicRestart.requests", pool.PeriodicRestartRequests));
            evidence.Add(new("recycling.periodicRestart.schedule", string.Join(", ", pool.PeriodicRestartSchedule.Select(Time))));
            evidence.Add(new("failure.rapidFailProtection", pool.RapidFailProtection));
            evidence.Add(new("queueLength", pool.QueueLength));
        }

        if (counts is not null)
        {
            evidence.Add(new("EventSource", facts.Events.SourceDescription));
            evidence.Add(new("EventWindow", counts.WindowText));
            evidence.Add(new("Disables", counts.Disables));
            evidence.Add(new("Crashes", counts.Crashes));
            evidence.Add(new("Recycles", counts.Recycles));
            evidence.Add(new("IdleShutdowns", counts.IdleShutdowns));
            evidence.Add(new("FailureEvents", counts.Failures));
            evidence.Add(new("LatestEventId", counts.Latest?.Id));
            evidence.Add(new("LatestEventTime", details.LatestEventTime));
            evidence.Add(new("LatestEventMessage", details.LatestEventMessage));
        }

        return evidence;
    }

    private static IReadOnlyList<MapiWorkerProcess>? Workers(RuntimeFacts runtime) =>
        runtime.WorkerProcesses?.Select(w => new MapiWorkerProcess(w.ProcessId, w.State is null ? null : Safe(w.State), w.StartTime)).ToArray();

    private static string Set(AppPoolConfig pool, string property, string value) => $"Set-ItemProperty -Path 'IIS:\\AppPools\\{pool.Name}' -Name {property} -Value {value}";

    private static MapiAppPoolFinding Pass(string check, string message, object? expected, object? actual) =>
        new(check, CheckStatus.Pass, MapiHttpCause.None, message, null, expected, actual);

    private static bool Same(string? a, string? b) => string.Equals(a?.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase);

    private static string Time(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    private static string Safe(string? text) => DisplayText.Safe(text);

    private static string Shorten(string? text)
    {
        string single = (text ?? string.Empty).Replace("\r", " ").Replace("\n", " ").Trim();
        return DisplayText.Safe(single.Length <= 200 ? single : single.Substring(0, 197) + "...");
    }
}

/// <summary>The counts of one pool's events in the window, and the latest of them.</summary>
internal sealed class MapiPoolEventCounts
{
    private static readonly System.Text.RegularExpressions.Regex LineBreaks = new("[\r\n]+", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    public MapiPoolEventCounts(MapiPoolEventFacts facts)
    {
        IReadOnlyList<EventFacts> events = facts.PoolEvents;
        Disables = events.Count(e => MapiPoolEvents.Disables.Contains(e.Id));
        Crashes = events.Count(e => MapiPoolEvents.Crashes.Contains(e.Id));
        Recycles = events.Count(e => MapiPoolEvents.Recycles.Contains(e.Id));
        IdleShutdowns = events.Count(e => MapiPoolEvents.IdleShutdowns.Contains(e.Id));
        Failures = events.Count(e => MapiPoolEvents.ApplicationFailures.Contains(e.Id));
        Latest = events.OrderByDescending(e => e.TimeCreatedUtc).FirstOrDefault();
        LatestMessage = Latest is null ? null : MessageOf(Latest);
        EventReadResult read = facts.Read!;
        WindowText = $"{read.WindowStartUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} to {read.WindowEndUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}";
    }

    public int Disables { get; }

    public int Crashes { get; }

    public int Recycles { get; }

    public int IdleShutdowns { get; }

    public int Failures { get; }

    public EventFacts? Latest { get; }

    /// <summary>The latest event's text, its control characters made visible and cut (issue 20).</summary>
    public string? LatestMessage { get; }

    public string WindowText { get; }

    private static string MessageOf(EventFacts e)
    {
        string text = !string.IsNullOrWhiteSpace(e.Message)
            ? e.Message!.Trim()
            : e.Properties.Count == 0 ? $"event {e.Id}" : $"event {e.Id}: {string.Join(", ", e.Properties)}";

        // Line breaks of a multi-line event message read as spaces; other control characters are made visible.
        return DisplayText.Safe(LineBreaks.Replace(text, " "), 1024);
    }
}
