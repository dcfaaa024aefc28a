using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using System.Runtime.InteropServices;

namespace MapiHttpTools.ClientState;

/// <summary>A Credential Manager entry as this module sees it: its target name and type, never its secret.</summary>
internal sealed record CredentialEntry(string TargetName, int Type);

/// <summary>The current user's Credential Manager, by target name only.</summary>
internal interface ICredentialStore
{
    IReadOnlyList<CredentialEntry> Enumerate();

    /// <summary>Deletes the entry; throws when Windows refuses.</summary>
    void Delete(CredentialEntry entry);
}

/// <summary>
/// Windows Credential Manager through advapi32 (CredEnumerateW, CredDeleteW). Only the Flags, Type and TargetName fields
/// at the start of each CREDENTIALW are read; CredentialBlob is never dereferenced, so no secret is ever in this process's
/// managed memory. Windows only, current logon session only (Credential Manager cannot be read for another user or remotely).
/// </summary>
internal sealed class WindowsCredentialStore : ICredentialStore
{
    private const int ErrorNotFound = 1168;

    public IReadOnlyList<CredentialEntry> Enumerate()
    {
        if (!NativeMethods.CredEnumerate(null, 0, out uint count, out IntPtr buffer))
        {
            int error = Marshal.GetLastWin32Error();
            if (error == ErrorNotFound)
            {
                return Array.Empty<CredentialEntry>();
            }

            throw new Win32Exception(error);
        }

        try
        {
            var entries = new List<CredentialEntry>((int)count);
            for (int i = 0; i < count; i++)
            {
                IntPtr credential = Marshal.ReadIntPtr(buffer, i * IntPtr.Size);
                CredentialHeader header = (CredentialHeader)Marshal.PtrToStructure(credential, typeof(CredentialHeader))!;
                string? target = Marshal.PtrToStringUni(header.TargetName);
                if (!string.IsNullOrEmpty(target))
                {
                    entries.Add(new CredentialEntry(target!, (int)header.Type));
                }
            }

            return entries;
        }
        finally
        {
            NativeMethods.CredFree(buffer);
        }
    }

    public void Delete(CredentialEntry entry)
    {
        if (!NativeMethods.CredDelete(entry.TargetName, (uint)entry.Type, 0))
        {
            throw new Win32Exception(Marshal.GetLastWin32Error());
        }
    }

    // The leading fields of CREDENTIALW (Flags, Type, TargetName); the rest, CredentialBlob included, is never read.
    [StructLayout(LayoutKind.Sequential)]
    private struct CredentialHeader
    {
        public uint Flags;
        public uint Type;
        public IntPtr TargetName;
    }

    private static class NativeMethods
    {
        [DllImport("advapi32.dll", EntryPoint = "CredEnumerateW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CredEnumerate(string? filter, uint flags, out uint count, out IntPtr credentials);

        [DllImport("advapi32.dll", EntryPoint = "CredDeleteW", CharSet = CharSet.Unicode, SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CredDelete(string target, uint type, uint flags);

        [DllImport("advapi32.dll", EntryPoint = "CredFree")]
        public static extern void CredFree(IntPtr buffer);
    }
}

/// <summary>Which Credential Manager targets belong to Office or Exchange.</summary>
internal static class OfficeCredentialFilter
{
    /// <summary>Name fragments of the entries Office and Outlook write (MicrosoftOffice16_Data:..., MSOID:..., Outlook...).</summary>
    public static readonly IReadOnlyList<string> Markers = new[] { "MicrosoftOffice", "MSOID", "Outlook" };

    /// <summary>True when the target names Office/Outlook or one of the Exchange host names.</summary>
    public static bool IsOfficeOrExchange(string target, IEnumerable<string> exchangeHosts) =>
        Markers.Any(m => target.IndexOf(m, StringComparison.OrdinalIgnoreCase) >= 0) ||
        exchangeHosts.Any(h => h.Length > 0 && target.IndexOf(h, StringComparison.OrdinalIgnoreCase) >= 0);
}
