using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Globalization;

namespace MapiHttpTools;

/// <summary>
/// The base of every object the module writes. Property names follow Exchange's own (Server, Identity, ...)
/// so results bind by property name into Exchange cmdlets and into this module's repair cmdlets.
/// </summary>
public abstract class MapiHttpResult
{
    private static readonly OrderedDictionary EmptyEvidence = new OrderedDictionary().AsReadOnly();

    protected MapiHttpResult(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        string? target,
        string? server,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence)
    {
        Check = check ?? throw new ArgumentNullException(nameof(check));
        Status = status;
        Cause = cause;
        Target = target;
        Server = server;
        Message = message ?? string.Empty;
        Recommendation = recommendation;
        Evidence = ToReadOnly(evidence);
        Timestamp = DateTime.UtcNow;
    }

    /// <summary>Pass, Warning, Fail, Error (the check itself could not run) or Skipped (with the reason in Message).</summary>
    public CheckStatus Status { get; }

    /// <summary>Which of the known causes this finding points to; None when nothing is wrong.</summary>
    public MapiHttpCause Cause { get; }

    /// <summary>Name of the check that produced this result.</summary>
    public string Check { get; }

    /// <summary>What was checked: a URL, a virtual directory, a pool, a mailbox.</summary>
    public string? Target { get; }

    /// <summary>The Exchange server the result is about, where known.</summary>
    public string? Server { get; }

    /// <summary>What was found, in one sentence.</summary>
    public string Message { get; }

    /// <summary>The command or step that fixes it, where one does.</summary>
    public string? Recommendation { get; }

    /// <summary>What was seen, as name/value pairs (read-only; keys are stable for scripts).</summary>
    public OrderedDictionary Evidence { get; }

    /// <summary>When the result was produced (UTC).</summary>
    public DateTime Timestamp { get; }

    private static OrderedDictionary ToReadOnly(IEnumerable<KeyValuePair<string, object?>>? evidence)
    {
        if (evidence is null)
        {
            return EmptyEvidence;
        }

        var dictionary = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, object?> pair in evidence)
        {
            dictionary[pair.Key] = pair.Value;
        }

        return dictionary.AsReadOnly();
    }

    /// <summary>
    /// Evidence as "name=value; ..." for logs and the EvidenceSummary column (issue 11): lists as "a, b, c", nested
    /// pairs as "{name=value, ...}", dates as ISO 8601, $null as $null, never a type name such as System.String[].
    /// Values come from data, so each is made safe for the console (DisplayText.Safe).
    /// </summary>
    public string EvidenceText()
    {
        var parts = new List<string>(Evidence.Count);
        foreach (DictionaryEntry entry in Evidence)
        {
            parts.Add($"{entry.Key}={Infrastructure.DisplayText.Safe(ValueText(entry.Value, 0))}");
        }

        return string.Join("; ", parts);
    }

    /// <summary>One evidence value as text (EvidenceText, and TableText.EvidenceLines for the list views; issue 15).</summary>
    internal static string ValueText(object? value, int depth)
    {
        if (value is System.Management.Automation.PSObject pso && pso.BaseObject is not System.Management.Automation.PSCustomObject)
        {
            value = pso.BaseObject;
        }

        switch (value)
        {
            case null:
                return "$null";
            case string text:
                return text;
            case bool flag:
                return flag ? "True" : "False";
            case DateTime time:
                return time.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            case DateTimeOffset offset:
                return offset.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            case byte[] bytes:
                return $"{bytes.Length} bytes";
            case IFormattable formattable:
                return formattable.ToString(null, CultureInfo.InvariantCulture);
        }

        if (depth >= 3)
        {
            return "...";
        }

        if (value is IDictionary dictionary)
        {
            var pairs = new List<string>();
            foreach (DictionaryEntry entry in dictionary)
            {
                pairs.Add($"{entry.Key}={ValueText(entry.Value, depth + 1)}");
            }

            return "{" + string.Join(", ", pairs) + "}";
        }

        if (value is IEnumerable list)
        {
            var items = new List<string>();
            foreach (object? item in list)
            {
                items.Add(ValueText(item, depth + 1));
            }

            return depth == 0 ? string.Join(", ", items) : "(" + string.Join(", ", items) + ")";
        }

        if (value is System.Management.Automation.PSObject bag)
        {
            var pairs = new List<string>();
            foreach (System.Management.Automation.PSPropertyInfo property in bag.Properties)
            {
                pairs.Add($"{property.Name}={ValueText(property.Value, depth + 1)}");
            }

            return "{" + string.Join(", ", pairs) + "}";
        }

        return value.ToString() ?? string.Empty;
    }
}
