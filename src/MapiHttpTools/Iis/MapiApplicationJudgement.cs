using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Iis;

/// <summary>
/// Pure judgement of one MAPI application's facts (facts in, result out; issue 12): existence, physical path, pool,
/// site state, IIS authentication, sslFlags, Extended Protection, binding and certificate. Values from the server
/// pass through <see cref="DisplayText.Safe"/> on their way into messages and evidence (issue 20).
/// </summary>
internal static class MapiApplicationJudgement
{
    private const string Auth = "security/authentication/";

    public static MapiAppPoolHealthResult Judge(MapiApplicationFacts facts, MapiIisJudgementContext context)
    {
        MapiApplicationDefinition definition = facts.Definition;
        string name = definition.LocationPath;
        var details = new MapiAppPoolHealthDetails { Kind = MapiIisObjectKind.Application, Source = facts.Source, SiteName = definition.SiteName };
        var evidence = new List<KeyValuePair<string, object?>> { new("Source", facts.Source), new("Exists", facts.Application is not null) };
        var findings = new List<MapiAppPoolFinding>();

        if (facts.ReadProblem is not null)
        {
            findings.Add(new MapiAppPoolFinding("Configuration", CheckStatus.Error, MapiHttpCause.VirtualDirectory,
                $"The configuration of the site '{definition.SiteName}' could not be read: {facts.ReadProblem}", null, "valid settings", null));
            details.Findings = findings;
            return MapiIisResults.Build(MapiAppPoolHealthChecker.ApplicationCheck, name, context.Server, details, evidence);
        }

        if (facts.Application is not ApplicationConfig application || facts.Site is not SiteConfig site)
        {
            findings.Add(Missing(facts));
            details.Findings = MapiAppPoolHealthDetails.Order(findings);
            return MapiIisResults.Build(MapiAppPoolHealthChecker.ApplicationCheck, name, context.Server, details, evidence);
        }

        details.ApplicationPool = application.ApplicationPool;
        details.PhysicalPath = application.PhysicalPath;
        evidence.Add(new("applicationPool", Safe(application.ApplicationPool)));
        evidence.Add(new("physicalPath", Safe(application.PhysicalPath)));
        findings.Add(Pass("ApplicationExists", $"The application {name} exists.", true, true));
        findings.AddRange(Placement(facts, application));

        RuntimeFacts runtime = facts.SiteRuntime ?? RuntimeFacts.Unknown("the source has no runtime state");
        details.State = runtime.State is null ? null : Safe(runtime.State);
        evidence.Add(new("SiteState", details.State));
        evidence.Add(new("serverAutoStart", site.ServerAutoStart));
        findings.AddRange(SiteState(definition, site, runtime));

        if (facts.Security is LocationSecurity security)
        {
            details.WindowsAuthentication = security.WindowsAuthentication;
            details.AnonymousAuthentication = security.AnonymousAuthentication;
            details.BasicAuthentication = security.BasicAuthentication;
            details.DigestAuthentication = security.DigestAuthentication;
            details.SslFlags = security.SslFlags;
            details.ExtendedProtection = security.ExtendedProtectionTokenChecking;
            evidence.Add(new("windowsAuthentication", security.WindowsAuthentication));
            evidence.Add(new("anonymousAuthentication", security.AnonymousAuthentication));
            evidence.Add(new("basicAuthentication", security.BasicAuthentication));
            evidence.Add(new("digestAuthentication", security.DigestAuthentication));
            evidence.Add(new("sslFlags", Safe(security.SslFlags)));
            evidence.Add(new("extendedProtection.tokenChecking", Safe(security.ExtendedProtectionTokenChecking)));
            evidence.Add(new("extendedProtection.flags", Safe(security.ExtendedProtectionFlags)));

            // The IIS side of the three-sided authentication comparison (issue 14, AuthenticationProviderJudgement).
            evidence.Add(new("windowsAuthentication.providers", security.WindowsAuthenticationProviders.Select(p => Safe(p)).ToArray()));
            evidence.Add(new("windowsAuthentication.useKernelMode", security.UseKernelMode));
            evidence.Add(new("windowsAuthentication.useAppPoolCredentials", security.UseAppPoolCredentials));
            findings.AddRange(Security(definition, security));
        }

        details.Bindings = site.Bindings.Select(b => Safe(b.ToString())).ToArray();
        evidence.Add(new("Bindings", string.Join("; ", details.Bindings)));
        (SiteBinding? binding, IEnumerable<MapiAppPoolFinding> bindingFindings) = Binding(definition, site, context);
        evidence.Add(new("MatchingBinding", binding is null ? null : Safe(binding.BindingInformation)));
        if (binding is not null)
        {
            evidence.Add(new("CertificateHash", binding.CertificateHash is null ? null : Safe(binding.CertificateHash)));
        }

        findings.AddRange(bindingFindings);
        details.Findings = MapiAppPoolHealthDetails.Order(findings);
        return MapiIisResults.Build(MapiAppPoolHealthChecker.ApplicationCheck, name, context.Server, details, evidence);
    }

    private static MapiAppPoolFinding Missing(MapiApplicationFacts facts)
    {
        MapiApplicationDefinition definition = facts.Definition;
        string what = facts.Site is null
            ? $"the site '{definition.SiteName}' does not exist, so neither does {definition.ApplicationPath}"
            : $"the application {definition.LocationPath} does not exist in IIS";
        return new MapiAppPoolFinding("ApplicationExists", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
            $"{Capitalize(what)}: requests to {definition.ApplicationPath} get 404.",
            facts.Site is null ? null : $"New-WebApplication -Site '{definition.SiteName}' -Name '{definition.ApplicationPath.TrimStart('/')}' -PhysicalPath {ExpectedPath(facts)} -ApplicationPool {definition.ApplicationPool}",
            true, false);
    }

    /// <summary>Where the application points and which pool it runs in.</summary>
    public static IEnumerable<MapiAppPoolFinding> Placement(MapiApplicationFacts facts, ApplicationConfig application)
    {
        MapiApplicationDefinition definition = facts.Definition;
        string name = definition.LocationPath;
        string iisPath = $"IIS:\\Sites\\{definition.SiteName}{definition.ApplicationPath.Replace('/', '\\')}";
        string suffix = "...\\" + definition.PhysicalPathSuffix;
        yield return PathEndsWith(application.PhysicalPath, definition.PhysicalPathSuffix)
            ? Pass("PhysicalPath", $"{name} points to {Safe(application.PhysicalPath)}.", suffix, application.PhysicalPath)
            : new MapiAppPoolFinding("PhysicalPath", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{name} points to '{Safe(application.PhysicalPath)}', not the Exchange folder {suffix}: IIS serves the wrong (or no) MAPI handler.",
                $"Set-ItemProperty -Path '{iisPath}' -Name physicalPath -Value {ExpectedPath(facts)}", suffix, application.PhysicalPath);

        yield return Same(application.ApplicationPool, definition.ApplicationPool)
            ? Pass("ApplicationPool", $"{name} runs in {Safe(application.ApplicationPool)}.", definition.ApplicationPool, application.ApplicationPool)
            : new MapiAppPoolFinding("ApplicationPool", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"{name} runs in '{Safe(application.ApplicationPool)}', not {definition.ApplicationPool}: it gets the wrong identity and settings, and recycles with another service.",
                $"Set-ItemProperty -Path '{iisPath}' -Name applicationPool -Value {definition.ApplicationPool}", definition.ApplicationPool, application.ApplicationPool);
    }

    public static IEnumerable<MapiAppPoolFinding> SiteState(MapiApplicationDefinition definition, SiteConfig site, RuntimeFacts runtime)
    {
        string everything = definition.FrontEnd
            ? "every protocol on this front end fails, not a MAPI/HTTP handler problem"
            : "every protocol proxied to this back end fails, not a MAPI/HTTP handler problem";
        string siteName = Safe(site.Name);
        if (runtime.Failed)
        {
            yield return new MapiAppPoolFinding("SiteState", CheckStatus.Error, MapiHttpCause.AppPool, $"The state of '{siteName}' could not be read: {Safe(runtime.Reason)}", null, "Started", null);
        }
        else if (!runtime.Known)
        {
            yield return new MapiAppPoolFinding("SiteState", CheckStatus.Skipped, MapiHttpCause.None, $"Runtime state of '{siteName}' not checked: {runtime.Reason}.", null, "Started", null);
        }
        else if (runtime.State == "Started")
        {
            yield return Pass("SiteState", $"'{siteName}' is Started.", "Started", runtime.State);
        }
        else
        {
            yield return new MapiAppPoolFinding("SiteState", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"'{siteName}' is {Safe(runtime.State)}: {everything}.", $"Start-Website -Name '{site.Name}'", "Started", runtime.State);
        }

        yield return site.ServerAutoStart
            ? Pass("SiteAutoStart", $"'{siteName}' starts with IIS.", true, true)
            : new MapiAppPoolFinding("SiteAutoStart", CheckStatus.Warning, MapiHttpCause.AppPool,
                $"'{siteName}' has serverAutoStart false: after an IIS reset or a reboot it stays stopped and {everything}.",
                $"Set-ItemProperty -Path 'IIS:\\Sites\\{site.Name}' -Name serverAutoStart -Value $true", true, false);
    }

    /// <summary>IIS authentication, sslFlags and Extended Protection of the application's location.</summary>
    public static IEnumerable<MapiAppPoolFinding> Security(MapiApplicationDefinition definition, LocationSecurity security)
    {
        string location = definition.LocationPath;
        string Set(string filter, string property, string value) =>
            $"Set-WebConfigurationProperty -PSPath IIS:\\ -Location '{location}' -Filter system.webServer/{filter} -Name {property} -Value {value}";

        yield return security.WindowsAuthentication
            ? Pass("WindowsAuthentication", $"Windows authentication is on at {location}.", true, true)
            : new MapiAppPoolFinding("WindowsAuthentication", CheckStatus.Fail, MapiHttpCause.Authentication,
                $"Windows authentication is off at {location}: Outlook's Negotiate/NTLM logons are refused with 401.",
                Set(Auth + "windowsAuthentication", "enabled", "$true"), true, false);

        yield return !security.AnonymousAuthentication
            ? Pass("AnonymousAuthentication", $"Anonymous authentication is off at {location}.", false, false)
            : new MapiAppPoolFinding("AnonymousAuthentication", CheckStatus.Fail, MapiHttpCause.Authentication,
                $"Anonymous authentication is on at {location}: IIS does not challenge, so Outlook is never asked to authenticate and MAPI requests fail.",
                Set(Auth + "anonymousAuthentication", "enabled", "$false"), false, true);

        yield return !security.BasicAuthentication
            ? Pass("BasicAuthentication", $"Basic authentication is off at {location}.", false, false)
            : new MapiAppPoolFinding("BasicAuthentication", CheckStatus.Warning, MapiHttpCause.Authentication,
                $"Basic authentication is on at {location}; Exchange sets it off in IIS (MAPI's own authentication methods are set on the virtual directory).",
                Set(Auth + "basicAuthentication", "enabled", "$false"), false, true);

        yield return !security.DigestAuthentication
            ? Pass("DigestAuthentication", $"Digest authentication is off at {location}.", false, false)
            : new MapiAppPoolFinding("DigestAuthentication", CheckStatus.Warning, MapiHttpCause.Authentication,
                $"Digest authentication is on at {location}; Exchange sets it off.",
                Set(Auth + "digestAuthentication", "enabled", "$false"), false, true);

        int expected = IisFlags.ParseSslFlags(definition.SslFlags) ?? 0;
        int? actual = IisFlags.ParseSslFlags(security.SslFlags);
        if (actual == expected)
        {
            yield return Pass("SslFlags", $"{location} requires SSL (sslFlags {Safe(security.SslFlags)}).", definition.SslFlags, security.SslFlags);
        }
        else
        {
            bool noSsl = actual is null || (actual.Value & 8) == 0;
            bool clientCertificate = actual is int a && (a & 64) != 0;
            string why = noSsl
                ? "SSL is not required, so MAPI is served over plain HTTP"
                : clientCertificate
                    ? "a client certificate is required, which Outlook does not present"
                    : "it differs from what Exchange sets";
            yield return new MapiAppPoolFinding("SslFlags", noSsl || clientCertificate ? CheckStatus.Fail : CheckStatus.Warning, MapiHttpCause.Authentication,
                $"{location} has sslFlags '{Safe(security.SslFlags)}', not '{definition.SslFlags}': {why}.",
                Set("security/access", "sslFlags", $"'{definition.SslFlags.Replace(" ", string.Empty)}'"), definition.SslFlags, security.SslFlags);
        }

        yield return ExtendedProtection(location, security.ExtendedProtectionTokenChecking);
    }

    /// <summary>
    /// Issue 11: Extended Protection is turned on server-wide by Microsoft's script once its prerequisites hold; a
    /// per-location tokenChecking change breaks clients behind TLS offloading and leaves servers inconsistent. A server
    /// where it was never configured is hardening (Cause None), never an outage cause in the verdict.
    /// </summary>
    public static MapiAppPoolFinding ExtendedProtection(string location, string tokenChecking) =>
        Same(tokenChecking, MapiIisBaseline.ExtendedProtection)
            ? Pass("ExtendedProtection", $"Extended Protection is Require at {location}.", MapiIisBaseline.ExtendedProtection, tokenChecking)
            : new MapiAppPoolFinding("ExtendedProtection", CheckStatus.Warning, MapiHttpCause.None,
                $"Extended Protection is {Safe(tokenChecking)} at {location}, not Require: hardening, not an outage cause.",
                MapiIisBaseline.ExtendedProtectionRecommendation, MapiIisBaseline.ExtendedProtection, tokenChecking);

    /// <summary>The https binding that serves the application (for the MAPI URL's host on the front end) and its certificate.</summary>
    public static (SiteBinding? Binding, IEnumerable<MapiAppPoolFinding> Findings) Binding(MapiApplicationDefinition definition, SiteConfig site, MapiIisJudgementContext context)
    {
        int port = definition.HttpsPort;
        string? host = null;
        if (definition.FrontEnd && context.MapiUrl is Uri url)
        {
            host = url.Host;
            if (!url.IsDefaultPort && url.Scheme == Uri.UriSchemeHttps)
            {
                port = url.Port;
            }
        }

        string siteName = Safe(site.Name);
        string target = host is null ? $"https on port {port}" : $"https on port {port} for {host}";
        SiteBinding? binding = site.Bindings
            .Where(b => string.Equals(b.Protocol, "https", StringComparison.OrdinalIgnoreCase) && b.Port == port)
            .Where(b => host is null || b.Host.Length == 0 || string.Equals(b.Host, host, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(b => host is not null && string.Equals(b.Host, host, StringComparison.OrdinalIgnoreCase))
            .FirstOrDefault();

        if (binding is null)
        {
            return (null, new[]
            {
                new MapiAppPoolFinding("Binding", CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                    $"'{siteName}' has no binding for {target}: {definition.ApplicationPath} cannot be reached over HTTPS there.",
                    $"New-WebBinding -Name '{site.Name}' -Protocol https -Port {port} -IPAddress '*'", target, string.Join("; ", site.Bindings.Select(b => Safe(b.ToString())))),
            });
        }

        string information = Safe(binding.BindingInformation);
        var findings = new List<MapiAppPoolFinding> { Pass("Binding", $"'{siteName}' listens for {target} (binding {information}).", target, binding.BindingInformation) };
        if (!binding.CertificateKnown)
        {
            findings.Add(new MapiAppPoolFinding("Certificate", CheckStatus.Skipped, MapiHttpCause.None,
                $"Certificate of binding {information} not checked: {site.CertificateUnknownReason ?? "the source cannot see it"}.", null, "a certificate", null));
        }
        else if (binding.CertificateHash is null)
        {
            string fix = definition.FrontEnd
                ? host is null
                    ? $"Enable-ExchangeCertificate -Server {context.ServerArgument} -Services IIS -Thumbprint <thumbprint of the certificate for the MAPI URL>"
                    : $"Get-ExchangeCertificate -Server {context.ServerArgument} -DomainName {host} | Where-Object NotAfter -gt (Get-Date) | Select-Object -First 1 | Enable-ExchangeCertificate -Services IIS"
                : $"(Get-WebBinding -Name '{site.Name}' -Protocol https -Port {port}).AddSslCertificate((Get-ExchangeCertificate -Server {context.ServerArgument} | Where-Object FriendlyName -eq 'Microsoft Exchange' | Select-Object -First 1).Thumbprint, 'My')";
            findings.Add(new MapiAppPoolFinding("Certificate", CheckStatus.Fail, MapiHttpCause.Certificate,
                $"The binding {information} of '{siteName}' has no certificate: the TLS handshake for {definition.ApplicationPath} fails.",
                fix, "a certificate", null));
        }
        else
        {
            findings.Add(Pass("Certificate", $"The binding {information} of '{siteName}' has certificate {Safe(binding.CertificateHash)}.", "a certificate", binding.CertificateHash));
        }

        return (binding, findings);
    }

    private static string ExpectedPath(MapiApplicationFacts facts) => facts.InstallRoot is null
        ? $"(Join-Path $env:ExchangeInstallPath '{facts.Definition.PhysicalPathSuffix}')"
        : Quote(facts.InstallRoot.TrimEnd('\\') + "\\" + facts.Definition.PhysicalPathSuffix);

    private static MapiAppPoolFinding Pass(string check, string message, object? expected, object? actual) =>
        new(check, CheckStatus.Pass, MapiHttpCause.None, message, null, expected, actual);

    private static bool Same(string? a, string? b) => string.Equals(a?.Trim(), b?.Trim(), StringComparison.OrdinalIgnoreCase);

    private static bool PathEndsWith(string? path, string suffix)
    {
        string normalized = (path ?? string.Empty).Replace('/', '\\').TrimEnd('\\');
        return normalized.EndsWith("\\" + suffix, StringComparison.OrdinalIgnoreCase);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''") + "'";

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

    private static string Safe(string? text) => DisplayText.Safe(text);
}
