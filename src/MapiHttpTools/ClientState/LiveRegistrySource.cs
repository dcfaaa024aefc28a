using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using Microsoft.Win32;

namespace MapiHttpTools.ClientState;

/// <summary>
/// The live Windows registry (Microsoft.Win32.Registry from mscorlib), 64-bit view so 32-bit hosts see the same keys
/// as Outlook does; WOW6432Node is read explicitly where Office keeps 32-bit MSI data. The user hive is HKCU for the
/// current user, HKEY_USERS\&lt;SID&gt; for another user (loaded only while that user is logged on); this computer only
/// (issue 17: other computers are reached through PowerShell remoting). Only on Windows; elsewhere <see cref="ClientStateSources"/> never creates it.
/// </summary>
internal sealed class LiveRegistrySource : IRegistrySource, IRegistryWriter, IDisposable
{
    private readonly RegistryKey _machine;
    private readonly RegistryKey _userBase;
    private readonly RegistryKey? _usersHive;
    private readonly string? _userSid;

    private LiveRegistrySource(RegistryKey machine, RegistryKey userBase, RegistryKey? usersHive, string? userSid, string description)
    {
        _machine = machine;
        _userBase = userBase;
        _usersHive = usersHive;
        _userSid = userSid;
        Description = description;
    }

    public string Description { get; }

    /// <summary>
    /// Opens the registry of this computer: the current user's HKCU, or HKEY_USERS\&lt;SID&gt; for another user. Other
    /// computers run the cmdlet themselves through PowerShell remoting (issue 17), never the Remote Registry service.
    /// </summary>
    public static LiveRegistrySource Open(string? userSid)
    {
        RegistryKey? machine = null;
        RegistryKey? users = null;
        try
        {
            machine = RegistryKey.OpenBaseKey(RegistryHive.LocalMachine, RegistryView.Registry64);
            if (userSid is null)
            {
                return new LiveRegistrySource(machine, RegistryKey.OpenBaseKey(RegistryHive.CurrentUser, RegistryView.Registry64), null, null, "the registry of this computer (current user)");
            }

            users = RegistryKey.OpenBaseKey(RegistryHive.Users, RegistryView.Registry64);
            RegistryKey? hive = users.OpenSubKey(userSid, writable: false);
            if (hive is null)
            {
                machine.Dispose();
                users.Dispose();
                throw new ClientStateException(
                    ClientStateErrorIds.UserHiveNotLoaded,
                    ErrorCategory.ObjectNotFound,
                    userSid,
                    $"HKEY_USERS\\{userSid} is not loaded on this computer: a user's hive is loaded only while the user is logged on (or while a service runs as them). Ask the user to log on, or export the hive with 'reg export' and pass it with -RegistryExportPath.");
            }

            return new LiveRegistrySource(machine, hive, users, userSid, $"the registry of this computer (HKEY_USERS\\{userSid})");
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or SecurityException)
        {
            machine?.Dispose();
            users?.Dispose();
            throw new ClientStateException(ClientStateErrorIds.RegistryAccessDenied, ErrorCategory.PermissionDenied, userSid, $"Access to the registry of this computer was denied: {ex.Message}", ex);
        }
    }

    public bool HasRoot(RegistryRoot root) => true;

    public bool KeyExists(RegistryRoot root, string keyPath)
    {
        using RegistryKey? key = OpenRead(root, keyPath);
        return key is not null;
    }

    public RegistryValue? GetValue(RegistryRoot root, string keyPath, string name)
    {
        using RegistryKey? key = OpenRead(root, keyPath);
        return key is null ? null : Read(key, name);
    }

    public IReadOnlyList<RegistryValue> GetValues(RegistryRoot root, string keyPath)
    {
        using RegistryKey? key = OpenRead(root, keyPath);
        var values = new List<RegistryValue>();
        if (key is not null)
        {
            foreach (string name in key.GetValueNames())
            {
                if (Read(key, name) is RegistryValue value)
                {
                    values.Add(value);
                }
            }
        }

        return values;
    }

    public IReadOnlyList<string> GetSubKeyNames(RegistryRoot root, string keyPath)
    {
        using RegistryKey? key = OpenRead(root, keyPath);
        return key is null ? Array.Empty<string>() : key.GetSubKeyNames();
    }

    public void SetValue(RegistryRoot root, string keyPath, RegistryValue value)
    {
        using WritableBase parent = OpenWritableBase(root);
        using RegistryKey key = parent.Key.CreateSubKey(RegistryPath.Normalize(keyPath), writable: true)
            ?? throw new IOException($"Cannot create {RegistryPath.Display(root, keyPath, _userSid)}.");
        switch (value.Data)
        {
            case uint dword:
                key.SetValue(value.Name, unchecked((int)dword), RegistryValueKind.DWord);
                break;
            case ulong qword:
                key.SetValue(value.Name, unchecked((long)qword), RegistryValueKind.QWord);
                break;
            case string text:
                key.SetValue(value.Name, text, value.Type == RegistryValueType.ExpandString ? RegistryValueKind.ExpandString : RegistryValueKind.String);
                break;
            case string[] lines:
                key.SetValue(value.Name, lines, RegistryValueKind.MultiString);
                break;
            case byte[] bytes:
                key.SetValue(value.Name, bytes, value.Type == RegistryValueType.None ? RegistryValueKind.None : RegistryValueKind.Binary);
                break;
        }
    }

    public bool DeleteValue(RegistryRoot root, string keyPath, string name)
    {
        using WritableBase parent = OpenWritableBase(root);
        using RegistryKey? key = parent.Key.OpenSubKey(RegistryPath.Normalize(keyPath), writable: true);
        if (key is null || key.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames) is null)
        {
            return false;
        }

        key.DeleteValue(name, throwOnMissingValue: false);
        return true;
    }

    public void Dispose()
    {
        _userBase.Dispose();
        _usersHive?.Dispose();
        _machine.Dispose();
    }

    private RegistryKey Base(RegistryRoot root) => root == RegistryRoot.Machine ? _machine : _userBase;

    /// <summary>
    /// A handle that may create subkeys: base keys are writable, but HKEY_USERS\&lt;SID&gt; is held read-only (so reading
    /// needs no write access) and is reopened writable only for a change.
    /// </summary>
    private WritableBase OpenWritableBase(RegistryRoot root)
    {
        if (root == RegistryRoot.Machine || _usersHive is null)
        {
            return new WritableBase(Base(root), owned: false);
        }

        RegistryKey hive = _usersHive.OpenSubKey(_userSid!, writable: true) ?? throw new IOException($"HKEY_USERS\\{_userSid} is no longer loaded.");
        return new WritableBase(hive, owned: true);
    }

    private readonly struct WritableBase : IDisposable
    {
        private readonly bool _owned;

        public WritableBase(RegistryKey key, bool owned)
        {
            Key = key;
            _owned = owned;
        }

        public RegistryKey Key { get; }

        public void Dispose()
        {
            if (_owned)
            {
                Key.Dispose();
            }
        }
    }

    private RegistryKey? OpenRead(RegistryRoot root, string keyPath)
    {
        try
        {
            return Base(root).OpenSubKey(RegistryPath.Normalize(keyPath), writable: false);
        }
        catch (SecurityException)
        {
            // A key the caller may not read is, for these checks, a key they cannot see.
            return null;
        }
    }

    private static RegistryValue? Read(RegistryKey key, string name)
    {
        object? data = key.GetValue(name, null, RegistryValueOptions.DoNotExpandEnvironmentNames);
        if (data is null)
        {
            return null;
        }

        RegistryValueKind kind = key.GetValueKind(name);
        return kind switch
        {
            RegistryValueKind.String => new RegistryValue(name, RegistryValueType.String, (string)data),
            RegistryValueKind.ExpandString => new RegistryValue(name, RegistryValueType.ExpandString, (string)data),
            RegistryValueKind.DWord => new RegistryValue(name, RegistryValueType.DWord, unchecked((uint)(int)data)),
            RegistryValueKind.QWord => new RegistryValue(name, RegistryValueType.QWord, unchecked((ulong)(long)data)),
            RegistryValueKind.MultiString => new RegistryValue(name, RegistryValueType.MultiString, (string[])data),
            RegistryValueKind.None => new RegistryValue(name, RegistryValueType.None, data as byte[] ?? Array.Empty<byte>()),
            _ => new RegistryValue(name, RegistryValueType.Binary, data as byte[] ?? Array.Empty<byte>()),
        };
    }
}
