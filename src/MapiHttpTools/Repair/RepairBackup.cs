using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Infrastructure.Clixml;

namespace MapiHttpTools.Repair;

/// <summary>The virtual directory as a backup keeps it.</summary>
internal sealed record SavedVirtualDirectory(bool Exists, string? Identity, string? Server, string? InternalUrl, string? ExternalUrl, IReadOnlyList<string> AuthenticationMethods);

/// <summary>
/// What a repair is about to touch on one server, written before the first change. One file per server and run:
/// CLIXML (PSSerializer) of a hashtable with FormatVersion, Kind, CreatedUtc, Server, ModuleVersion and Items
/// (Target, Setting, Value). It holds configuration values only: no credentials, no tokens, no pool identities.
/// </summary>
internal sealed class RepairBackup
{
    public const int CurrentFormatVersion = 1;
    public const string KindName = "MapiHttpTools.RepairBackup";

    /// <summary>The largest backup read (a backup holds a dozen values; issue 20: hostile files stay small).</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>The longest value a backup may hold (URLs, names).</summary>
    public const int MaxValueLength = 2048;

    private const string Organization = "Organization";

    public RepairBackup(string server, DateTime createdUtc)
    {
        Server = server;
        CreatedUtc = createdUtc;
    }

    public string Server { get; }

    public DateTime CreatedUtc { get; }

    public bool? OrganizationMapiHttpEnabled { get; set; }

    public SavedVirtualDirectory? VirtualDirectory { get; set; }

    public bool? WindowsAuthentication { get; set; }

    public bool? AnonymousAuthentication { get; set; }

    public IDictionary<string, string> PoolStates { get; } = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The Server of a backup taken by a repair of organisation findings that name no server (issue 11); such a backup
    /// holds the organisation flag only and is restored with -Server Organization.
    /// </summary>
    public const string OrganizationServer = "Organization";

    /// <summary>True for a backup of the organisation flag alone, taken without a server.</summary>
    public bool IsOrganizationOnly => Server == OrganizationServer && VirtualDirectory is null && WindowsAuthentication is null && AnonymousAuthentication is null && PoolStates.Count == 0;

    public bool IsEmpty => OrganizationMapiHttpEnabled is null && VirtualDirectory is null && WindowsAuthentication is null && AnonymousAuthentication is null && PoolStates.Count == 0;

    /// <summary>The backup of everything the pending changes of a plan touch, from the facts read before it.</summary>
    public static RepairBackup For(RepairFacts facts, IEnumerable<PlannedChange> pending, DateTime createdUtc)
    {
        var backup = new RepairBackup(facts.Server, createdUtc);
        foreach (PlannedChange change in pending)
        {
            switch (change.Step)
            {
                case RepairStep.OrganizationMapiHttpEnabled:
                    backup.OrganizationMapiHttpEnabled = facts.OrganizationMapiHttpEnabled;
                    break;
                case RepairStep.RemoveVirtualDirectory:
                case RepairStep.NewVirtualDirectory:
                case RepairStep.InternalUrl:
                case RepairStep.ExternalUrl:
                case RepairStep.AuthenticationMethods:
                    VirtualDirectoryFacts? vdir = facts.VirtualDirectory;
                    backup.VirtualDirectory = vdir is null
                        ? new SavedVirtualDirectory(false, null, facts.Server, null, null, Array.Empty<string>())
                        : new SavedVirtualDirectory(true, vdir.Identity, vdir.Server, vdir.InternalUrl, vdir.ExternalUrl, vdir.AuthenticationMethods);
                    break;
                case RepairStep.WindowsAuthentication:
                case RepairStep.AnonymousAuthentication:
                    backup.WindowsAuthentication = facts.IisAuthentication?.WindowsEnabled;
                    backup.AnonymousAuthentication = facts.IisAuthentication?.AnonymousEnabled;
                    break;
                case RepairStep.AppPoolState:
                case RepairStep.AppPoolRecycle:
                    if (facts.PoolStates.TryGetValue(change.Target, out string? state) && state is not null)
                    {
                        backup.PoolStates[change.Target] = state.Equals("Started", StringComparison.OrdinalIgnoreCase) ? "Started" : "Stopped";
                    }

                    break;
            }
        }

        return backup;
    }

    /// <summary>Writes the backup into <paramref name="folder"/> (created if needed) as MapiRepair-SERVER-yyyyMMddTHHmmssZ.xml; returns the path.</summary>
    public string Write(string folder)
    {
        Directory.CreateDirectory(folder);
        string stem = $"MapiRepair-{SafeName(Server)}-{CreatedUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        string path = Path.Combine(folder, stem + ".xml");
        for (int n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(folder, $"{stem}-{n}.xml");
        }

        string xml = PSSerializer.Serialize(ToHashtable(), 6);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(xml);
        }

        return path;
    }

    /// <summary>Reads a backup; anything that is not one of ours, or is damaged, throws <see cref="RepairException"/> BackupInvalid naming the file.</summary>
    public static RepairBackup Read(string path)
    {
        try
        {
            InputFile.Check(path, "a repair backup", MaxBytes);
        }
        catch (FileNotFoundException)
        {
            throw new RepairException("BackupNotFound", $"The backup file '{DisplayText.Safe(path)}' does not exist.") { Category = ErrorCategory.ObjectNotFound, Target = path };
        }

        object? root;
        try
        {
            // Read as data (issue 20): no type table, no converters, no rehydration; even -WhatIf reads the file.
            root = ClixmlReader.ReadFile(path, "a repair backup", ClixmlReader.DefaultMaxFileBytes).FirstOrDefault();
        }
        catch (Exception ex) when (ex is System.Xml.XmlException or InvalidOperationException or ArgumentException or FormatException or InvalidCastException or RuntimeException or IOException)
        {
            throw Invalid(path, $"it is not a CLIXML file ({ex.Message})", ex);
        }

        if (Unwrap(root) is not IDictionary table)
        {
            throw Invalid(path, "it holds no backup table");
        }

        if (!KindName.Equals(Text(Get(table, "Kind")), StringComparison.Ordinal))
        {
            throw Invalid(path, $"it is not a backup of Repair-MapiVirtualDirectory (Kind is '{Text(Get(table, "Kind")) ?? "missing"}')");
        }

        object? versionValue = Unwrap(Get(table, "FormatVersion"));
        if (versionValue is not int version)
        {
            throw Invalid(path, "it has no FormatVersion");
        }

        if (version != CurrentFormatVersion)
        {
            throw Invalid(path, $"its FormatVersion {version} is not {CurrentFormatVersion}, the version this module reads{(version > CurrentFormatVersion ? " (it was written by a newer MapiHttpTools)" : string.Empty)}");
        }

        string server = Clean(path, "Server", Text(Get(table, "Server"))) ?? throw Invalid(path, "it names no Server");
        DateTime created = Unwrap(Get(table, "CreatedUtc")) is DateTime when ? when.ToUniversalTime() : throw Invalid(path, "it has no CreatedUtc");
        var backup = new RepairBackup(server, created);

        if (Unwrap(Get(table, "Items")) is not IEnumerable items || Unwrap(Get(table, "Items")) is string)
        {
            throw Invalid(path, "it has no Items");
        }

        var vdir = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        string? vdirTarget = null;
        foreach (object? raw in items)
        {
            if (Unwrap(raw) is not IDictionary item)
            {
                throw Invalid(path, "an item is not a table of Target, Setting and Value");
            }

            string target = Clean(path, "an item's Target", Text(Get(item, "Target"))) ?? throw Invalid(path, "an item has no Target");
            string setting = Clean(path, $"the Setting of '{target}'", Text(Get(item, "Setting"))) ?? throw Invalid(path, $"the item for '{target}' has no Setting");
            object? value = Unwrap(Get(item, "Value"));
            switch (setting)
            {
                case "MapiHttpEnabled" when target == Organization:
                    backup.OrganizationMapiHttpEnabled = value as bool? ?? throw Invalid(path, "Organization MapiHttpEnabled is not $true or $false");
                    break;
                case "Exists" or "Server" or "InternalUrl" or "ExternalUrl" or "IISAuthenticationMethods":
                    vdirTarget = target;
                    vdir[setting] = value;
                    break;
                case "WindowsAuthentication":
                    backup.WindowsAuthentication = value as bool? ?? throw Invalid(path, "WindowsAuthentication is not $true or $false");
                    break;
                case "AnonymousAuthentication":
                    backup.AnonymousAuthentication = value as bool? ?? throw Invalid(path, "AnonymousAuthentication is not $true or $false");
                    break;
                case "State" when RepairScope.IsMapiPool(target):
                    string state = Text(value) ?? throw Invalid(path, $"the state of {target} is empty");
                    if (state is not ("Started" or "Stopped"))
                    {
                        throw Invalid(path, $"the state of {target} is '{DisplayText.Safe(state)}', not Started or Stopped");
                    }

                    backup.PoolStates[RepairScope.CanonicalPool(target)] = state;
                    break;
                default:
                    throw Invalid(path, $"it holds '{setting}' of '{target}', which this module does not back up");
            }
        }

        if (vdir.Count > 0)
        {
            bool exists = vdir.TryGetValue("Exists", out object? e) && e is bool b ? b : throw Invalid(path, "the virtual directory item has no Exists value");
            vdir.TryGetValue("InternalUrl", out object? internalUrl);
            vdir.TryGetValue("ExternalUrl", out object? externalUrl);
            vdir.TryGetValue("Server", out object? vdirServer);
            vdir.TryGetValue("IISAuthenticationMethods", out object? methods);
            IReadOnlyList<string> methodNames = RunspaceExchangeClient.Methods(methods);
            foreach (string method in methodNames)
            {
                if (!AuthenticationMethodNames.IsKnown(method))
                {
                    throw Invalid(path, $"IISAuthenticationMethods holds '{DisplayText.Safe(method)}', which is not an Exchange authentication method");
                }
            }

            backup.VirtualDirectory = new SavedVirtualDirectory(
                exists,
                exists ? vdirTarget : null,
                Clean(path, "the virtual directory's Server", Text(vdirServer)) ?? server,
                CleanUrl(path, "InternalUrl", Text(internalUrl)),
                CleanUrl(path, "ExternalUrl", Text(externalUrl)),
                methodNames);
        }

        if (backup.IsEmpty)
        {
            throw Invalid(path, "it holds no settings");
        }

        return backup;
    }

    /// <summary>The items as the file holds them, for tests and for messages.</summary>
    public IReadOnlyList<(string Target, string Setting, object? Value)> Items()
    {
        var items = new List<(string, string, object?)>();
        if (OrganizationMapiHttpEnabled is bool org)
        {
            items.Add((Organization, "MapiHttpEnabled", org));
        }

        if (VirtualDirectory is { } vdir)
        {
            string target = vdir.Identity ?? $"{vdir.Server}\\mapi (Default Web Site)";
            items.Add((target, "Exists", vdir.Exists));
            items.Add((target, "Server", vdir.Server));
            if (vdir.Exists)
            {
                items.Add((target, "InternalUrl", vdir.InternalUrl));
                items.Add((target, "ExternalUrl", vdir.ExternalUrl));
                items.Add((target, "IISAuthenticationMethods", vdir.AuthenticationMethods.ToArray()));
            }
        }

        if (WindowsAuthentication is bool windows)
        {
            items.Add((RepairScope.MapiLocation, "WindowsAuthentication", windows));
        }

        if (AnonymousAuthentication is bool anonymous)
        {
            items.Add((RepairScope.MapiLocation, "AnonymousAuthentication", anonymous));
        }

        foreach (KeyValuePair<string, string> pool in PoolStates)
        {
            items.Add((pool.Key, "State", pool.Value));
        }

        return items;
    }

    private Hashtable ToHashtable() => new()
    {
        ["FormatVersion"] = CurrentFormatVersion,
        ["Kind"] = KindName,
        ["CreatedUtc"] = CreatedUtc,
        ["Server"] = Server,
        ["ModuleVersion"] = typeof(RepairBackup).Assembly.GetName().Version?.ToString(3),
        ["Items"] = Items().Select(i => new Hashtable { ["Target"] = i.Target, ["Setting"] = i.Setting, ["Value"] = i.Value }).ToArray(),
    };

    private static RepairException Invalid(string path, string why, Exception? inner = null) =>
        new("BackupInvalid", $"'{DisplayText.Safe(path)}' is not a usable backup of Repair-MapiVirtualDirectory: {why}.", inner) { Category = ErrorCategory.InvalidData, Target = path };

    /// <summary>
    /// A text value of the backup, refused when it holds control characters or is longer than <see cref="MaxValueLength"/>
    /// (issue 20: whatever the file says reaches prompts, messages and Exchange; the refusal quotes it escaped).
    /// </summary>
    private static string? Clean(string path, string what, string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > MaxValueLength)
        {
            throw Invalid(path, $"{what} is {value.Length} characters long, more than the {MaxValueLength} a backup value may be ('{DisplayText.Safe(value, 64)}')");
        }

        if (value.Any(DisplayText.IsControl))
        {
            throw Invalid(path, $"{what} holds control characters ('{DisplayText.Safe(value)}')");
        }

        return value;
    }

    /// <summary>A URL of the backup: absolute https with the path /mapi, as the repair itself sets them.</summary>
    private static string? CleanUrl(string path, string what, string? value)
    {
        string? url = Clean(path, what, value);
        if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.TrimEnd('/').Equals("/mapi", StringComparison.OrdinalIgnoreCase)))
        {
            throw Invalid(path, $"{what} '{DisplayText.Safe(url)}' is not an https URL with the path /mapi");
        }

        return url;
    }

    private static object? Get(IDictionary table, string key)
    {
        foreach (DictionaryEntry entry in table)
        {
            if (string.Equals(entry.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Value;
            }
        }

        return null;
    }

    private static object? Unwrap(object? value) => value is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : value;

    private static string? Text(object? value) => RunspaceExchangeClient.Text(Unwrap(value));

    private static string SafeName(string server)
    {
        char[] invalid = Path.GetInvalidFileNameChars();
        return new string(server.Select(c => invalid.Contains(c) || c == ' ' ? '_' : c).ToArray());
    }
}
