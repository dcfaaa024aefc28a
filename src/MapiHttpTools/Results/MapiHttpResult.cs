using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;

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

    /// <summary>Evidence as "name=value; ..." for logs and the table view.</summary>
    public string EvidenceText()
    {
        var parts = new List<string>(Evidence.Count);
        foreach (DictionaryEntry entry in Evidence)
        {
            // A list (CertificateDnsNames) as its items, not "System.String[]" (issue 15).
            string value = entry.Value is IEnumerable list and not string ? string.Join(", ", list.Cast<object?>()) : $"{entry.Value}";
            parts.Add($"{entry.Key}={value}");
        }

        return string.Join("; ", parts);
    }
}
