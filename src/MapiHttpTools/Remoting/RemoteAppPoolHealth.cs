using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.Remoting;

/// <summary>
/// Turns a Get-MapiAppPoolHealth result that came back through remoting (a Deserialized.MapiHttpTools.MapiAppPoolHealthResult,
/// already settled by <see cref="RemoteFanOut.Settle"/>) into the live type again (issue 17). Invoke-MapiHttpDiagnostic's
/// IIS stage needs typed results: the verdict, the per-server summary, -ReportPath and Repair-MapiVirtualDirectory read
/// them as they read its other results. Values are read by name; a property an older remote module did not send stays null.
/// </summary>
internal static class RemoteAppPoolHealth
{
    public const string DeserializedTypeName = "Deserialized.MapiHttpTools.MapiAppPoolHealthResult";

    public static bool IsAppPoolHealth(PSObject item) => item.TypeNames.Contains(DeserializedTypeName) || item.BaseObject is MapiAppPoolHealthResult;

    /// <summary>The live result; Server is the Exchange server's own name (one server, one identity), whatever the remote end called itself.</summary>
    public static MapiAppPoolHealthResult ToResult(PSObject item, string server)
    {
        if (item.BaseObject is MapiAppPoolHealthResult live)
        {
            return live;
        }

        var details = new MapiAppPoolHealthDetails
        {
            Kind = Enum<MapiIisObjectKind>(item, "Kind") ?? MapiIisObjectKind.AppPool,
            Source = Text(item, "Source") ?? string.Empty,
            State = Text(item, "State"),
            WorkerProcesses = List(item, "WorkerProcesses")?.Select(WorkerProcess).ToArray(),
            Findings = List(item, "Findings")?.Select(Finding).ToArray() ?? Array.Empty<MapiAppPoolFinding>(),
            AutoStart = Value<bool>(item, "AutoStart"),
            ManagedRuntimeVersion = Text(item, "ManagedRuntimeVersion"),
            ManagedPipelineMode = Text(item, "ManagedPipelineMode"),
            IdentityType = Text(item, "IdentityType"),
            IdleTimeout = Value<TimeSpan>(item, "IdleTimeout"),
            PeriodicRestartTime = Value<TimeSpan>(item, "PeriodicRestartTime"),
            PeriodicRestartMemory = Value<long>(item, "PeriodicRestartMemory"),
            PeriodicRestartPrivateMemory = Value<long>(item, "PeriodicRestartPrivateMemory"),
            PeriodicRestartRequests = Value<long>(item, "PeriodicRestartRequests"),
            PeriodicRestartSchedule = List(item, "PeriodicRestartSchedule")?.Select(o => Convert<TimeSpan>(o) ?? TimeSpan.Zero).ToArray(),
            RapidFailProtection = Value<bool>(item, "RapidFailProtection"),
            QueueLength = Value<long>(item, "QueueLength"),
            DisableCount = Value<int>(item, "DisableCount"),
            CrashCount = Value<int>(item, "CrashCount"),
            RecycleCount = Value<int>(item, "RecycleCount"),
            FailureEventCount = Value<int>(item, "FailureEventCount"),
            LatestEventTime = Value<DateTime>(item, "LatestEventTime"),
            LatestEventMessage = Text(item, "LatestEventMessage"),
            SiteName = Text(item, "SiteName"),
            ApplicationPool = Text(item, "ApplicationPool"),
            PhysicalPath = Text(item, "PhysicalPath"),
            WindowsAuthentication = Value<bool>(item, "WindowsAuthentication"),
            AnonymousAuthentication = Value<bool>(item, "AnonymousAuthentication"),
            BasicAuthentication = Value<bool>(item, "BasicAuthentication"),
            DigestAuthentication = Value<bool>(item, "DigestAuthentication"),
            SslFlags = Text(item, "SslFlags"),
            ExtendedProtection = Text(item, "ExtendedProtection"),
            Bindings = List(item, "Bindings")?.Select(o => o?.ToString() ?? string.Empty).ToArray(),
        };
        return new MapiAppPoolHealthResult(
            Text(item, "Check") ?? (details.Kind == MapiIisObjectKind.AppPool ? "MapiAppPool" : "MapiApplication"),
            Enum<CheckStatus>(item, "Status") ?? CheckStatus.Error,
            Enum<MapiHttpCause>(item, "Cause") ?? MapiHttpCause.None,
            Text(item, "Name") ?? Text(item, "Target") ?? string.Empty,
            server,
            Text(item, "Message") ?? string.Empty,
            Text(item, "Recommendation"),
            Evidence(item),
            details);
    }

    private static MapiAppPoolFinding Finding(object? value)
    {
        PSObject finding = PSObject.AsPSObject(value ?? string.Empty);
        return new MapiAppPoolFinding(
            Text(finding, "Check") ?? string.Empty,
            Enum<CheckStatus>(finding, "Status") ?? CheckStatus.Error,
            Enum<MapiHttpCause>(finding, "Cause") ?? MapiHttpCause.None,
            Text(finding, "Message") ?? string.Empty,
            Text(finding, "Recommendation"),
            Plain(finding.Properties["Expected"]?.Value),
            Plain(finding.Properties["Actual"]?.Value));
    }

    private static MapiWorkerProcess WorkerProcess(object? value)
    {
        PSObject process = PSObject.AsPSObject(value ?? string.Empty);
        return new MapiWorkerProcess(Value<int>(process, "ProcessId") ?? 0, Text(process, "State"), Value<DateTime>(process, "StartTime"));
    }

    private static IEnumerable<KeyValuePair<string, object?>> Evidence(PSObject item)
    {
        if (Plain(item.Properties["Evidence"]?.Value) is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return new KeyValuePair<string, object?>(entry.Key?.ToString() ?? string.Empty, Plain(entry.Value));
            }
        }
    }

    /// <summary>A deserialized enum (a property bag over its number whose text is the name) or a settled name, as the enum.</summary>
    private static T? Enum<T>(PSObject item, string name)
        where T : struct =>
        Text(item, name) is { } text && System.Enum.TryParse(text, ignoreCase: true, out T parsed) ? parsed : null;

    private static string? Text(PSObject item, string name) => item.Properties[name]?.Value switch
    {
        null => null,
        PSObject ps when ps.BaseObject is not string && !ps.TypeNames.Contains("Deserialized.System.Enum") => Plain(ps)?.ToString(),
        object other => other.ToString(),
    };

    private static T? Value<T>(PSObject item, string name)
        where T : struct => Convert<T>(item.Properties[name]?.Value);

    private static T? Convert<T>(object? value)
        where T : struct
    {
        object? plain = Plain(value);
        if (plain is null)
        {
            return null;
        }

        if (plain is T typed)
        {
            return typed;
        }

        try
        {
            return (T)LanguagePrimitives.ConvertTo(plain, typeof(T), CultureInfo.InvariantCulture);
        }
        catch (PSInvalidCastException)
        {
            return null;
        }
    }

    private static IReadOnlyList<object?>? List(PSObject item, string name)
    {
        object? value = Plain(item.Properties[name]?.Value);
        return value switch
        {
            null => null,
            string one => new object?[] { one },
            IEnumerable many => many.Cast<object?>().ToArray(),
            _ => new[] { value },
        };
    }

    private static object? Plain(object? value) => value is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : value;
}
