using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Xml;
using MapiHttpTools.Exchange;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Infrastructure.Clixml;

namespace MapiHttpTools.Kerberos;

/// <summary>What Get-ClientAccessService said about one server's Alternate Service Account.</summary>
internal enum AsaState
{
    /// <summary>AlternateServiceAccountConfiguration is empty: Get-ClientAccessService ran without -IncludeAlternateServiceAccountCredentialStatus.</summary>
    NotRead,

    /// <summary>"Latest: &lt;Not set&gt;": the server has no ASA credential.</summary>
    NotSet,

    /// <summary>The server holds at least one ASA credential.</summary>
    Set,
}

/// <summary>One Client Access server's ASA: its credentials' accounts, latest first, as DOMAIN\user.</summary>
internal sealed record ClientAccessAsaFacts(string Server, string? Fqdn, AsaState State, IReadOnlyList<string> Accounts, string? Text)
{
    /// <summary>The account Exchange uses now: the latest credential's.</summary>
    public string? Latest => Accounts.Count > 0 ? Accounts[0] : null;
}

/// <summary>Every Client Access server's ASA, or why they could not be read (issue 14).</summary>
internal sealed record AsaInventory(IReadOnlyList<ClientAccessAsaFacts> Servers, string Source, string? UnavailableReason = null)
{
    public static AsaInventory Unavailable(string reason) => new(Array.Empty<ClientAccessAsaFacts>(), "nothing", reason);

    /// <summary>The servers whose state was read.</summary>
    public IReadOnlyList<ClientAccessAsaFacts> Known => Servers.Where(s => s.State != AsaState.NotRead).ToArray();

    /// <summary>The ASA account most servers use now; null when none has one or nothing was read.</summary>
    public string? Account => Known.Where(s => s.Latest is not null)
        .GroupBy(s => s.Latest!, StringComparer.OrdinalIgnoreCase)
        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
        .Select(g => g.First().Latest).FirstOrDefault();

    /// <summary>True when some server holds an ASA, false when every server read holds none, null when none was read.</summary>
    public bool? AnySet => Known.Count == 0 ? null : Known.Any(s => s.State == AsaState.Set);

    /// <summary>For the three-sided comparison of one server: whether it has an ASA, null when unknown.</summary>
    public bool? ConfiguredOn(string? server)
    {
        ClientAccessAsaFacts? facts = server is null ? null : Servers.FirstOrDefault(s => ServerNameMatch.Same(s, server));
        return facts?.State switch
        {
            AsaState.Set => true,
            AsaState.NotSet => false,
            _ => AnySet == true && Known.All(k => k.State == AsaState.Set) ? true : null,
        };
    }
}

/// <summary>
/// Reads Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus objects (issue 14), live or from
/// Export-Clixml, as property bags. AlternateServiceAccountConfiguration arrives in three shapes: $null when the switch
/// was not given; an object whose EffectiveCredentials lists credentials (objects with Domain/UserName/QualifiedUserName,
/// or their ToString text "1/12/2015 10:19:22 AM, CONTOSO\EXCH-ASA$" once nesting is deeper than the serialization
/// depth); or only its ToString text, "Latest: 1/12/2015 10:19:22 AM, CONTOSO\EXCH-ASA$" then "Previous: &lt;Not set&gt;".
/// </summary>
internal static class AlternateServiceAccountReader
{
    /// <summary>The largest Get-ClientAccessService export read (documented in the help): a few KB per server.</summary>
    public const long MaxBytes = 32L * 1024 * 1024;

    /// <summary>The command that reads what this class reads, for messages and the live read.</summary>
    public const string Command = "Get-ClientAccessService -IncludeAlternateServiceAccountCredentialStatus";

    private static readonly Regex Account = new(@"(?<account>[^\s,\\<>]*\\[^\s,\\<>]+)\s*$", RegexOptions.CultureInvariant);
    private static readonly Regex Latest = new(@"Latest:\s*(?<value>.*?)\s*(?:Previous:|$)", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.IgnoreCase);
    private static readonly Regex Previous = new(@"Previous:\s*(?<value>.*?)\s*$", RegexOptions.CultureInvariant | RegexOptions.Singleline | RegexOptions.IgnoreCase);

    /// <summary>Reads an Export-Clixml file of Get-ClientAccessService. Throws InputFileException, FileNotFoundException or InvalidDataException.</summary>
    public static AsaInventory ReadFile(string path, CancellationToken cancellation)
    {
        IReadOnlyList<object?> items;
        try
        {
            items = ClixmlReader.ReadFile(path, "an Export-Clixml of Get-ClientAccessService", MaxBytes);
        }
        catch (Exception ex) when (ex is ClixmlException or XmlException)
        {
            throw new InvalidDataException($"'{DisplayText.Safe(path)}' is not an Export-Clixml file: {DisplayText.Safe(ex.Message)}", ex);
        }

        var servers = new List<ClientAccessAsaFacts>();
        int index = 0;
        foreach (object? item in Flatten(items))
        {
            cancellation.ThrowIfCancellationRequested();
            index++;
            PSObject obj = item as PSObject ?? PSObject.AsPSObject(item!);
            if (ExchangeValues.Text(obj, "Name") is null && ExchangeValues.Text(obj, "Fqdn") is null)
            {
                throw new InvalidDataException($"'{DisplayText.Safe(path)}': object {index} has neither Name nor Fqdn; export it with {Command} | Export-Clixml <path>.");
            }

            if (obj.Properties["AlternateServiceAccountConfiguration"] is null)
            {
                throw new InvalidDataException($"'{DisplayText.Safe(path)}': object {index} ({DisplayText.Safe(ExchangeValues.Text(obj, "Name"))}) has no AlternateServiceAccountConfiguration property: it is not Get-ClientAccessService output. Export it with {Command} | Export-Clixml <path>.");
            }

            servers.Add(Read(obj));
        }

        if (servers.Count == 0)
        {
            throw new InvalidDataException($"'{DisplayText.Safe(path)}' holds no Client Access server; export them with {Command} | Export-Clixml <path>.");
        }

        return new AsaInventory(servers, $"the export {DisplayText.Safe(path)}");
    }

    /// <summary>One server's ASA from its Get-ClientAccessService object.</summary>
    public static ClientAccessAsaFacts Read(PSObject server)
    {
        string name = ExchangeValues.Text(server, "Name") ?? ExchangeValues.Text(server, "Identity") ?? ExchangeValues.Text(server, "Fqdn") ?? "(unnamed)";
        string? fqdn = ExchangeValues.Text(server, "Fqdn");
        object? raw = ExchangeValues.Raw(server, "AlternateServiceAccountConfiguration");
        if (raw is null)
        {
            return new ClientAccessAsaFacts(name, fqdn, AsaState.NotRead, Array.Empty<string>(), null);
        }

        string text = raw is PSObject pso ? ClixmlText(pso) : raw.ToString() ?? string.Empty;
        var accounts = new List<string>();
        if (raw is PSObject bag && ExchangeValues.Raw(bag, "EffectiveCredentials") is { } credentials)
        {
            foreach (object? credential in Items(credentials))
            {
                if (CredentialAccount(credential) is { } account)
                {
                    accounts.Add(account);
                }
            }
        }

        if (accounts.Count == 0)
        {
            foreach (Regex part in new[] { Latest, Previous })
            {
                Match match = part.Match(text);
                if (match.Success && AccountIn(match.Groups["value"].Value) is { } account)
                {
                    accounts.Add(account);
                }
            }
        }

        return new ClientAccessAsaFacts(name, fqdn, accounts.Count > 0 ? AsaState.Set : AsaState.NotSet, accounts, string.IsNullOrWhiteSpace(text) ? null : text.Trim());
    }

    private static string? CredentialAccount(object? credential)
    {
        switch (credential)
        {
            case null:
                return null;
            case PSObject obj when obj.BaseObject is string s:
                return AccountIn(s);
            case PSObject obj:
                string? qualified = ExchangeValues.Text(obj, "QualifiedUserName");
                string? user = ExchangeValues.Text(obj, "UserName");
                return qualified ?? (user is null ? AccountIn(obj.ToString()) : $"{ExchangeValues.Text(obj, "Domain")}\\{user}");
            case string s:
                return AccountIn(s);
            default:
                return AccountIn(credential.ToString() ?? string.Empty);
        }
    }

    /// <summary>"CONTOSO\EXCH-ASA$" out of "1/12/2015 10:19:22 AM, CONTOSO\EXCH-ASA$"; null for "&lt;Not set&gt;".</summary>
    private static string? AccountIn(string text)
    {
        string line = text.Split('\n')[0].Trim();
        Match match = Account.Match(line);
        return match.Success ? match.Groups["account"].Value : null;
    }

    private static string ClixmlText(PSObject obj) => obj is ClixmlObject clixml ? clixml.OriginalText ?? string.Empty : obj.ToString();

    private static IEnumerable<object?> Items(object value)
    {
        object inner = value is PSObject pso ? pso.BaseObject : value;
        if (inner is IEnumerable list and not string)
        {
            foreach (object? item in list)
            {
                yield return item;
            }
        }
        else
        {
            yield return value;
        }
    }

    /// <summary>Export-Clixml writes one object per server; a PSSerializer.Serialize(@(...)) file holds one list.</summary>
    private static IEnumerable<object?> Flatten(IReadOnlyList<object?> items)
    {
        foreach (object? item in items)
        {
            if (item is null)
            {
                continue;
            }

            object inner = item is PSObject pso ? pso.BaseObject : item;
            if (inner is IList list && (item is not PSObject bag || bag.Properties["Name"] is null))
            {
                foreach (object? element in list)
                {
                    if (element is not null)
                    {
                        yield return element;
                    }
                }
            }
            else
            {
                yield return item;
            }
        }
    }
}

/// <summary>Server names as Exchange gives them: the Exchange name (EX01) with the FQDN as an attribute.</summary>
internal static class ServerNameMatch
{
    public static bool Same(ClientAccessAsaFacts facts, string name) =>
        string.Equals(facts.Server, name, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(facts.Fqdn, name, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(ShortName(facts.Fqdn), name, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(facts.Server, ShortName(name), StringComparison.OrdinalIgnoreCase);

    public static string? ShortName(string? fqdn) => fqdn?.Split('.')[0];
}
