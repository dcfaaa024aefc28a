using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.ClientState;

/// <summary>
/// Picks the sources of facts for one run of the client-state cmdlets: a .reg export or the live registry,
/// Credential Manager, and the Autodiscover cache folder, and says why each one that cannot be had is missing.
/// </summary>
internal static class ClientStateSources
{
    private static readonly Regex SidPattern = new(@"^S-1-\d+(-\d+)+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static bool IsWindows => Environment.OSVersion.Platform == PlatformID.Win32NT;

    /// <summary>True when the live registry (or its stand-in) can be used on this platform.</summary>
    public static bool LiveRegistryAvailable(ModuleServices services) => services.Registry is not null || IsWindows;

    public static string PlatformName => IsWindows ? "Windows" : Environment.OSVersion.Platform == PlatformID.Unix ? "Linux or macOS" : Environment.OSVersion.Platform.ToString();

    /// <summary>Null, empty, ".", "localhost" and this computer's own name (short or qualified) mean this computer.</summary>
    public static bool IsLocalComputer(string? computerName)
    {
        if (string.IsNullOrWhiteSpace(computerName))
        {
            return true;
        }

        string name = computerName!.Trim();
        return name == "." ||
               name.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
               name.Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase) ||
               name.StartsWith(Environment.MachineName + ".", StringComparison.OrdinalIgnoreCase);
    }

    public static void ValidateSid(string? userSid)
    {
        if (userSid is not null && !SidPattern.IsMatch(userSid))
        {
            throw new ClientStateException(ClientStateErrorIds.InvalidUserSid, ErrorCategory.InvalidArgument, userSid, $"'{userSid}' is not a security identifier (S-1-5-21-...): pass the user's SID, for example (Get-ADUser alice).SID.Value.");
        }
    }

    /// <summary>The SID of the user running the cmdlet, on Windows.</summary>
    public static string? CurrentUserSid()
    {
        if (!IsWindows)
        {
            return null;
        }

        try
        {
            return System.Security.Principal.WindowsIdentity.GetCurrent().User?.Value;
        }
        catch (Exception ex) when (ex is System.Security.SecurityException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The account name of a SID on Windows (DOMAIN\user); the SID itself when it cannot be translated.</summary>
    public static string AccountName(string sid)
    {
        if (!IsWindows)
        {
            return sid;
        }

        try
        {
            return new System.Security.Principal.SecurityIdentifier(sid).Translate(typeof(System.Security.Principal.NTAccount)).Value;
        }
        catch (Exception ex) when (ex is System.Security.Principal.IdentityNotMappedException or SystemException)
        {
            return sid;
        }
    }

    /// <summary>
    /// Opens everything a run needs. <paramref name="exportPaths"/> selects the offline mode; otherwise the live registry
    /// (or its stand-in) of this computer for the current user or <paramref name="userSid"/>. Other computers run the
    /// cmdlet themselves through PowerShell remoting (issue 17).
    /// </summary>
    public static ClientStateContext Open(IReadOnlyList<string>? exportPaths, string? userSid, string? cachePath, ModuleServices services, System.Threading.CancellationToken cancellation = default)
    {
        ValidateSid(userSid);
        var context = new ClientStateContext();
        if (cachePath is not null && !File.Exists(cachePath) && !Directory.Exists(cachePath))
        {
            throw new ClientStateException(ClientStateErrorIds.AutodiscoverCachePathNotFound, ErrorCategory.ObjectNotFound, cachePath, $"The Autodiscover cache path '{DisplayText.Safe(cachePath)}' does not exist: pass the folder Outlook keeps its cache in (%LOCALAPPDATA%\\Microsoft\\Outlook, or a copy of it) or one of its XML files.");
        }

        if (exportPaths is { Count: > 0 })
        {
            RegFileRegistrySource source = RegFileRegistrySource.Load(exportPaths, userSid, cancellation);
            context.InputProblems = source.Problems;
            context.Offline = true;
            context.Registry = source;
            context.RegistryExportPath = source.Paths;
            context.UserSid = source.UserSid;
            context.UserName = source.UserSid;
            context.UserHiveLabel = source.UserSid is null ? "HKCU" : "HKU\\" + source.UserSid;
            context.CredentialsUnavailableReason = "Credential Manager is not part of a registry export; run Get-MapiHttpClientState on the client to list its entries.";
            context.AutodiscoverCachePath = cachePath;
            context.CacheUnavailableReason = cachePath is null ? "No -AutodiscoverCachePath was given for the offline analysis: copy the user's %LOCALAPPDATA%\\Microsoft\\Outlook folder and pass it." : null;
            return context;
        }

        context.ComputerName = Environment.MachineName;
        string? currentSid = CurrentUserSid();
        bool currentUser = userSid is null || string.Equals(userSid, currentSid, StringComparison.OrdinalIgnoreCase);

        context.UserSid = currentUser ? currentSid ?? userSid : userSid;
        context.UserName = currentUser ? CurrentUserName() : AccountName(userSid!);
        context.UserHiveLabel = currentUser ? "HKCU" : "HKU\\" + userSid;

        if (services.Registry is { } standIn)
        {
            context.Registry = standIn;
            context.Writer = standIn as IRegistryWriter;
        }
        else if (IsWindows)
        {
            LiveRegistrySource live = LiveRegistrySource.Open(currentUser ? null : userSid);
            context.Registry = live;
            context.Writer = live;
            context.Disposable = live;
        }
        else
        {
            context.RegistryUnavailableReason = $"There is no Windows registry on {PlatformName}: analyse a client offline with -RegistryExportPath (a .reg file from 'reg export').";
        }

        if (!currentUser)
        {
            context.CredentialsUnavailableReason = "Credential Manager can be read only for the user running the cmdlet, on their own computer: run Get-MapiHttpClientState as that user (for example through Invoke-Command).";
        }
        else if (services.CredentialStore is { } credentialStandIn)
        {
            context.Credentials = credentialStandIn;
        }
        else if (IsWindows)
        {
            context.Credentials = new WindowsCredentialStore();
        }
        else
        {
            context.CredentialsUnavailableReason = $"There is no Windows Credential Manager on {PlatformName}.";
        }

        if (cachePath is not null)
        {
            context.AutodiscoverCachePath = cachePath;
        }
        else if (currentUser)
        {
            string localAppData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            context.AutodiscoverCachePath = string.IsNullOrEmpty(localAppData) ? null : Path.Combine(localAppData, "Microsoft", "Outlook");
            context.CacheUnavailableReason = context.AutodiscoverCachePath is null ? "The local application data folder of the current user is not known on this platform; pass -AutodiscoverCachePath." : null;
        }
        else
        {
            context.AutodiscoverCachePath = ProfileOutlookFolder(context.Registry, userSid!);
            context.CacheUnavailableReason = context.AutodiscoverCachePath is null
                ? $"The profile folder of {userSid} is not in HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList: pass -AutodiscoverCachePath."
                : null;
        }

        return context;
    }

    private static string CurrentUserName() =>
        IsWindows && !string.IsNullOrEmpty(Environment.UserDomainName) ? Environment.UserDomainName + "\\" + Environment.UserName : Environment.UserName;

    /// <summary>The Outlook folder of another user's profile on this computer: ProfileList\&lt;SID&gt;\ProfileImagePath + AppData\Local\Microsoft\Outlook.</summary>
    private static string? ProfileOutlookFolder(IRegistrySource? registry, string userSid)
    {
        string? profile = registry?.GetValue(RegistryRoot.Machine, @"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList\" + userSid, "ProfileImagePath")?.AsString();
        return string.IsNullOrEmpty(profile) ? null : Environment.ExpandEnvironmentVariables(profile) + @"\AppData\Local\Microsoft\Outlook";
    }
}

/// <summary>The sources of one run, with the reason for every one that is missing.</summary>
internal sealed class ClientStateContext : IDisposable
{
    public bool Offline { get; set; }

    public IRegistrySource? Registry { get; set; }

    /// <summary>Null for a .reg export (never written) and where no live registry exists.</summary>
    public IRegistryWriter? Writer { get; set; }

    public string? RegistryUnavailableReason { get; set; }

    public IReadOnlyList<string> RegistryExportPath { get; set; } = Array.Empty<string>();

    /// <summary>Bad lines of the registry exports, each to be written as its own error (issue 20).</summary>
    public IReadOnlyList<ClientStateException> InputProblems { get; set; } = Array.Empty<ClientStateException>();

    public ICredentialStore? Credentials { get; set; }

    public string? CredentialsUnavailableReason { get; set; }

    public string? AutodiscoverCachePath { get; set; }

    public string? CacheUnavailableReason { get; set; }

    public string? ComputerName { get; set; }

    public string? UserName { get; set; }

    public string? UserSid { get; set; }

    /// <summary>How user-hive keys are named in messages: HKCU, or HKU\&lt;SID&gt;.</summary>
    public string UserHiveLabel { get; set; } = "HKCU";

    public IDisposable? Disposable { get; set; }

    public string DisplayKey(RegistryRoot root, string keyPath) =>
        (root == RegistryRoot.Machine ? "HKLM" : UserHiveLabel) + "\\" + RegistryPath.Normalize(keyPath);

    /// <summary>The PowerShell registry provider path of a user-hive key (HKCU:\..., or Registry::HKEY_USERS\&lt;SID&gt;\...).</summary>
    public string ProviderPath(string keyPath) =>
        (UserHiveLabel == "HKCU" ? "HKCU:\\" : "Registry::HKEY_USERS" + UserHiveLabel.Substring(3) + "\\") + RegistryPath.Normalize(keyPath);

    /// <summary>Where the facts come from, for the result's target and messages.</summary>
    public string Target => Offline
        ? string.Join(", ", RegistryExportPath)
        : $"{UserName ?? UserSid ?? "current user"} on {ComputerName}";

    public void Dispose() => Disposable?.Dispose();
}
