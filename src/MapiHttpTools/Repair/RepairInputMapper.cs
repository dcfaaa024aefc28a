using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Repair;

/// <summary>
/// A piped finding this cmdlet does not repair, reported as a Skipped result that says what to do instead. One note per
/// server, target, cause and <paramref name="Finding"/> (the IIS finding it is about; null for a whole result), so the
/// several probe steps that fail for one reason give one note.
/// </summary>
internal sealed record SkipNote(MapiRepairAction Action, MapiHttpCause Cause, string? Target, string Message, string? Recommendation, string? Finding = null);

/// <summary>What one piped object asks for.</summary>
internal sealed class MappedInput
{
    /// <summary>The object is a diagnostic result (it has a Cause), not just something that names a server.</summary>
    public bool IsResult { get; set; }

    public bool EnableOrganization { get; set; }

    /// <summary>The finding is about the organisation (Area Organization, or an organisation check): it needs no server, and its Identity is the organisation's name, not a virtual directory.</summary>
    public bool IsOrganization { get; set; }

    /// <summary>The https /mapi URL a VirtualDirectoryUrl finding calls for, by URL property (InternalUrl, ExternalUrl).</summary>
    public IDictionary<string, string> Urls { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public bool AddAuthenticationMethods { get; set; }

    public bool ResetIisAuthentication { get; set; }

    public ISet<string> StartPools { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    public List<SkipNote> Notes { get; } = new();

    public bool AsksForRepair => EnableOrganization || AddAuthenticationMethods || ResetIisAuthentication || StartPools.Count > 0 || Urls.Count > 0;

    public void ApplyTo(RepairRequest request)
    {
        request.EnableOrganization |= EnableOrganization;
        if (Urls.TryGetValue("InternalUrl", out string? internalUrl))
        {
            request.InternalUrl ??= internalUrl;
        }

        if (Urls.TryGetValue("ExternalUrl", out string? externalUrl))
        {
            request.ExternalUrl ??= externalUrl;
        }

        request.ResetIisAuthentication |= ResetIisAuthentication;
        if (AddAuthenticationMethods)
        {
            request.AddAuthenticationMethods(RepairRequest.DefaultAuthenticationMethods);
        }

        foreach (string pool in StartPools)
        {
            request.StartPools.Add(pool);
        }
    }
}

/// <summary>
/// Reads what a piped result calls for, by property name only, so results of Test-MapiHttpEndpoint,
/// Get-MapiAppPoolHealth and Invoke-MapiHttpDiagnostic (live or deserialized) all work:
/// <list type="bullet">
/// <item>Authentication: anonymous accepted (a 2xx to an anonymous request, the IIS AnonymousAuthentication or
/// WindowsAuthentication finding) → ResetIisAuthentication; methods missing from a 401 or from the virtual directory
/// → AddAuthenticationMethods (Ntlm, OAuth, Negotiate added, existing kept) and ResetIisAuthentication.</item>
/// <item>AppPool: a MAPI pool result that is not Started → StartAppPool for it; a 503 from the probe or a configuration
/// result → start whichever MAPI pools are not Started. Pool settings (recycling, identity, ...) are not changed.</item>
/// <item>NotEnabled about the organisation → EnableOrganization, with or without a server (issue 11). Mailbox and
/// client settings are not repaired here.</item>
/// <item>VirtualDirectory: a URL finding (Property InternalUrl/ExternalUrl, Value an http or non-/mapi URL) → that URL set
/// to https://HOST/mapi of the same host; anything else → nothing automatic: the result names -Recreate -Force or
/// -InternalUrl/-ExternalUrl.</item>
/// <item>Network, Certificate, Client → not server settings this cmdlet changes.</item>
/// </list>
/// Results that passed are ignored; results of this cmdlet (they carry Outcome) are ignored too.
/// </summary>
internal static class RepairInputMapper
{
    public static MappedInput Map(object? input, bool recreate)
    {
        var mapped = new MappedInput();
        if (input is null)
        {
            return mapped;
        }

        PSObject item = PSObject.AsPSObject(input);
        if (!TryEnum(Property(item, "Cause"), out MapiHttpCause cause) || item.Properties["Outcome"] is not null)
        {
            return mapped;
        }

        mapped.IsResult = true;
        CheckStatus status = TryEnum(Property(item, "Status"), out CheckStatus s) ? s : CheckStatus.Fail;
        if (cause == MapiHttpCause.None || status is CheckStatus.Pass or CheckStatus.Skipped || recreate)
        {
            return mapped;
        }

        string check = Text(Property(item, "Check")) ?? string.Empty;
        string? name = Text(Property(item, "Name"));
        string? kind = Text(Property(item, "Kind"));
        string? target = Text(Property(item, "Target")) ?? name ?? Text(Property(item, "Uri"));
        // Issue 20: text from piped (possibly deserialized) results reaches Message text: escaped and cut.
        string message = DisplayText.Safe(Text(Property(item, "Message")) ?? check);
        string? recommendation = Text(Property(item, "Recommendation"));
        string? server = Text(Property(item, "Server"));
        List<Finding> findings = Findings(Property(item, "Findings"));

        switch (cause)
        {
            case MapiHttpCause.Authentication:
                Authentication(mapped, item, check, kind, name, target, message, recommendation, findings);
                break;
            case MapiHttpCause.AppPool:
                AppPool(mapped, item, kind, name, target, message, recommendation, findings);
                break;
            case MapiHttpCause.NotEnabled:
                if (IsOrganizationFinding(item, check, target))
                {
                    mapped.EnableOrganization = true;
                    mapped.IsOrganization = true;
                }
                else
                {
                    mapped.Notes.Add(new SkipNote(MapiRepairAction.None, cause, target,
                        $"Not repaired here: {message} Only the organisation's MapiHttpEnabled is a server-side setting; mailbox settings are changed with Set-CASMailbox and the client's with Repair-MapiHttpClientState.",
                        recommendation));
                }

                break;
            case MapiHttpCause.VirtualDirectory when UrlFix(item) is (string property, string url):
                // Issue 11: a URL finding holds the exact fix (the same host over https, path /mapi); the planner
                // shows it before it is made, and backs it up first.
                mapped.Urls[property] = url;
                break;
            case MapiHttpCause.VirtualDirectory:
                mapped.Notes.Add(new SkipNote(MapiRepairAction.Recreate, cause, target,
                    $"Not repaired automatically: {message} If the URLs are wrong, pass them with -InternalUrl/-ExternalUrl; if /mapi is missing in IIS, recreate the virtual directory (backed up first).",
                    $"Repair-MapiVirtualDirectory -Server {server ?? "<server>"} -Recreate -Force"));
                break;
            default:
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, cause, target,
                    $"Not repaired: {message} A {cause} cause is not a setting of the Exchange server that this cmdlet changes.",
                    recommendation));
                break;
        }

        return mapped;
    }

    /// <summary>An organisation finding: by its Area where the result has one (configuration results), else by its check or target name.</summary>
    private static bool IsOrganizationFinding(PSObject item, string check, string? target)
    {
        string? area = Text(Property(item, "Area"));
        if (area is not null)
        {
            return area.Equals("Organization", StringComparison.OrdinalIgnoreCase);
        }

        return Mentions(check, "Organization") || Mentions(target, "Organization") || Mentions(check, "Organisation");
    }

    /// <summary>
    /// The URL a VirtualDirectoryUrl finding calls for: its Property (InternalUrl or ExternalUrl) set to https://HOST/mapi,
    /// HOST being the host of the URL it found. Null when the finding has no URL with a host (a missing URL needs the
    /// admin to name the namespace).
    /// </summary>
    private static (string Property, string Url)? UrlFix(PSObject item)
    {
        string? property = Text(Property(item, "Property"));
        string? value = Text(Property(item, "Value"));
        if (property is not ("InternalUrl" or "ExternalUrl") || value is null
            || !Uri.TryCreate(value, UriKind.Absolute, out Uri? found) || found.Host.Length == 0 || found.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6))
        {
            return null;
        }

        string fixedUrl = $"https://{found.Host.ToLowerInvariant()}/mapi";
        return RepairScope.SameUrl(fixedUrl, value) ? null : (property, fixedUrl);
    }

    private static void Authentication(MappedInput mapped, PSObject item, string check, string? kind, string? name, string? target, string message, string? recommendation, List<Finding> findings)
    {
        if (string.Equals(kind, "Application", StringComparison.OrdinalIgnoreCase))
        {
            if (!string.Equals(name, RepairScope.MapiLocation, StringComparison.OrdinalIgnoreCase))
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.Authentication, target,
                    $"Not repaired: {message} Only IIS authentication of {RepairScope.MapiLocation} is repaired here; the back-end applications are set by Exchange setup.",
                    recommendation));
                return;
            }

            bool iis = findings.Count == 0
                ? Evidence(item, "anonymousAuthentication") is true || Evidence(item, "windowsAuthentication") is false
                : findings.Any(f => f.Failing && f.Check is "AnonymousAuthentication" or "WindowsAuthentication");
            mapped.ResetIisAuthentication |= iis;
            foreach (Finding other in findings.Where(f => f.Failing && f.Check is not ("AnonymousAuthentication" or "WindowsAuthentication")))
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, other.Cause ?? MapiHttpCause.Authentication, target,
                    $"Not repaired: {other.Check} of {name}: {other.Message} This cmdlet turns Windows authentication on and anonymous off; it changes no other IIS setting.",
                    other.Recommendation, other.Check));
            }

            if (!iis && findings.Count == 0)
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.Authentication, target, $"Not repaired: {message}", recommendation));
            }

            return;
        }

        int? statusCode = Property(item, "StatusCode") is object code && int.TryParse(Text(code), out int parsed) ? parsed : null;
        bool anonymousAccepted = statusCode is >= 200 and < 300 || Mentions(check, "Anonymous") && Mentions(message, "accepted an anonymous");
        if (anonymousAccepted)
        {
            mapped.ResetIisAuthentication = true;
            return;
        }

        string[] offered = Strings(Evidence(item, "OfferedAuthentication"));
        string[] expected = Strings(Evidence(item, "ExpectedAuthentication"));
        if (expected.Length > 0)
        {
            string[] missing = expected.Where(e => !offered.Contains(e, StringComparer.OrdinalIgnoreCase)).Select(AuthenticationMethodNames.FromHttpScheme).ToArray();
            if (missing.Length == 0)
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.Authentication, target,
                    $"Not repaired: {message} Methods are only added, never removed; remove one yourself if it is not wanted.",
                    recommendation));
                return;
            }

            string[] outside = missing.Where(m => !RepairRequest.DefaultAuthenticationMethods.Contains(m, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (outside.Length > 0)
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.Authentication, target,
                    $"Not added: {string.Join(", ", outside)}. Only Ntlm, OAuth and Negotiate are added from findings; add others with -AuthenticationMethods.",
                    recommendation, "AuthenticationMethods"));
            }

            mapped.AddAuthenticationMethods = true;
            mapped.ResetIisAuthentication = true;
            return;
        }

        if (Mentions(check, "AuthenticationMethod") || Evidence(item, "IISAuthenticationMethods") is not null)
        {
            mapped.AddAuthenticationMethods = true;
            return;
        }

        if (Mentions(check, "Anonymous"))
        {
            mapped.ResetIisAuthentication = true;
            return;
        }

        mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.Authentication, target,
            $"Not repaired: {message} This cmdlet adds missing IISAuthenticationMethods and resets IIS authentication of /mapi; it does not renew certificates or register SPNs.",
            recommendation));
    }

    private static void AppPool(MappedInput mapped, PSObject item, string? kind, string? name, string? target, string message, string? recommendation, List<Finding> findings)
    {
        if (string.Equals(kind, "AppPool", StringComparison.OrdinalIgnoreCase) && RepairScope.IsMapiPool(name))
        {
            string? state = Text(Property(item, "State"));
            bool stopped = findings.Any(f => f.Failing && f.Check == "RuntimeState")
                || (state is not null && !state.Equals("Started", StringComparison.OrdinalIgnoreCase));
            if (stopped)
            {
                mapped.StartPools.Add(RepairScope.CanonicalPool(name!));
            }

            IEnumerable<Finding> others = findings.Where(f => f.Failing && f.Check is not ("RuntimeState" or "Events"));
            foreach (Finding other in others)
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.AppPool, target,
                    $"Not repaired: {other.Check} of {name}: {other.Message} This cmdlet starts and restarts the MAPI pools; it does not change their settings.",
                    other.Recommendation, other.Check));
            }

            if (!stopped && findings.Count == 0)
            {
                mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.AppPool, target, $"Not repaired: {message}", recommendation));
            }

            return;
        }

        if (string.Equals(kind, "Application", StringComparison.OrdinalIgnoreCase))
        {
            mapped.Notes.Add(new SkipNote(MapiRepairAction.None, MapiHttpCause.AppPool, target,
                $"Not repaired: {message} Sites and applications are not started or changed by this cmdlet.", recommendation));
            return;
        }

        foreach (string pool in RepairScope.Pools)
        {
            mapped.StartPools.Add(pool);
        }
    }

    private sealed record Finding(string Check, CheckStatus Status, MapiHttpCause? Cause, string Message, string? Recommendation)
    {
        public bool Failing => Status is CheckStatus.Warning or CheckStatus.Fail or CheckStatus.Error;
    }

    private static List<Finding> Findings(object? value)
    {
        var findings = new List<Finding>();
        if (Unwrap(value) is not IEnumerable list || Unwrap(value) is string)
        {
            return findings;
        }

        foreach (object? raw in list)
        {
            if (raw is null)
            {
                continue;
            }

            PSObject f = PSObject.AsPSObject(raw);
            string? check = Text(Property(f, "Check"));
            if (check is null || !TryEnum(Property(f, "Status"), out CheckStatus status))
            {
                continue;
            }

            MapiHttpCause? cause = TryEnum(Property(f, "Cause"), out MapiHttpCause c) ? c : null;
            findings.Add(new Finding(DisplayText.Safe(check), status, cause, DisplayText.Safe(Text(Property(f, "Message")) ?? check), Text(Property(f, "Recommendation"))));
        }

        return findings;
    }

    private static object? Property(PSObject item, string name) => item.Properties[name]?.Value;

    private static object? Evidence(PSObject item, string key)
    {
        object? evidence = Unwrap(Property(item, "Evidence"));
        if (evidence is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                if (string.Equals(entry.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase))
                {
                    return Unwrap(entry.Value);
                }
            }

            return null;
        }

        return evidence is PSObject bag ? Unwrap(bag.Properties[key]?.Value) : null;
    }

    private static string[] Strings(object? value)
    {
        object? inner = Unwrap(value);
        if (inner is null)
        {
            return Array.Empty<string>();
        }

        IEnumerable<object?> items = inner is IEnumerable list and not string ? list.Cast<object?>() : new[] { inner };
        return items.Select(Text).Where(t => t is not null).SelectMany(t => t!.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries)).ToArray();
    }

    private static bool TryEnum<T>(object? value, out T parsed)
        where T : struct
    {
        object? inner = Unwrap(value);
        if (inner is T typed)
        {
            parsed = typed;
            return true;
        }

        return Enum.TryParse(Text(inner), ignoreCase: true, out parsed);
    }

    private static bool Mentions(string? text, string word) => text is not null && text.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0;

    private static object? Unwrap(object? value) => value is PSObject ps && ps.BaseObject is not PSCustomObject ? ps.BaseObject : value;

    private static string? Text(object? value) => RunspaceExchangeClient.Text(value);
}
