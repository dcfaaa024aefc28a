using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Infrastructure.Clixml;

namespace MapiHttpTools.Exchange.Snapshot;

/// <summary>
/// The snapshot file: one CLIXML document (PSSerializer, readable with Import-Clixml) holding an ordered
/// dictionary: Format, FormatVersion, CreatedUtc, CreatedBy, ExchangeBuild, Anonymized, Servers, Sections
/// (one list per Exchange cmdlet, entries under Exchange's own property names, trimmed to what the checks read)
/// and Failures (what could not be read at capture time, replayed offline so results match the live run).
/// </summary>
internal sealed class SnapshotDocument
{
    public const string FormatName = "MapiHttpTools.Snapshot";

    /// <summary>
    /// The format rule: a reader refuses a higher version (it cannot know what changed) and ignores sections and
    /// properties it does not know. So a new section or property is added without a new version, and a reader treats
    /// its absence as "this snapshot does not carry it" (issue 16: ImapSettings, PopSettings, Service, ImapEnabled/
    /// PopEnabled); the version goes up only when something an older reader reads changes its meaning or shape.
    /// </summary>
    public const int CurrentFormatVersion = 1;

    private const int MarkerWindow = 4096;

    /// <summary>The largest snapshot read (documented in Invoke-MapiHttpDiagnostic's help): far above what a large organisation's export is.</summary>
    public const long MaxBytes = 256L * 1024 * 1024;

    private static readonly DateTime EarliestCreated = new(2015, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public SnapshotDocument(
        string path,
        int formatVersion,
        DateTime createdUtc,
        string? createdBy,
        string? exchangeBuild,
        bool anonymized,
        IReadOnlyList<string> servers,
        IReadOnlyDictionary<string, IReadOnlyList<PSObject>> sections,
        IReadOnlyList<SnapshotFailure> failures)
    {
        Path = path;
        FormatVersion = formatVersion;
        CreatedUtc = createdUtc;
        CreatedBy = createdBy;
        ExchangeBuild = exchangeBuild;
        Anonymized = anonymized;
        Servers = servers;
        Sections = sections;
        Failures = failures;
    }

    public string Path { get; }

    public int FormatVersion { get; }

    public DateTime CreatedUtc { get; }

    public string? CreatedBy { get; }

    public string? ExchangeBuild { get; }

    public bool Anonymized { get; }

    /// <summary>The servers whose per-server facts were collected.</summary>
    public IReadOnlyList<string> Servers { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<PSObject>> Sections { get; }

    public IReadOnlyList<SnapshotFailure> Failures { get; }

    public IReadOnlyList<PSObject> Section(string name) =>
        Sections.TryGetValue(name, out IReadOnlyList<PSObject>? entries) ? entries : Array.Empty<PSObject>();

    public SnapshotFailure? FailureOf(string section, string key) =>
        Failures.FirstOrDefault(f => string.Equals(f.Section, section, StringComparison.OrdinalIgnoreCase) && string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads and validates a snapshot; every way it can be wrong is a <see cref="SnapshotException"/> naming the file.</summary>
    public static SnapshotDocument Load(string path, CancellationToken cancellation)
    {
        if (!File.Exists(path))
        {
            throw new SnapshotException("SnapshotNotFound", $"The snapshot file '{path}' does not exist.", path);
        }

        string head;
        try
        {
            // The size gate first (issue 20): a device, a FIFO or a file past the limit is refused before it is read.
            InputFile.Check(path, "a snapshot", MaxBytes);
            using var headReader = new StreamReader(InputFile.OpenRead(path, "a snapshot", MaxBytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[MarkerWindow];
            int read = headReader.ReadBlock(buffer, 0, buffer.Length);
            head = new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SnapshotException("SnapshotInvalid", $"The snapshot file '{path}' could not be read: {ex.Message}", path, ex);
        }

        cancellation.ThrowIfCancellationRequested();
        if (!head.TrimStart('\uFEFF', ' ', '\r', '\n', '\t').StartsWith("<Objs", StringComparison.Ordinal) || head.IndexOf(FormatName, StringComparison.Ordinal) < 0)
        {
            throw new SnapshotException("SnapshotNotRecognized",
                $"'{path}' is not a MapiHttpTools snapshot (it does not start with a {FormatName} header). Create one with Export-MapiHttpSnapshot.", path);
        }

        object? root;
        try
        {
            // Read as data by the module's own reader, streamed: no type table, no converters, no rehydration (issue 20).
            root = ClixmlReader.ReadFile(path, "a snapshot", MaxBytes).FirstOrDefault();
        }
        catch (ClixmlException ex)
        {
            throw new SnapshotException("SnapshotInvalid",
                $"The snapshot file '{path}' is damaged or truncated ({ex.Reason}). Export it again with Export-MapiHttpSnapshot and copy it whole.", path, ex);
        }
        catch (IOException ex)
        {
            throw new SnapshotException("SnapshotInvalid", $"The snapshot file '{path}' could not be read: {ex.Message}", path, ex);
        }

        IDictionary header = AsDictionary(root) ?? throw NotRecognized(path);
        if (!string.Equals(ExchangeValues.TextOf(header["Format"]), FormatName, StringComparison.Ordinal))
        {
            throw NotRecognized(path);
        }

        int version = header["FormatVersion"] is { } v && int.TryParse(ExchangeValues.TextOf(v), out int parsed) ? parsed : 0;
        if (version > CurrentFormatVersion)
        {
            throw new SnapshotException("SnapshotVersionUnsupported",
                $"The snapshot file '{path}' has format version {version}, written by a newer MapiHttpTools; this version reads format {CurrentFormatVersion}. Update the module (Update-Module MapiHttpTools) to read it.", path);
        }

        if (version < 1)
        {
            throw Invalid(path, "it has no valid FormatVersion");
        }

        object? created = header["CreatedUtc"] is PSObject createdPso ? createdPso.BaseObject : header["CreatedUtc"];
        if (created is not DateTime createdUtc)
        {
            throw Invalid(path, "it has no CreatedUtc");
        }

        // Certificates are judged as of CreatedUtc: a time no snapshot was taken at (9999-12-31) is refused here, with
        // the file named, instead of an ArgumentOutOfRangeException from date arithmetic later (issue 20).
        DateTime createdCheck = ExchangeValues.ToUtc(createdUtc);
        if (createdCheck < EarliestCreated || createdCheck > DateTime.UtcNow.AddDays(2))
        {
            throw Invalid(path, $"its CreatedUtc {createdCheck.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)} is not a time a snapshot could have been taken");
        }

        IDictionary sectionTable = AsDictionary(header["Sections"]) ?? throw Invalid(path, "it has no Sections");
        var sections = new Dictionary<string, IReadOnlyList<PSObject>>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in sectionTable)
        {
            sections[entry.Key.ToString()!] = Items(entry.Value).Select(PSObject.AsPSObject).ToArray();
        }

        var failures = new List<SnapshotFailure>();
        foreach (object item in Items(header["Failures"]))
        {
            var failure = PSObject.AsPSObject(item);
            failures.Add(new SnapshotFailure(
                ExchangeValues.Text(failure, "Section") ?? string.Empty,
                ExchangeValues.Text(failure, "Key") ?? string.Empty,
                ExchangeValues.Text(failure, "Kind") ?? SnapshotFailure.Failed,
                ExchangeValues.Text(failure, "Command") ?? string.Empty,
                ExchangeValues.Text(failure, "Message") ?? string.Empty));
        }

        return new SnapshotDocument(
            path,
            version,
            ExchangeValues.ToUtc(createdUtc),
            SafeText(ExchangeValues.TextOf(header["CreatedBy"])),
            SafeText(ExchangeValues.TextOf(header["ExchangeBuild"])),
            ExchangeValues.BoolOf(header["Anonymized"]) ?? false,
            ExchangeValues.StringsOf(header["Servers"]),
            sections,
            failures);
    }

    /// <summary>Header text shown in verbose output only: control characters made visible at load (issue 20).</summary>
    private static string? SafeText(string? text) => text is null ? null : DisplayText.Safe(text);

    private static IDictionary? AsDictionary(object? value) => (value is PSObject pso ? pso.BaseObject : value) as IDictionary;

    private static IEnumerable<object> Items(object? value)
    {
        object? inner = value is PSObject pso ? pso.BaseObject : value;
        if (inner is null || inner is string || inner is IDictionary)
        {
            return inner is null ? Array.Empty<object>() : new[] { value! };
        }

        return inner is IEnumerable sequence ? sequence.Cast<object>().Where(o => o is not null) : new[] { value! };
    }

    private static SnapshotException NotRecognized(string path) =>
        new("SnapshotNotRecognized", $"'{path}' is a CLIXML file but not a MapiHttpTools snapshot. Create one with Export-MapiHttpSnapshot.", path);

    private static SnapshotException Invalid(string path, string why) =>
        new("SnapshotInvalid", $"The snapshot file '{path}' is damaged: {why}. Export it again with Export-MapiHttpSnapshot.", path);
}

/// <summary>A fact that could not be read when the snapshot was taken, replayed as the same failure offline.</summary>
internal sealed record SnapshotFailure(string Section, string Key, string Kind, string Command, string Message)
{
    public const string Failed = "Failed";
    public const string Unavailable = "Unavailable";
}

/// <summary>A snapshot file that cannot be used; <see cref="ErrorId"/> is the stable error id.</summary>
internal sealed class SnapshotException : Exception
{
    public SnapshotException(string errorId, string message, string path, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        SnapshotPath = path;
    }

    public string ErrorId { get; }

    public string SnapshotPath { get; }
}

/// <summary>Section names: the Exchange cmdlet each holds the output of (HostResolution: the DNS answers at capture time).</summary>
internal static class SnapshotSections
{
    public const string OrganizationConfig = "OrganizationConfig";
    public const string ExchangeServer = "ExchangeServer";
    public const string MapiVirtualDirectory = "MapiVirtualDirectory";
    public const string ExchangeCertificate = "ExchangeCertificate";
    public const string AuthConfig = "AuthConfig";
    public const string AuthServer = "AuthServer";
    public const string ServerComponentState = "ServerComponentState";
    public const string OutlookAnywhere = "OutlookAnywhere";
    public const string CasMailbox = "CASMailbox";
    public const string HostResolution = "HostResolution";
}
