using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace MapiHttpTools.ClientState;

/// <summary>What the registry says about the installed Outlook.</summary>
internal sealed class OfficeInstallation
{
    /// <summary>Outlook 2013 SP1, the first Outlook that speaks MAPI/HTTP (Office 2013 SP1 MSI build 15.0.4569.1506).</summary>
    public static readonly Version FirstMapiHttpBuild = new(15, 0, 4569, 1506);

    public MapiHttpOfficeInstallType InstallType { get; init; }

    /// <summary>The Office version key: 14.0, 15.0 or 16.0.</summary>
    public string MajorVersion { get; init; } = string.Empty;

    public Version? Version { get; init; }

    /// <summary>The version text as the registry holds it.</summary>
    public string? VersionText { get; init; }

    public string Product { get; init; } = string.Empty;

    /// <summary>The channel of the installed build (from CDNBaseUrl), for Click-to-Run.</summary>
    public string? Channel { get; init; }

    public string? ChannelUrl { get; init; }

    /// <summary>The channel assigned by policy or the Office Deployment Tool (UpdateChannel) when it differs from the installed one.</summary>
    public string? AssignedChannel { get; init; }

    public string? Bitness { get; init; }

    public string? ProductReleaseIds { get; init; }

    /// <summary>The key the facts were read from.</summary>
    public string KeyPath { get; init; } = string.Empty;

    /// <summary>True for Outlook 2013 SP1 and later (every 16.0 build); false before; null when the version could not be read.</summary>
    public bool? SupportsMapiHttp => Version is null
        ? (MajorVersion == "16.0" ? true : null)
        : Version.Major >= 16 || Version >= FirstMapiHttpBuild;
}

/// <summary>Click-to-Run update channels by the GUID in their CDN URL (CDNBaseUrl / UpdateChannel).</summary>
internal static class OfficeChannels
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["492350f6-3a01-4f97-b9c0-c7c6ddf67d60"] = "Current Channel",
        ["64256afe-f5d9-4f86-8936-8840a6a4f5be"] = "Current Channel (Preview)",
        ["55336b82-a18d-4dd6-b5f6-9e5095c314a6"] = "Monthly Enterprise Channel",
        ["7ffbc6bf-bc32-4f92-8982-f9dd17fd3114"] = "Semi-Annual Enterprise Channel",
        ["b8f9b850-328d-4355-9145-c59439a0c4cf"] = "Semi-Annual Enterprise Channel (Preview)",
        ["5440fd1f-7ecb-4221-8110-145efaa6372f"] = "Beta Channel",
        ["f2e724c1-748f-4b47-8fb8-8e0d210e9208"] = "Office 2019 Perpetual Enterprise (volume licensed)",
        ["5030841d-c919-4594-8d2d-84ae4f96e58e"] = "Office LTSC 2021 Perpetual Enterprise (volume licensed)",
    };

    private static readonly Regex Guid = new("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The channel's name for a CDN URL; "Unknown channel (url)" for a GUID not in the list; null for no URL.</summary>
    public static string? NameOf(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        Match match = Guid.Match(url);
        return match.Success && Names.TryGetValue(match.Value, out string? name) ? name : $"Unknown channel ({url})";
    }
}

/// <summary>
/// Finds Outlook in HKLM: Click-to-Run first (SOFTWARE\Microsoft\Office\ClickToRun\Configuration: VersionToReport,
/// CDNBaseUrl, UpdateChannel, Platform, ProductReleaseIds), then MSI installs of 16.0, 15.0 and 14.0 in the 64-bit
/// and the WOW6432Node views (Office\&lt;ver&gt;\Outlook with Bitness, Office\&lt;ver&gt;\Common\ProductVersion LastProduct).
/// </summary>
internal static class OfficeInstallationReader
{
    public const string ClickToRunKey = @"SOFTWARE\Microsoft\Office\ClickToRun\Configuration";

    private static readonly string[] OfficeRoots = { @"SOFTWARE\Microsoft\Office", @"SOFTWARE\WOW6432Node\Microsoft\Office" };
    private static readonly string[] MsiVersions = { "16.0", "15.0", "14.0" };

    /// <summary>Whether the source holds any Office machine keys at all (an export of HKCU alone does not).</summary>
    public static bool HasOfficeMachineKeys(IRegistrySource registry) => OfficeRoots.Any(r => registry.KeyExists(RegistryRoot.Machine, r));

    public static OfficeInstallation? Read(IRegistrySource registry)
    {
        OfficeInstallation? clickToRun = ReadClickToRun(registry, ClickToRunKey, "16.0");
        if (clickToRun is not null)
        {
            return clickToRun;
        }

        foreach (string version in MsiVersions)
        {
            foreach (string root in OfficeRoots)
            {
                string outlookKey = $@"{root}\{version}\Outlook";
                if (!registry.KeyExists(RegistryRoot.Machine, outlookKey))
                {
                    continue;
                }

                string? text = registry.GetValue(RegistryRoot.Machine, $@"{root}\{version}\Common\ProductVersion", "LastProduct")?.AsString();
                string? bitness = registry.GetValue(RegistryRoot.Machine, outlookKey, "Bitness")?.AsString()
                                  ?? (root.IndexOf("WOW6432Node", StringComparison.OrdinalIgnoreCase) >= 0 ? "x86" : null);
                return new OfficeInstallation
                {
                    InstallType = MapiHttpOfficeInstallType.Msi,
                    MajorVersion = version,
                    Version = ParseVersion(text),
                    VersionText = text,
                    Product = MsiProduct(version),
                    Bitness = bitness,
                    KeyPath = "HKLM\\" + outlookKey,
                };
            }
        }

        // Office 2013 Click-to-Run kept its configuration under the version key.
        return ReadClickToRun(registry, @"SOFTWARE\Microsoft\Office\15.0\ClickToRun\Configuration", "15.0");
    }

    private static OfficeInstallation? ReadClickToRun(IRegistrySource registry, string key, string majorVersion)
    {
        string? versionText = registry.GetValue(RegistryRoot.Machine, key, "VersionToReport")?.AsString();
        if (versionText is null)
        {
            return null;
        }

        Version? version = ParseVersion(versionText);
        string? cdn = registry.GetValue(RegistryRoot.Machine, key, "CDNBaseUrl")?.AsString();
        string? assigned = registry.GetValue(RegistryRoot.Machine, key, "UpdateChannel")?.AsString();
        string? channel = OfficeChannels.NameOf(cdn) ?? OfficeChannels.NameOf(assigned);
        string? assignedName = OfficeChannels.NameOf(assigned);
        string? releaseIds = registry.GetValue(RegistryRoot.Machine, key, "ProductReleaseIds")?.AsString();
        return new OfficeInstallation
        {
            InstallType = MapiHttpOfficeInstallType.ClickToRun,
            MajorVersion = version is null ? majorVersion : $"{version.Major}.0",
            Version = version,
            VersionText = versionText,
            Product = ClickToRunProduct(version?.Major ?? 16, releaseIds),
            Channel = channel,
            ChannelUrl = cdn ?? assigned,
            AssignedChannel = assignedName is not null && !string.Equals(assignedName, channel, StringComparison.Ordinal) ? assignedName : null,
            Bitness = registry.GetValue(RegistryRoot.Machine, key, "Platform")?.AsString(),
            ProductReleaseIds = releaseIds,
            KeyPath = "HKLM\\" + key,
        };
    }

    internal static Version? ParseVersion(string? text) =>
        text is not null && System.Version.TryParse(text.Trim(), out Version? version) ? version : null;

    private static string MsiProduct(string version) => version switch
    {
        "14.0" => "Outlook 2010",
        "15.0" => "Outlook 2013",
        _ => "Outlook 2016",
    };

    private static string ClickToRunProduct(int major, string? releaseIds)
    {
        if (major == 15)
        {
            return "Outlook 2013 (Click-to-Run)";
        }

        string ids = releaseIds ?? string.Empty;
        if (Regex.IsMatch(ids, "O365|M365", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
        {
            return "Microsoft 365 Apps";
        }

        Match year = Regex.Match(ids, "20(19|21|24)", RegexOptions.CultureInvariant);
        return year.Success ? $"Outlook {year.Value}" : "Outlook 2016 or later (Click-to-Run)";
    }
}
