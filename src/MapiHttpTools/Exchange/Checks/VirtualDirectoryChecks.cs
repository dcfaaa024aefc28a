using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Exchange.Checks;

/// <summary>
/// One server's MAPI virtual directory as Exchange has it (Get-MapiVirtualDirectory -ADPropertiesOnly): present,
/// URLs well formed (https, /mapi), URL hosts resolve, IIS authentication methods complete and consistent.
/// </summary>
internal static class VirtualDirectoryChecks
{
    /// <remarks>
    /// One result per server whatever its state, so its Evidence carries the server's Exchange build and release
    /// (ExchangeBuild, ExchangeRelease; issue 15), which the server summary and the HTML report show beside the name.
    /// </remarks>
    public static MapiHttpConfigurationResult Present(ExchangeServerFacts server, IReadOnlyList<MapiVirtualDirectoryFacts> directories)
    {
        if (directories.Count > 0)
        {
            return new ConfigurationFinding(ConfigurationCheckNames.VirtualDirectoryPresent, ConfigurationArea.VirtualDirectory, CheckStatus.Pass, MapiHttpCause.None,
                $"{server.Name} has a MAPI virtual directory ({string.Join(", ", directories.Select(d => d.Identity))}).")
            {
                Server = server.Name,
                Target = server.Name,
                Identity = directories[0].Identity,
                Evidence = CheckText.Evidence(("Count", directories.Count), ("ExchangeBuild", server.Release.BuildText), ("ExchangeRelease", server.Release.Name)),
            }.ToResult();
        }

        string host = server.Fqdn?.ToLowerInvariant() ?? server.Name.ToLowerInvariant();
        return new ConfigurationFinding(ConfigurationCheckNames.VirtualDirectoryPresent, ConfigurationArea.VirtualDirectory, CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
            $"{server.Name} has no MAPI virtual directory: its front end cannot serve /mapi, and Autodiscover offers no MAPI/HTTP URL for it.")
        {
            Server = server.Name,
            Target = server.Name,
            Identity = server.Name,
            Recommendation = $"New-MapiVirtualDirectory -Server {PowerShellText.Quote(server.Name)} -InternalUrl {PowerShellText.Quote(CheckText.MapiUrl(host))} -IISAuthenticationMethods Ntlm,OAuth,Negotiate",
            Evidence = CheckText.Evidence(("Count", 0), ("ExchangeBuild", server.Release.BuildText), ("ExchangeRelease", server.Release.Name)),
        }.ToResult();
    }

    /// <summary>InternalUrl and ExternalUrl: set, absolute, https, path /mapi. One result per URL property.</summary>
    public static IEnumerable<MapiHttpConfigurationResult> Urls(MapiVirtualDirectoryFacts directory, ExchangeServerFacts? server)
    {
        string fallbackHost = server?.Fqdn?.ToLowerInvariant() ?? directory.Server.ToLowerInvariant();
        if (directory.InternalUrl is null && directory.ExternalUrl is null)
        {
            yield return Finding(directory, "InternalUrl", null, CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{directory.Identity} has neither InternalUrl nor ExternalUrl: Autodiscover gives Outlook no MAPI/HTTP URL for this server.",
                SetUrl(directory, "InternalUrl", CheckText.MapiUrl(fallbackHost)));
            yield break;
        }

        yield return directory.InternalUrl is null
            ? Finding(directory, "InternalUrl", null, CheckStatus.Warning, MapiHttpCause.VirtualDirectory,
                $"{directory.Identity} has no InternalUrl: Outlook inside the network is offered only the ExternalUrl {directory.ExternalUrl}.",
                SetUrl(directory, "InternalUrl", CheckText.HostOf(directory.ExternalUrl) is { } externalHost ? CheckText.MapiUrl(externalHost) : CheckText.MapiUrl(fallbackHost)))
            : Url(directory, "InternalUrl", directory.InternalUrl, fallbackHost);

        yield return directory.ExternalUrl is null
            ? Finding(directory, "ExternalUrl", null, CheckStatus.Pass, MapiHttpCause.None,
                $"{directory.Identity} has no ExternalUrl: Outlook outside the network gets no MAPI/HTTP URL from this server (set one if clients connect from outside).",
                null)
            : Url(directory, "ExternalUrl", directory.ExternalUrl, fallbackHost);
    }

    private static MapiHttpConfigurationResult Url(MapiVirtualDirectoryFacts directory, string property, string url, string fallbackHost)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            return Finding(directory, property, url, CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{property} '{url}' of {directory.Identity} is not an absolute URL.",
                SetUrl(directory, property, CheckText.MapiUrl(fallbackHost)));
        }

        string fixedUrl = CheckText.MapiUrl(uri.Host.ToLowerInvariant());
        if (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            return Finding(directory, property, url, CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{property} {url} of {directory.Identity} uses {uri.Scheme}: the front-end /mapi application requires SSL, so Outlook's requests to it fail.",
                SetUrl(directory, property, fixedUrl));
        }

        if (!string.Equals(uri.AbsolutePath.TrimEnd('/'), "/mapi", StringComparison.OrdinalIgnoreCase))
        {
            return Finding(directory, property, url, CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{property} {url} of {directory.Identity} points at {uri.AbsolutePath}, not /mapi: Outlook's MAPI/HTTP requests go to an application that does not serve them.",
                SetUrl(directory, property, fixedUrl));
        }

        return Finding(directory, property, url, CheckStatus.Pass, MapiHttpCause.None, $"{property} {url} of {directory.Identity} is a well-formed https /mapi URL.", null);
    }

    /// <summary>Each URL host resolves in DNS from here. An ExternalUrl host that does not is a warning (it may resolve only outside).</summary>
    public static async Task<IReadOnlyList<MapiHttpConfigurationResult>> HostsResolveAsync(MapiVirtualDirectoryFacts directory, ExchangeServerFacts? server, IHostResolver resolver, CancellationToken cancellation)
    {
        var results = new List<MapiHttpConfigurationResult>();
        foreach ((string host, IReadOnlyList<string> properties) in HostsOf(directory))
        {
            bool internalHost = properties.Contains("InternalUrl");
            string property = properties[0];
            IPAddress[]? addresses = null;
            string? failure = null;
            try
            {
                addresses = await resolver.ResolveAsync(host, cancellation).ConfigureAwait(false);
                if (addresses.Length == 0)
                {
                    failure = "no addresses";
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = ex.Message;
            }

            if (failure is null)
            {
                results.Add(new ConfigurationFinding(ConfigurationCheckNames.UrlHostResolves, ConfigurationArea.VirtualDirectory, CheckStatus.Pass, MapiHttpCause.None,
                    $"{host} ({string.Join(", ", properties)} of {directory.Identity}) resolves to {string.Join(", ", addresses!.Select(a => a.ToString()))}.")
                {
                    Server = directory.Server,
                    Identity = directory.Identity,
                    Target = host,
                    Property = property,
                    Value = host,
                    Evidence = CheckText.Evidence(("Host", host), ("Addresses", addresses!.Select(a => a.ToString()).ToArray())),
                }.ToResult());
                continue;
            }

            string alternative = server?.Fqdn?.ToLowerInvariant() ?? directory.Server.ToLowerInvariant();
            results.Add(new ConfigurationFinding(ConfigurationCheckNames.UrlHostResolves, ConfigurationArea.VirtualDirectory,
                internalHost ? CheckStatus.Fail : CheckStatus.Warning, MapiHttpCause.VirtualDirectory,
                internalHost
                    ? $"{host} ({string.Join(", ", properties)} of {directory.Identity}) does not resolve: {failure}. Outlook cannot reach the MAPI/HTTP URL it is given."
                    : $"{host} (ExternalUrl of {directory.Identity}) does not resolve from here: {failure}. That is expected only if the name exists in external DNS alone.")
            {
                Server = directory.Server,
                Identity = directory.Identity,
                Target = host,
                Property = property,
                Value = host,
                Recommendation = $"Create the DNS record for {host} (the load balancer or server address), or give the URL a name that resolves: " +
                                 SetUrl(directory, property, CheckText.MapiUrl(alternative)),
                Evidence = CheckText.Evidence(("Host", host), ("Error", failure)),
            }.ToResult());
        }

        return results;
    }

    /// <summary>IISAuthenticationMethods holds NTLM, Negotiate and OAuth. Without NTLM and Negotiate no Windows client can sign in.</summary>
    public static MapiHttpConfigurationResult IisAuthenticationMethods(MapiVirtualDirectoryFacts directory)
    {
        IReadOnlyList<string> present = directory.IISAuthenticationMethods;
        string[] missing = CheckText.DefaultMethods.Where(m => !present.Contains(m, StringComparer.OrdinalIgnoreCase)).ToArray();
        var evidence = CheckText.Evidence(("IISAuthenticationMethods", present.ToArray()), ("Missing", missing));
        var finding = new ConfigurationFinding(ConfigurationCheckNames.IisAuthenticationMethods, ConfigurationArea.VirtualDirectory, CheckStatus.Pass, MapiHttpCause.None,
            $"IISAuthenticationMethods of {directory.Identity} are {CheckText.List(present)}.")
        {
            Server = directory.Server,
            Identity = directory.Identity,
            Target = directory.Identity,
            Property = "IISAuthenticationMethods",
            Value = string.Join(",", present),
            ExpectedValue = string.Join(",", CheckText.DefaultMethods),
            Evidence = evidence,
        };

        if (missing.Length == 0)
        {
            return finding.ToResult();
        }

        bool noWindows = missing.Contains("Ntlm") && missing.Contains("Negotiate");
        string consequence = noWindows
            ? "no Windows authentication is left, so Outlook cannot sign in to /mapi"
            : missing.Length == 1 && missing[0] == "OAuth"
                ? "OAuth (modern authentication, hybrid free/busy and the Outlook clients that use it) fails"
                : $"clients that use {string.Join(" or ", missing)} fail to sign in";
        return (finding with
        {
            Status = noWindows ? CheckStatus.Fail : CheckStatus.Warning,
            Cause = MapiHttpCause.Authentication,
            Message = $"IISAuthenticationMethods of {directory.Identity} are {CheckText.List(present)}; {string.Join(", ", missing)} missing: {consequence}.",
            Recommendation = SetMethods(directory, present.Concat(missing)),
        }).ToResult();
    }

    /// <summary>InternalAuthenticationMethods, ExternalAuthenticationMethods and IISAuthenticationMethods name the same methods.</summary>
    public static MapiHttpConfigurationResult AuthenticationMethodsAgree(MapiVirtualDirectoryFacts directory)
    {
        var evidence = CheckText.Evidence(
            ("IISAuthenticationMethods", directory.IISAuthenticationMethods.ToArray()),
            ("InternalAuthenticationMethods", directory.InternalAuthenticationMethods.ToArray()),
            ("ExternalAuthenticationMethods", directory.ExternalAuthenticationMethods.ToArray()));
        var finding = new ConfigurationFinding(ConfigurationCheckNames.AuthenticationMethodsAgree, ConfigurationArea.VirtualDirectory, CheckStatus.Pass, MapiHttpCause.None,
            $"Internal, external and IIS authentication methods of {directory.Identity} agree.")
        {
            Server = directory.Server,
            Identity = directory.Identity,
            Target = directory.Identity,
            Property = "ExternalAuthenticationMethods",
            Value = string.Join(",", directory.ExternalAuthenticationMethods),
            ExpectedValue = string.Join(",", directory.InternalAuthenticationMethods),
            Evidence = evidence,
        };

        var differences = new List<string>();
        if (!CheckText.SameSet(directory.InternalAuthenticationMethods, directory.ExternalAuthenticationMethods))
        {
            differences.Add($"internal ({CheckText.List(directory.InternalAuthenticationMethods)}) and external ({CheckText.List(directory.ExternalAuthenticationMethods)})");
        }

        if (directory.IISAuthenticationMethods.Count > 0 && !CheckText.SameSet(directory.IISAuthenticationMethods, directory.InternalAuthenticationMethods))
        {
            differences.Add($"IIS ({CheckText.List(directory.IISAuthenticationMethods)}) and internal ({CheckText.List(directory.InternalAuthenticationMethods)})");
        }

        if (differences.Count == 0)
        {
            return finding.ToResult();
        }

        // Set-MapiVirtualDirectory -IISAuthenticationMethods writes all three; include every method in use plus the defaults.
        IEnumerable<string> union = directory.IISAuthenticationMethods.Concat(CheckText.DefaultMethods);
        return (finding with
        {
            Status = CheckStatus.Warning,
            Cause = MapiHttpCause.Authentication,
            Message = $"The authentication methods of {directory.Identity} disagree: {string.Join("; ", differences)}. Autodiscover advertises methods IIS may not accept.",
            Recommendation = SetMethods(directory, union),
        }).ToResult();
    }

    /// <summary>Each distinct URL host of a directory with the URL properties that use it, InternalUrl first.</summary>
    public static IEnumerable<(string Host, IReadOnlyList<string> Properties)> HostsOf(MapiVirtualDirectoryFacts directory)
    {
        var hosts = new List<(string Host, List<string> Properties)>();
        foreach ((string property, string? url) in new[] { ("InternalUrl", directory.InternalUrl), ("ExternalUrl", directory.ExternalUrl) })
        {
            if (CheckText.HostOf(url) is not { } host)
            {
                continue;
            }

            int index = hosts.FindIndex(h => h.Host == host);
            if (index < 0)
            {
                hosts.Add((host, new List<string> { property }));
            }
            else
            {
                hosts[index].Properties.Add(property);
            }
        }

        return hosts.Select(h => (h.Host, (IReadOnlyList<string>)h.Properties));
    }

    public static string SetUrl(MapiVirtualDirectoryFacts directory, string property, string url) =>
        $"Set-MapiVirtualDirectory -Identity {PowerShellText.Quote(directory.Identity)} -{property} {PowerShellText.Quote(url)}";

    /// <summary>Adds methods rather than replacing (overwriting silently drops OAuth); order kept, duplicates removed.</summary>
    public static string SetMethods(MapiVirtualDirectoryFacts directory, IEnumerable<string> methods) =>
        $"Set-MapiVirtualDirectory -Identity {PowerShellText.Quote(directory.Identity)} -IISAuthenticationMethods {string.Join(",", methods.Distinct(StringComparer.OrdinalIgnoreCase))}";

    private static MapiHttpConfigurationResult Finding(MapiVirtualDirectoryFacts directory, string property, string? url, CheckStatus status, MapiHttpCause cause, string message, string? recommendation) =>
        new ConfigurationFinding(ConfigurationCheckNames.VirtualDirectoryUrl, ConfigurationArea.VirtualDirectory, status, cause, message)
        {
            Server = directory.Server,
            Identity = directory.Identity,
            Target = url ?? directory.Identity,
            Property = property,
            Value = url,
            Recommendation = recommendation,
            Evidence = CheckText.Evidence((property, url)),
        }.ToResult();
}
