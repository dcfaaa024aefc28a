using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MapiHttpTools.ClientState;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>Paths of the client-state fixtures, and temporary copies laid out the way Outlook keeps them.</summary>
internal static class ClientStateFixtures
{
    public const string UserSid = "S-1-5-21-3623811015-3361044348-30300820-1013";

    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures", "ClientState");

    public static string Reg(string name) => Path.Combine(Root, name);

    public static string Autodiscover(string name) => Path.Combine(Root, "Autodiscover", name);

    /// <summary>Writes .reg text as regedit does (UTF-16LE with BOM, CRLF) to a temporary file.</summary>
    public static string WriteReg(TempFolder folder, string name, string text)
    {
        string path = Path.Combine(folder.Path, name);
        byte[] body = new UnicodeEncoding(false, false).GetBytes(text.Replace("\r\n", "\n").Replace("\n", "\r\n"));
        File.WriteAllBytes(path, new byte[] { 0xFF, 0xFE }.Concat(body).ToArray());
        return path;
    }

    /// <summary>
    /// An Outlook folder like %LOCALAPPDATA%\Microsoft\Outlook: each (fixture, relative name) pair copied in, the
    /// files' times set <paramref name="age"/> in the past, plus an OST and a settings XML that are not Autodiscover.
    /// </summary>
    public static string OutlookFolder(TempFolder folder, TimeSpan age, params (string Fixture, string Name)[] files)
    {
        string outlook = Path.Combine(folder.Path, "Outlook");
        Directory.CreateDirectory(outlook);
        foreach ((string fixture, string name) in files)
        {
            string target = Path.Combine(outlook, name.Replace('\\', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Autodiscover(fixture), target);
            File.SetLastWriteTimeUtc(target, DateTime.UtcNow - age);
        }

        File.WriteAllText(Path.Combine(outlook, "alice@contoso.com.ost"), "not a real OST");
        File.WriteAllText(Path.Combine(outlook, "Outlook Settings.xml"), "<Settings />");
        return outlook;
    }

    public static RegistryValue? Value(IRegistrySource registry, RegistryRoot root, string key, string name) => registry.GetValue(root, key, name);
}

/// <summary>A temporary folder removed at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mapihttp-client-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The current user's Credential Manager as a list, recording every delete (names only, like the real one).</summary>
internal sealed class CredentialStoreStandIn : ICredentialStore
{
    private readonly List<CredentialEntry> _entries;

    public CredentialStoreStandIn(params string[] targets) => _entries = targets.Select(t => new CredentialEntry(t, 1)).ToList();

    public List<string> Deleted { get; } = new();

    public IReadOnlyList<CredentialEntry> Enumerate() => _entries.ToList();

    public void Delete(CredentialEntry entry)
    {
        Deleted.Add(entry.TargetName);
        _entries.RemoveAll(e => e.TargetName == entry.TargetName);
    }
}

/// <summary>A registry whose writes fail, to prove a failed change leaves everything as it was.</summary>
internal sealed class ReadOnlyRegistryStandIn : IRegistrySource, IRegistryWriter
{
    private readonly InMemoryRegistry _inner;

    public ReadOnlyRegistryStandIn(InMemoryRegistry inner) => _inner = inner;

    public string Description => "a registry that refuses writes";

    public bool HasRoot(RegistryRoot root) => _inner.HasRoot(root);

    public bool KeyExists(RegistryRoot root, string keyPath) => _inner.KeyExists(root, keyPath);

    public RegistryValue? GetValue(RegistryRoot root, string keyPath, string name) => _inner.GetValue(root, keyPath, name);

    public IReadOnlyList<RegistryValue> GetValues(RegistryRoot root, string keyPath) => _inner.GetValues(root, keyPath);

    public IReadOnlyList<string> GetSubKeyNames(RegistryRoot root, string keyPath) => _inner.GetSubKeyNames(root, keyPath);

    public void SetValue(RegistryRoot root, string keyPath, RegistryValue value) => throw new UnauthorizedAccessException("Access to the registry key is denied.");

    public bool DeleteValue(RegistryRoot root, string keyPath, string name) => throw new UnauthorizedAccessException("Access to the registry key is denied.");
}
