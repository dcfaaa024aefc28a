using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Exchange;

namespace MapiHttpTools.Diagnostics;

/// <summary>
/// One server, one name (issue 11, DESIGN "A server has one identity"): the Exchange servers of a run, so that
/// "EX01", "ex01.contoso.lab" and "EX01.contoso.lab" (what a health page answers) are all EX01, and a name that
/// is none of them (a load-balanced namespace) is never taken for a server.
/// </summary>
internal sealed class ServerInventory
{
    private readonly Dictionary<string, ExchangeServerFacts> _byName = new(StringComparer.OrdinalIgnoreCase);

    public ServerInventory(IEnumerable<ExchangeServerFacts> servers)
    {
        foreach (ExchangeServerFacts server in servers)
        {
            _byName[server.Name] = server;
            if (!string.IsNullOrEmpty(server.Fqdn) && !_byName.ContainsKey(server.Fqdn!))
            {
                _byName[server.Fqdn!] = server;
            }
        }
    }

    /// <summary>No servers known: names are taken as given (results built without a configuration run).</summary>
    public static ServerInventory Empty { get; } = new(Array.Empty<ExchangeServerFacts>());

    public bool IsEmpty => _byName.Count == 0;

    /// <summary>The server with this name or FQDN (or whose FQDN's first label is the name); null when none.</summary>
    public ExchangeServerFacts? Find(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        if (_byName.TryGetValue(name!, out ExchangeServerFacts? server))
        {
            return server;
        }

        int dot = name!.IndexOf('.');
        return dot > 0 && _byName.TryGetValue(name.Substring(0, dot), out server) && server.Fqdn is null ? server : null;
    }

    /// <summary>The Exchange name for a name or FQDN; without an inventory, the name as given; null for anything else.</summary>
    public string? ExchangeName(string? name) => IsEmpty ? (string.IsNullOrEmpty(name) ? null : name) : Find(name)?.Name;

    /// <summary>The FQDN to connect to (or to name in a command run on the server): the FQDN, else the name.</summary>
    public string HostOf(string exchangeName) => Find(exchangeName)?.Fqdn ?? exchangeName;

    public IEnumerable<string> Fqdns => _byName.Values.Select(s => s.Fqdn ?? s.Name).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase);
}
