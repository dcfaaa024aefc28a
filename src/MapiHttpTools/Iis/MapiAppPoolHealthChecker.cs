using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace MapiHttpTools.Iis;

/// <summary>
/// Compares the MAPI pools and applications of one server with the known-good configuration
/// (<see cref="MapiIisBaseline"/>) and counts their crash, disable and recycle events. One result per pool and
/// per application; each deviation is a finding that says what to change. Knows nothing of where the facts come from.
/// </summary>
internal sealed class MapiAppPoolHealthChecker
{
    public const string PoolCheck = "MapiAppPool";
    public const string ApplicationCheck = "MapiApplication";

    private readonly IIisConfigurationSource _iis;
    private readonly IEventSource? _events;
    private readonly string? _eventsUnavailableReason;
    private readonly TimeSpan _window;
    private readonly Uri? _mapiUrl;
    private readonly string? _server;

    /// <param name="iis">The IIS facts.</param>
    /// <param name="events">The event source, or null when there is none (then <paramref name="eventsUnavailableReason"/> says why).</param>
    /// <param name="eventsUnavailableReason">Why there are no events to count.</param>
    /// <param name="window">How far back to count events.</param>
    /// <param name="mapiUrl">The MAPI URL whose host the front-end bindings must cover; null to accept any host.</param>
    /// <param name="server">The server name for results and commands; null to take the sources' machine name.</param>
    public MapiAppPoolHealthChecker(IIisConfigurationSource iis, IEventSource? events, string? eventsUnavailableReason, TimeSpan window, Uri? mapiUrl, string? server)
    {
        _iis = iis;
        _events = events;
        _eventsUnavailableReason = eventsUnavailableReason;
        _window = window;
        _mapiUrl = mapiUrl;
        _server = server ?? iis.MachineName ?? events?.MachineName;
    }

    /// <summary>Events of the window that are MAPI-related by id but name none of the MAPI pools (not counted).</summary>
    public int UnattributedEventCount { get; private set; }

    public IReadOnlyList<MapiAppPoolHealthResult> Run(CancellationToken cancellation)
    {
        var results = new List<MapiAppPoolHealthResult>();
        EventReadResult? events = _events?.Read(_window, cancellation);
        Dictionary<string, List<EventFacts>> byPool = Attribute(events);
        string? installRoot = InstallRoot();

        foreach (MapiPoolDefinition pool in MapiIisBaseline.Pools)
        {
            cancellation.ThrowIfCancellationRequested();
            results.Add(CheckPool(pool, events, byPool.TryGetValue(pool.Name, out var list) ? list : new List<EventFacts>(), installRoot));
        }

        foreach (MapiApplicationDefinition application in MapiIisBaseline.Applications)
        {
            cancellation.ThrowIfCancellationRequested();
            results.Add(CheckApplication(application, installRoot));
        }

        return results;
    }

    private string ServerArgument => _server ?? "$env:COMPUTERNAME";

    private MapiAppPoolHealthResult CheckPool(MapiPoolDefinition definition, EventReadResult? events, List<EventFacts> poolEvents, string? installRoot)
    {
        string name = definition.Name;
        var findings = new List<MapiAppPoolFinding>();
        var evidence = new List<KeyValuePair<string, object?>> { new("Source", _iis.Description) };
        var details = new MapiAppPoolHealthDetails { Kind = MapiIisObjectKind.AppPool, Source = _iis.Description };
        string poolPath = $"IIS:\\AppPools\\{name}";

        AppPoolConfig? pool = _iis.GetApplicationPool(name);
        evidence.Add(new("Exists", pool is not null));
        if (pool is null)
        {
            findings.Add(new MapiAppPoolFinding("PoolExists", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"The application pool {name} does not exist: {definition.Serves} has no pool to run in and answers 503.",
                $"& \"$env:windir\\system32\\inetsrv\\appcmd.exe\" add apppool /name:{name} /managedRuntimeVersion:v4.0 /managedPipelineMode:Integrated /autoStart:true /queueLength:1000 " +
                "/processModel.identityType:LocalSystem /processModel.idleTimeout:00:00:00 /recycling.periodicRestart.time:00:00:00 /failure.rapidFailProtection:false",
                true, false));
        }
        else
        {
            findings.Add(new MapiAppPoolFinding("PoolExists", CheckStatus.Pass, MapiHttpCause.None, $"The application pool {name} exists.", null, true, true));
            RuntimeFacts runtime = _iis.GetApplicationPoolRuntime(name);
            details.State = runtime.State;
            details.WorkerProcesses = runtime.WorkerProcesses?.Select(w => new MapiWorkerProcess(w.ProcessId, w.State, w.StartTime)).ToArray();
            evidence.Add(new("State", runtime.State));
            evidence.Add(new("WorkerProcesses", details.WorkerProcesses is null ? null : string.Join(", ", details.WorkerProcesses.Select(w => w.ToString()))));
            findings.Add(RuntimeFinding(name, runtime, details.WorkerProcesses));
            CheckPoolSettings(pool, poolPath, findings, evidence, details);
        }

        findings.Add(EventFinding(name, events, poolEvents, evidence, details));
        details.Findings = MapiAppPoolHealthDetails.Order(findings);
        return Build(PoolCheck, name, details, evidence);
    }

    private static MapiAppPoolFinding RuntimeFinding(string name, RuntimeFacts runtime, IReadOnlyList<MapiWorkerProcess>? processes)
    {
        if (runtime.Failed)
        {
            return new MapiAppPoolFinding("RuntimeState", CheckStatus.Error, MapiHttpCause.AppPool, $"The runtime state of {name} could not be read: {runtime.Reason}", null, "Started", null);
        }

        if (!runtime.Known)
        {
            return new MapiAppPoolFinding("RuntimeState", CheckStatus.Skipped, MapiHttpCause.None, $"Runtime state of {name} not checked: {runtime.Reason}.", null, "Started", null);
        }

        string state = runtime.State ?? "Unknown";
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

    private static void CheckPoolSettings(AppPoolConfig pool, string poolPath, List<MapiAppPoolFinding> findings, List<KeyValuePair<string, object?>> evidence, MapiAppPoolHealthDetails details)
    {
        string name = pool.Name;
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

        evidence.Add(new("autoStart", pool.AutoStart));
        evidence.Add(new("managedRuntimeVersion", pool.ManagedRuntimeVersion));
        evidence.Add(new("managedPipelineMode", pool.ManagedPipelineMode));
        evidence.Add(new("processModel.identityType", pool.IdentityType));
        if (pool.UserName is not null)
        {
            evidence.Add(new("processModel.userName", pool.UserName));
        }

        evidence.Add(new("processModel.idleTimeout", pool.IdleTimeout));
        evidence.Add(new("recycling.periodicRestart.time", pool.PeriodicRestartTime));
        evidence.Add(new("recycling.periodicRestart.memory", pool.PeriodicRestartMemory));
        evidence.Add(new("recycling.periodicRestart.privateMemory", pool.PeriodicRestartPrivateMemory));
        evidence.Add(new("recycling.periodicRestart.requests", pool.PeriodicRestartRequests));
        evidence.Add(new("recycling.periodicRestart.schedule", string.Join(", ", pool.PeriodicRestartSchedule.Select(Time))));
        evidence.Add(new("failure.rapidFailProtection", pool.RapidFailProtection));
        evidence.Add(new("queueLength", pool.QueueLength));

        string Set(string property, string value) => $"Set-ItemProperty -Path '{poolPath}' -Name {property} -Value {value}";

        findings.Add(pool.AutoStart
            ? Pass("AutoStart", $"{name} starts with IIS (autoStart true).", true, pool.AutoStart)
            : new MapiAppPoolFinding("AutoStart", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"{name} has autoStart false: after an IIS reset or a reboot it stays stopped and MAPI requests get 503.", Set("autoStart", "$true"), true, false));

        findings.Add(Same(pool.ManagedRuntimeVersion, MapiIisBaseline.ManagedRuntimeVersion)
            ? Pass("ManagedRuntimeVersion", $"{name} runs .NET CLR {pool.ManagedRuntimeVersion}.", MapiIisBaseline.ManagedRuntimeVersion, pool.ManagedRuntimeVersion)
            : new MapiAppPoolFinding("ManagedRuntimeVersion", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"{name} has managedRuntimeVersion '{pool.ManagedRuntimeVersion}', not v4.0: the Exchange MAPI application cannot load.", Set("managedRuntimeVersion", "v4.0"), MapiIisBaseline.ManagedRuntimeVersion, pool.ManagedRuntimeVersion));

        findings.Add(Same(pool.ManagedPipelineMode, MapiIisBaseline.ManagedPipelineMode)
            ? Pass("ManagedPipelineMode", $"{name} uses the Integrated pipeline.", MapiIisBaseline.ManagedPipelineMode, pool.ManagedPipelineMode)
            : new MapiAppPoolFinding("ManagedPipelineMode", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"{name} uses the {pool.ManagedPipelineMode} pipeline, not Integrated: the Exchange modules of /mapi do not run.", Set("managedPipelineMode", "Integrated"), MapiIisBaseline.ManagedPipelineMode, pool.ManagedPipelineMode));

        findings.Add(Same(pool.IdentityType, MapiIisBaseline.IdentityType)
            ? Pass("Identity", $"{name} runs as LocalSystem.", MapiIisBaseline.IdentityType, pool.IdentityType)
            : new MapiAppPoolFinding("Identity", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"{name} runs as {pool.IdentityType}{(pool.UserName is null ? string.Empty : " (" + pool.UserName + ")")}, not LocalSystem: Exchange's MAPI code lacks the rights it needs.",
                Set("processModel.identityType", "LocalSystem"), MapiIisBaseline.IdentityType, pool.IdentityType));

        findings.Add(pool.IdleTimeout == TimeSpan.Zero
            ? Pass("IdleTimeout", $"{name} never shuts down when idle (idleTimeout 00:00:00).", TimeSpan.Zero, pool.IdleTimeout)
            : new MapiAppPoolFinding("IdleTimeout", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"{name} shuts its worker process down after {Time(pool.IdleTimeout)} without requests: the next Outlook connection waits for a cold start.",
                Set("processModel.idleTimeout", "([TimeSpan]::Zero)"), TimeSpan.Zero, pool.IdleTimeout));

        var restart = new List<string>();
        var restartFixes = new List<string>();
        if (pool.PeriodicRestartTime != TimeSpan.Zero)
        {
            restart.Add($"every {Time(pool.PeriodicRestartTime)} (time)");
            restartFixes.Add(Set("recycling.periodicRestart.time", "([TimeSpan]::Zero)"));
        }

        if (pool.PeriodicRestartSchedule.Count > 0)
        {
            restart.Add($"at {string.Join(", ", pool.PeriodicRestartSchedule.Select(Time))} (schedule)");
            restartFixes.Add($"Clear-WebConfiguration -PSPath IIS:\\ -Filter \"/system.applicationHost/applicationPools/add[@name='{name}']/recycling/periodicRestart/schedule\"");
        }

        if (pool.PeriodicRestartMemory != 0)
        {
            restart.Add($"at {pool.PeriodicRestartMemory} KB virtual memory (memory)");
            restartFixes.Add(Set("recycling.periodicRestart.memory", "0"));
        }

        if (pool.PeriodicRestartPrivateMemory != 0)
        {
            restart.Add($"at {pool.PeriodicRestartPrivateMemory} KB private memory (privateMemory)");
            restartFixes.Add(Set("recycling.periodicRestart.privateMemory", "0"));
        }

        if (pool.PeriodicRestartRequests != 0)
        {
            restart.Add($"after {pool.PeriodicRestartRequests} requests (requests)");
            restartFixes.Add(Set("recycling.periodicRestart.requests", "0"));
        }

        findings.Add(restart.Count == 0
            ? Pass("PeriodicRestart", $"{name} has no periodic restart (time 00:00:00, no schedule, no memory or request limit).", "none", "none")
            : new MapiAppPoolFinding("PeriodicRestart", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"{name} recycles {string.Join(", ", restart)}: each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
                string.Join("; ", restartFixes), "none", string.Join(", ", restart)));

        findings.Add(!pool.RapidFailProtection
            ? Pass("RapidFailProtection", $"{name} has rapid-fail protection off, as Exchange sets it.", false, false)
            : new MapiAppPoolFinding("RapidFailProtection", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"{name} has rapid-fail protection on: a few worker process crashes disable the pool and MAPI answers 503 until someone starts it.",
                Set("failure.rapidFailProtection", "$false"), false, true));

        findings.Add(pool.QueueLength >= MapiIisBaseline.MinimumQueueLength
            ? Pass("QueueLength", $"{name} queues up to {pool.QueueLength} requests.", MapiIisBaseline.MinimumQueueLength, pool.QueueLength)
            : new MapiAppPoolFinding("QueueLength", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"{name} queues only {pool.QueueLength} requests (Exchange sets 1000): under load HTTP.sys answers 503 Queue Full.",
                Set("queueLength", "1000"), MapiIisBaseline.MinimumQueueLength, pool.QueueLength));
    }

    private MapiAppPoolFinding EventFinding(string name, EventReadResult? events, List<EventFacts> poolEvents, List<KeyValuePair<string, object?>> evidence, MapiAppPoolHealthDetails details)
    {
        if (events is null)
        {
            return new MapiAppPoolFinding("Events", CheckStatus.Skipped, MapiHttpCause.None,
                $"Crash, disable and recycle events of {name} not counted: {_eventsUnavailableReason ?? "no event source"}.", null, 0, null);
        }

        if (events.Events is null)
        {
            return events.Failed
                ? new MapiAppPoolFinding("Events", CheckStatus.Error, MapiHttpCause.AppPool, $"Events of {name} could not be counted: {events.UnavailableReason}.", null, 0, null)
                : new MapiAppPoolFinding("Events", CheckStatus.Skipped, MapiHttpCause.None, $"Events of {name} not counted: {events.UnavailableReason}.", null, 0, null);
        }

        int disables = poolEvents.Count(e => MapiPoolEvents.Disables.Contains(e.Id));
        int crashes = poolEvents.Count(e => MapiPoolEvents.Crashes.Contains(e.Id));
        int recycles = poolEvents.Count(e => MapiPoolEvents.Recycles.Contains(e.Id));
        int idle = poolEvents.Count(e => MapiPoolEvents.IdleShutdowns.Contains(e.Id));
        int failures = poolEvents.Count(e => MapiPoolEvents.ApplicationFailures.Contains(e.Id));
        EventFacts? latest = poolEvents.OrderByDescending(e => e.TimeCreatedUtc).FirstOrDefault();

        details.DisableCount = disables;
        details.CrashCount = crashes;
        details.RecycleCount = recycles;
        details.FailureEventCount = failures;
        details.LatestEventTime = latest?.TimeCreatedUtc.ToLocalTime();
        details.LatestEventMessage = latest is null ? null : MessageOf(latest);

        string window = $"{events.WindowStartUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} to {events.WindowEndUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}";
        evidence.Add(new("EventSource", _events!.Description));
        evidence.Add(new("EventWindow", window));
        evidence.Add(new("Disables", disables));
        evidence.Add(new("Crashes", crashes));
        evidence.Add(new("Recycles", recycles));
        evidence.Add(new("IdleShutdowns", idle));
        evidence.Add(new("FailureEvents", failures));
        evidence.Add(new("LatestEventId", latest?.Id));
        evidence.Add(new("LatestEventTime", details.LatestEventTime));
        evidence.Add(new("LatestEventMessage", details.LatestEventMessage));

        string hours = ((int)Math.Round(_window.TotalHours)).ToString(CultureInfo.InvariantCulture);
        if (latest is null)
        {
            return Pass("Events", $"No crash, disable or recycle of {name} in the last {hours} h ({window}).", 0, 0);
        }

        var parts = new List<string>();
        void Count(int count, string what, int[] ids)
        {
            if (count > 0)
            {
                parts.Add($"{count} {what} ({string.Join("/", poolEvents.Where(e => ids.Contains(e.Id)).Select(e => e.Id).Distinct().OrderBy(i => i))})");
            }
        }

        Count(disables, disables == 1 ? "disable" : "disables", MapiPoolEvents.Disables);
        Count(crashes, crashes == 1 ? "worker process failure" : "worker process failures", MapiPoolEvents.Crashes);
        Count(recycles, recycles == 1 ? "recycle" : "recycles", MapiPoolEvents.Recycles);
        Count(idle, idle == 1 ? "idle shutdown" : "idle shutdowns", MapiPoolEvents.IdleShutdowns);
        Count(failures, failures == 1 ? "MAPI over HTTP failure" : "MAPI over HTTP failures", MapiPoolEvents.ApplicationFailures);

        string message = $"{name} in the last {hours} h: {string.Join(", ", parts)}; latest {latest.TimeCreatedUtc.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} (event {latest.Id}): {Shorten(details.LatestEventMessage)}";
        string view = $"Get-WinEvent -ComputerName {ServerArgument} -FilterHashtable @{{LogName='System'; ProviderName='{MapiPoolEvents.WasProvider}'; StartTime=(Get-Date).AddHours(-{hours})}} | Where-Object Message -like '*{name}*' | Format-List TimeCreated, Id, Message";
        if (disables > 0)
        {
            return new MapiAppPoolFinding("Events", CheckStatus.Fail, MapiHttpCause.AppPool, message + " WAS disabled the pool after repeated failures.",
                $"Start-WebAppPool -Name {name}; {view}", 0, disables + crashes + recycles + idle + failures);
        }

        return new MapiAppPoolFinding("Events", CheckStatus.Warning, MapiHttpCause.AppPool, message, view, 0, crashes + recycles + idle + failures);
    }

    private MapiAppPoolHealthResult CheckApplication(MapiApplicationDefinition definition, string? installRoot)
    {
        string name = definition.LocationPath;
        var findings = new List<MapiAppPoolFinding>();
        var evidence = new List<KeyValuePair<string, object?>> { new("Source", _iis.Description) };
        var details = new MapiAppPoolHealthDetails { Kind = MapiIisObjectKind.Application, Source = _iis.Description, SiteName = definition.SiteName };
        string iisPath = $"IIS:\\Sites\\{definition.SiteName}{definition.ApplicationPath.Replace('/', '\\')}";
        string expectedPath = installRoot is null
            ? $"(Join-Path $env:ExchangeInstallPath '{definition.PhysicalPathSuffix}')"
            : Quote(installRoot.TrimEnd('\\') + "\\" + definition.PhysicalPathSuffix);

        SiteConfig? site = _iis.GetSite(definition.SiteName);
        ApplicationConfig? application = site is null ? null : _iis.GetApplication(definition.SiteName, definition.ApplicationPath);
        evidence.Add(new("Exists", application is not null));
        if (application is null)
        {
            string what = site is null ? $"the site '{definition.SiteName}' does not exist, so neither does {definition.ApplicationPath}" : $"the application {name} does not exist in IIS";
            findings.Add(new MapiAppPoolFinding("ApplicationExists", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{Capitalize(what)}: requests to {definition.ApplicationPath} get 404.",
                site is null ? null : $"New-WebApplication -Site '{definition.SiteName}' -Name '{definition.ApplicationPath.TrimStart('/')}' -PhysicalPath {expectedPath} -ApplicationPool {definition.ApplicationPool}",
                true, false));
            details.Findings = MapiAppPoolHealthDetails.Order(findings);
            return Build(ApplicationCheck, name, details, evidence);
        }

        findings.Add(Pass("ApplicationExists", $"The application {name} exists.", true, true));
        details.ApplicationPool = application.ApplicationPool;
        details.PhysicalPath = application.PhysicalPath;
        evidence.Add(new("applicationPool", application.ApplicationPool));
        evidence.Add(new("physicalPath", application.PhysicalPath));

        findings.Add(PathEndsWith(application.PhysicalPath, definition.PhysicalPathSuffix)
            ? Pass("PhysicalPath", $"{name} points to {application.PhysicalPath}.", "...\\" + definition.PhysicalPathSuffix, application.PhysicalPath)
            : new MapiAppPoolFinding("PhysicalPath", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{name} points to '{application.PhysicalPath}', not the Exchange folder ...\\{definition.PhysicalPathSuffix}: IIS serves the wrong (or no) MAPI handler.",
                $"Set-ItemProperty -Path '{iisPath}' -Name physicalPath -Value {expectedPath}", "...\\" + definition.PhysicalPathSuffix, application.PhysicalPath));

        findings.Add(Same(application.ApplicationPool, definition.ApplicationPool)
            ? Pass("ApplicationPool", $"{name} runs in {application.ApplicationPool}.", definition.ApplicationPool, application.ApplicationPool)
            : new MapiAppPoolFinding("ApplicationPool", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{name} runs in '{application.ApplicationPool}', not {definition.ApplicationPool}: it gets the wrong identity and settings, and recycles with another service.",
                $"Set-ItemProperty -Path '{iisPath}' -Name applicationPool -Value {definition.ApplicationPool}", definition.ApplicationPool, application.ApplicationPool));

        CheckSite(definition, site!, findings, evidence, details);
        CheckSecurity(definition, findings, evidence, details);
        CheckBindings(definition, site!, findings, evidence, details);

        details.Findings = MapiAppPoolHealthDetails.Order(findings);
        return Build(ApplicationCheck, name, details, evidence);
    }

    private void CheckSite(MapiApplicationDefinition definition, SiteConfig site, List<MapiAppPoolFinding> findings, List<KeyValuePair<string, object?>> evidence, MapiAppPoolHealthDetails details)
    {
        RuntimeFacts runtime = _iis.GetSiteRuntime(site.Name);
        details.State = runtime.State;
        evidence.Add(new("SiteState", runtime.State));
        evidence.Add(new("serverAutoStart", site.ServerAutoStart));
        string everything = definition.FrontEnd
            ? "every protocol on this front end fails, not a MAPI/HTTP handler problem"
            : "every protocol proxied to this back end fails, not a MAPI/HTTP handler problem";

        if (runtime.Failed)
        {
            findings.Add(new MapiAppPoolFinding("SiteState", CheckStatus.Error, MapiHttpCause.AppPool, $"The state of '{site.Name}' could not be read: {runtime.Reason}", null, "Started", null));
        }
        else if (!runtime.Known)
        {
            findings.Add(new MapiAppPoolFinding("SiteState", CheckStatus.Skipped, MapiHttpCause.None, $"Runtime state of '{site.Name}' not checked: {runtime.Reason}.", null, "Started", null));
        }
        else if (runtime.State == "Started")
        {
            findings.Add(Pass("SiteState", $"'{site.Name}' is Started.", "Started", runtime.State));
        }
        else
        {
            findings.Add(new MapiAppPoolFinding("SiteState", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"'{site.Name}' is {runtime.State}: {everything}.", $"Start-Website -Name '{site.Name}'", "Started", runtime.State));
        }

        findings.Add(site.ServerAutoStart
            ? Pass("SiteAutoStart", $"'{site.Name}' starts with IIS.", true, true)
            : new MapiAppPoolFinding("SiteAutoStart", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"'{site.Name}' has serverAutoStart false: after an IIS reset or a reboot it stays stopped and {everything}.",
                $"Set-ItemProperty -Path 'IIS:\\Sites\\{site.Name}' -Name serverAutoStart -Value $true", true, false));
    }

    private void CheckSecurity(MapiApplicationDefinition definition, List<MapiAppPoolFinding> findings, List<KeyValuePair<string, object?>> evidence, MapiAppPoolHealthDetails details)
    {
        string location = definition.LocationPath;
        LocationSecurity security = _iis.GetSecurity(location);
        details.WindowsAuthentication = security.WindowsAuthentication;
        details.AnonymousAuthentication = security.AnonymousAuthentication;
        details.BasicAuthentication = security.BasicAuthentication;
        details.DigestAuthentication = security.DigestAuthentication;
        details.SslFlags = security.SslFlags;
        details.ExtendedProtection = security.ExtendedProtectionTokenChecking;
        evidence.Add(new("windowsAuthentication", security.WindowsAuthentication));
        evidence.Add(new("anonymousAuthentication", security.AnonymousAuthentication));
        evidence.Add(new("basicAuthentication", security.BasicAuthentication));
        evidence.Add(new("digestAuthentication", security.DigestAuthentication));
        evidence.Add(new("sslFlags", security.SslFlags));
        evidence.Add(new("extendedProtection.tokenChecking", security.ExtendedProtectionTokenChecking));
        evidence.Add(new("extendedProtection.flags", security.ExtendedProtectionFlags));

        string Set(string filter, string property, string value) =>
            $"Set-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter system.webServer/{filter} -Name {property} -Value {value}";
        const string auth = "security/authentication/";

        findings.Add(security.WindowsAuthentication
            ? Pass("WindowsAuthentication", $"Windows authentication is on at {location}.", true, true)
            : new MapiAppPoolFinding("WindowsAuthentication", CheckStatus.Fail, MapiHttpCause.Authentication,
                $"Windows authentication is off at {location}: Outlook's Negotiate/NTLM logons are refused with 401.",
                Set(auth + "windowsAuthentication", "enabled", "$true"), true, false));

        findings.Add(!security.AnonymousAuthentication
            ? Pass("AnonymousAuthentication", $"Anonymous authentication is off at {location}.", false, false)
            : new MapiAppPoolFinding("AnonymousAuthentication", CheckStatus.Fail, MapiHttpCause.Authentication,
                $"Anonymous authentication is on at {location}: IIS does not challenge, so Outlook is never asked to authenticate and MAPI requests fail.",
                Set(auth + "anonymousAuthentication", "enabled", "$false"), false, true));

        findings.Add(!security.BasicAuthentication
            ? Pass("BasicAuthentication", $"Basic authentication is off at {location}.", false, false)
            : new MapiAppPoolFinding("BasicAuthentication", CheckStatus.Warning, MapiHttpCause.Authentication,
                $"Basic authentication is on at {location}; Exchange sets it off in IIS (MAPI's own authentication methods are set on the virtual directory).",
                Set(auth + "basicAuthentication", "enabled", "$false"), false, true));

        findings.Add(!security.DigestAuthentication
            ? Pass("DigestAuthentication", $"Digest authentication is off at {location}.", false, false)
            : new MapiAppPoolFinding("DigestAuthentication", CheckStatus.Warning, MapiHttpCause.Authentication,
                $"Digest authentication is on at {location}; Exchange sets it off.",
                Set(auth + "digestAuthentication", "enabled", "$false"), false, true));

        int expected = IisFlags.ParseSslFlags(definition.SslFlags) ?? 0;
        int? actual = IisFlags.ParseSslFlags(security.SslFlags);
        if (actual == expected)
        {
            findings.Add(Pass("SslFlags", $"{location} requires SSL (sslFlags {security.SslFlags}).", definition.SslFlags, security.SslFlags));
        }
        else
        {
            bool noSsl = actual is null || (actual.Value & 8) == 0;
            bool clientCertificate = actual is int a && (a & 64) != 0;
            string why = noSsl
                ? "SSL is not required, so MAPI is served over plain HTTP"
                : clientCertificate
                    ? "a client certificate is required, which Outlook does not present"
                    : "it differs from what Exchange sets";
            findings.Add(new MapiAppPoolFinding("SslFlags", noSsl || clientCertificate ? CheckStatus.Fail : CheckStatus.Warning, MapiHttpCause.Authentication,
                $"{location} has sslFlags '{security.SslFlags}', not '{definition.SslFlags}': {why}.",
                Set("security/access", "sslFlags", $"'{definition.SslFlags.Replace(" ", string.Empty)}'"), definition.SslFlags, security.SslFlags));
        }

        findings.Add(Same(security.ExtendedProtectionTokenChecking, MapiIisBaseline.ExtendedProtection)
            ? Pass("ExtendedProtection", $"Extended Protection is Require at {location}.", MapiIisBaseline.ExtendedProtection, security.ExtendedProtectionTokenChecking)
            : new MapiAppPoolFinding("ExtendedProtection", CheckStatus.Warning, MapiHttpCause.Authentication,
                $"Extended Protection is {security.ExtendedProtectionTokenChecking} at {location}, not Require: hardening, not an outage cause; " +
                "turn it on for all Exchange servers together, never behind TLS offloading.",
                Set(auth + "windowsAuthentication/extendedProtection", "tokenChecking", "Require"), MapiIisBaseline.ExtendedProtection, security.ExtendedProtectionTokenChecking));
    }

    private void CheckBindings(MapiApplicationDefinition definition, SiteConfig site, List<MapiAppPoolFinding> findings, List<KeyValuePair<string, object?>> evidence, MapiAppPoolHealthDetails details)
    {
        details.Bindings = site.Bindings.Select(b => b.ToString()).ToArray();
        evidence.Add(new("Bindings", string.Join("; ", details.Bindings)));

        int port = definition.HttpsPort;
        string? host = null;
        if (definition.FrontEnd && _mapiUrl is not null)
        {
            host = _mapiUrl.Host;
            if (!_mapiUrl.IsDefaultPort && _mapiUrl.Scheme == Uri.UriSchemeHttps)
            {
                port = _mapiUrl.Port;
            }
        }

        string target = host is null ? $"https on port {port}" : $"https on port {port} for {host}";
        SiteBinding? binding = site.Bindings
            .Where(b => string.Equals(b.Protocol, "https", StringComparison.OrdinalIgnoreCase) && b.Port == port)
            .Where(b => host is null || b.Host.Length == 0 || string.Equals(b.Host, host, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(b => host is not null && string.Equals(b.Host, host, StringComparison.OrdinalIgnoreCase))
            .FirstOrDefault();
        evidence.Add(new("MatchingBinding", binding?.BindingInformation));

        if (binding is null)
        {
            findings.Add(new MapiAppPoolFinding("Binding", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"'{site.Name}' has no binding for {target}: {definition.ApplicationPath} cannot be reached over HTTPS there.",
                $"New-WebBinding -Name '{site.Name}' -Protocol https -Port {port} -IPAddress '*'", target, string.Join("; ", details.Bindings)));
            return;
        }

        findings.Add(Pass("Binding", $"'{site.Name}' listens for {target} (binding {binding.BindingInformation}).", target, binding.BindingInformation));
        evidence.Add(new("CertificateHash", binding.CertificateHash));
        if (!binding.CertificateKnown)
        {
            findings.Add(new MapiAppPoolFinding("Certificate", CheckStatus.Skipped, MapiHttpCause.None,
                $"Certificate of binding {binding.BindingInformation} not checked: {site.CertificateUnknownReason ?? "the source cannot see it"}.", null, "a certificate", null));
        }
        else if (binding.CertificateHash is null)
        {
            string fix = definition.FrontEnd
                ? host is null
                    ? $"Enable-ExchangeCertificate -Server {ServerArgument} -Services IIS -Thumbprint <thumbprint of the certificate for the MAPI URL>"
                    : $"Get-ExchangeCertificate -Server {ServerArgument} -DomainName {host} | Where-Object NotAfter -gt (Get-Date) | Select-Object -First 1 | Enable-ExchangeCertificate -Services IIS"
                : $"(Get-WebBinding -Name '{site.Name}' -Protocol https -Port {port}).AddSslCertificate((Get-ExchangeCertificate -Server {ServerArgument} | Where-Object FriendlyName -eq 'Microsoft Exchange' | Select-Object -First 1).Thumbprint, 'My')";
            findings.Add(new MapiAppPoolFinding("Certificate", CheckStatus.Fail, MapiHttpCause.Certificate,
                $"The binding {binding.BindingInformation} of '{site.Name}' has no certificate: the TLS handshake for {definition.ApplicationPath} fails.",
                fix, "a certificate", null));
        }
        else
        {
            findings.Add(Pass("Certificate", $"The binding {binding.BindingInformation} of '{site.Name}' has certificate {binding.CertificateHash}.", "a certificate", binding.CertificateHash));
        }
    }

    private MapiAppPoolHealthResult Build(string check, string name, MapiAppPoolHealthDetails details, List<KeyValuePair<string, object?>> evidence)
    {
        IReadOnlyList<MapiAppPoolFinding> findings = details.Findings;
        var assessed = findings.Where(f => f.Status != CheckStatus.Skipped).ToArray();
        CheckStatus status = assessed.Length == 0 ? CheckStatus.Skipped : assessed.Max(f => f.Status);
        MapiHttpCause cause = status is CheckStatus.Pass or CheckStatus.Skipped ? MapiHttpCause.None : assessed.First(f => f.Status == status).Cause;
        var skipped = findings.Where(f => f.Status == CheckStatus.Skipped).Select(f => f.Check).ToArray();

        // One sentence for the table: the worst finding, and how many more there are; Findings has them all.
        string message;
        string? recommendation = null;
        if (status is CheckStatus.Pass or CheckStatus.Skipped)
        {
            string notChecked = skipped.Length == 0 ? "." : $"; not checked: {string.Join(", ", skipped)}.";
            message = status == CheckStatus.Pass
                ? $"Matches the known-good MAPI configuration{notChecked}"
                : $"Could not be checked{notChecked}";
        }
        else
        {
            var problems = assessed.Where(f => f.Status >= CheckStatus.Warning).ToArray();
            message = problems.Length == 1
                ? problems[0].Message
                : $"{problems[0].Message} (+{problems.Length - 1} more: {string.Join(", ", problems.Skip(1).Select(f => f.Check))})";
            var commands = problems.Select(f => f.Recommendation).Where(r => !string.IsNullOrEmpty(r)).Distinct().ToArray();
            recommendation = commands.Length == 0 ? null : string.Join("; ", commands);
        }

        return new MapiAppPoolHealthResult(check, status, cause, name, _server, message, recommendation, evidence, details);
    }

    private Dictionary<string, List<EventFacts>> Attribute(EventReadResult? read)
    {
        var byPool = new Dictionary<string, List<EventFacts>>(StringComparer.OrdinalIgnoreCase);
        if (read?.Events is null)
        {
            return byPool;
        }

        int unattributed = 0;
        foreach (EventFacts e in read.Events)
        {
            if (e.TimeCreatedUtc < read.WindowStartUtc || e.TimeCreatedUtc > read.WindowEndUtc)
            {
                continue;
            }

            bool system = MapiPoolEvents.SystemIds().Contains(e.Id) &&
                (e.ProviderName is null || string.Equals(e.ProviderName, MapiPoolEvents.WasProvider, StringComparison.OrdinalIgnoreCase));
            bool application = MapiPoolEvents.ApplicationFailures.Contains(e.Id) &&
                (e.ProviderName ?? string.Empty).StartsWith("MSExchange", StringComparison.OrdinalIgnoreCase);
            if (!system && !application)
            {
                continue;
            }

            string? pool = MapiIisBaseline.PoolNamedIn(string.Join(" ", e.Properties)) ?? MapiIisBaseline.PoolNamedIn(e.Message);
            if (pool is null && application)
            {
                pool = PoolOfProvider(e.ProviderName);
            }

            if (pool is null)
            {
                // A WAS event of another pool is not ours; an Exchange 1053 naming no pool is counted here for the warning.
                if (application)
                {
                    unattributed++;
                }

                continue;
            }

            if (!byPool.TryGetValue(pool, out var list))
            {
                byPool[pool] = list = new List<EventFacts>();
            }

            list.Add(e);
        }

        UnattributedEventCount = unattributed;
        return byPool;
    }

    private static string? PoolOfProvider(string? provider)
    {
        string text = (provider ?? string.Empty).Replace(" ", string.Empty);
        if (text.IndexOf("AddressBook", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("Nspi", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return MapiIisBaseline.AddressBookPool;
        }

        if (text.IndexOf("Emsmdb", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("MapiMailbox", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return MapiIisBaseline.MailboxPool;
        }

        if (text.IndexOf("HttpProxy", StringComparison.OrdinalIgnoreCase) >= 0 || text.IndexOf("FrontEnd", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return MapiIisBaseline.FrontEndPool;
        }

        return null;
    }

    /// <summary>The Exchange install folder (…\V15), from the other applications' paths or a pool's CLRConfigFile.</summary>
    private string? InstallRoot()
    {
        foreach (ApplicationConfig application in _iis.GetApplications())
        {
            string path = (application.PhysicalPath ?? string.Empty).Replace('/', '\\');
            foreach (string marker in new[] { "\\FrontEnd\\HttpProxy\\", "\\ClientAccess\\" })
            {
                int index = path.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
                if (index > 0 && path.IndexOf('%') < 0)
                {
                    return path.Substring(0, index);
                }
            }
        }

        foreach (MapiPoolDefinition pool in MapiIisBaseline.Pools)
        {
            string file = (_iis.GetApplicationPool(pool.Name)?.ClrConfigFile ?? string.Empty).Replace('/', '\\');
            int index = file.IndexOf("\\bin\\", StringComparison.OrdinalIgnoreCase);
            if (index > 0)
            {
                return file.Substring(0, index);
            }
        }

        return null;
    }

    private static MapiAppPoolFinding Pass(string check, string message, object? expected, object? actual) =>
        new(check, CheckStatus.Pass, MapiHttpCause.None, message, null, expected, actual);

    private static bool Same(string? a, string? b) => string.Equals(a?.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase);

    private static bool PathEndsWith(string? path, string suffix)
    {
        string normalized = (path ?? string.Empty).Replace('/', '\\').TrimEnd('\\');
        return normalized.EndsWith("\\" + suffix, StringComparison.OrdinalIgnoreCase);
    }

    private static string Time(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    private static string Quote(string value) => MapiHttpTools.Exchange.PowerShellText.Quote(value);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

    private static string MessageOf(EventFacts e)
    {
        if (!string.IsNullOrWhiteSpace(e.Message))
        {
            return e.Message!.Trim();
        }

        return e.Properties.Count == 0 ? $"event {e.Id}" : $"event {e.Id}: {string.Join(", ", e.Properties)}";
    }

    private static string Shorten(string? text)
    {
        string single = (text ?? string.Empty).Replace("\r", " ").Replace("\n", " ").Trim();
        return single.Length <= 200 ? single : single.Substring(0, 197) + "...";
    }
}
