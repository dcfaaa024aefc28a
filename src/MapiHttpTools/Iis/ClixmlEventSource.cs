using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Xml;
using MapiHttpTools.Infrastructure.Clixml;

namespace MapiHttpTools.Iis;

/// <summary>
/// Events saved with <c>Get-WinEvent ... | Export-Clixml</c>: each a property bag with Id, ProviderName, LogName,
/// TimeCreated, Message, MachineName and Properties. The window ends when the export was written (the file's
/// last-write time), not now, so an older snapshot still shows what happened before it was taken.
/// </summary>
internal sealed class ClixmlEventSource : IEventSource
{
    private readonly List<EventFacts> _events;
    private readonly DateTime _exportedUtc;

    private ClixmlEventSource(string path, List<EventFacts> events, DateTime exportedUtc)
    {
        Path = path;
        _events = events;
        _exportedUtc = exportedUtc;
        MachineName = events.Select(e => e.MachineName).FirstOrDefault(m => !string.IsNullOrEmpty(m));
    }

    public string Path { get; }

    public string Description => Path;

    public string? MachineName { get; }

    /// <summary>
    /// The largest event export read (issue 20, documented in Get-MapiAppPoolHealth's help): a day of System and
    /// Application events filtered to the MAPI ids is a few MB; a 109 MB export took 1.2 GB of memory.
    /// </summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>How many events the file holds, whatever their time.</summary>
    public int Count => _events.Count;

    /// <summary>Reads the file. Throws FileNotFoundException, or InvalidDataException naming the file and what is wrong.</summary>
    public static ClixmlEventSource Load(string path, CancellationToken cancellation)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"The event file '{full}' does not exist.", full);
        }

        cancellation.ThrowIfCancellationRequested();
        object[] items;
        try
        {
            // Read as data (issue 20): no type table, no converters, no rehydration.
            items = ClixmlReader.ReadFile(full, "an event export", ClixmlReader.DefaultMaxFileBytes).Where(i => i is not null).Select(i => i!).ToArray();
        }
        catch (Exception ex) when (ex is XmlException or InvalidOperationException or RuntimeException or IOException)
        {
            throw new InvalidDataException($"'{full}' is not an Export-Clixml file of events: {ex.Message}", ex);
        }

        var events = new List<EventFacts>(items.Length);
        int index = 0;
        foreach (object item in Flatten(items))
        {
            index++;
            cancellation.ThrowIfCancellationRequested();
            var record = item as PSObject ?? PSObject.AsPSObject(item);
            object? id = Value(record, "Id");
            object? time = Value(record, "TimeCreated");
            if (id is null || time is null)
            {
                throw new InvalidDataException($"'{full}': object {index} has no {(id is null ? "Id" : "TimeCreated")} property; export the events with Get-WinEvent ... | Export-Clixml.");
            }

            DateTime created;
            int eventId;
            try
            {
                eventId = Convert.ToInt32(id, CultureInfo.InvariantCulture);
                created = time is DateTime dt ? dt : Convert.ToDateTime(time, CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
            {
                throw new InvalidDataException($"'{full}': object {index} has an Id '{id}' or TimeCreated '{time}' that is not an event id and a time.", ex);
            }

            events.Add(new EventFacts(
                eventId,
                Value(record, "ProviderName")?.ToString(),
                Value(record, "LogName")?.ToString(),
                created.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(created, DateTimeKind.Local).ToUniversalTime() : created.ToUniversalTime(),
                Value(record, "Message")?.ToString(),
                Value(record, "MachineName")?.ToString(),
                PropertyValues(Value(record, "Properties"))));
        }

        return new ClixmlEventSource(full, events, File.GetLastWriteTimeUtc(full));
    }

    public EventReadResult Read(TimeSpan window, CancellationToken cancellation)
    {
        DateTime start = _exportedUtc - window;
        var inWindow = _events.Where(e => e.TimeCreatedUtc >= start && e.TimeCreatedUtc <= _exportedUtc).ToArray();
        return new EventReadResult(inWindow, start, _exportedUtc, null);
    }

    /// <summary>
    /// Export-Clixml writes one top-level object per event; a file written with PSSerializer.Serialize(@(...)) holds
    /// one list of them instead. Both are accepted.
    /// </summary>
    private static IEnumerable<object> Flatten(object[] items)
    {
        foreach (object item in items)
        {
            object inner = item is PSObject ps ? ps.BaseObject : item;
            if (inner is IList list && inner is not string)
            {
                foreach (object? element in list)
                {
                    if (element is not null)
                    {
                        yield return element;
                    }
                }
            }
            else
            {
                yield return item;
            }
        }
    }

    private static object? Value(PSObject record, string name)
    {
        object? value = record.Properties[name]?.Value;
        return value is PSObject wrapped ? wrapped.BaseObject : value;
    }

    private static IReadOnlyList<string> PropertyValues(object? properties)
    {
        // EventRecord.Properties arrives as a list of deserialized EventProperty objects (each with Value),
        // or as plain values when the export flattened them.
        if (properties is null || properties is string || properties is not IEnumerable list)
        {
            return Array.Empty<string>();
        }

        var values = new List<string>();
        foreach (object? item in list)
        {
            object? value = item is PSObject ps && ps.Properties["Value"] is PSPropertyInfo property ? property.Value : item;
            if (value is PSObject inner)
            {
                value = inner.BaseObject;
            }

            if (value is not null)
            {
                values.Add(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        return values;
    }
}
