using System;
using System.Threading;

namespace MapiHttpTools.Repair;

/// <summary>
/// The IIS side of a repair on one server: authentication of the /mapi location, the MAPI pools, iisreset.
/// A live implementation binds Microsoft.Web.Administration at run time (<see cref="LiveIisRepairTarget"/>);
/// tests inject a recording stand-in through <see cref="Infrastructure.ModuleServices.IisRepairTargetFactory"/>.
/// </summary>
internal interface IIisRepairTarget : IDisposable
{
    /// <summary>Where the changes go, for messages: "live IIS on EX01".</summary>
    string Description { get; }

    /// <summary>The effective Windows and anonymous authentication of a location ("Default Web Site/mapi").</summary>
    IisAuthenticationFacts ReadAuthentication(string location);

    /// <summary>Sets system.webServer/security/authentication/<paramref name="section"/> enabled at the location and commits.</summary>
    void SetAuthenticationEnabled(string location, string section, bool enabled);

    /// <summary>Runtime state of a pool (Started, Stopped, ...), or null when the pool does not exist.</summary>
    string? GetAppPoolState(string pool);

    void StartAppPool(string pool);

    void StopAppPool(string pool);

    /// <summary>Recycles a running pool (Restart-WebAppPool).</summary>
    void RecycleAppPool(string pool);

    /// <summary>iisreset /noforce; waits for it within the token.</summary>
    void ResetIis(CancellationToken cancellation);
}
