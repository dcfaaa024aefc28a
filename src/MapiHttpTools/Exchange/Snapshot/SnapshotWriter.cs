using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.RegularExpressions;

namespace MapiHttpTools.Exchange.Snapshot;

/// <summary>What a snapshot holds before it is written.</summary>
internal sealed class SnapshotContent
{
    public DateTime CreatedUtc { get; set; } = DateTime.UtcNow;

    public string CreatedBy { get; set; } = "MapiHttpTools " + typeof(SnapshotContent).Assembly.GetName().Version!.ToString(3);

    public List<string> Servers { get; } = new();

    /// <summary>Section name to entries, in the order they were collected.</summary>
    public Dictionary<string, List<PSObject>> Sections { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<SnapshotFailure> Failures { get; } = new();

    public void Add(string section, PSObject entry)
    {
        if (!Sections.TryGetValue(section, out List<PSObject>? entries))
        {
            Sections[section] = entries = new List<PSObject>();
        }

        entries.Add(entry);
    }

    /// <summary>Makes <paramref name="section"/> present even without entries (its presence can be a fact, issue 16).</summary>
    public void Ensure(string section)
    {
        if (!Sections.ContainsKey(section))
        {
            Sections[section] = new List<PSObject>();
        }
    }

    /// <summary>The newest build of the servers in the snapshot ("15.2.1118.7").</summary>
    public string? ExchangeBuild =>
        (Sections.TryGetValue(SnapshotSections.ExchangeServer, out List<PSObject>? servers) ? servers : new List<PSObject>())
        .Select(s => ExchangeVersionText.Parse(ExchangeValues.Text(s, "AdminDisplayVersion")))
        .Where(v => v is not null)
        .OrderByDescending(v => v)
        .FirstOrDefault()?.ToString();
}

/// <summary>
/// Writes the snapshot file: anonymizes mailbox names and addresses on request, drops anything named like a secret,
/// serializes with PSSerializer (CLIXML) and replaces the target only once the whole file is written.
/// </summary>
internal static class SnapshotWriter
{
    private const int Depth = 8;

    /// <summary>Property names that may hold secrets; such a property never reaches the file, whatever the source put in it.</summary>
    private static readonly Regex SecretName = new("password|passwd|secret|credential|privatekey|private_key|token|key$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static void Write(SnapshotContent content, string path, bool anonymize)
    {
        if (anonymize)
        {
            Anonymize(content);
        }

        var sections = new OrderedDictionary();
        foreach (KeyValuePair<string, List<PSObject>> section in content.Sections)
        {
            sections[section.Key] = section.Value.Select(Sanitize).ToArray();
        }

        var document = new OrderedDictionary
        {
            ["Format"] = SnapshotDocument.FormatName,
            ["FormatVersion"] = SnapshotDocument.CurrentFormatVersion,
            ["CreatedUtc"] = DateTime.SpecifyKind(content.CreatedUtc, DateTimeKind.Utc),
            ["CreatedBy"] = content.CreatedBy,
            ["ExchangeBuild"] = content.ExchangeBuild,
            ["Anonymized"] = anonymize,
            ["Servers"] = content.Servers.ToArray(),
            ["Sections"] = sections,
            ["Failures"] = content.Failures.Select(SnapshotEntries.Failure).ToArray(),
        };

        string xml = PSSerializer.Serialize(document, Depth);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllText(temporary, xml, new UTF8Encoding(false));
            if (File.Exists(path))
            {
                File.Replace(temporary, path, null);
            }
            else
            {
                File.Move(temporary, path);
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>A copy of the entry without any property named like a secret.</summary>
    internal static PSObject Sanitize(PSObject entry)
    {
        var copy = new PSObject();
        foreach (string type in entry.TypeNames.Where(t => t.StartsWith("MapiHttpTools.", StringComparison.Ordinal)))
        {
            copy.TypeNames.Insert(0, type);
        }

        foreach (PSPropertyInfo property in entry.Properties)
        {
            if (!SecretName.IsMatch(property.Name))
            {
                copy.Properties.Add(new PSNoteProperty(property.Name, ExchangeValues.Raw(entry, property.Name)));
            }
        }

        return copy;
    }

    /// <summary>
    /// Replaces user names and addresses consistently: the same mailbox becomes the same UserNNNN wherever it appears,
    /// an address keeps its domain (user0001@contoso.com). Servers, URLs and certificates are kept: the checks need them.
    /// </summary>
    internal static void Anonymize(SnapshotContent content)
    {
        if (!content.Sections.TryGetValue(SnapshotSections.CasMailbox, out List<PSObject>? mailboxes))
        {
            return;
        }

        var numbers = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (PSObject mailbox in mailboxes)
        {
            string key = ExchangeValues.Text(mailbox, "Identity") ?? ExchangeValues.Text(mailbox, "PrimarySmtpAddress") ?? string.Empty;
            if (!numbers.TryGetValue(key, out int number))
            {
                numbers[key] = number = numbers.Count + 1;
            }

            string user = "User" + number.ToString("0000", System.Globalization.CultureInfo.InvariantCulture);
            Set(mailbox, "Identity", user);
            Set(mailbox, "Name", user);
            Set(mailbox, "DisplayName", user);
            Set(mailbox, "SamAccountName", user.ToLowerInvariant());
            string? address = ExchangeValues.Text(mailbox, "PrimarySmtpAddress");
            if (address is not null)
            {
                int at = address.IndexOf('@');
                Set(mailbox, "PrimarySmtpAddress", user.ToLowerInvariant() + (at >= 0 ? address.Substring(at) : string.Empty));
            }
        }
    }

    private static void Set(PSObject entry, string name, string value)
    {
        if (entry.Properties[name] is { } property && property.Value is not null)
        {
            property.Value = value;
        }
    }
}
