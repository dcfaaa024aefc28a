using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Iis;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Kerberos;

/// <summary>One MAPI virtual directory as the authentication checks see it: whose it is, its methods, its URLs' hosts.</summary>
internal sealed record VirtualDirectorySide(string? Identity, string? Server, IReadOnlyList<string>? Methods, IReadOnlyList<string> Hosts)
{
    /// <summary>The InternalUrl and ExternalUrl as set: what the probe asks for the wire side.</summary>
    public IReadOnlyList<Uri> Urls { get; init; } = Array.Empty<Uri>();
}

/// <summary>IIS's side of /mapi on one server: its effective security, or why it was not read.</summary>
internal sealed record IisSide(string? Server, string Source, LocationSecurity? Security, string? UnavailableReason = null);

/// <summary>The schemes one probe saw offered by /mapi/emsmdb's anonymous challenge, and where.</summary>
internal sealed record WireSide(string Uri, string? Server, IReadOnlyList<string> Offered);

/// <summary>Every fact Test-MapiHttpAuthentication and the diagnostic's authentication stage judge (issue 14).</summary>
internal sealed record AuthenticationFacts(
    IReadOnlyList<string> Namespaces,
    IReadOnlyList<SpnFacts> Spns,
    AsaInventory Asa,
    IReadOnlyList<string> Servers,
    IReadOnlyList<VirtualDirectorySide> VirtualDirectories,
    IReadOnlyList<IisSide> Iis,
    IReadOnlyList<WireSide> Wire)
{
    /// <summary>The Client Access servers' FQDNs, where known: a namespace that is one of them needs no HTTP SPN of its own.</summary>
    public IReadOnlyList<string> ServerFqdns { get; init; } = Array.Empty<string>();
}

/// <summary>
/// Judges the gathered facts (issue 12: facts in, results out): the ASA across the Client Access servers, HTTP/&lt;namespace&gt;
/// for each namespace, and for each IIS side read the three-sided comparison of <see cref="AuthenticationProviderJudgement"/>.
/// </summary>
internal static class MapiAuthenticationChecks
{
    public const string ProvidersCheck = "AuthenticationProviders";
    public const string MapiLocation = "Default Web Site/mapi";

    public static IReadOnlyList<MapiHttpConfigurationResult> Judge(AuthenticationFacts facts)
    {
        var results = new List<MapiHttpConfigurationResult> { KerberosJudgement.AlternateServiceAccount(facts.Asa).ToResult() };
        foreach (SpnFacts spn in facts.Spns)
        {
            string host = spn.ServicePrincipalName.Substring(spn.ServicePrincipalName.IndexOf('/') + 1);
            results.Add(KerberosJudgement.Spn(host, spn, facts.Asa, facts.Servers, facts.ServerFqdns).ToResult());
        }

        foreach (IisSide iis in facts.Iis)
        {
            results.Add(Providers(iis, facts));
        }

        return results;
    }

    /// <summary>The namespaces to check: the hosts of the MAPI virtual directories' URLs, once each.</summary>
    public static IReadOnlyList<string> NamespacesOf(IEnumerable<VirtualDirectorySide> directories) =>
        directories.SelectMany(d => d.Hosts).Where(h => !string.IsNullOrWhiteSpace(h)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>The host of a URL, or null.</summary>
    public static string? HostOf(string? url) =>
        url is not null && Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri) && !string.IsNullOrEmpty(uri.Host) ? uri.Host : null;

    /// <summary>The wire side from Test-MapiHttpEndpoint's results: the EmsmdbAnonymous steps' OfferedAuthentication.</summary>
    public static IReadOnlyList<WireSide> WireFrom(IEnumerable<MapiHttpResult> probe) =>
        probe.Where(r => r.Check == ProbeSteps.EmsmdbAnonymous && r.Evidence.Contains("OfferedAuthentication"))
            .Select(r => new WireSide(r.Target ?? string.Empty, r.Server, Exchange.ExchangeValues.StringsOf(r.Evidence["OfferedAuthentication"])))
            .ToArray();

    private static MapiHttpConfigurationResult Providers(IisSide iis, AuthenticationFacts facts)
    {
        VirtualDirectorySide? vdir = Pick(facts.VirtualDirectories, iis.Server, d => d.Server);
        if (iis.Security is not { } security)
        {
            return new ConfigurationFinding(ProvidersCheck, ConfigurationArea.Authentication, CheckStatus.Skipped, MapiHttpCause.None,
                $"The windowsAuthentication providers of {MapiLocation}{(iis.Server is null ? string.Empty : " on " + DisplayText.Safe(iis.Server))} were not read: {iis.UnavailableReason}.")
            {
                Server = iis.Server,
                Target = MapiLocation,
                Identity = vdir?.Identity,
                Property = "windowsAuthentication/providers",
                Recommendation = "Test-MapiHttpAuthentication -ApplicationHostConfigPath <a copy of %windir%\\System32\\inetsrv\\config\\applicationHost.config of the server>",
            }.ToResult();
        }

        WireSide? wire = Pick(facts.Wire, iis.Server, w => w.Server);
        bool? asa = facts.Asa.UnavailableReason is null ? facts.Asa.ConfiguredOn(iis.Server ?? vdir?.Server) : null;
        (Finding finding, IReadOnlyList<KeyValuePair<string, object?>> evidence) = AuthenticationProviderJudgement.Compare(
            new WindowsAuthenticationSides(MapiLocation, security, vdir?.Methods, wire?.Offered, asa));
        var all = new List<KeyValuePair<string, object?>>(evidence)
        {
            new("IisSource", iis.Source),
            new("ProbedUri", wire?.Uri is null ? null : DisplayText.Safe(wire.Uri)),
        };
        return new ConfigurationFinding(ProvidersCheck, ConfigurationArea.Authentication, finding.Status, finding.Cause, finding.Message)
        {
            Server = iis.Server ?? vdir?.Server,
            Target = MapiLocation,
            Identity = vdir?.Identity,
            Property = "windowsAuthentication/providers",
            Value = string.Join(", ", security.WindowsAuthenticationProviders.Select(p => DisplayText.Safe(p))),
            ExpectedValue = vdir?.Methods is { } methods ? string.Join(", ", AuthenticationSchemes.Normalize(methods).Where(m => m is "Negotiate" or "NTLM")) : null,
            Recommendation = finding.Recommendation,
            Evidence = all,
        }.ToResult();
    }

    /// <summary>The item about <paramref name="server"/>; the only one when there is exactly one (a file has no server name).</summary>
    private static T? Pick<T>(IReadOnlyList<T> items, string? server, Func<T, string?> serverOf)
        where T : class
    {
        if (server is not null && items.FirstOrDefault(i => SameServer(serverOf(i), server)) is { } match)
        {
            return match;
        }

        return items.Count == 1 ? items[0] : null;
    }

    private static bool SameServer(string? a, string? b) =>
        a is not null && b is not null &&
        (string.Equals(a, b, StringComparison.OrdinalIgnoreCase) || string.Equals(ServerNameMatch.ShortName(a), ServerNameMatch.ShortName(b), StringComparison.OrdinalIgnoreCase));
}
