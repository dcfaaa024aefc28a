using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.ClientState;

/// <summary>
/// Turns the client's facts into findings: is Outlook able (version) and allowed (MapiHttpDisabled, Autodiscover
/// overrides, modern authentication, cached Autodiscover, credentials) to use MAPI/HTTP, and if not, why.
/// It reads only through <see cref="ClientStateContext"/>, so it never knows whether the facts are live or offline.
/// </summary>
internal sealed class ClientStateAnalyzer
{
    private static readonly string[] UserOfficeVersions = { "16.0", "15.0" };

    private readonly ClientStateContext _context;
    private readonly DateTime _nowUtc;
    private readonly MapiHttpClientStateFacts _facts = new();

    public ClientStateAnalyzer(ClientStateContext context, DateTime nowUtc)
    {
        _context = context;
        _nowUtc = nowUtc;
    }

    /// <summary>The repair command that fits this context (the same computer and user).</summary>
    public static string RepairCommand(ClientStateContext context, string switches = "")
    {
        var parts = new List<string> { "Repair-MapiHttpClientState" };
        if (context.ComputerName is not null && !ClientStateSources.IsLocalComputer(context.ComputerName))
        {
            parts.Add("-ComputerName " + context.ComputerName);
        }

        if (context.UserHiveLabel != "HKCU" && context.UserSid is not null)
        {
            parts.Add("-UserSid " + context.UserSid);
        }

        if (switches.Length > 0)
        {
            parts.Add(switches);
        }

        return string.Join(" ", parts);
    }

    public MapiHttpClientStateResult Analyze(CancellationToken cancel)
    {
        _facts.ComputerName = _context.Offline ? null : _context.ComputerName;
        _facts.UserName = _context.UserName;
        _facts.UserSid = _context.UserSid;
        _facts.Source = _context.Offline ? "RegistryExport" : "Registry";
        _facts.RegistryExportPath = _context.RegistryExportPath;
        _facts.AutodiscoverCachePath = _context.AutodiscoverCachePath;

        OfficeInstallation? office = CheckOutlookVersion();
        CheckMapiHttpDisabled();
        string[] versions = UserVersions(office);
        CheckAutodiscoverOverrides(versions);
        CheckModernAuthentication(versions);
        cancel.ThrowIfCancellationRequested();
        CheckAutodiscoverCache(cancel);
        CheckCredentials();

        return Summarize(office);
    }

    private IRegistrySource? UserRegistry =>
        _context.Registry is IRegistrySource registry && registry.HasRoot(RegistryRoot.User) ? registry : null;

    private string? UserRegistryMissingReason =>
        _context.Registry is null
            ? _context.RegistryUnavailableReason
            : "The registry export holds no user hive (HKEY_CURRENT_USER, or HKEY_USERS\\<SID>): export it with 'reg export HKCU\\Software user.reg' on the client and pass it too.";

    // Every finding passes here, so text from the registry, .reg exports and cached Autodiscover XML that reaches a
    // message, target, recommendation or evidence has its control characters made visible and is cut (issue 20).
    private void Add(string check, CheckStatus status, MapiHttpCause cause, string? target, string message, string? recommendation = null, IEnumerable<KeyValuePair<string, object?>>? evidence = null) =>
        _facts.Findings.Add(new MapiHttpClientFinding(
            check,
            status,
            cause,
            target is null ? null : DisplayText.Safe(target, MaxMessageLength),
            DisplayText.Safe(message, MaxMessageLength),
            recommendation is null ? null : DisplayText.Safe(recommendation, MaxMessageLength),
            evidence));

    /// <summary>The longest message a finding carries; each value from data in it is cut well before.</summary>
    private const int MaxMessageLength = 1024;

    private static KeyValuePair<string, object?> E(string key, object? value) => new(key, value switch
    {
        string text => DisplayText.Safe(text),
        IEnumerable<string> texts => texts.Select(t => DisplayText.Safe(t)).ToArray(),
        _ => value,
    });

    private OfficeInstallation? CheckOutlookVersion()
    {
        const string check = "OutlookVersion";
        IRegistrySource? registry = _context.Registry;
        if (registry is null)
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, null, _context.RegistryUnavailableReason ?? "No registry source.");
            return null;
        }

        if (!OfficeInstallationReader.HasOfficeMachineKeys(registry))
        {
            if (_context.Offline)
            {
                Add(check, CheckStatus.Skipped, MapiHttpCause.None, "HKLM\\SOFTWARE\\Microsoft\\Office", "The registry export holds no HKLM\\SOFTWARE\\Microsoft\\Office keys, so the Outlook version is unknown: add 'reg export HKLM\\SOFTWARE\\Microsoft\\Office office.reg' from the client.");
            }
            else
            {
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, "HKLM\\SOFTWARE\\Microsoft\\Office", $"No Office installation found on {_context.ComputerName}: Outlook does not seem to be installed.", "Install Outlook 2016 or later (Microsoft 365 Apps), or run the cmdlet on the computer where the user runs Outlook.");
            }

            return null;
        }

        OfficeInstallation? office = OfficeInstallationReader.Read(registry);
        if (office is null)
        {
            Add(check, CheckStatus.Warning, MapiHttpCause.Client, "HKLM\\SOFTWARE\\Microsoft\\Office", "Office keys exist, but no Outlook was found: no Click-to-Run VersionToReport and no MSI Outlook key of Office 2010, 2013 or 2016.", "Check that Outlook is installed on this computer.");
            return null;
        }

        _facts.OutlookVersion = office.Version;
        _facts.OutlookProduct = office.Product;
        _facts.OfficeInstallType = office.InstallType;
        _facts.OutlookChannel = office.Channel;
        _facts.OutlookBitness = office.Bitness;
        _facts.OutlookSupportsMapiHttp = office.SupportsMapiHttp;

        var evidence = new List<KeyValuePair<string, object?>>
        {
            E("Product", office.Product),
            E("Version", office.VersionText),
            E("InstallType", office.InstallType.ToString()),
            E("Channel", office.Channel),
            E("Bitness", office.Bitness),
            E("Key", office.KeyPath),
        };
        if (office.AssignedChannel is not null)
        {
            evidence.Add(E("AssignedChannel", office.AssignedChannel));
        }

        if (office.ProductReleaseIds is not null)
        {
            evidence.Add(E("ProductReleaseIds", office.ProductReleaseIds));
        }

        string description = Describe(office);
        switch (office.SupportsMapiHttp)
        {
            case true:
                Add(check, CheckStatus.Pass, MapiHttpCause.None, office.KeyPath, $"{description} supports MAPI/HTTP.", null, evidence);
                break;
            case false:
                string why = office.MajorVersion == "14.0"
                    ? "Outlook 2010 speaks MAPI/HTTP only with SP2 and later updates, is out of support, and Exchange 2019 does not support it"
                    : $"MAPI/HTTP needs Outlook 2013 SP1 ({OfficeInstallation.FirstMapiHttpBuild}) or later";
                Add(check, CheckStatus.Fail, MapiHttpCause.Client, office.KeyPath, $"{description} cannot use MAPI/HTTP: {why}. It connects with Outlook Anywhere (RPC/HTTP) at best.", "Update Office 2013 to Service Pack 1 and the latest updates, or install Outlook 2016 or later (Microsoft 365 Apps).", evidence);
                break;
            default:
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, office.KeyPath, $"{description}: the build number could not be read ('{office.VersionText}'), so support for MAPI/HTTP (Outlook 2013 SP1 and later) is unknown.", "Check File > Office Account > About Outlook on the client.", evidence);
                break;
        }

        return office;
    }

    private static string Describe(OfficeInstallation office)
    {
        var details = new List<string>();
        if (office.Channel is not null)
        {
            details.Add(office.Channel);
        }

        if (office.Bitness is not null)
        {
            details.Add(office.Bitness);
        }

        details.Add(office.InstallType == MapiHttpOfficeInstallType.ClickToRun ? "Click-to-Run" : "MSI");
        return $"{office.Product} {office.VersionText ?? office.MajorVersion} ({string.Join(", ", details)})";
    }

    private void CheckMapiHttpDisabled()
    {
        const string check = "MapiHttpDisabled";
        string target = _context.DisplayKey(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey) + "\\" + ClientSettingsCatalog.MapiHttpDisabled;
        IRegistrySource? registry = UserRegistry;
        if (registry is null)
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, target, UserRegistryMissingReason ?? "No registry source.");
            return;
        }

        RegistryValue? value = registry.GetValue(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey, ClientSettingsCatalog.MapiHttpDisabled);
        _facts.MapiHttpDisabled = value?.AsNumber();
        if (value is null)
        {
            Add(check, CheckStatus.Pass, MapiHttpCause.None, target, "MapiHttpDisabled is not set: Outlook asks Autodiscover for MAPI/HTTP.");
            return;
        }

        var evidence = new[] { E("Value", value.Display()) };
        long? number = value.AsNumber();
        if (number == 0)
        {
            Add(check, CheckStatus.Pass, MapiHttpCause.None, target, "MapiHttpDisabled is 0: Outlook asks Autodiscover for MAPI/HTTP.", null, evidence);
        }
        else if (number is not null)
        {
            Add(check, CheckStatus.Fail, MapiHttpCause.NotEnabled, target,
                $"MapiHttpDisabled is {number}: Outlook does not ask Autodiscover for MAPI/HTTP and connects with Outlook Anywhere (RPC/HTTP) even where Exchange offers MAPI/HTTP.",
                RepairCommand(_context) + "; then restart Outlook", evidence);
        }
        else
        {
            Add(check, CheckStatus.Warning, MapiHttpCause.NotEnabled, target,
                $"MapiHttpDisabled is {value.TypeName} ('{value.Display()}') where Outlook reads a REG_DWORD: whether Outlook honours it is undefined.",
                RepairCommand(_context, "-RemoveMapiHttpDisabled") + "; then restart Outlook", evidence);
        }
    }

    private string[] UserVersions(OfficeInstallation? office)
    {
        if (office is not null && UserOfficeVersions.Contains(office.MajorVersion))
        {
            return new[] { office.MajorVersion };
        }

        IRegistrySource? registry = UserRegistry;
        return registry is null
            ? Array.Empty<string>()
            : UserOfficeVersions.Where(v => registry.KeyExists(RegistryRoot.User, $@"Software\Microsoft\Office\{v}") || registry.KeyExists(RegistryRoot.User, $@"Software\Policies\Microsoft\Office\{v}")).ToArray();
    }

    /// <summary>Policy values first (they win), then the user's own values not overridden by a policy.</summary>
    private List<(RegistryValue Value, string Key, bool Policy)> Effective(IRegistrySource registry, string policyKey, string userKey)
    {
        var values = new List<(RegistryValue, string, bool)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (RegistryValue value in registry.GetValues(RegistryRoot.User, policyKey))
        {
            seen.Add(value.Name);
            values.Add((value, _context.DisplayKey(RegistryRoot.User, policyKey), true));
        }

        foreach (RegistryValue value in registry.GetValues(RegistryRoot.User, userKey))
        {
            if (seen.Add(value.Name))
            {
                values.Add((value, _context.DisplayKey(RegistryRoot.User, userKey), false));
            }
        }

        return values;
    }

    private void CheckAutodiscoverOverrides(string[] versions)
    {
        const string check = "AutodiscoverOverrides";
        IRegistrySource? registry = UserRegistry;
        if (registry is null)
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, null, UserRegistryMissingReason ?? "No registry source.");
            return;
        }

        int before = _facts.Findings.Count;
        foreach (string version in versions)
        {
            string userKey = ClientSettingsCatalog.AutodiscoverKey(version);
            var effective = Effective(registry, ClientSettingsCatalog.AutodiscoverPolicyKey(version), userKey);
            foreach ((RegistryValue value, string key, bool policy) in effective)
            {
                _facts.AutodiscoverOverrides.Add(new MapiHttpClientSetting(value.Name, SettingValue(value), value.TypeName, key, policy, ClientSettingsCatalog.AutodiscoverEffect(value)));
            }

            RegistryValue? Get(string name) => effective.Where(e => e.Value.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(e => e.Value).FirstOrDefault();
            string Where(string name) => effective.Where(e => e.Value.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(e => e.Key + "\\" + e.Value.Name).FirstOrDefault() ?? _context.DisplayKey(RegistryRoot.User, userKey) + "\\" + name;

            string removeHint = $"Remove the value (Group Policy, or Remove-ItemProperty -Path '{_context.ProviderPath(userKey)}' -Name <name>) unless the deployment needs it.";
            if (ClientSettingsCatalog.IsOn(Get("PreferLocalXML")))
            {
                string[] files = effective.Where(e => e.Value.AsString() is not null && e.Value.Name.Length > 0).Select(e => $"{e.Value.Name}={e.Value.AsString()}").ToArray();
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, Where("PreferLocalXML"),
                    $"PreferLocalXML is on for Outlook {version}: Outlook takes Autodiscover from a local XML file ({(files.Length == 0 ? "none named in the key" : string.Join("; ", files))}) before asking Exchange; unless that file has a mapiHttp protocol, Outlook does not get MAPI/HTTP.",
                    removeHint.Replace("<name>", "PreferLocalXML"),
                    new[] { E("LocalXmlFiles", string.Join("; ", files)) });
            }

            string[] excluded = ClientSettingsCatalog.DiscoveryExclusions.Where(n => ClientSettingsCatalog.IsOn(Get(n))).ToArray();
            if (excluded.Length == ClientSettingsCatalog.DiscoveryExclusions.Count && !ClientSettingsCatalog.IsOn(Get("PreferLocalXML")))
            {
                Add(check, CheckStatus.Fail, MapiHttpCause.Client, _context.DisplayKey(RegistryRoot.User, userKey),
                    $"Every Autodiscover method is excluded for Outlook {version} ({string.Join(", ", excluded)}): Outlook has no way left to find Autodiscover, so it cannot learn the MAPI/HTTP URLs.",
                    "Remove the exclusions that are not needed; keep ExcludeScpLookup off for domain-joined clients and ExcludeHttpsAutoDiscoverDomain off for clients outside the domain.",
                    new[] { E("Excluded", string.Join(", ", excluded)) });
                continue;
            }

            if (ClientSettingsCatalog.IsOn(Get("ExcludeScpLookup")))
            {
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, Where("ExcludeScpLookup"),
                    $"ExcludeScpLookup is on for Outlook {version}: a domain-joined Outlook skips the Active Directory SCP lookup, which is how internal clients normally find on-premises Exchange; it must find Autodiscover through DNS instead.",
                    removeHint.Replace("<name>", "ExcludeScpLookup"));
            }

            if (ClientSettingsCatalog.IsOn(Get("ExcludeHttpsAutoDiscoverDomain")))
            {
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, Where("ExcludeHttpsAutoDiscoverDomain"),
                    $"ExcludeHttpsAutoDiscoverDomain is on for Outlook {version}: Outlook skips https://autodiscover.<SMTP domain>, the usual way clients outside the domain find on-premises Exchange.",
                    removeHint.Replace("<name>", "ExcludeHttpsAutoDiscoverDomain"));
            }
        }

        if (_facts.Findings.Count == before)
        {
            string listed = _facts.AutodiscoverOverrides.Count == 0
                ? "No Autodiscover overrides are set"
                : $"{_facts.AutodiscoverOverrides.Count} Autodiscover value(s) set ({string.Join(", ", _facts.AutodiscoverOverrides.Select(s => s.ToString()))}), none that keeps Outlook from finding MAPI/HTTP";
            Add(check, CheckStatus.Pass, MapiHttpCause.None, versions.Length == 0 ? null : _context.DisplayKey(RegistryRoot.User, ClientSettingsCatalog.AutodiscoverKey(versions[0])), listed + ".");
        }
    }

    private void CheckModernAuthentication(string[] versions)
    {
        const string check = "ModernAuthentication";
        IRegistrySource? registry = UserRegistry;
        if (registry is null)
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, null, UserRegistryMissingReason ?? "No registry source.");
            return;
        }

        int before = _facts.Findings.Count;
        RegistryValue? always = registry.GetValue(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey, ClientSettingsCatalog.AlwaysUseMSOAuthForAutoDiscover);
        if (always is not null)
        {
            string key = _context.DisplayKey(RegistryRoot.User, ClientSettingsCatalog.ExchangeKey);
            _facts.ModernAuthentication.Add(new MapiHttpClientSetting(always.Name, SettingValue(always), always.TypeName, key, false, ClientSettingsCatalog.AlwaysUseMSOAuthEffect(always)));
            if (ClientSettingsCatalog.IsOn(always))
            {
                Add(check, CheckStatus.Warning, MapiHttpCause.Authentication, key + "\\" + always.Name,
                    "AlwaysUseMSOAuthForAutoDiscover is on: Outlook authenticates Autodiscover with Microsoft OAuth only; against on-premises Exchange without Hybrid Modern Authentication the request fails or prompts, and Outlook does not learn the MAPI/HTTP URLs.",
                    $"Remove-ItemProperty -Path '{_context.ProviderPath(ClientSettingsCatalog.ExchangeKey)}' -Name {ClientSettingsCatalog.AlwaysUseMSOAuthForAutoDiscover} (unless the mailbox is in Exchange Online or Hybrid Modern Authentication is configured)");
            }
        }

        foreach (string version in versions)
        {
            var effective = Effective(registry, ClientSettingsCatalog.IdentityPolicyKey(version), ClientSettingsCatalog.IdentityKey(version))
                .Where(e => e.Value.Name.Equals("EnableADAL", StringComparison.OrdinalIgnoreCase) || e.Value.Name.Equals("Version", StringComparison.OrdinalIgnoreCase))
                .ToList();
            foreach ((RegistryValue value, string key, bool policy) in effective)
            {
                _facts.ModernAuthentication.Add(new MapiHttpClientSetting(value.Name, SettingValue(value), value.TypeName, key, policy, ClientSettingsCatalog.IdentityEffect(version, value)));
            }

            (RegistryValue Value, string Key, bool Policy) adal = effective.FirstOrDefault(e => e.Value.Name.Equals("EnableADAL", StringComparison.OrdinalIgnoreCase));
            if (version == "16.0" && adal.Value?.AsNumber() == 0)
            {
                Add(check, CheckStatus.Warning, MapiHttpCause.Authentication, adal.Key + "\\EnableADAL",
                    "EnableADAL is 0 for Outlook 16.0: Outlook does not use modern authentication. NTLM and Negotiate to on-premises MAPI/HTTP still work; where Exchange relies on Hybrid Modern Authentication (OAuth), Outlook cannot authenticate.",
                    adal.Policy ? "Change the Group Policy that sets EnableADAL to 0." : $"Remove-ItemProperty -Path '{_context.ProviderPath(ClientSettingsCatalog.IdentityKey(version))}' -Name EnableADAL");
            }
        }

        if (_facts.Findings.Count == before)
        {
            Add(check, CheckStatus.Pass, MapiHttpCause.None, null,
                _facts.ModernAuthentication.Count == 0
                    ? "No modern-authentication overrides are set: Outlook authenticates the way Exchange asks."
                    : $"Modern-authentication values ({string.Join(", ", _facts.ModernAuthentication.Select(s => s.ToString()))}) do not keep Outlook from MAPI/HTTP.");
        }
    }

    private void CheckAutodiscoverCache(CancellationToken cancel)
    {
        const string check = "AutodiscoverCache";
        string? folder = _context.AutodiscoverCachePath;
        if (folder is null)
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, null, _context.CacheUnavailableReason ?? "No Autodiscover cache folder is known.");
            return;
        }

        if (!Directory.Exists(folder) && !File.Exists(folder))
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, folder, $"The Outlook folder '{folder}' does not exist: this user has not run Outlook here, or the profile is elsewhere (pass -AutodiscoverCachePath).");
            return;
        }

        IReadOnlyList<string> files = AutodiscoverCache.FindFiles(folder, cancel);
        if (files.Count == 0)
        {
            Add(check, CheckStatus.Pass, MapiHttpCause.None, folder, $"No cached Autodiscover XML in '{folder}': Outlook asks Autodiscover afresh.");
            return;
        }

        string clear = RepairCommand(_context, "-ClearAutodiscoverCache") + "; then restart Outlook";
        foreach (string file in files)
        {
            cancel.ThrowIfCancellationRequested();
            MapiHttpCachedAutodiscover cached = AutodiscoverCache.Read(file, _nowUtc, cancel);
            _facts.CachedAutodiscover.Add(cached);
            string age = FormatAge(cached.Age);
            var evidence = new List<KeyValuePair<string, object?>>
            {
                E("LastWriteTimeUtc", cached.LastWriteTimeUtc.ToString("u", CultureInfo.InvariantCulture)),
                E("Age", age),
            };
            if (cached.ParseError is not null)
            {
                evidence.Add(E("ParseError", cached.ParseError));
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, file, $"'{cached.FileName}' (written {age} ago) is not a readable Autodiscover response: {cached.ParseError}", clear, evidence);
                continue;
            }

            evidence.Add(E("EmailAddress", cached.EmailAddress));
            evidence.Add(E("Protocols", string.Join(", ", cached.Protocols)));
            string who = cached.EmailAddress is null ? $"'{cached.FileName}'" : $"The cached Autodiscover response for {cached.EmailAddress} ('{cached.FileName}', written {age} ago)";
            if (cached.ErrorCode is not null)
            {
                evidence.Add(E("ErrorCode", cached.ErrorCode));
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, file, $"{who} is an Autodiscover error {cached.ErrorCode}: {cached.ErrorMessage}.", clear, evidence);
            }
            else if (cached.Action is not null && cached.Action.StartsWith("redirect", StringComparison.OrdinalIgnoreCase))
            {
                evidence.Add(E("RedirectTarget", cached.RedirectTarget));
                Add(check, CheckStatus.Pass, MapiHttpCause.None, file, $"{who} is a redirect ({cached.Action}) to {cached.RedirectTarget}.", null, evidence);
            }
            else if (cached.HasMapiHttp && (cached.MailStoreInternalUrl ?? cached.MailStoreExternalUrl) is not null)
            {
                evidence.Add(E("MailStoreInternalUrl", cached.MailStoreInternalUrl));
                evidence.Add(E("MailStoreExternalUrl", cached.MailStoreExternalUrl));
                evidence.Add(E("AddressBookInternalUrl", cached.AddressBookInternalUrl));
                evidence.Add(E("AddressBookExternalUrl", cached.AddressBookExternalUrl));
                Add(check, CheckStatus.Pass, MapiHttpCause.None, file, $"{who} offers MAPI/HTTP: MailStore {cached.MailStoreInternalUrl ?? cached.MailStoreExternalUrl}.", null, evidence);
            }
            else if (cached.HasMapiHttp)
            {
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, file, $"{who} has a mapiHttp protocol without MailStore URLs: Outlook cannot connect with it.", clear, evidence);
            }
            else
            {
                string offered = cached.Protocols.Count == 0 ? "no protocols" : string.Join(", ", cached.Protocols);
                Add(check, CheckStatus.Warning, MapiHttpCause.Client, file,
                    $"{who} has no mapiHttp protocol (it offers {offered}): when Outlook last asked, it was not given MAPI/HTTP, and while it uses this response it connects with Outlook Anywhere. If MAPI/HTTP has been enabled since, clear the cache.",
                    clear, evidence);
            }
        }
    }

    private void CheckCredentials()
    {
        const string check = "CredentialManager";
        if (_context.Credentials is null)
        {
            Add(check, CheckStatus.Skipped, MapiHttpCause.None, null, _context.CredentialsUnavailableReason ?? "Credential Manager is not available.");
            return;
        }

        IReadOnlyList<CredentialEntry> entries;
        try
        {
            entries = _context.Credentials.Enumerate();
        }
        catch (Win32Exception ex)
        {
            Add(check, CheckStatus.Error, MapiHttpCause.None, null, "Credential Manager could not be listed: " + ex.Message);
            return;
        }

        string[] hosts = AutodiscoverCache.HostsOf(_facts.CachedAutodiscover).ToArray();
        string[] targets = entries.Select(e => e.TargetName).Where(t => OfficeCredentialFilter.IsOfficeOrExchange(t, hosts)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _facts.CredentialTargets.AddRange(targets);
        Add(check, CheckStatus.Pass, MapiHttpCause.None, null,
            targets.Length == 0
                ? "No Office or Exchange entries in Credential Manager."
                : $"{targets.Length} Office or Exchange entr{(targets.Length == 1 ? "y" : "ies")} in Credential Manager (names only): {string.Join(", ", targets)}. A stale password stored here makes Outlook prompt or fail to authenticate.",
            targets.Length == 0 ? null : RepairCommand(_context, "-RemoveOfficeCredentials") + " (only if Outlook keeps prompting)",
            new[] { E("Count", targets.Length), E("ExchangeHosts", string.Join(", ", hosts)) });
    }

    private static object? SettingValue(RegistryValue value) => value.AsNumber() is long number ? number : value.AsString() ?? (object)value.Display();

    internal static string FormatAge(TimeSpan age) =>
        age.TotalDays >= 1 ? $"{Math.Floor(age.TotalDays).ToString(CultureInfo.InvariantCulture)} day(s)"
        : age.TotalHours >= 1 ? $"{Math.Floor(age.TotalHours).ToString(CultureInfo.InvariantCulture)} hour(s)"
        : $"{Math.Max(0, Math.Floor(age.TotalMinutes)).ToString(CultureInfo.InvariantCulture)} minute(s)";

    private MapiHttpClientStateResult Summarize(OfficeInstallation? office)
    {
        List<MapiHttpClientFinding> findings = _facts.Findings;

        // A skipped check is no verdict: the state is as bad as the worst check that ran (Skipped only when none ran).
        CheckStatus worst = findings.Any(f => f.Status != CheckStatus.Skipped)
            ? findings.Where(f => f.Status != CheckStatus.Skipped).Max(f => f.Status)
            : CheckStatus.Skipped;
        MapiHttpClientFinding first = findings.First(f => f.Status == worst);
        int attention = findings.Count(f => f.Status >= CheckStatus.Warning);
        string message;
        MapiHttpCause cause = MapiHttpCause.None;
        string? recommendation = null;
        if (worst >= CheckStatus.Warning)
        {
            message = first.Message + (attention > 1 ? $" ({attention - 1} more finding{(attention > 2 ? "s" : string.Empty)} need attention: see Findings.)" : string.Empty);
            cause = first.Cause;
            recommendation = first.Recommendation;
        }
        else
        {
            string outlook = office is null ? "Outlook" : Describe(office);
            int skipped = findings.Count(f => f.Status == CheckStatus.Skipped);
            message = skipped == 0
                ? $"Nothing on this client keeps {outlook} from using MAPI/HTTP."
                : $"Nothing found that keeps {outlook} from using MAPI/HTTP, but {skipped} check{(skipped == 1 ? " was" : "s were")} skipped: {findings.First(f => f.Status == CheckStatus.Skipped).Message}";
        }

        var evidence = new List<KeyValuePair<string, object?>>
        {
            E("Source", _context.Registry?.Description ?? _context.RegistryUnavailableReason),
            E("Findings", findings.Count),
            E("NeedAttention", attention),
        };
        return new MapiHttpClientStateResult(worst, cause, _context.Target, message, recommendation, evidence, _facts);
    }
}
