using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Kerberos;

/// <summary>
/// Who holds HTTP/&lt;namespace&gt; in Active Directory: the accounts found, where they were looked up, and the NetBIOS domain
/// setspn's commands most likely take. <see cref="UnavailableReason"/> says why nothing was looked up.
/// </summary>
internal sealed record SpnFacts(string ServicePrincipalName, IReadOnlyList<SpnAccount> Accounts, string Source, string? DomainHint, string? UnavailableReason = null)
{
    public static SpnFacts Unavailable(string spn, string reason) => new(spn, Array.Empty<SpnAccount>(), "nothing", null, reason);
}

/// <summary>
/// The Kerberos side of MAPI/HTTP behind a load-balanced namespace (issue 14), facts in and findings out (issue 12):
/// HTTP/&lt;namespace&gt; must sit on exactly one account, the Alternate Service Account that every Client Access server
/// holds. Missing: Warning (Outlook falls back to NTLM). On two accounts, or on a computer account while the servers use an
/// ASA: Fail, Authentication. ASA on some servers only: Fail. Each fix is the exact setspn or
/// RollAlternateServiceAccountPassword.ps1 step.
/// </summary>
internal static class KerberosJudgement
{
    public const string AsaCheck = "AlternateServiceAccount";
    public const string SpnCheck = "KerberosSpn";

    // $exscripts is the Exchange Scripts folder in the Exchange Management Shell.
    private const string Script = @"cd $exscripts; .\RollAlternateServiceAccountPassword.ps1";

    /// <summary>Whether every Client Access server holds the same ASA.</summary>
    public static ConfigurationFinding AlternateServiceAccount(AsaInventory asa)
    {
        if (asa.UnavailableReason is { } reason)
        {
            return Asa(CheckStatus.Skipped, MapiHttpCause.None, $"The Alternate Service Account of the Client Access servers was not read: {reason}.", asa, null,
                $"{AlternateServiceAccountReader.Command} | Export-Clixml cas.xml; then Test-MapiHttpAuthentication -ClientAccessServicePath cas.xml");
        }

        IReadOnlyList<ClientAccessAsaFacts> known = asa.Known;
        string[] notRead = asa.Servers.Where(s => s.State == AsaState.NotRead).Select(s => Safe(s.Server)).ToArray();
        if (known.Count == 0)
        {
            return Asa(CheckStatus.Skipped, MapiHttpCause.None,
                $"AlternateServiceAccountConfiguration of {List(notRead)} is empty in {asa.Source}: Get-ClientAccessService ran without -IncludeAlternateServiceAccountCredentialStatus, so whether the servers hold an Alternate Service Account is unknown.",
                asa, null, $"{AlternateServiceAccountReader.Command} | Export-Clixml cas.xml; then Test-MapiHttpAuthentication -ClientAccessServicePath cas.xml");
        }

        string unread = notRead.Length == 0 ? string.Empty : $" ({List(notRead)} not read: exported without -IncludeAlternateServiceAccountCredentialStatus)";
        ClientAccessAsaFacts[] with = known.Where(s => s.State == AsaState.Set).ToArray();
        ClientAccessAsaFacts[] without = known.Where(s => s.State == AsaState.NotSet).ToArray();
        if (with.Length == 0)
        {
            return Asa(CheckStatus.Pass, MapiHttpCause.None,
                $"No Client Access server holds an Alternate Service Account ({List(without.Select(s => Safe(s.Server)))}){unread}: Kerberos to a namespace served by several servers needs one (see the {SpnCheck} result).",
                asa, "<Not set>", null);
        }

        string account = asa.Account!;
        string[] all = known.Select(s => s.Server).ToArray();
        string roll = $"{Script} -ToSpecificServers {string.Join(", ", all)} -GenerateNewPasswordFor {PowerShellText(account)}";
        if (without.Length > 0)
        {
            return Asa(CheckStatus.Fail, MapiHttpCause.Authentication,
                $"{List(with.Select(s => Safe(s.Server)))} {(with.Length == 1 ? "holds" : "hold")} the Alternate Service Account {Safe(account)}, {List(without.Select(s => Safe(s.Server)))} {(without.Length == 1 ? "does" : "do")} not{unread}: " +
                $"Kerberos tickets for the namespace fail on {List(without.Select(s => Safe(s.Server)))} whenever the load balancer sends a client there.",
                asa, Safe(account), roll);
        }

        ClientAccessAsaFacts[] other = with.Where(s => !string.Equals(s.Latest, account, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (other.Length > 0)
        {
            return Asa(CheckStatus.Fail, MapiHttpCause.Authentication,
                $"The Client Access servers hold different Alternate Service Accounts: {string.Join(", ", with.Select(s => $"{Safe(s.Server)} {Safe(s.Latest)}"))}{unread}: " +
                "only one account can hold the namespace's HTTP SPN, so Kerberos fails on the servers with the other.",
                asa, string.Join(", ", with.Select(s => Safe(s.Latest)).Distinct(StringComparer.OrdinalIgnoreCase)), roll);
        }

        return Asa(CheckStatus.Pass, MapiHttpCause.None,
            $"Every Client Access server read ({List(with.Select(s => Safe(s.Server)))}) holds the Alternate Service Account {Safe(account)}{unread}.", asa, Safe(account), null);
    }

    /// <summary>
    /// Whether HTTP/<paramref name="host"/> sits on exactly the right account. <paramref name="servers"/> are the Client
    /// Access servers' Exchange names beside the ASA inventory's; <paramref name="serverFqdns"/> their FQDNs, where known.
    /// </summary>
    public static ConfigurationFinding Spn(string host, SpnFacts spn, AsaInventory asa, IReadOnlyList<string> servers, IReadOnlyList<string>? serverFqdns = null)
    {
        string name = spn.ServicePrincipalName;
        if (spn.UnavailableReason is { } reason)
        {
            return Result(CheckStatus.Skipped, MapiHttpCause.None, host, $"{Safe(name)} was not looked up: {reason}.", spn, asa, null,
                $"On a domain-joined machine: setspn -Q {name} > spn.txt; setspn -X >> spn.txt; then Test-MapiHttpAuthentication -Namespace {host} -SetspnOutputPath spn.txt");
        }

        string? asaAccount = asa.Account;
        bool? anyAsa = asa.AnySet;
        string domain = DomainOf(asaAccount) ?? spn.DomainHint ?? "<DOMAIN>";
        string[] serverNames = servers.Concat(asa.Servers.Select(s => s.Server)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        IReadOnlyList<SpnAccount> accounts = spn.Accounts;
        string target = $"{Account(serverNames.FirstOrDefault() ?? "<server>", domain, computer: true)}";

        if (accounts.Count == 0)
        {
            // A URL that names a server itself (not load-balanced) is covered by that computer's HOST/ SPN.
            string? self = asa.Servers.FirstOrDefault(s => string.Equals(s.Fqdn, host, StringComparison.OrdinalIgnoreCase))?.Server
                           ?? serverFqdns?.FirstOrDefault(f => string.Equals(f, host, StringComparison.OrdinalIgnoreCase));
            if (self is not null)
            {
                return Result(CheckStatus.Pass, MapiHttpCause.None, host,
                    $"No account holds {Safe(name)} explicitly, but {Safe(host)} is the server {Safe(self)} itself: its computer account's HOST/{Safe(host)} covers HTTP.", spn, asa, null, null);
            }

            string fix = asaAccount is not null
                ? $"setspn -S {name} {asaAccount}"
                : serverNames.Length == 1
                    ? $"setspn -S {name} {target}"
                    : $"{Script} -ToSpecificServers {string.Join(", ", serverNames)} -GenerateNewPasswordFor '{domain}\\<ASA computer account>$'; then setspn -S {name} {domain}\\<ASA computer account>$";
            return Result(CheckStatus.Warning, MapiHttpCause.Authentication, host,
                $"No account holds {Safe(name)} ({spn.Source}): Outlook gets no Kerberos ticket for {Safe(host)} and falls back to NTLM.", spn, asa, "(none)", fix);
        }

        string shown = string.Join("; ", accounts.Select(a => Safe(a.DistinguishedName)));
        SpnAccount? asaHolder = asaAccount is null ? null : accounts.FirstOrDefault(a => IsAccount(a, asaAccount));
        if (accounts.Count > 1)
        {
            SpnAccount keep = asaHolder ?? accounts.FirstOrDefault(a => !IsExchangeComputer(a, serverNames)) ?? accounts[0];
            var steps = accounts.Where(a => !ReferenceEquals(a, keep)).Select(a => $"setspn -D {name} {Qualified(a, domain, serverNames, asaAccount)}").ToList();
            if (asaAccount is not null && asaHolder is null)
            {
                steps.Add($"setspn -D {name} {Qualified(keep, domain, serverNames, asaAccount)}");
                steps.Add($"setspn -S {name} {asaAccount}");
            }

            return Result(CheckStatus.Fail, MapiHttpCause.Authentication, host,
                $"{Safe(name)} is registered on {accounts.Count} accounts ({shown}): a duplicate SPN, so the KDC cannot tell whose key to use and Kerberos to {Safe(host)} fails.",
                spn, asa, shown, string.Join("; ", steps));
        }

        SpnAccount only = accounts[0];
        string holder = Qualified(only, domain, serverNames, asaAccount);
        if (asaHolder is not null)
        {
            return Result(CheckStatus.Pass, MapiHttpCause.None, host,
                $"{Safe(name)} is registered on {Safe(holder)} only, the Alternate Service Account the Client Access servers hold.", spn, asa, Safe(holder), null);
        }

        bool exchangeComputer = IsExchangeComputer(only, serverNames);
        if (anyAsa == true)
        {
            string what = exchangeComputer ? $"the computer account of {Safe(only.Name)}" : Safe(holder);
            return Result(CheckStatus.Fail, MapiHttpCause.Authentication, host,
                $"{Safe(name)} is registered on {what}, not on the Alternate Service Account {Safe(asaAccount)} the Client Access servers use: clients get tickets they cannot present to the other servers, and Kerberos to {Safe(host)} fails.",
                spn, asa, Safe(holder), $"setspn -D {name} {holder}; setspn -S {name} {asaAccount}");
        }

        if (anyAsa == false)
        {
            if (exchangeComputer && serverNames.Length <= 1)
            {
                return Result(CheckStatus.Pass, MapiHttpCause.None, host,
                    $"{Safe(name)} is registered on {Safe(holder)} only, the computer account of the one Client Access server: Kerberos to {Safe(host)} works without an Alternate Service Account.", spn, asa, Safe(holder), null);
            }

            if (exchangeComputer)
            {
                return Result(CheckStatus.Fail, MapiHttpCause.Authentication, host,
                    $"{Safe(name)} is registered on the computer account of {Safe(only.Name)}, but {serverNames.Length} Client Access servers ({List(serverNames.Select(Safe))}) serve {Safe(host)} without an Alternate Service Account: tickets only open on {Safe(only.Name)}, Kerberos fails on the others.",
                    spn, asa, Safe(holder),
                    $"{Script} -ToSpecificServers {string.Join(", ", serverNames)} -GenerateNewPasswordFor '{domain}\\<ASA computer account>$'; setspn -D {name} {holder}; setspn -S {name} {domain}\\<ASA computer account>$");
            }

            return Result(CheckStatus.Fail, MapiHttpCause.Authentication, host,
                $"{Safe(name)} is registered on {Safe(holder)}, but no Client Access server holds it as Alternate Service Account: Exchange cannot open the Kerberos tickets clients get for {Safe(host)}.",
                spn, asa, Safe(holder), $"{Script} -ToSpecificServers {string.Join(", ", serverNames)} -GenerateNewPasswordFor {PowerShellText(holder)}");
        }

        return Result(CheckStatus.Pass, MapiHttpCause.None, host,
            $"{Safe(name)} is registered on {Safe(holder)} only; whether that is the servers' Alternate Service Account was not read.", spn, asa, Safe(holder),
            $"{AlternateServiceAccountReader.Command} | Export-Clixml cas.xml; then Test-MapiHttpAuthentication -Namespace {host} -ClientAccessServicePath cas.xml");
    }

    /// <summary>Whether the AD account is <paramref name="qualified"/> (DOMAIN\user): by sAMAccountName where known, else by its CN.</summary>
    public static bool IsAccount(SpnAccount account, string qualified)
    {
        string user = qualified.Substring(qualified.IndexOf('\\') + 1);
        return account.SamAccountName is { } sam
            ? string.Equals(sam, user, StringComparison.OrdinalIgnoreCase)
            : string.Equals(account.Name, user.TrimEnd('$'), StringComparison.OrdinalIgnoreCase) || string.Equals(account.Name, user, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An Exchange server's own computer account: named as a Client Access server, or holding Exchange's own SPNs.</summary>
    public static bool IsExchangeComputer(SpnAccount account, IReadOnlyList<string> servers) =>
        account.IsComputer != false &&
        (servers.Any(s => string.Equals(ServerNameMatch.ShortName(s), account.Name, StringComparison.OrdinalIgnoreCase)) ||
         account.ServicePrincipalNames.Any(s => s.StartsWith("exchangeMDB/", StringComparison.OrdinalIgnoreCase) || s.StartsWith("exchangeRFR/", StringComparison.OrdinalIgnoreCase) || s.StartsWith("exchangeAB/", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The account as setspn takes it: DOMAIN\sAMAccountName, DOMAIN\NAME$ for a computer.</summary>
    private static string Qualified(SpnAccount account, string domain, IReadOnlyList<string> servers, string? asa)
    {
        string accountDomain = DomainOf(asa) ?? DistinguishedNames.NetbiosGuess(account.DistinguishedName) ?? domain;
        if (account.SamAccountName is { } sam)
        {
            return Quoted($"{accountDomain}\\{sam}");
        }

        if (asa is not null && IsAccount(account, asa))
        {
            return Quoted(asa);
        }

        return Account(account.Name, accountDomain, account.IsComputer == true || IsExchangeComputer(account, servers));
    }

    private static string Account(string name, string domain, bool computer) => Quoted($"{domain}\\{name}{(computer && !name.EndsWith("$", StringComparison.Ordinal) ? "$" : string.Empty)}");

    private static string Quoted(string account) => account.IndexOf(' ') >= 0 ? $"\"{account}\"" : account;

    private static string PowerShellText(string account) => Exchange.PowerShellText.Quote(account.Trim('"'));

    private static string? DomainOf(string? qualified) => qualified is null || qualified.IndexOf('\\') <= 0 ? null : qualified.Substring(0, qualified.IndexOf('\\'));

    private static string Safe(string? text) => DisplayText.Safe(text);

    private static string List(IEnumerable<string> items) => CheckText.List(items);

    private static ConfigurationFinding Asa(CheckStatus status, MapiHttpCause cause, string message, AsaInventory asa, string? value, string? recommendation) =>
        new ConfigurationFinding(AsaCheck, ConfigurationArea.Authentication, status, cause, message)
        {
            Target = "Client Access servers",
            Property = "AlternateServiceAccountConfiguration",
            Value = value,
            // Account names and DNs come from AD, files and Exchange: control characters made visible here too.
            Recommendation = recommendation is null ? null : DisplayText.Safe(recommendation, 4096),
            Evidence = CheckText.Evidence(
                ("Source", asa.Source),
                ("Servers", asa.Servers.Select(s => $"{Safe(s.Server)}: {(s.State == AsaState.NotRead ? "not read" : Safe(s.Latest) is { Length: > 0 } a ? a : "<Not set>")}").ToArray())),
        };

    private static ConfigurationFinding Result(CheckStatus status, MapiHttpCause cause, string host, string message, SpnFacts spn, AsaInventory asa, string? value, string? recommendation) =>
        new ConfigurationFinding(SpnCheck, ConfigurationArea.Authentication, status, cause, message)
        {
            Target = host,
            Identity = spn.ServicePrincipalName,
            Property = "servicePrincipalName",
            Value = value,
            ExpectedValue = asa.Account,
            // Account names and DNs come from AD, files and Exchange: control characters made visible here too.
            Recommendation = recommendation is null ? null : DisplayText.Safe(recommendation, 4096),
            Evidence = CheckText.Evidence(
                ("ServicePrincipalName", spn.ServicePrincipalName),
                ("Accounts", spn.Accounts.Select(a => Safe(a.DistinguishedName)).ToArray()),
                ("AlternateServiceAccount", asa.Account is null ? null : Safe(asa.Account)),
                ("SpnSource", spn.Source),
                ("AsaSource", asa.UnavailableReason is null ? asa.Source : "not read: " + asa.UnavailableReason)),
        };
}
