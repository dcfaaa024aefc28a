using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace MapiHttpTools.Tests.Repair;

/// <summary>
/// Issue 11: the suite never writes into the real user profile. Before any test runs, the local application data
/// folder of this test process (LOCALAPPDATA on Windows, XDG_DATA_HOME elsewhere: what .NET reads for
/// SpecialFolder.LocalApplicationData) is pointed at a temporary folder, so a cmdlet that falls back to its default
/// backup folder lands there, never in %LOCALAPPDATA% or ~/.local/share. The tests that need the default folder set
/// ModuleServices.DefaultBackupFolder to their own temporary folder on top of this.
/// </summary>
internal static class ProfileGuard
{
    /// <summary>The temporary folder standing in for the profile's local application data in this test process.</summary>
    public static string LocalApplicationData { get; private set; } = string.Empty;

    /// <summary>The real local application data folder of the user running the tests (what the guard hides).</summary>
    public static string RealLocalApplicationData { get; private set; } = string.Empty;

#pragma warning disable CA2255 // A module initializer is the one place that runs before every test of the assembly.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Install()
    {
        RealLocalApplicationData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        LocalApplicationData = Path.Combine(Path.GetTempPath(), "MapiHttpTools.Tests.Profile", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(LocalApplicationData);
        Environment.SetEnvironmentVariable(OperatingSystem.IsWindows() ? "LOCALAPPDATA" : "XDG_DATA_HOME", LocalApplicationData);
    }
}
