using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.ClientState;

/// <summary>
/// The registry as one or more .reg exports describe it (for example <c>reg export HKCU\Software\Microsoft</c> and
/// <c>reg export HKLM\SOFTWARE\Microsoft\Office</c>). The user hive is HKEY_CURRENT_USER, or HKEY_USERS\&lt;SID&gt;
/// when the export was taken from HKEY_USERS (the SID given, or the only user SID in the files). Read-only on
/// purpose: it is not an <see cref="IRegistryWriter"/>, so a repair can never be pointed at an export.
/// </summary>
internal sealed class RegFileRegistrySource : IRegistrySource
{
    private static readonly string[] SystemSids = { ".DEFAULT", "S-1-5-18", "S-1-5-19", "S-1-5-20" };

    private readonly InMemoryRegistry _registry;
    private readonly string[] _userPrefixes;

    private RegFileRegistrySource(InMemoryRegistry registry, IReadOnlyList<string> paths, IReadOnlyList<string> encodings, string? userSid, string[] userPrefixes)
    {
        _registry = registry;
        Paths = paths;
        Encodings = encodings;
        UserSid = userSid;
        _userPrefixes = userPrefixes;
    }

    public IReadOnlyList<string> Paths { get; }

    /// <summary>The encoding each file was read with, in the order of <see cref="Paths"/>.</summary>
    public IReadOnlyList<string> Encodings { get; }

    /// <summary>The HKEY_USERS SID the user hive was taken from; null when it is HKEY_CURRENT_USER.</summary>
    public string? UserSid { get; }

    public string Description => "registry export " + string.Join(", ", Paths);

    /// <summary>
    /// Bad lines of the files, one error each with its line number (issue 20: one bad item is one error, the rest of
    /// the export is still read). The cmdlet writes them as non-terminating errors.
    /// </summary>
    public IReadOnlyList<ClientStateException> Problems { get; private set; } = Array.Empty<ClientStateException>();

    /// <summary>
    /// Loads the files in order. Throws <see cref="ClientStateException"/> for a missing, unreadable, oversized or
    /// non-regular file, or one that is not a registry export at all; bad lines are collected in <see cref="Problems"/>.
    /// </summary>
    public static RegFileRegistrySource Load(IReadOnlyList<string> paths, string? userSid, CancellationToken cancellation = default)
    {
        var registry = new InMemoryRegistry("registry export " + string.Join(", ", paths));
        var encodings = new List<string>();
        var problems = new List<ClientStateException>();
        foreach (string path in paths)
        {
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new ClientStateException(ClientStateErrorIds.RegistryExportNotFound, ErrorCategory.ObjectNotFound, path, $"The registry export '{DisplayText.Safe(path)}' does not exist.");
            }

            try
            {
                encodings.Add(RegFileParser.Load(path, registry, cancellation, problem =>
                    problems.Add(new ClientStateException(ClientStateErrorIds.RegistryExportInvalid, ErrorCategory.InvalidData, path, problem.Message, problem))));
            }
            catch (InputFileException ex)
            {
                throw new ClientStateException(ex.ErrorId, ex.Category, path, ex.Message, ex);
            }
            catch (RegistryExportException ex)
            {
                throw new ClientStateException(ClientStateErrorIds.RegistryExportInvalid, ErrorCategory.InvalidData, path, ex.Message, ex);
            }
        }

        var prefixes = new List<string>();
        if (registry.KeyExistsAt(InMemoryRegistry.CurrentUser))
        {
            prefixes.Add(InMemoryRegistry.CurrentUser);
        }

        string[] userSids = registry.SubKeysOf(InMemoryRegistry.Users)
            .Where(s => !s.EndsWith("_Classes", StringComparison.OrdinalIgnoreCase) && !SystemSids.Contains(s, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        string? mapped = null;
        if (userSid is not null)
        {
            mapped = registry.SubKeysOf(InMemoryRegistry.Users).FirstOrDefault(s => string.Equals(s, userSid, StringComparison.OrdinalIgnoreCase));
        }
        else if (prefixes.Count == 0 && userSids.Length == 1)
        {
            mapped = userSids[0];
        }
        else if (prefixes.Count == 0 && userSids.Length > 1)
        {
            throw new ClientStateException(
                ClientStateErrorIds.RegistryExportAmbiguousUser,
                ErrorCategory.InvalidArgument,
                string.Join(", ", paths),
                $"The export holds the hives of {userSids.Length} users under HKEY_USERS ({string.Join(", ", userSids)}); name the one to examine with -UserSid.");
        }

        if (mapped is not null)
        {
            prefixes.Add(RegistryPath.Combine(InMemoryRegistry.Users, mapped));
        }

        return new RegFileRegistrySource(registry, paths.ToList(), encodings, mapped, prefixes.ToArray()) { Problems = problems };
    }

    public bool HasRoot(RegistryRoot root) =>
        root == RegistryRoot.Machine ? _registry.KeyExistsAt(InMemoryRegistry.LocalMachine) : _userPrefixes.Any(_registry.KeyExistsAt);

    public bool KeyExists(RegistryRoot root, string keyPath) => Candidates(root, keyPath).Any(_registry.KeyExistsAt);

    public RegistryValue? GetValue(RegistryRoot root, string keyPath, string name) =>
        Candidates(root, keyPath).Select(k => _registry.GetValueAt(k, name)).FirstOrDefault(v => v is not null);

    public IReadOnlyList<RegistryValue> GetValues(RegistryRoot root, string keyPath)
    {
        var values = new List<RegistryValue>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string key in Candidates(root, keyPath))
        {
            foreach (RegistryValue value in _registry.GetValuesAt(key))
            {
                if (seen.Add(value.Name))
                {
                    values.Add(value);
                }
            }
        }

        return values;
    }

    public IReadOnlyList<string> GetSubKeyNames(RegistryRoot root, string keyPath) =>
        Candidates(root, keyPath).SelectMany(_registry.SubKeysOf).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    private IEnumerable<string> Candidates(RegistryRoot root, string keyPath) =>
        root == RegistryRoot.Machine
            ? new[] { RegistryPath.Combine(InMemoryRegistry.LocalMachine, keyPath) }
            : _userPrefixes.Select(p => RegistryPath.Combine(p, keyPath));
}
