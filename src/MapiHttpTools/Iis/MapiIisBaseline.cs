using System;
using System.Collections.Generic;

namespace MapiHttpTools.Iis;

/// <summary>A MAPI application pool and what it serves.</summary>
internal sealed record MapiPoolDefinition(string Name, string Serves);

/// <summary>A MAPI application and its known-good settings.</summary>
internal sealed record MapiApplicationDefinition(
    string SiteName,
    string ApplicationPath,
    string ApplicationPool,
    string PhysicalPathSuffix,
    string SslFlags,
    int HttpsPort,
    bool FrontEnd)
{
    /// <summary>The location path IIS uses for it: "Default Web Site/mapi".</summary>
    public string LocationPath => SiteName + ApplicationPath;
}

/// <summary>
/// The known-good MAPI over HTTP configuration of Exchange 2016/2019/SE in IIS (docs/design.md, checked against the
/// real Exchange 2019 applicationHost.config in the CSS-Exchange fixtures).
/// </summary>
internal static class MapiIisBaseline
{
    public const string FrontEndPool = "MSExchangeMapiFrontEndAppPool";
    public const string MailboxPool = "MSExchangeMapiMailboxAppPool";
    public const string AddressBookPool = "MSExchangeMapiAddressBookAppPool";

    public const string ManagedRuntimeVersion = "v4.0";
    public const string ManagedPipelineMode = "Integrated";
    public const string IdentityType = "LocalSystem";
    public const long MinimumQueueLength = 1000;

    /// <summary>Extended Protection that Microsoft's guidance (and the design) expect on every MAPI application.</summary>
    public const string ExtendedProtection = "Require";

    /// <summary>
    /// What to do when Extended Protection is not Require (issue 11): Microsoft's server-wide procedure, never a
    /// per-location tokenChecking edit. The script checks the prerequisites itself with -PrerequisitesCheckOnly.
    /// </summary>
    public const string ExtendedProtectionRecommendation =
        "Enable Extended Protection server-wide with Microsoft's ExchangeExtendedProtectionManagement.ps1 (https://microsoft.github.io/CSS-Exchange/Security/ExchangeExtendedProtectionManagement/) " +
        "once its prerequisites hold: a supported Exchange build with a current Security Update, the same TLS configuration on every Exchange server, " +
        "and no SSL offloading or TLS-terminating load balancer in front of the virtual directories; " +
        "check first with .\\ExchangeExtendedProtectionManagement.ps1 -PrerequisitesCheckOnly";

    public static readonly IReadOnlyList<MapiPoolDefinition> Pools = new[]
    {
        new MapiPoolDefinition(FrontEndPool, "Default Web Site/mapi (front end)"),
        new MapiPoolDefinition(MailboxPool, "Exchange Back End/mapi/emsmdb (mailbox)"),
        new MapiPoolDefinition(AddressBookPool, "Exchange Back End/mapi/nspi (address book)"),
    };

    /// <summary>
    /// The three applications. sslFlags: "Ssl, Ssl128" on the front end (design and fixture); "Ssl" on the back end,
    /// which is what Exchange 2019 setup writes (the fixture), the design naming no value there.
    /// </summary>
    public static readonly IReadOnlyList<MapiApplicationDefinition> Applications = new[]
    {
        new MapiApplicationDefinition("Default Web Site", "/mapi", FrontEndPool, @"FrontEnd\HttpProxy\mapi", "Ssl, Ssl128", 443, FrontEnd: true),
        new MapiApplicationDefinition("Exchange Back End", "/mapi/emsmdb", MailboxPool, @"ClientAccess\mapi\emsmdb", "Ssl", 444, FrontEnd: false),
        new MapiApplicationDefinition("Exchange Back End", "/mapi/nspi", AddressBookPool, @"ClientAccess\mapi\nspi", "Ssl", 444, FrontEnd: false),
    };

    /// <summary>The pool a piece of text (event message, insertion string, provider name) is about, if any.</summary>
    public static string? PoolNamedIn(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        foreach (MapiPoolDefinition pool in Pools)
        {
            if (text!.IndexOf(pool.Name, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return pool.Name;
            }
        }

        return null;
    }
}
