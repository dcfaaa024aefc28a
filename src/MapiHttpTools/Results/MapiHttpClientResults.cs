using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace MapiHttpTools;

/// <summary>How Office is installed on the client.</summary>
public enum MapiHttpOfficeInstallType
{
    Unknown,
    ClickToRun,
    Msi,
}

/// <summary>One finding of Get-MapiHttpClientState: a registry value, the Outlook build, a cached Autodiscover file, ...</summary>
public sealed class MapiHttpClientFinding : MapiHttpResult
{
    internal MapiHttpClientFinding(
        string check,
        CheckStatus status,
        MapiHttpCause cause,
        string? target,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence)
        : base(check, status, cause, target, null, message, recommendation, evidence)
    {
    }

    // Issue 13: Format-List of a client state shows its Findings by this text, not by the type name.
    public override string ToString() => $"{Check}: {Status} - {Message}";
}

/// <summary>A registry value that changes how Outlook finds Autodiscover or authenticates, and what it does to MAPI/HTTP.</summary>
public sealed class MapiHttpClientSetting
{
    internal MapiHttpClientSetting(string name, object? value, string valueType, string keyPath, bool isPolicy, string effect)
    {
        Name = name;
        Value = value;
        ValueType = valueType;
        KeyPath = keyPath;
        IsPolicy = isPolicy;
        Effect = effect;
    }

    /// <summary>The value name (ExcludeScpLookup, EnableADAL, ..., or a domain name for a local Autodiscover XML file).</summary>
    public string Name { get; }

    /// <summary>The data: a number for DWORD/QWORD values, text for strings.</summary>
    public object? Value { get; }

    /// <summary>REG_DWORD, REG_SZ, ...</summary>
    public string ValueType { get; }

    /// <summary>Where the value is (HKCU\Software\Microsoft\Office\16.0\Outlook\AutoDiscover, or the Policies key).</summary>
    public string KeyPath { get; }

    /// <summary>True when the value comes from the Policies key (Group Policy), which wins over the user's own value.</summary>
    public bool IsPolicy { get; }

    /// <summary>What the value does to Autodiscover and so to MAPI/HTTP.</summary>
    public string Effect { get; }

    public override string ToString() => $"{Name}={Value}";
}

/// <summary>A cached Autodiscover response Outlook keeps in its profile folder, parsed.</summary>
public sealed class MapiHttpCachedAutodiscover
{
    internal MapiHttpCachedAutodiscover(
        string path,
        DateTime lastWriteTimeUtc,
        TimeSpan age,
        string? parseError,
        string? emailAddress,
        string? action,
        string? redirectTarget,
        string? errorCode,
        string? errorMessage,
        bool hasMapiHttp,
        string? mailStoreInternalUrl,
        string? mailStoreExternalUrl,
        string? addressBookInternalUrl,
        string? addressBookExternalUrl,
        IEnumerable<string> protocols)
    {
        Path = path;
        FileName = System.IO.Path.GetFileName(path);
        LastWriteTimeUtc = lastWriteTimeUtc;
        Age = age;
        ParseError = parseError;
        EmailAddress = emailAddress;
        Action = action;
        RedirectTarget = redirectTarget;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
        HasMapiHttp = hasMapiHttp;
        MailStoreInternalUrl = mailStoreInternalUrl;
        MailStoreExternalUrl = mailStoreExternalUrl;
        AddressBookInternalUrl = addressBookInternalUrl;
        AddressBookExternalUrl = addressBookExternalUrl;
        Protocols = new ReadOnlyCollection<string>(protocols.ToList());
    }

    public string Path { get; }

    public string FileName { get; }

    public DateTime LastWriteTimeUtc { get; }

    /// <summary>How long ago the file was last written.</summary>
    public TimeSpan Age { get; }

    /// <summary>Why the file could not be read as an Autodiscover response; null when it could.</summary>
    public string? ParseError { get; }

    /// <summary>AutoDiscoverSMTPAddress of the response.</summary>
    public string? EmailAddress { get; }

    /// <summary>settings, redirectAddr or redirectUrl.</summary>
    public string? Action { get; }

    public string? RedirectTarget { get; }

    public string? ErrorCode { get; }

    public string? ErrorMessage { get; }

    /// <summary>True when the response has &lt;Protocol Type="mapiHttp"&gt;.</summary>
    public bool HasMapiHttp { get; }

    public string? MailStoreInternalUrl { get; }

    public string? MailStoreExternalUrl { get; }

    public string? AddressBookInternalUrl { get; }

    public string? AddressBookExternalUrl { get; }

    /// <summary>The protocol types the response offers (mapiHttp, EXCH, EXPR, WEB, ...).</summary>
    public IReadOnlyList<string> Protocols { get; }

    public override string ToString() => FileName;
}

/// <summary>
/// The Outlook side of MAPI/HTTP for one Windows user: whether Outlook is able (version) and allowed (MapiHttpDisabled,
/// Autodiscover overrides, cached Autodiscover, credentials) to use it. Status and Cause are those of the worst finding.
/// </summary>
public sealed class MapiHttpClientStateResult : MapiHttpResult
{
    internal MapiHttpClientStateResult(
        CheckStatus status,
        MapiHttpCause cause,
        string? target,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence,
        MapiHttpClientStateFacts facts)
        : base("ClientState", status, cause, target, null, message, recommendation, evidence)
    {
        ComputerName = facts.ComputerName;
        UserName = facts.UserName;
        UserSid = facts.UserSid;
        Source = facts.Source;
        RegistryExportPath = new ReadOnlyCollection<string>(facts.RegistryExportPath.ToList());
        AutodiscoverCachePath = facts.AutodiscoverCachePath;
        MapiHttpDisabled = facts.MapiHttpDisabled;
        OutlookVersion = facts.OutlookVersion;
        OutlookProduct = facts.OutlookProduct;
        OfficeInstallType = facts.OfficeInstallType;
        OutlookChannel = facts.OutlookChannel;
        OutlookBitness = facts.OutlookBitness;
        OutlookSupportsMapiHttp = facts.OutlookSupportsMapiHttp;
        AutodiscoverOverrides = new ReadOnlyCollection<MapiHttpClientSetting>(facts.AutodiscoverOverrides.ToList());
        ModernAuthentication = new ReadOnlyCollection<MapiHttpClientSetting>(facts.ModernAuthentication.ToList());
        CachedAutodiscover = new ReadOnlyCollection<MapiHttpCachedAutodiscover>(facts.CachedAutodiscover.ToList());
        CredentialTargets = new ReadOnlyCollection<string>(facts.CredentialTargets.ToList());
        Findings = new ReadOnlyCollection<MapiHttpClientFinding>(facts.Findings.ToList());
    }

    /// <summary>The computer whose state this is; null for an offline export.</summary>
    public string? ComputerName { get; }

    public string? UserName { get; }

    /// <summary>The user's SID when known (HKEY_USERS\&lt;SID&gt;, -UserSid, or the current user on Windows).</summary>
    public string? UserSid { get; }

    /// <summary>Registry (the live registry) or RegistryExport (.reg files).</summary>
    public string Source { get; }

    /// <summary>The .reg files read; empty for a live run.</summary>
    public IReadOnlyList<string> RegistryExportPath { get; }

    /// <summary>The folder searched for cached Autodiscover XML files.</summary>
    public string? AutodiscoverCachePath { get; }

    /// <summary>HKCU\Software\Microsoft\Exchange\MapiHttpDisabled; null when not set (MAPI/HTTP allowed).</summary>
    public long? MapiHttpDisabled { get; }

    public Version? OutlookVersion { get; }

    /// <summary>Outlook 2013, Outlook 2016, Microsoft 365 Apps, ...</summary>
    public string? OutlookProduct { get; }

    public MapiHttpOfficeInstallType OfficeInstallType { get; }

    /// <summary>The Click-to-Run update channel (Current Channel, Monthly Enterprise Channel, ...); null for MSI.</summary>
    public string? OutlookChannel { get; }

    public string? OutlookBitness { get; }

    /// <summary>True for Outlook 2013 SP1 (15.0.4569.1506) and later; null when no Outlook was found.</summary>
    public bool? OutlookSupportsMapiHttp { get; }

    public IReadOnlyList<MapiHttpClientSetting> AutodiscoverOverrides { get; }

    public IReadOnlyList<MapiHttpClientSetting> ModernAuthentication { get; }

    public IReadOnlyList<MapiHttpCachedAutodiscover> CachedAutodiscover { get; }

    /// <summary>Credential Manager targets that look like Office or Exchange (names only, never secrets).</summary>
    public IReadOnlyList<string> CredentialTargets { get; }

    public IReadOnlyList<MapiHttpClientFinding> Findings { get; }
}

/// <summary>The facts the state result is built from (keeps the result's constructor readable).</summary>
internal sealed class MapiHttpClientStateFacts
{
    public string? ComputerName { get; set; }

    public string? UserName { get; set; }

    public string? UserSid { get; set; }

    public string Source { get; set; } = "Registry";

    public IReadOnlyList<string> RegistryExportPath { get; set; } = Array.Empty<string>();

    public string? AutodiscoverCachePath { get; set; }

    public long? MapiHttpDisabled { get; set; }

    public Version? OutlookVersion { get; set; }

    public string? OutlookProduct { get; set; }

    public MapiHttpOfficeInstallType OfficeInstallType { get; set; }

    public string? OutlookChannel { get; set; }

    public string? OutlookBitness { get; set; }

    public bool? OutlookSupportsMapiHttp { get; set; }

    public List<MapiHttpClientSetting> AutodiscoverOverrides { get; } = new();

    public List<MapiHttpClientSetting> ModernAuthentication { get; } = new();

    public List<MapiHttpCachedAutodiscover> CachedAutodiscover { get; } = new();

    public List<string> CredentialTargets { get; } = new();

    public List<MapiHttpClientFinding> Findings { get; } = new();
}

/// <summary>
/// One change (or the decision not to change) made by Repair-MapiHttpClientState, with the state before and after; one
/// of the repair result family (issue 12). Outcome is Changed, NoChange (nothing to do), Skipped (-WhatIf, declined,
/// or not possible here) or Failed.
/// </summary>
public sealed class MapiHttpClientRepairResult : MapiHttpRepairResult
{
    internal MapiHttpClientRepairResult(
        string action,
        CheckStatus status,
        MapiHttpCause cause,
        string target,
        string? computerName,
        string? before,
        string? after,
        bool changed,
        string? backupPath,
        string message,
        string? recommendation,
        IEnumerable<KeyValuePair<string, object?>>? evidence = null)
        : base(new RepairLine((MapiRepairAction)Enum.Parse(typeof(MapiRepairAction), action), OutcomeOf(status, changed), message)
        {
            Status = status,
            Cause = cause,
            Target = target,
            Setting = SettingOf(action),
            Before = before,
            After = after,
            BackupPath = backupPath,
            Recommendation = recommendation,
            Evidence = evidence,
        })
    {
        ComputerName = computerName;
        Changed = changed;
    }

    public string? ComputerName { get; }

    /// <summary>True only when something was really changed (false for -WhatIf, declined prompts and nothing-to-do).</summary>
    public bool Changed { get; }

    private static MapiRepairOutcome OutcomeOf(CheckStatus status, bool changed) => changed
        ? MapiRepairOutcome.Changed
        : status switch
        {
            CheckStatus.Pass => MapiRepairOutcome.NoChange,
            CheckStatus.Fail or CheckStatus.Error => MapiRepairOutcome.Failed,
            _ => MapiRepairOutcome.Skipped,
        };

    private static string SettingOf(string action) => action switch
    {
        "SetMapiHttpDisabled" or "RemoveMapiHttpDisabled" => "MapiHttpDisabled",
        "MoveAutodiscoverCache" => "AutodiscoverCache",
        _ => "Credential",
    };
}
