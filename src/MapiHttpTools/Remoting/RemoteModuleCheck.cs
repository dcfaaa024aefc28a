using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.Remoting;

/// <summary>
/// What the remote end said about its MapiHttpTools before it ran the cmdlet (issue 17), and what that means here:
/// the remote script writes this first, so the module's absence or age is known before any result.
/// </summary>
internal sealed class RemoteModuleStatus
{
    /// <summary>The type name the remote script gives its status object (Deserialized. in front once it arrives).</summary>
    public const string TypeName = "MapiHttpTools.RemoteModuleStatus";

    public bool Installed { get; private set; }

    public string? Version { get; private set; }

    public bool CommandFound { get; private set; }

    public IReadOnlyList<string> DroppedParameters { get; private set; } = new string[0];

    /// <summary>The status, when <paramref name="item"/> is the remote script's status object; null for a result.</summary>
    public static RemoteModuleStatus? TryRead(PSObject item)
    {
        if (!item.TypeNames.Any(n => n == TypeName || n == "Deserialized." + TypeName))
        {
            return null;
        }

        return new RemoteModuleStatus
        {
            Installed = item.Properties["Installed"]?.Value is true,
            Version = item.Properties["Version"]?.Value?.ToString(),
            CommandFound = item.Properties["CommandFound"]?.Value is true,
            DroppedParameters = ToStrings(item.Properties["Dropped"]?.Value),
        };
    }

    /// <summary>
    /// The warning for version skew, or null when the remote module is as new as this one. An older remote end still
    /// runs; parameters it does not know were left out, and the warning names them.
    /// </summary>
    public static string? SkewWarning(string computer, string command, string? remoteVersion, System.Version localVersion, IReadOnlyList<string> dropped)
    {
        bool older = System.Version.TryParse(remoteVersion, out System.Version? remote) && remote < localVersion;
        if (!older && dropped.Count == 0)
        {
            return null;
        }

        string text = $"{computer} has MapiHttpTools {remoteVersion ?? "of unknown version"}, older than this one ({localVersion}): {command} ran with what that version knows";
        if (dropped.Count > 0)
        {
            text += $", without -{string.Join(", -", dropped)} (not a parameter there)";
        }

        return text + $". Update the module on {computer} (Install-Module MapiHttpTools -RequiredVersion {localVersion}, or copy this version) for the same checks everywhere.";
    }

    private static IReadOnlyList<string> ToStrings(object? value)
    {
        object? inner = value is PSObject ps ? ps.BaseObject : value;
        return inner switch
        {
            null => new string[0],
            string one => new[] { one },
            System.Collections.IEnumerable many => many.Cast<object?>().Select(o => o?.ToString() ?? string.Empty).Where(s => s.Length > 0).ToArray(),
            _ => new[] { inner.ToString() ?? string.Empty },
        };
    }
}

/// <summary>The script that runs on each remote end: checks the module first, then runs the module's own cmdlet there.</summary>
internal static class RemoteScript
{
    /// <summary>
    /// Finds the newest installed MapiHttpTools (Get-Module -ListAvailable), says what it found in a status object,
    /// drops the parameters an older version does not have (version skew: it still returns what it can), and runs the
    /// cmdlet with the rest. Paths among the parameters are paths on the remote computer.
    /// </summary>
    public const string Text = @"
param([string] $CommandName, [hashtable] $Parameters)
$module = Get-Module -ListAvailable -Name MapiHttpTools | Sort-Object Version -Descending | Select-Object -First 1
if (-not $module) {
    [pscustomobject]@{ PSTypeName = 'MapiHttpTools.RemoteModuleStatus'; Installed = $false; Version = $null; CommandFound = $false; Dropped = @() }
    return
}
Import-Module -Name $module.Path -ErrorAction Stop
$command = Get-Command -Module MapiHttpTools -Name $CommandName -ErrorAction SilentlyContinue | Select-Object -First 1
$dropped = @()
if ($command) {
    foreach ($name in @($Parameters.Keys)) {
        if (-not $command.Parameters.ContainsKey($name)) { $dropped += $name; $Parameters.Remove($name) }
    }
}
[pscustomobject]@{ PSTypeName = 'MapiHttpTools.RemoteModuleStatus'; Installed = $true; Version = $module.Version.ToString(); CommandFound = [bool]$command; Dropped = $dropped }
if ($command) { & $command @Parameters }
";
}
