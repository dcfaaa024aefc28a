using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>The Check names of the configuration results (a contract: scripts filter on them).</summary>
internal static class ConfigurationCheckNames
{
    public const string OrganizationMapiHttp = "OrganizationMapiHttp";
    public const string ExchangeServer = "ExchangeServer";
    public const string VirtualDirectoryPresent = "MapiVirtualDirectory";
    public const string VirtualDirectoryUrl = "VirtualDirectoryUrl";
    public const string UrlHostResolves = "UrlHostResolves";
    public const string UrlCertificate = "UrlCertificate";
    public const string IisAuthenticationMethods = "IisAuthenticationMethods";
    public const string AuthenticationMethodsAgree = "AuthenticationMethodsAgree";
    public const string NamespaceConsistency = "NamespaceConsistency";
    public const string OutlookAnywhereNamespace = "OutlookAnywhereNamespace";
    public const string AuthCertificate = "AuthCertificate";
    public const string AuthNextCertificate = "AuthNextCertificate";
    public const string AuthServer = "AuthServer";
    public const string ComponentState = "ComponentState";
    public const string MailboxProtocol = "MailboxProtocol";
}

/// <summary>Small helpers the check classes share.</summary>
internal static class CheckText
{
    /// <summary>The IIS authentication methods of a working MAPI virtual directory (Exchange's defaults), in Exchange's order.</summary>
    public static readonly IReadOnlyList<string> DefaultMethods = new[] { "Ntlm", "OAuth", "Negotiate" };

    public static IReadOnlyList<KeyValuePair<string, object?>> Evidence(params (string Key, object? Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value)).ToArray();

    public static string List(IEnumerable<string> values)
    {
        string joined = string.Join(", ", values);
        return joined.Length == 0 ? "(none)" : joined;
    }

    public static string Date(DateTime utc) => utc.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The host of an absolute URL, lower-cased; null when the text is not one.</summary>
    public static string? HostOf(string? url) =>
        url is not null && Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host.ToLowerInvariant() : null;

    public static bool SameSet(IEnumerable<string> a, IEnumerable<string> b) =>
        new HashSet<string>(a, StringComparer.OrdinalIgnoreCase).SetEquals(b);

    /// <summary>https://host/mapi for a host, as Set-MapiVirtualDirectory takes it.</summary>
    public static string MapiUrl(string host) => $"https://{host}/mapi";
}
