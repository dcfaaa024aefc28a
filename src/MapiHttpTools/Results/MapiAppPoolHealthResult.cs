using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools;

/// <summary>What a <see cref="MapiAppPoolHealthResult"/> describes.</summary>
public enum MapiIisObjectKind
{
    AppPool,
    Application,
}

/// <summary>One comparison against the known-good MAPI configuration (a setting, the runtime state, the event count).</summary>
public sealed class MapiAppPoolFinding
{
    internal MapiAppPoolFinding(string check, CheckStatus status, MapiHttpCause cause, string message, string? recommendation, object? expected, object? actual)
    {
        Check = check;
        Status = status;
        Cause = status == CheckStatus.Pass || status == CheckStatus.Skipped ? MapiHttpCause.None : cause;
        Message = message;
        Recommendation = recommendation;
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The setting or fact compared: PeriodicRestart, AnonymousAuthentication, Events, ...</summary>
    public string Check { get; }

    public CheckStatus Status { get; }

    public MapiHttpCause Cause { get; }

    public string Message { get; }

    /// <summary>The command that puts it right, where one does.</summary>
    public string? Recommendation { get; }

    /// <summary>The known-good value.</summary>
    public object? Expected { get; }

    /// <summary>The value found.</summary>
    public object? Actual { get; }

    public override string ToString() => $"{Check}: {Status} - {Message}";
}

/// <summary>A worker process serving a MAPI pool.</summary>
public sealed class MapiWorkerProcess
{
    internal MapiWorkerProcess(int processId, string? state, DateTime? startTime)
    {
        ProcessId = processId;
        State = state;
        StartTime = startTime;
    }

    public int ProcessId { get; }

    /// <summary>Running, Stopping, ... as IIS reports it.</summary>
    public string? State { get; }

    /// <summary>When the process started (local time); null where it cannot be read (remote servers).</summary>
    public DateTime? StartTime { get; }

    public override string ToString() =>
        StartTime is DateTime started ? $"{ProcessId} (since {started:yyyy-MM-dd HH:mm:ss})" : ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The health of one MAPI application pool or one MAPI application in IIS, compared with the known-good
/// Exchange configuration. Status and Cause are those of the worst finding; <see cref="Findings"/> lists every
/// comparison. <c>Server</c> and <c>Name</c> bind by property name into the repair cmdlets and Start-WebAppPool.
/// </summary>
public sealed class MapiAppPoolHealthResult : MapiHttpResult
{
    internal MapiAppPoolHealthResult(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        string name,
        string? server,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence,
        MapiAppPoolHealthDetails details)
        : base(check, status, cause, name, server, message, recommendation, evidence)
    {
        Name = name;
        Kind = details.Kind;
        Source = details.Source;
        State = details.State;
        WorkerProcesses = details.WorkerProcesses;
        Findings = details.Findings;
        AutoStart = details.AutoStart;
        ManagedRuntimeVersion = details.ManagedRuntimeVersion;
        ManagedPipelineMode = details.ManagedPipelineMode;
        IdentityType = details.IdentityType;
        IdleTimeout = details.IdleTimeout;
        PeriodicRestartTime = details.PeriodicRestartTime;
        PeriodicRestartMemory = details.PeriodicRestartMemory;
        PeriodicRestartPrivateMemory = details.PeriodicRestartPrivateMemory;
        PeriodicRestartRequests = details.PeriodicRestartRequests;
        PeriodicRestartSchedule = details.PeriodicRestartSchedule;
        RapidFailProtection = details.RapidFailProtection;
        QueueLength = details.QueueLength;
        DisableCount = details.DisableCount;
        CrashCount = details.CrashCount;
        RecycleCount = details.RecycleCount;
        FailureEventCount = details.FailureEventCount;
        LatestEventTime = details.LatestEventTime;
        LatestEventMessage = details.LatestEventMessage;
        SiteName = details.SiteName;
        ApplicationPool = details.ApplicationPool;
        PhysicalPath = details.PhysicalPath;
        WindowsAuthentication = details.WindowsAuthentication;
        AnonymousAuthentication = details.AnonymousAuthentication;
        BasicAuthentication = details.BasicAuthentication;
        DigestAuthentication = details.DigestAuthentication;
        SslFlags = details.SslFlags;
        ExtendedProtection = details.ExtendedProtection;
        Bindings = details.Bindings;
    }

    /// <summary>The pool name (MSExchangeMapiFrontEndAppPool) or the application path (Default Web Site/mapi).</summary>
    public string Name { get; }

    public MapiIisObjectKind Kind { get; }

    /// <summary>Where the IIS facts came from: the applicationHost.config path or "live IIS on EX01".</summary>
    public string Source { get; }

    /// <summary>Runtime state (Started, Stopped, ...) of the pool, or of the application's site; null when not known (offline).</summary>
    public string? State { get; }

    /// <summary>The pool's worker processes; null when not known (offline), empty when none is running.</summary>
    public IReadOnlyList<MapiWorkerProcess>? WorkerProcesses { get; }

    /// <summary>Every comparison made, worst first.</summary>
    public IReadOnlyList<MapiAppPoolFinding> Findings { get; }

    // Pool settings (null for applications and for a pool that does not exist).
    public bool? AutoStart { get; }

    public string? ManagedRuntimeVersion { get; }

    public string? ManagedPipelineMode { get; }

    public string? IdentityType { get; }

    public TimeSpan? IdleTimeout { get; }

    public TimeSpan? PeriodicRestartTime { get; }

    /// <summary>Virtual memory limit in KB (0 = none).</summary>
    public long? PeriodicRestartMemory { get; }

    /// <summary>Private memory limit in KB (0 = none).</summary>
    public long? PeriodicRestartPrivateMemory { get; }

    public long? PeriodicRestartRequests { get; }

    public IReadOnlyList<TimeSpan>? PeriodicRestartSchedule { get; }

    public bool? RapidFailProtection { get; }

    public long? QueueLength { get; }

    // Events of the window (null when no event data was read).
    public int? DisableCount { get; }

    public int? CrashCount { get; }

    public int? RecycleCount { get; }

    /// <summary>Application log 1053 (MAPI over HTTP failed) events attributed to the pool.</summary>
    public int? FailureEventCount { get; }

    public DateTime? LatestEventTime { get; }

    public string? LatestEventMessage { get; }

    // Application settings (null for pools and for an application that does not exist).
    public string? SiteName { get; }

    public string? ApplicationPool { get; }

    public string? PhysicalPath { get; }

    public bool? WindowsAuthentication { get; }

    public bool? AnonymousAuthentication { get; }

    public bool? BasicAuthentication { get; }

    public bool? DigestAuthentication { get; }

    public string? SslFlags { get; }

    /// <summary>Extended Protection tokenChecking (None, Allow, Require).</summary>
    public string? ExtendedProtection { get; }

    /// <summary>The site's bindings as "protocol bindingInformation certificate=...".</summary>
    public IReadOnlyList<string>? Bindings { get; }
}

/// <summary>The typed settings of a result, gathered by the engine before the result is built.</summary>
internal sealed class MapiAppPoolHealthDetails
{
    public MapiIisObjectKind Kind { get; set; }

    public string Source { get; set; } = string.Empty;

    public string? State { get; set; }

    public IReadOnlyList<MapiWorkerProcess>? WorkerProcesses { get; set; }

    public IReadOnlyList<MapiAppPoolFinding> Findings { get; set; } = Array.Empty<MapiAppPoolFinding>();

    public bool? AutoStart { get; set; }

    public string? ManagedRuntimeVersion { get; set; }

    public string? ManagedPipelineMode { get; set; }

    public string? IdentityType { get; set; }

    public TimeSpan? IdleTimeout { get; set; }

    public TimeSpan? PeriodicRestartTime { get; set; }

    public long? PeriodicRestartMemory { get; set; }

    public long? PeriodicRestartPrivateMemory { get; set; }

    public long? PeriodicRestartRequests { get; set; }

    public IReadOnlyList<TimeSpan>? PeriodicRestartSchedule { get; set; }

    public bool? RapidFailProtection { get; set; }

    public long? QueueLength { get; set; }

    public int? DisableCount { get; set; }

    public int? CrashCount { get; set; }

    public int? RecycleCount { get; set; }

    public int? FailureEventCount { get; set; }

    public DateTime? LatestEventTime { get; set; }

    public string? LatestEventMessage { get; set; }

    public string? SiteName { get; set; }

    public string? ApplicationPool { get; set; }

    public string? PhysicalPath { get; set; }

    public bool? WindowsAuthentication { get; set; }

    public bool? AnonymousAuthentication { get; set; }

    public bool? BasicAuthentication { get; set; }

    public bool? DigestAuthentication { get; set; }

    public string? SslFlags { get; set; }

    public string? ExtendedProtection { get; set; }

    public IReadOnlyList<string>? Bindings { get; set; }

    public static IReadOnlyList<MapiAppPoolFinding> Order(IEnumerable<MapiAppPoolFinding> findings) =>
        findings.Select((f, i) => (f, i)).OrderByDescending(x => x.f.Status).ThenBy(x => x.i).Select(x => x.f).ToArray();
}
