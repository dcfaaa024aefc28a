using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.ClientState;

/// <summary>
/// A registry held in memory: what a .reg export describes, and the stand-in the repair tests write to.
/// Keys are addressed by full path with the hive's long name ("HKEY_CURRENT_USER\Software\..."); the short names
/// (HKCU, HKLM, HKU, HKCR, HKCC) are accepted too. As a source, <see cref="RegistryRoot.User"/> is HKEY_CURRENT_USER
/// and <see cref="RegistryRoot.Machine"/> is HKEY_LOCAL_MACHINE.
/// </summary>
internal sealed class InMemoryRegistry : IRegistrySource, IRegistryWriter
{
    public const string CurrentUser = "HKEY_CURRENT_USER";
    public const string LocalMachine = "HKEY_LOCAL_MACHINE";
    public const string Users = "HKEY_USERS";

    private static readonly Dictionary<string, string> HiveNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HKEY_CURRENT_USER"] = CurrentUser,
        ["HKCU"] = CurrentUser,
        ["HKEY_LOCAL_MACHINE"] = LocalMachine,
        ["HKLM"] = LocalMachine,
        ["HKEY_USERS"] = Users,
        ["HKU"] = Users,
        ["HKEY_CLASSES_ROOT"] = "HKEY_CLASSES_ROOT",
        ["HKCR"] = "HKEY_CLASSES_ROOT",
        ["HKEY_CURRENT_CONFIG"] = "HKEY_CURRENT_CONFIG",
        ["HKCC"] = "HKEY_CURRENT_CONFIG",
    };

    private readonly Dictionary<string, Node> _hives = new(StringComparer.OrdinalIgnoreCase);

    public InMemoryRegistry(string description = "the in-memory registry")
    {
        Description = description;
    }

    public string Description { get; }

    /// <summary>The canonical hive name for a long or short hive name; null when it is not a hive.</summary>
    public static string? CanonicalHive(string name) => HiveNames.TryGetValue(name, out string? canonical) ? canonical : null;

    /// <summary>The hives (long names) that hold at least one key.</summary>
    public IEnumerable<string> HiveNamesPresent => _hives.Keys;

    /// <summary>Names of the direct subkeys of a full path (for example the SIDs under HKEY_USERS).</summary>
    public IReadOnlyList<string> SubKeysOf(string fullPath) =>
        Find(fullPath) is Node node ? node.Children.Values.Select(c => c.Name).ToList() : Array.Empty<string>();

    public bool KeyExistsAt(string fullPath) => Find(fullPath) is not null;

    public RegistryValue? GetValueAt(string fullPath, string name) =>
        Find(fullPath) is Node node && node.Values.TryGetValue(name ?? string.Empty, out RegistryValue? value) ? value : null;

    public IReadOnlyList<RegistryValue> GetValuesAt(string fullPath) =>
        Find(fullPath) is Node node ? node.Values.Values.ToList() : Array.Empty<RegistryValue>();

    /// <summary>
    /// Creates the key and any missing parents and returns a handle to it, so that many values can be set without
    /// resolving the path again for each (issue 20). Throws ArgumentException when the path does not start with a hive.
    /// </summary>
    internal KeyHandle OpenOrCreateKey(string fullPath) => new(FindOrCreate(fullPath));

    /// <summary>Creates the key and any missing parents. Throws ArgumentException when the path does not start with a hive.</summary>
    public void CreateKey(string fullPath) => FindOrCreate(fullPath);

    /// <summary>Deletes the key and everything under it (the <c>[-key]</c> of a .reg file); false when it did not exist.</summary>
    public bool DeleteKeyTree(string fullPath)
    {
        (string hive, string[] parts) = SplitFull(fullPath);
        if (parts.Length == 0)
        {
            return _hives.Remove(hive);
        }

        Node? parent = Find(hive, parts.Take(parts.Length - 1));
        return parent is not null && parent.Children.Remove(parts[parts.Length - 1]);
    }

    public void SetValueAt(string fullPath, RegistryValue value)
    {
        Node node = FindOrCreate(fullPath);
        node.Values[value.Name] = value;
    }

    public bool DeleteValueAt(string fullPath, string name) =>
        Find(fullPath) is Node node && node.Values.Remove(name ?? string.Empty);

    // IRegistrySource / IRegistryWriter: User = HKEY_CURRENT_USER, Machine = HKEY_LOCAL_MACHINE.
    public bool HasRoot(RegistryRoot root) => _hives.ContainsKey(HiveOf(root));

    public bool KeyExists(RegistryRoot root, string keyPath) => KeyExistsAt(Full(root, keyPath));

    public RegistryValue? GetValue(RegistryRoot root, string keyPath, string name) => GetValueAt(Full(root, keyPath), name);

    public IReadOnlyList<RegistryValue> GetValues(RegistryRoot root, string keyPath) => GetValuesAt(Full(root, keyPath));

    public IReadOnlyList<string> GetSubKeyNames(RegistryRoot root, string keyPath) => SubKeysOf(Full(root, keyPath));

    public void SetValue(RegistryRoot root, string keyPath, RegistryValue value) => SetValueAt(Full(root, keyPath), value);

    public bool DeleteValue(RegistryRoot root, string keyPath, string name) => DeleteValueAt(Full(root, keyPath), name);

    private static string HiveOf(RegistryRoot root) => root == RegistryRoot.Machine ? LocalMachine : CurrentUser;

    private static string Full(RegistryRoot root, string keyPath) => RegistryPath.Combine(HiveOf(root), keyPath);

    private static (string Hive, string[] Parts) SplitFull(string fullPath)
    {
        string[] parts = RegistryPath.Split(fullPath);
        string? hive = parts.Length > 0 ? CanonicalHive(parts[0]) : null;
        if (hive is null)
        {
            throw new ArgumentException($"'{fullPath}' does not start with a registry hive (HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE, HKEY_USERS, HKEY_CLASSES_ROOT, HKEY_CURRENT_CONFIG).", nameof(fullPath));
        }

        return (hive, parts.Skip(1).ToArray());
    }

    private Node? Find(string fullPath)
    {
        string[] parts = RegistryPath.Split(fullPath);
        string? hive = parts.Length > 0 ? CanonicalHive(parts[0]) : null;
        return hive is null ? null : Find(hive, parts.Skip(1));
    }

    private Node? Find(string hive, IEnumerable<string> parts)
    {
        if (!_hives.TryGetValue(hive, out Node? node))
        {
            return null;
        }

        foreach (string part in parts)
        {
            if (!node.Children.TryGetValue(part, out node))
            {
                return null;
            }
        }

        return node;
    }

    private Node FindOrCreate(string fullPath)
    {
        (string hive, string[] parts) = SplitFull(fullPath);
        if (!_hives.TryGetValue(hive, out Node? node))
        {
            node = new Node(hive);
            _hives[hive] = node;
        }

        foreach (string part in parts)
        {
            if (!node.Children.TryGetValue(part, out Node? child))
            {
                child = new Node(part);
                node.Children[part] = child;
            }

            node = child;
        }

        return node;
    }

    /// <summary>One key, resolved once. Valid until the key is deleted; the .reg reader drops it at the next key line.</summary>
    internal sealed class KeyHandle
    {
        private readonly Node _node;

        internal KeyHandle(Node node) => _node = node;

        public void SetValue(RegistryValue value) => _node.Values[value.Name] = value;

        public bool DeleteValue(string name) => _node.Values.Remove(name ?? string.Empty);
    }

    internal sealed class Node
    {
        public Node(string name) => Name = name;

        public string Name { get; }

        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, RegistryValue> Values { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
