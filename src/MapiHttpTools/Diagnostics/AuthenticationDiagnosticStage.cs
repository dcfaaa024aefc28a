using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using MapiHttpTools.Exchange;
using MapiHttpTools.Kerberos;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// Test-MapiHttpAuthentication's checks inside Invoke-MapiHttpDiagnostic (issue 14), so the verdict can name
/// Authentication from the ASA, the HTTP SPN of each namespace and /mapi's three-sided comparison. The ASA was read on
/// the pipeline thread before the run; the namespaces and IISAuthenticationMethods come from the virtual directories the
/// configuration part read, the wire side from the endpoint stage's anonymous challenges. IIS is read only where it can
/// be: where it cannot, the IIS stage has already said why.
/// </summary>
internal sealed class AuthenticationDiagnosticStage
{
    private readonly AsaInventory _asa;
    private readonly ISpnSource _spn;
    private readonly Func<ExchangeServerFacts, IisSide?>? _iis;

    /// <param name="asa">Every Client Access server's ASA, or why it was not read.</param>
    /// <param name="spn">Active Directory, or its stand-in.</param>
    /// <param name="iis">/mapi's IIS side of one server, null where IIS cannot be read; null with -SkipIisCheck.</param>
    public AuthenticationDiagnosticStage(AsaInventory asa, ISpnSource spn, Func<ExchangeServerFacts, IisSide?>? iis)
    {
        _asa = asa;
        _spn = spn;
        _iis = iis;
    }

    public void Run(IReadOnlyList<ExchangeServerFacts> servers, IReadOnlyList<MapiVirtualDirectoryFacts> directories, IReadOnlyList<MapiHttpResult> collected, Action<MapiHttpResult> emit, CancellationToken cancellation)
    {
        ExchangeServerFacts[] clientAccess = servers.Where(s => !s.IsEdgeServer).ToArray();
        VirtualDirectorySide[] sides = directories
            .Select(d => AuthenticationFactReader.VirtualDirectory(d.Identity, d.Server, d.InternalUrl, d.ExternalUrl, d.IISAuthenticationMethods.Count == 0 ? null : d.IISAuthenticationMethods))
            .ToArray();
        IReadOnlyList<string> namespaces = MapiAuthenticationChecks.NamespacesOf(sides);
        var spns = new List<SpnFacts>();
        foreach (string host in namespaces)
        {
            cancellation.ThrowIfCancellationRequested();
            spns.Add(_spn.Lookup("HTTP/" + host));
        }

        var iis = new List<IisSide>();
        foreach (ExchangeServerFacts server in _iis is null ? Array.Empty<ExchangeServerFacts>() : clientAccess)
        {
            cancellation.ThrowIfCancellationRequested();
            if (_iis!(server) is { } side)
            {
                iis.Add(side);
            }
        }

        var facts = new AuthenticationFacts(
            namespaces,
            spns,
            _asa,
            clientAccess.Select(s => s.Name).ToArray(),
            sides,
            iis,
            MapiAuthenticationChecks.WireFrom(collected.OfType<MapiHttpEndpointResult>()))
        {
            ServerFqdns = clientAccess.Where(s => s.Fqdn is not null).Select(s => s.Fqdn!).ToArray(),
        };
        foreach (MapiHttpConfigurationResult result in MapiAuthenticationChecks.Judge(facts))
        {
            emit(result);
        }
    }

    /// <summary>
    /// /mapi's IIS side of one server, live: locally, or through ServerManager.OpenRemote by its FQDN. Null where IIS
    /// cannot be read here at all (not Windows, no IIS management), which the IIS stage reports once per server.
    /// </summary>
    public static IisSide? LiveIis(ExchangeServerFacts server)
    {
        if (Iis.LiveIisConfigurationSource.UnavailableReason() is not null)
        {
            return null;
        }

        bool local = string.Equals(server.Name, Environment.MachineName, StringComparison.OrdinalIgnoreCase);
        return AuthenticationFactReader.ReadIisLive(server.Name, local ? null : server.Fqdn ?? server.Name);
    }
}
