using System;
using System.Collections.Generic;
using System.Globalization;

namespace MapiHttpTools.ClientState;

/// <summary>
/// The client registry values the checks know, where they live and what each does to MAPI/HTTP. Sources: KB 2937684
/// (MapiHttpDisabled), "Outlook 2016 implementation of Autodiscover" (the AutoDiscover values and their order), the
/// modern-authentication guidance for Outlook 2013/2016 (EnableADAL, Version, AlwaysUseMSOAuthForAutoDiscover).
/// </summary>
internal static class ClientSettingsCatalog
{
    public const string ExchangeKey = @"Software\Microsoft\Exchange";
    public const string MapiHttpDisabled = "MapiHttpDisabled";
    public const string AlwaysUseMSOAuthForAutoDiscover = "AlwaysUseMSOAuthForAutoDiscover";

    public static string AutodiscoverKey(string version) => $@"Software\Microsoft\Office\{version}\Outlook\AutoDiscover";

    public static string AutodiscoverPolicyKey(string version) => $@"Software\Policies\Microsoft\Office\{version}\Outlook\AutoDiscover";

    public static string IdentityKey(string version) => $@"Software\Microsoft\Office\{version}\Common\Identity";

    public static string IdentityPolicyKey(string version) => $@"Software\Policies\Microsoft\Office\{version}\Common\Identity";

    /// <summary>The five ways Outlook looks for Autodiscover online; excluding all of them leaves it nothing to find.</summary>
    public static readonly IReadOnlyList<string> DiscoveryExclusions = new[]
    {
        "ExcludeScpLookup", "ExcludeHttpsRootDomain", "ExcludeHttpsAutoDiscoverDomain", "ExcludeHttpRedirect", "ExcludeSrvRecord",
    };

    private static readonly Dictionary<string, string> AutodiscoverEffects = new(StringComparer.OrdinalIgnoreCase)
    {
        ["PreferLocalXML"] = "Outlook reads Autodiscover from the local XML file named by a <domain> value in this key before any online method; a file without a mapiHttp protocol keeps Outlook off MAPI/HTTP.",
        ["ExcludeLastKnownGoodURL"] = "Outlook does not start with the last Autodiscover URL that worked and runs the whole discovery each time (slower; no effect on the protocol).",
        ["ExcludeExplicitO365Endpoint"] = "Outlook 2016 and later skip the direct Office 365 Autodiscover check, which keeps an on-premises mailbox from being sent to Exchange Online (recommended on premises).",
        ["ExcludeScpLookup"] = "Domain-joined Outlook skips the Active Directory SCP lookup; internal clients of on-premises Exchange must then find Autodiscover through DNS.",
        ["ExcludeHttpsRootDomain"] = "Outlook skips https://<SMTP domain>/autodiscover/autodiscover.xml (usually the public web site); harmless and often recommended.",
        ["ExcludeHttpsAutoDiscoverDomain"] = "Outlook skips https://autodiscover.<SMTP domain>/autodiscover/autodiscover.xml, the usual way clients outside the domain find on-premises Exchange.",
        ["ExcludeHttpRedirect"] = "Outlook skips the HTTP redirect from http://autodiscover.<SMTP domain>; matters only where the redirect is how Autodiscover is published.",
        ["ExcludeSrvRecord"] = "Outlook skips the _autodiscover._tcp SRV record; matters only where the SRV record is how Autodiscover is published.",
        ["ZeroConfigExchange"] = "Outlook creates the profile for the Windows user's mailbox from Autodiscover without asking; no effect on the protocol.",
    };

    /// <summary>What an AutoDiscover value does, given its data.</summary>
    public static string AutodiscoverEffect(RegistryValue value)
    {
        long? number = value.AsNumber();
        if (AutodiscoverEffects.TryGetValue(value.Name, out string? effect))
        {
            if (number is null)
            {
                return $"{value.TypeName} where Outlook expects REG_DWORD; not counted as set. When set to 1: {effect}";
            }

            return number == 0 ? "0: off (the default)." : $"{number.Value.ToString(CultureInfo.InvariantCulture)}: {effect}";
        }

        if (value.AsString() is string path && value.Name.Length > 0)
        {
            return $"Local Autodiscover XML file for {value.Name} ({path}): used first when PreferLocalXML is 1, otherwise after the online methods fail.";
        }

        return "Not a value this module knows; listed as found.";
    }

    /// <summary>True when the value is a DWORD that is not 0.</summary>
    public static bool IsOn(RegistryValue? value) => value?.AsNumber() is long n && n != 0;

    public static string IdentityEffect(string version, RegistryValue value)
    {
        long? number = value.AsNumber();
        if (value.Name.Equals("EnableADAL", StringComparison.OrdinalIgnoreCase))
        {
            if (version == "15.0")
            {
                return number == 1
                    ? "1: Outlook 2013 uses modern authentication (ADAL) where the server offers it, together with Version=1."
                    : "Outlook 2013 uses modern authentication only with EnableADAL=1 and Version=1; NTLM/Negotiate to on-premises MAPI/HTTP is unaffected.";
            }

            return number == 0
                ? "0: Outlook does not use modern authentication (OAuth); NTLM/Negotiate to on-premises MAPI/HTTP still works, Hybrid Modern Authentication does not."
                : $"{value.Display()}: modern authentication on (the default for Outlook 2016 and later).";
        }

        if (value.Name.Equals("Version", StringComparison.OrdinalIgnoreCase))
        {
            return version == "15.0"
                ? "Outlook 2013 needs Version=1 together with EnableADAL=1 for modern authentication."
                : "Identity version; Outlook 2016 and later do not need it for modern authentication.";
        }

        return "Listed as found.";
    }

    public static string AlwaysUseMSOAuthEffect(RegistryValue value) => IsOn(value)
        ? "Outlook always authenticates Autodiscover with Microsoft OAuth; against on-premises Exchange without Hybrid Modern Authentication the Autodiscover request fails or prompts, so Outlook does not learn the MAPI/HTTP URLs."
        : "0: off (the default): Outlook authenticates Autodiscover the way the server asks.";
}
