using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MapiHttpTools.ClientState;

/// <summary>
/// The two hives the client checks read. <see cref="User"/> is the hive of the user being examined: HKCU for the
/// current user, HKEY_USERS\&lt;SID&gt; for another one (live or in an export).
/// </summary>
internal enum RegistryRoot
{
    User,
    Machine,
}

/// <summary>Registry value types with the numbers Windows (and the <c>hex(n):</c> notation of .reg files) uses.</summary>
internal enum RegistryValueType
{
    None = 0,
    String = 1,
    ExpandString = 2,
    Binary = 3,
    DWord = 4,
    DWordBigEndian = 5,
    Link = 6,
    MultiString = 7,
    ResourceList = 8,
    FullResourceDescriptor = 9,
    ResourceRequirementsList = 10,
    QWord = 11,
}

/// <summary>
/// One registry value. <see cref="Data"/> is a string (String, ExpandString, Link), string[] (MultiString),
/// uint (DWord, DWordBigEndian), ulong (QWord) or byte[] (everything else).
/// </summary>
internal sealed class RegistryValue
{
    public RegistryValue(string name, RegistryValueType type, object data)
    {
        Name = name ?? string.Empty;
        Type = type;
        Data = data ?? throw new ArgumentNullException(nameof(data));
    }

    /// <summary>The value name; empty for the key's default value (<c>@</c> in a .reg file).</summary>
    public string Name { get; }

    public RegistryValueType Type { get; }

    public object Data { get; }

    public static RegistryValue DWord(string name, uint value) => new(name, RegistryValueType.DWord, value);

    public static RegistryValue String(string name, string value) => new(name, RegistryValueType.String, value);

    /// <summary>The value as a number when it is a DWORD or QWORD; null for every other type.</summary>
    public long? AsNumber() => Data switch
    {
        uint d => d,
        ulong q => unchecked((long)q),
        _ => null,
    };

    /// <summary>The value as text when it is a string type; null otherwise.</summary>
    public string? AsString() => Data as string;

    /// <summary>The registry type name as regedit shows it (REG_DWORD, REG_SZ, ...).</summary>
    public string TypeName => Type switch
    {
        RegistryValueType.None => "REG_NONE",
        RegistryValueType.String => "REG_SZ",
        RegistryValueType.ExpandString => "REG_EXPAND_SZ",
        RegistryValueType.Binary => "REG_BINARY",
        RegistryValueType.DWord => "REG_DWORD",
        RegistryValueType.DWordBigEndian => "REG_DWORD_BIG_ENDIAN",
        RegistryValueType.Link => "REG_LINK",
        RegistryValueType.MultiString => "REG_MULTI_SZ",
        RegistryValueType.QWord => "REG_QWORD",
        _ => "REG_" + ((int)Type).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The data as one line of text for results and evidence ("1 (REG_DWORD)").</summary>
    public string Display()
    {
        string text = Data switch
        {
            string s => s,
            string[] m => string.Join("; ", m),
            uint d => d.ToString(CultureInfo.InvariantCulture),
            ulong q => q.ToString(CultureInfo.InvariantCulture),
            byte[] b => b.Length == 0 ? "(empty)" : string.Join(",", b.Select(x => x.ToString("x2", CultureInfo.InvariantCulture))),
            _ => Convert.ToString(Data, CultureInfo.InvariantCulture) ?? string.Empty,
        };
        return $"{text} ({TypeName})";
    }
}

/// <summary>Reads values from a registry: the live Windows registry, a .reg export, or a stand-in.</summary>
internal interface IRegistrySource
{
    /// <summary>What the facts come from, for messages ("the registry of PC01", "export C:\x.reg").</summary>
    string Description { get; }

    /// <summary>Whether the source holds anything for <paramref name="root"/> (an export may hold only HKLM or only HKCU).</summary>
    bool HasRoot(RegistryRoot root);

    bool KeyExists(RegistryRoot root, string keyPath);

    /// <summary>The value, or null when the key or the value does not exist.</summary>
    RegistryValue? GetValue(RegistryRoot root, string keyPath, string name);

    /// <summary>Every value of the key; empty when the key does not exist.</summary>
    IReadOnlyList<RegistryValue> GetValues(RegistryRoot root, string keyPath);

    IReadOnlyList<string> GetSubKeyNames(RegistryRoot root, string keyPath);
}

/// <summary>Changes values. Only the live registry and the test stand-in write; a .reg export is never edited.</summary>
internal interface IRegistryWriter
{
    /// <summary>Creates the key if needed and sets the value.</summary>
    void SetValue(RegistryRoot root, string keyPath, RegistryValue value);

    /// <summary>Deletes the value; false when it did not exist.</summary>
    bool DeleteValue(RegistryRoot root, string keyPath, string name);
}

/// <summary>Key path helpers shared by the sources: backslash-separated, case-insensitive, no leading or trailing separator.</summary>
internal static class RegistryPath
{
    public static string Normalize(string path) => string.Join("\\", Split(path));

    public static string[] Split(string path) =>
        (path ?? string.Empty).Split(new[] { '\\' }, StringSplitOptions.RemoveEmptyEntries);

    public static string Combine(params string[] parts) => Normalize(string.Join("\\", parts.Where(p => !string.IsNullOrEmpty(p))));

    /// <summary>"HKCU\..." or "HKLM\..." for messages, the way reg.exe names them.</summary>
    public static string Display(RegistryRoot root, string keyPath, string? userSid = null) =>
        root == RegistryRoot.Machine
            ? "HKLM\\" + Normalize(keyPath)
            : (userSid is null ? "HKCU\\" : "HKU\\" + userSid + "\\") + Normalize(keyPath);
}
