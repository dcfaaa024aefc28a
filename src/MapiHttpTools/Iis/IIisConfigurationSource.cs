using System.Collections.Generic;

namespace MapiHttpTools.Iis;

/// <summary>
/// The IIS facts the MAPI checks need. A live implementation reads them through Microsoft.Web.Administration on
/// an IIS host; a file implementation parses an applicationHost.config. Checks never know which one they got.
/// </summary>
internal interface IIisConfigurationSource
{
    /// <summary>Where the facts come from, for evidence: a file path or "live IIS on EX01".</summary>
    string Description { get; }

    /// <summary>The server the facts describe, where the source knows it.</summary>
    string? MachineName { get; }

    /// <summary>The effective pool configuration, or null when the pool does not exist.</summary>
    AppPoolConfig? GetApplicationPool(string name);

    /// <summary>The application at <paramref name="applicationPath"/> ("/mapi") of a site, or null when it does not exist.</summary>
    ApplicationConfig? GetApplication(string siteName, string applicationPath);

    /// <summary>Every application of every site (to find the Exchange install folder from its neighbours).</summary>
    IReadOnlyList<ApplicationConfig> GetApplications();

    /// <summary>The site, or null when it does not exist.</summary>
    SiteConfig? GetSite(string siteName);

    /// <summary>The effective authentication, SSL and Extended Protection settings at a location path ("Default Web Site/mapi").</summary>
    LocationSecurity GetSecurity(string locationPath);

    /// <summary>Runtime state and worker processes of a pool; unknown (with the reason) where the source cannot see them.</summary>
    RuntimeFacts GetApplicationPoolRuntime(string name);

    /// <summary>Runtime state of a site; unknown (with the reason) where the source cannot see it.</summary>
    RuntimeFacts GetSiteRuntime(string siteName);
}
