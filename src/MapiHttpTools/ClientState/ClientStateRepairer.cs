using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;

namespace MapiHttpTools.ClientState;

/// <summary>What Repair-MapiHttpClientState was asked to do.</summary>
internal sealed class ClientRepairOptions
{
    public bool RemoveMapiHttpDisabled { get; init; }

    public bool ClearAutodiscoverCache { get; init; }

    public bool RemoveOfficeCredentials { get; init; }
}

/// <summary>Where the repair reports to: the cmdlet's ShouldProcess, output and error stream.</summary>
internal interface IRepairSink
{
    bool ShouldProcess(string target, string action);

    void Result(MapiHttpClientRepairResult result);

    void Error(ClientStateException error);
}

/// <summary>
/// The backup folder of one repair run. Its path is fixed up front (shown in -WhatIf messages); the folder is
/// created only when the first change is about to be made, so -WhatIf leaves no trace.
/// </summary>
internal sealed class RepairBackup
{
    public RepairBackup(string path) => Path = path;

    public string Path { get; }

    /// <summary>The default: &lt;root&gt;\&lt;yyyyMMdd-HHmmss&gt;, root being the module's backup folder (%LOCALAPPDATA%\MapiHttpTools\Backup of the user running the repair).</summary>
    public static string DefaultPath(string root, DateTime now) =>
        System.IO.Path.Combine(root, now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

    public string Ensure(string sub = "")
    {
        string folder = sub.Length == 0 ? Path : System.IO.Path.Combine(Path, sub);
        try
        {
            Directory.CreateDirectory(folder);
            return folder;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ClientStateException(ClientStateErrorIds.BackupFailed, ErrorCategory.WriteError, folder, $"The backup folder '{folder}' cannot be created ({ex.Message}); nothing was changed for this item.", ex);
        }
    }
}

/// <summary>
/// Repairs the Outlook side: MapiHttpDisabled set to 0 (or removed), cached Autodiscover XML moved to the backup
/// folder, and (only when asked) Office credentials removed. Every step asks ShouldProcess first, backs up before it
/// changes anything, and reports one result with the state before and after.
/// </summary>
internal sealed class ClientStateRepairer
{
    private const string RestartOutlook = "Restart Outlook (close it completely, then start it) so it runs Autodiscover again and connects with MAPI/HTTP.";

    private readonly ClientStateContext _context;
    private readonly ClientRepairOptions _options;
    private readonly RepairBackup _backup;
    private readonly IRepairSink _sink;

    public ClientStateRepairer(ClientStateContext context, ClientRepairOptions options, RepairBackup backup, IRepairSink sink)
    {
        _context = context;
        _options = options;
        _backup = backup;
        _sink = sink;
    }

    /// <summary>True once any step really changed something (the cmdlet then tells the user to restart Outlook).</summary>
    public bool AnyChange { get; private set; }

    public void Run(CancellationToken cancel)
    {
        // The Exchange host names come from the cached responses, so read them before the cache is moved away.
        string[] hosts = _options.RemoveOfficeCredentials ? CachedHosts(cancel) : Array.Empty<string>();

        RepairMapiHttpDisabled();
        if (_options.ClearAutodiscoverCache)
        {
            cancel.ThrowIfCancellationRequested();
            ClearAutodiscoverCache(cancel);
        }

        if (_options.RemoveOfficeCredentials)
        {
            cancel.ThrowIfCancellationRequested();
            RemoveOfficeCredentials(hosts);
        }
    }

    private void Report(string action, CheckStatus status, MapiHttpCause cause, string target, string? before, string? after, bool changed, string? backupPath, string message, string? recommendation = null)
    {
        AnyChange |= changed;
        _sink.Result(new MapiHttpClientRepairResult(action, status, cause, target, _context.ComputerName, before, after, changed, backupPath, message, recommendation));
    }

    private void RepairMapiHttpDisabled()
    {
        string action = _options.RemoveMapiHttpDisabled ? "RemoveMapiHttpDisabled" : "SetMapiHttpDisabled";
        string target = _context.DisplayKey(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey) + "\\" + ClientSettingsCatalog.MapiHttpDisabled;
        IRegistrySource? registry = _context.Registry;
        if (registry is null || _context.Writer is null || !registry.HasRoot(RegistryRoot.User))
        {
            string reason = registry is null
                ? _context.RegistryUnavailableReason ?? "No registry is available."
                : $"{registry.Description} cannot be changed by this cmdlet.";
            Report(action, CheckStatus.Skipped, MapiHttpCause.None, target, null, null, false, null, reason);
            return;
        }

        RegistryValue? current = registry.GetValue(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey, ClientSettingsCatalog.MapiHttpDisabled);
        string before = current?.Display() ?? "(not set)";
        if (current is null)
        {
            Report(action, CheckStatus.Pass, MapiHttpCause.None, target, before, before, false, null, "MapiHttpDisabled is not set: Outlook already asks for MAPI/HTTP; nothing to change.");
            return;
        }

        if (!_options.RemoveMapiHttpDisabled && current.Type == RegistryValueType.DWord && current.AsNumber() == 0)
        {
            Report(action, CheckStatus.Pass, MapiHttpCause.None, target, before, before, false, null, "MapiHttpDisabled is already 0: nothing to change.");
            return;
        }

        string description = _options.RemoveMapiHttpDisabled
            ? $"Remove the value (now {before}); backup to {_backup.Path}"
            : $"Set the value to 0 (REG_DWORD), now {before}; backup to {_backup.Path}";
        if (!_sink.ShouldProcess(target, description))
        {
            Report(action, CheckStatus.Skipped, MapiHttpCause.NotEnabled, target, before, before, false, null, $"Not changed (-WhatIf, or not confirmed): {description}.");
            return;
        }

        string backupFile;
        try
        {
            backupFile = UniquePath(Path.Combine(_backup.Ensure(), _context.UserHiveLabel == "HKCU" ? "MapiHttpDisabled.reg" : $"MapiHttpDisabled-{_context.UserSid}.reg"));
            RegFileWriter.Write(backupFile, FullUserKey(ClientSettingsCatalog.ExchangeKey), new[] { current });
        }
        catch (ClientStateException ex)
        {
            _sink.Error(ex);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _sink.Error(new ClientStateException(ClientStateErrorIds.BackupFailed, ErrorCategory.WriteError, target, $"The previous value of {target} cannot be saved to {_backup.Path} ({ex.Message}); it was not changed.", ex));
            return;
        }

        try
        {
            if (_options.RemoveMapiHttpDisabled)
            {
                _context.Writer.DeleteValue(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey, ClientSettingsCatalog.MapiHttpDisabled);
            }
            else
            {
                _context.Writer.SetValue(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey, RegistryValue.DWord(ClientSettingsCatalog.MapiHttpDisabled, 0));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SecurityException)
        {
            _sink.Error(new ClientStateException(ClientStateErrorIds.RegistryWriteFailed, ErrorCategory.WriteError, target, $"{target} could not be changed: {ex.Message} The previous value is saved in {backupFile}.", ex));
            return;
        }

        string after = registry.GetValue(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey, ClientSettingsCatalog.MapiHttpDisabled)?.Display() ?? "(not set)";
        Report(action, CheckStatus.Pass, MapiHttpCause.NotEnabled, target, before, after, true, backupFile,
            $"MapiHttpDisabled changed from {before} to {after}: Outlook asks for MAPI/HTTP at its next start. To undo, import {backupFile}.", RestartOutlook);
    }

    private void ClearAutodiscoverCache(CancellationToken cancel)
    {
        const string action = "MoveAutodiscoverCache";
        string? folder = _context.AutodiscoverCachePath;
        if (folder is null)
        {
            Report(action, CheckStatus.Skipped, MapiHttpCause.None, "(Autodiscover cache)", null, null, false, null, _context.CacheUnavailableReason ?? "No Autodiscover cache folder is known: pass -AutodiscoverCachePath.");
            return;
        }

        if (!Directory.Exists(folder) && !File.Exists(folder))
        {
            Report(action, CheckStatus.Skipped, MapiHttpCause.None, folder, null, null, false, null, $"The Outlook folder '{folder}' does not exist: there is no cache to clear.");
            return;
        }

        IReadOnlyList<string> files = AutodiscoverCache.FindFiles(folder, cancel);
        if (files.Count == 0)
        {
            Report(action, CheckStatus.Pass, MapiHttpCause.None, folder, folder, folder, false, null, $"No cached Autodiscover XML in '{folder}': nothing to move.");
            return;
        }

        string baseFolder = File.Exists(folder) ? Path.GetDirectoryName(Path.GetFullPath(folder))! : Path.GetFullPath(folder);
        string backupRoot = Path.Combine(_backup.Path, "AutodiscoverCache");
        foreach (string file in files)
        {
            cancel.ThrowIfCancellationRequested();
            string relative = RelativePath(baseFolder, Path.GetFullPath(file));
            string destination = Path.Combine(backupRoot, relative);
            if (!_sink.ShouldProcess(file, $"Move the cached Autodiscover response to {destination}"))
            {
                Report(action, CheckStatus.Skipped, MapiHttpCause.Client, file, file, file, false, null, $"Not moved (-WhatIf, or not confirmed): {file} would go to {destination}.");
                continue;
            }

            try
            {
                _backup.Ensure(Path.Combine("AutodiscoverCache", Path.GetDirectoryName(relative) ?? string.Empty));
                destination = UniquePath(destination);
                File.Move(file, destination);
            }
            catch (ClientStateException ex)
            {
                _sink.Error(ex);
                continue;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _sink.Error(new ClientStateException(ClientStateErrorIds.AutodiscoverCacheMoveFailed, ErrorCategory.WriteError, file, $"'{file}' could not be moved to '{destination}': {ex.Message} (Outlook may hold it open: close Outlook and try again).", ex));
                continue;
            }

            Report(action, CheckStatus.Pass, MapiHttpCause.Client, file, file, destination, true, destination,
                $"Moved the cached Autodiscover response to {destination}: Outlook asks Autodiscover afresh at its next start. To undo, move it back.", RestartOutlook);
        }
    }

    private void RemoveOfficeCredentials(string[] hosts)
    {
        const string action = "RemoveCredential";
        if (_context.Credentials is null)
        {
            Report(action, CheckStatus.Skipped, MapiHttpCause.None, "(Credential Manager)", null, null, false, null, _context.CredentialsUnavailableReason ?? "Credential Manager is not available.");
            return;
        }

        IReadOnlyList<CredentialEntry> entries;
        try
        {
            entries = _context.Credentials.Enumerate();
        }
        catch (Win32Exception ex)
        {
            _sink.Error(new ClientStateException(ClientStateErrorIds.CredentialDeleteFailed, ErrorCategory.ReadError, "(Credential Manager)", "Credential Manager could not be listed: " + ex.Message, ex));
            return;
        }

        CredentialEntry[] office = entries.Where(e => OfficeCredentialFilter.IsOfficeOrExchange(e.TargetName, hosts)).ToArray();
        if (office.Length == 0)
        {
            Report(action, CheckStatus.Pass, MapiHttpCause.None, "(Credential Manager)", null, null, false, null, "No Office or Exchange entries in Credential Manager: nothing to remove.");
            return;
        }

        foreach (CredentialEntry entry in office)
        {
            if (!_sink.ShouldProcess(entry.TargetName, "Remove the Credential Manager entry (its password is not backed up: Outlook asks for it again)"))
            {
                Report(action, CheckStatus.Skipped, MapiHttpCause.Client, entry.TargetName, entry.TargetName, entry.TargetName, false, null, $"Not removed (-WhatIf, or not confirmed): {entry.TargetName}.");
                continue;
            }

            try
            {
                _context.Credentials.Delete(entry);
            }
            catch (Win32Exception ex)
            {
                _sink.Error(new ClientStateException(ClientStateErrorIds.CredentialDeleteFailed, ErrorCategory.WriteError, entry.TargetName, $"The Credential Manager entry '{entry.TargetName}' could not be removed: {ex.Message}", ex));
                continue;
            }

            Report(action, CheckStatus.Pass, MapiHttpCause.Client, entry.TargetName, entry.TargetName, "(removed)", true, null,
                $"Removed the Credential Manager entry '{entry.TargetName}': Outlook asks for the password at its next start (the stored password is never read or backed up).", RestartOutlook);
        }
    }

    private string[] CachedHosts(CancellationToken cancel)
    {
        string? folder = _context.AutodiscoverCachePath;
        if (folder is null || (!Directory.Exists(folder) && !File.Exists(folder)))
        {
            return Array.Empty<string>();
        }

        DateTime now = DateTime.UtcNow;
        return AutodiscoverCache.HostsOf(AutodiscoverCache.FindFiles(folder, cancel).Select(f => AutodiscoverCache.Read(f, now))).ToArray();
    }

    /// <summary>The long name of a user-hive key for a .reg file: HKEY_CURRENT_USER\... or HKEY_USERS\&lt;SID&gt;\...</summary>
    private string FullUserKey(string keyPath) =>
        (_context.UserHiveLabel == "HKCU" ? InMemoryRegistry.CurrentUser : InMemoryRegistry.Users + _context.UserHiveLabel.Substring(3)) + "\\" + RegistryPath.Normalize(keyPath);

    /// <summary>The path itself, or with " (2)", " (3)", ... before the extension when a file of that name is already there.</summary>
    private static string UniquePath(string path)
    {
        string candidate = path;
        for (int n = 2; File.Exists(candidate); n++)
        {
            candidate = Path.Combine(Path.GetDirectoryName(path) ?? string.Empty, $"{Path.GetFileNameWithoutExtension(path)} ({n}){Path.GetExtension(path)}");
        }

        return candidate;
    }

    private static string RelativePath(string baseFolder, string file)
    {
        string prefix = baseFolder.EndsWith(Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal) ? baseFolder : baseFolder + Path.DirectorySeparatorChar;
        return file.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? file.Substring(prefix.Length) : Path.GetFileName(file);
    }
}
