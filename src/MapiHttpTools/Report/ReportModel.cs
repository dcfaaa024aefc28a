using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Report;

/// <summary>One result as the report shows it: every field text, read by property name (issue 15).</summary>
internal sealed class ReportItem
{
    public string Kind { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public string Cause { get; init; } = string.Empty;

    public string Check { get; init; } = string.Empty;

    public string Target { get; init; } = string.Empty;

    public string Server { get; init; } = string.Empty;

    public string Message { get; init; } = string.Empty;

    public string Recommendation { get; init; } = string.Empty;

    public DateTime? Timestamp { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Evidence { get; init; } = Array.Empty<KeyValuePair<string, string>>();

    /// <summary>The verdict's own parts, when this item is a verdict.</summary>
    public ReportVerdict? Verdict { get; init; }
}

/// <summary>One finding of a verdict, as text.</summary>
internal sealed class ReportFinding
{
    public string Cause { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public string Where { get; init; } = string.Empty;

    public IReadOnlyList<string> Servers { get; init; } = Array.Empty<string>();

    public string Message { get; init; } = string.Empty;

    public string Recommendation { get; init; } = string.Empty;
}

/// <summary>The verdict, as text.</summary>
internal sealed class ReportVerdict
{
    public string Status { get; init; } = string.Empty;

    public string Headline { get; init; } = string.Empty;

    public string Message { get; init; } = string.Empty;

    public string Recommendation { get; init; } = string.Empty;

    public IReadOnlyList<string> AffectedServers { get; init; } = Array.Empty<string>();

    public IReadOnlyList<ReportFinding> Findings { get; init; } = Array.Empty<ReportFinding>();
}

/// <summary>One row of a log summary's statistics (an hour, a back end).</summary>
internal sealed class ReportLogRow
{
    public string Key { get; init; } = string.Empty;

    public DateTime? Start { get; init; }

    public long Requests { get; init; }

    public long Failures { get; init; }

    public double? P50 { get; init; }

    public double? P95 { get; init; }

    public double? P99 { get; init; }
}

/// <summary>A log summary's numbers the charts draw.</summary>
internal sealed class ReportLogSummary
{
    public string Source { get; init; } = string.Empty;

    public long Requests { get; init; }

    public long Failures { get; init; }

    public IReadOnlyList<ReportLogRow> ByTime { get; init; } = Array.Empty<ReportLogRow>();

    public IReadOnlyList<ReportLogRow> ByBackEnd { get; init; } = Array.Empty<ReportLogRow>();
}

/// <summary>Everything piped to Export-MapiHttpReport, sorted into what the report draws.</summary>
internal sealed class ReportContent
{
    public List<ReportVerdict> Verdicts { get; } = new();

    public List<ReportItem> Items { get; } = new();

    public List<ReportLogSummary> LogSummaries { get; } = new();

    /// <summary>Type names of input that is not a MapiHttpTools result (counted, named in a warning).</summary>
    public List<string> Ignored { get; } = new();
}

/// <summary>
/// Reads the module's results by property name (issue 15): live objects and the 'Deserialized.MapiHttpTools.…'
/// PSObjects a remote session or Import-Clixml gives read the same way, Status and Cause as their text. A CLIXML file
/// is data from elsewhere: every text goes through <see cref="DisplayText.Safe"/> (control characters made visible;
/// long values cut) before the writers escape it.
/// </summary>
internal static class ReportReader
{
    /// <summary>Longest text kept for messages and recommendations (commands can be long; evidence keeps the default 256).</summary>
    private const int LongText = 4096;

    public static void Add(ReportContent content, object? input)
    {
        if (input is null)
        {
            return;
        }

        PSObject value = PSObject.AsPSObject(input);
        string kind = KindOf(value);
        switch (kind)
        {
            case "MapiHttpVerdictResult":
                ReportVerdict verdict = ReadVerdict(value);
                content.Verdicts.Add(verdict);
                content.Items.Add(ReadItem(value, kind, verdict));
                break;
            case "MapiHttpLogSummary":
                content.LogSummaries.Add(ReadLogSummary(value));
                foreach (object? finding in Enumerate(Property(value, "Findings")))
                {
                    Add(content, finding);
                }

                break;
            case "":
                content.Ignored.Add(DisplayText.Safe(value.TypeNames.FirstOrDefault() ?? value.BaseObject.GetType().FullName));
                break;
            default:
                content.Items.Add(ReadItem(value, kind));
                break;
        }
    }

    /// <summary>The result's class name without namespace or 'Deserialized.' prefix; empty when it is no result of this module.</summary>
    internal static string KindOf(PSObject value)
    {
        foreach (string typeName in value.TypeNames)
        {
            string name = typeName.StartsWith("Deserialized.", StringComparison.Ordinal) ? typeName.Substring("Deserialized.".Length) : typeName;
            if (name == "MapiHttpTools.MapiHttpLogSummary")
            {
                return "MapiHttpLogSummary";
            }

            if (name == "MapiHttpTools.MapiHttpResult")
            {
                // The base class named last: the first type name is the concrete one.
                string first = value.TypeNames[0];
                int dot = first.LastIndexOf('.');
                return first.Substring(dot + 1);
            }
        }

        return string.Empty;
    }

    private static ReportItem ReadItem(PSObject value, string kind, ReportVerdict? verdict = null) => new()
    {
        Kind = kind,
        Verdict = verdict,
        Status = Text(value, "Status"),
        Cause = Text(value, "Cause"),
        Check = Text(value, "Check"),
        Target = Text(value, "Target"),
        Server = Text(value, "Server"),
        Message = Text(value, "Message", LongText),
        Recommendation = Text(value, "Recommendation", LongText),
        Timestamp = Property(value, "Timestamp") is DateTime time ? time : null,
        Evidence = ReadEvidence(Property(value, "Evidence")),
    };

    private static ReportVerdict ReadVerdict(PSObject value) => new()
    {
        Status = Text(value, "Status"),
        Headline = Text(value, "Headline", LongText),
        Message = Text(value, "Message", LongText),
        Recommendation = Text(value, "Recommendation", LongText),
        AffectedServers = Enumerate(Property(value, "AffectedServers")).Select(s => DisplayText.Safe(ValueText(s))).ToArray(),
        Findings = Enumerate(Property(value, "Findings")).Select(f => PSObject.AsPSObject(f!)).Select(f => new ReportFinding
        {
            Cause = Text(f, "Cause"),
            Status = Text(f, "Status"),
            Where = Text(f, "Where", LongText),
            Servers = Enumerate(Property(f, "Servers")).Select(s => DisplayText.Safe(ValueText(s))).ToArray(),
            Message = Text(f, "Message", LongText),
            Recommendation = Text(f, "Recommendation", LongText),
        }).ToArray(),
    };

    private static ReportLogSummary ReadLogSummary(PSObject value) => new()
    {
        Source = Text(value, "Source"),
        Requests = Number(Property(value, "Requests")) ?? 0,
        Failures = Number(Property(value, "Failures")) ?? 0,
        ByTime = Enumerate(Property(value, "ByTime")).Select(ReadLogRow).ToArray(),
        ByBackEnd = Enumerate(Property(value, "ByBackEnd")).Select(ReadLogRow).ToArray(),
    };

    private static ReportLogRow ReadLogRow(object? row)
    {
        PSObject value = PSObject.AsPSObject(row ?? string.Empty);
        return new ReportLogRow
        {
            Key = Text(value, "Key"),
            Start = Property(value, "Start") is DateTime start ? start : null,
            Requests = Number(Property(value, "Requests")) ?? 0,
            Failures = Number(Property(value, "Failures")) ?? 0,
            P50 = Real(Property(value, "LatencyP50Ms")),
            P95 = Real(Property(value, "LatencyP95Ms")),
            P99 = Real(Property(value, "LatencyP99Ms")),
        };
    }

    /// <summary>Evidence as ordered "name, value" text pairs: an OrderedDictionary live, a Hashtable deserialized.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>> ReadEvidence(object? evidence)
    {
        object? inner = evidence is PSObject ps ? ps.BaseObject : evidence;
        var pairs = new List<KeyValuePair<string, string>>();
        if (inner is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                pairs.Add(new KeyValuePair<string, string>(DisplayText.Safe(ValueText(entry.Key)), DisplayText.Safe(ValueText(entry.Value))));
            }
        }

        return pairs;
    }

    private static object? Property(PSObject value, string name)
    {
        object? raw = value.Properties[name]?.Value;
        return raw is PSObject ps && ps.BaseObject is not PSCustomObject && !IsDeserializedEnum(ps) ? ps.BaseObject : raw;
    }

    private static string Text(PSObject value, string name, int maxLength = 256) => DisplayText.Safe(ValueText(Property(value, name)), maxLength);

    /// <summary>
    /// A value as text: an enum by name (a deserialized enum's ToString is its name too), a list joined with ", ",
    /// a date in ISO form.
    /// </summary>
    internal static string ValueText(object? value)
    {
        if (value is PSObject enumeration && IsDeserializedEnum(enumeration))
        {
            // A remote session or Import-Clixml turns an enum into its number plus a ToString: the name is the text.
            return enumeration.ToString();
        }

        object? inner = value is PSObject ps ? ps.BaseObject : value;
        return inner switch
        {
            null => string.Empty,
            string s => s,
            DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + (time.Kind == DateTimeKind.Utc ? "Z" : string.Empty),
            IFormattable formattable when inner is not Enum => formattable.ToString(null, CultureInfo.InvariantCulture),
            IDictionary dictionary => string.Join("; ", dictionary.Cast<DictionaryEntry>().Select(e => ValueText(e.Key) + "=" + ValueText(e.Value))),
            IEnumerable list => string.Join(", ", list.Cast<object?>().Select(ValueText)),
            _ => value!.ToString() ?? string.Empty,
        };
    }

    private static bool IsDeserializedEnum(PSObject value) => value.TypeNames.Contains("Deserialized.System.Enum");

    private static IEnumerable<object?> Enumerate(object? value)
    {
        object? inner = value is PSObject ps ? ps.BaseObject : value;
        if (inner is null || inner is string)
        {
            return Array.Empty<object?>();
        }

        return inner is IEnumerable list ? list.Cast<object?>() : new[] { value };
    }

    private static long? Number(object? value) => value is null ? null : value switch
    {
        long l => l,
        int i => i,
        _ => long.TryParse(ValueText(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed) ? parsed : null,
    };

    private static double? Real(object? value) => value is null ? null : value switch
    {
        double d => d,
        _ => double.TryParse(ValueText(value), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) ? parsed : null,
    };
}
