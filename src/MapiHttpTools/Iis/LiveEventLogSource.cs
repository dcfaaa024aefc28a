using System;
using System.Collections.Generic;
using System.Diagnostics.Eventing.Reader;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace MapiHttpTools.Iis;

/// <summary>
/// The System (WAS) and Application (1053) events of the window from this computer's Windows event log (other
/// servers read their own through PowerShell remoting, issue 17). The window and the ids are in the XPath
/// query, so the log service filters and the log is not scanned here.
/// </summary>
internal sealed class LiveEventLogSource : IEventSource
{
    public string Description => $"System and Application event logs on {MachineName}";

    public string? MachineName => Environment.MachineName;

    /// <summary>The XPath query for System: WAS events of the pool ids within the window.</summary>
    public static string SystemQuery(TimeSpan window) =>
        $"*[System[Provider[@Name='{MapiPoolEvents.WasProvider}'] and ({IdFilter(MapiPoolEvents.SystemIds())}) and TimeCreated[timediff(@SystemTime) <= {Milliseconds(window)}]]]";

    /// <summary>The XPath query for Application: MAPI over HTTP failure events within the window.</summary>
    public static string ApplicationQuery(TimeSpan window) =>
        $"*[System[({IdFilter(MapiPoolEvents.ApplicationFailures)}) and TimeCreated[timediff(@SystemTime) <= {Milliseconds(window)}]]]";

    public EventReadResult Read(TimeSpan window, CancellationToken cancellation)
    {
        DateTime end = DateTime.UtcNow;
        DateTime start = end - window;
        if (Environment.OSVersion.Platform != PlatformID.Win32NT)
        {
            return new EventReadResult(null, start, end, "the Windows event log can only be read on Windows; pass -EventPath with exported events");
        }

        try
        {
            using var session = new EventLogSession();
            var events = new List<EventFacts>();
            events.AddRange(Query(session, "System", SystemQuery(window), cancellation));
            events.AddRange(Query(session, "Application", ApplicationQuery(window), cancellation));
            return new EventReadResult(events, start, end, null);
        }
        catch (Exception ex) when (ex is EventLogException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new EventReadResult(null, start, end, $"the event logs on {MachineName} could not be read: {ex.Message}", Failed: true);
        }
    }

    private static IEnumerable<EventFacts> Query(EventLogSession session, string log, string xpath, CancellationToken cancellation)
    {
        var query = new EventLogQuery(log, PathType.LogName, xpath) { Session = session };
        using var reader = new EventLogReader(query);
        var result = new List<EventFacts>();
        for (EventRecord? record = reader.ReadEvent(); record is not null; record = reader.ReadEvent())
        {
            using (record)
            {
                cancellation.ThrowIfCancellationRequested();
                string? message;
                try
                {
                    message = record.FormatDescription();
                }
                catch (EventLogException)
                {
                    // The provider's message file is missing on this machine: the insertion strings still name the pool.
                    message = null;
                }

                result.Add(new EventFacts(
                    record.Id,
                    record.ProviderName,
                    record.LogName,
                    (record.TimeCreated ?? DateTime.Now).ToUniversalTime(),
                    message,
                    record.MachineName,
                    record.Properties.Select(p => Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? string.Empty).ToArray()));
            }
        }

        return result;
    }

    private static string IdFilter(IEnumerable<int> ids) =>
        string.Join(" or ", ids.Select(id => "EventID=" + id.ToString(CultureInfo.InvariantCulture)));

    private static string Milliseconds(TimeSpan window) =>
        ((long)window.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
