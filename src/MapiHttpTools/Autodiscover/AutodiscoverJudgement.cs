using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Autodiscover;

/// <summary>The steps of Test-MapiHttpAutodiscover; the values are the results' Check names.</summary>
internal static class AutodiscoverSteps
{
    public const string Candidate = "Candidate";
    public const string Dns = "Dns";
    public const string TcpConnect = "TcpConnect";
    public const string Tls = "Tls";
    public const string Challenge = "AnonymousRequest";
    public const string Request = "PoxRequest";
    public const string Redirect = "Redirect";
    public const string MapiHttp = "MapiHttp";
    public const string MapiEndpoint = "MapiEndpoint";
}

/// <summary>One ErrorCode of an Autodiscover error answer (MS-OXDSCLI 2.2.4.1.1.3.2) and what it points to.</summary>
internal sealed record PoxErrorRule(int Code, MapiHttpCause Cause, string Meaning, string Recommendation);

/// <summary>
/// What Exchange's configuration says about MAPI/HTTP for the mailbox, read with Get-OrganizationConfig and
/// Get-CASMailbox where those cmdlets exist; null values were not readable.
/// </summary>
internal sealed record MapiHttpConfiguration(bool? OrganizationMapiHttpEnabled, bool? MailboxMapiHttpEnabled, bool? MailboxMapiEnabled, string? MailboxIdentity);

/// <summary>A MAPI virtual directory's URLs (Get-MapiVirtualDirectory).</summary>
internal sealed record MapiVirtualDirectoryUrls(string Identity, string? InternalUrl, string? ExternalUrl);

/// <summary>What the probe found about a host named in the mapiHttp block: does it resolve, does the certificate it serves cover it.</summary>
internal sealed record MapiUrlHostFacts(string Host, int Port, bool Resolves, bool? CertificateCovers, IReadOnlyList<string> CertificateNames);

/// <summary>
/// Test-MapiHttpAutodiscover's judgement (issue 14): pure functions from what the hops showed to findings, as
/// <see cref="ProbeJudgement"/> is for /mapi (issue 12). Server text goes through <see cref="DisplayText.Safe"/>.
/// </summary>
internal static class AutodiscoverJudgement
{
    /// <summary>Outlook follows at most 10 redirects (docs/design.md); so does the probe.</summary>
    public const int MaxHops = 10;

    public const string AutodiscoverPool = "MSExchangeAutodiscoverAppPool";

    public static readonly IReadOnlyDictionary<int, PoxErrorRule> ErrorCodes = new[]
    {
        new PoxErrorRule(500, MapiHttpCause.Client, "the email address cannot be found: Autodiscover cannot tell how to configure it",
            "Check -EmailAddress: it must be the mailbox's PrimarySmtpAddress or a proxy address (Get-Mailbox <identity> | Format-List PrimarySmtpAddress,EmailAddresses)."),
        new PoxErrorRule(501, MapiHttpCause.NotEnabled, "bad address: Exchange knows the address, but it has no configuration options (no Outlook protocol is enabled for it)",
            "Get-CASMailbox <identity> | Format-List MAPIEnabled,MapiHttpEnabled,MAPIBlockOutlookRpcHttp; enable MAPI with Set-CASMailbox <identity> -MAPIEnabled $true"),
        new PoxErrorRule(600, MapiHttpCause.Network, "invalid request: the XML request arrived malformed, although the probe sends Outlook's request (something on the path altered it, or the URL is not an Outlook Autodiscover endpoint)",
            "Check the reverse proxy or load balancer rules for /autodiscover/*: they must pass POST bodies through unchanged."),
        new PoxErrorRule(601, MapiHttpCause.VirtualDirectory, "the Autodiscover server cannot provide configuration of the requested type (the Outlook provider is not available)",
            "Get-AutodiscoverVirtualDirectory | Format-List Identity,InternalUrl,ExternalUrl; check that the Outlook provider exists: Get-OutlookProvider"),
        new PoxErrorRule(602, MapiHttpCause.VirtualDirectory, "bad address: Exchange knows the address, but cannot provide its configuration because of configuration errors",
            "Get-OutlookProvider | Format-List; Get-MapiVirtualDirectory | Format-List Identity,InternalUrl,ExternalUrl; Get-OutlookAnywhere | Format-List Identity,InternalHostname,ExternalHostname"),
        new PoxErrorRule(603, MapiHttpCause.AppPool, "the Autodiscover server threw an internal error",
            $"Get-MapiAppPoolHealth; on the server that answered: Restart-WebAppPool -Name {AutodiscoverPool}; then read the Application event log of that server"),
    }.ToDictionary(r => r.Code);

    /// <summary>The anonymous POST: Exchange answers 401 with one WWW-Authenticate per enabled method.</summary>
    public static Finding Challenge(int status, IReadOnlyList<string> offered, bool answeredByHttpSys, string label)
    {
        if (status == 401)
        {
            return offered.Count == 0
                ? new Finding(CheckStatus.Fail, MapiHttpCause.Authentication, $"/autodiscover at {label} answers 401 without any WWW-Authenticate challenge: no client has a usable method.",
                    "Get-AutodiscoverVirtualDirectory | Format-List Identity,*Authentication*; enable Windows authentication on it: Set-AutodiscoverVirtualDirectory -Identity <identity> -WindowsAuthentication $true")
                : new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/autodiscover at {label} asks for authentication: {string.Join(", ", offered.Select(o => DisplayText.Safe(o)))}.");
        }

        if (status >= 200 && status < 300)
        {
            return new Finding(CheckStatus.Warning, MapiHttpCause.Authentication,
                $"/autodiscover at {label} answered an anonymous request ({status}): Exchange always asks Outlook to authenticate there, so something else answers or anonymous access is on.",
                "Get-AutodiscoverVirtualDirectory | Format-List Identity,*Authentication*; turn anonymous access off on the Autodiscover virtual directory in IIS.");
        }

        if (status is 301 or 302 or 303 or 307 or 308)
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/autodiscover at {label} redirects ({status}).");
        }

        return Status(status, "The anonymous POST to /autodiscover/autodiscover.xml", answeredByHttpSys, label);
    }

    /// <summary>A status Exchange's Autodiscover does not send to Outlook's POST.</summary>
    public static Finding Status(int status, string what, bool answeredByHttpSys, string label) => status switch
    {
        404 => new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, $"{what} at {label} answers 404: the Autodiscover virtual directory is missing, or this name is not an Exchange front end.",
            "Get-AutodiscoverVirtualDirectory | Format-List Server,Identity; publish /autodiscover on this name, or correct the DNS record or the SCP (Set-ClientAccessService -AutoDiscoverServiceInternalUri)."),
        503 when answeredByHttpSys => new Finding(CheckStatus.Fail, MapiHttpCause.AppPool, $"{what} at {label} answers 503 from HTTP.sys itself: the pool {AutodiscoverPool} is stopped.",
            $"On the server behind {label}: Start-WebAppPool -Name {AutodiscoverPool}"),
        500 or 503 => new Finding(CheckStatus.Fail, MapiHttpCause.AppPool, $"{what} at {label} answers {status}: the Autodiscover application fails on the server.",
            $"On the server behind {label}: Get-MapiAppPoolHealth; Restart-WebAppPool -Name {AutodiscoverPool}"),
        _ => new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"{what} at {label} answers {status}, which Exchange's Autodiscover does not send to Outlook: something on the path answers instead.",
            $"Check the load balancer or reverse proxy rules for /autodiscover/* in front of {label}."),
    };

    /// <summary>
    /// The authenticated POST. 401 after credentials went out is a rejection of them (or of the scheme); a POX error is
    /// judged by its code; a parsed answer passes here and is judged by <see cref="MapiHttpBlock"/>.
    /// </summary>
    public static Finding Answer(int status, string scheme, PoxResponse? response, string? formatError, bool truncated, bool answeredByHttpSys, string label)
    {
        if (status == 401)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.Authentication,
                $"/autodiscover at {label} rejected the credentials sent with {scheme} (401 again): the password is wrong, the account is locked or has no mailbox, or the server refuses {scheme}.",
                "Check the account (Get-User <account> | Format-List UserPrincipalName,RecipientTypeDetails; Get-ADUser <account> -Properties LockedOut,PasswordExpired), then the authentication methods of the Autodiscover virtual directory: Get-AutodiscoverVirtualDirectory | Format-List *Authentication*");
        }

        if (status is 301 or 302 or 303 or 307 or 308)
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/autodiscover at {label} answered {status}: an HTTP redirect.");
        }

        if (status != 200)
        {
            return Status(status, "The authenticated POX request", answeredByHttpSys, label);
        }

        if (response is null)
        {
            string why = truncated ? $"the answer is larger than {HttpWire.MaxBody / 1024} KB, which no Autodiscover answer is" : DisplayText.Safe(formatError ?? "it could not be read");
            return new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"/autodiscover at {label} answered 200, but not with an Autodiscover answer: {why}.",
                $"Check what answers /autodiscover/autodiscover.xml at {label} (a reverse proxy's or load balancer's own page, a captive portal): it must pass the request to Exchange.");
        }

        return response.Kind switch
        {
            PoxKind.Error => ErrorAnswer(response.ErrorCode, response.ErrorMessage, label),
            PoxKind.RedirectAddr => new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/autodiscover at {label} redirects to the address '{DisplayText.Safe(response.RedirectTarget)}' (redirectAddr)."),
            PoxKind.RedirectUrl => new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/autodiscover at {label} redirects to '{DisplayText.Safe(response.RedirectTarget)}' (redirectUrl)."),
            _ => new Finding(CheckStatus.Pass, MapiHttpCause.None, $"/autodiscover at {label} answered with settings{(response.DisplayName is { } name ? $" for '{DisplayText.Safe(name)}'" : string.Empty)}."),
        };
    }

    /// <summary>An &lt;Error&gt; answer: the code, its meaning in MS-OXDSCLI, and what to do.</summary>
    public static Finding ErrorAnswer(int? code, string? message, string label)
    {
        string said = message is null ? string.Empty : $" ('{DisplayText.Safe(message)}')";
        if (code is { } known && ErrorCodes.TryGetValue(known, out PoxErrorRule? rule))
        {
            return new Finding(CheckStatus.Fail, rule.Cause, $"/autodiscover at {label} answered error {known}{said}: {rule.Meaning}.", rule.Recommendation);
        }

        return new Finding(CheckStatus.Fail, MapiHttpCause.Network,
            $"/autodiscover at {label} answered error {(code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "without a code")}{said}, which MS-OXDSCLI does not define for Outlook.",
            $"Check what answers /autodiscover at {label}; on the Exchange server, the Autodiscover log under Logging\\Autodiscover.");
    }

    /// <summary>
    /// A redirect the answer asks for: followed while under <see cref="MaxHops"/> and never back to a (URL, address)
    /// already asked (a loop); a redirectUrl must be https (Outlook does not POST credentials to http).
    /// </summary>
    public static Finding Redirect(string kind, string? target, Uri? next, int hop, bool seenBefore)
    {
        string shown = DisplayText.Safe(target ?? string.Empty);
        if (string.IsNullOrWhiteSpace(target))
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, $"The answer asks for a {kind} but names no target: Outlook cannot follow it.",
                "Check the redirect configuration of the organisation (Get-RemoteDomain, the hybrid TargetAddress of the mailbox) and of the server that answered.");
        }

        if (kind != "redirectAddr" && (next is null || next.Scheme != Uri.UriSchemeHttps))
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, $"The {kind} to '{shown}' is not an https URL: Outlook does not send a mailbox request there.",
                "Make the redirect point at https://<namespace>/autodiscover/autodiscover.xml (the AutoDiscoverServiceInternalUri of Set-ClientAccessService, or the redirect rule of the web server).");
        }

        if (seenBefore)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, $"The {kind} to '{shown}' leads back to a request already made (hop {hop}): a redirect loop, so Outlook never gets settings.",
                "Find which hop sends clients back (the Evidence of each Redirect result) and correct that server's redirect (hybrid TargetAddress, an HTTP redirect rule, or the SCP).");
        }

        if (hop >= MaxHops)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory, $"The {kind} to '{shown}' would be hop {hop + 1}; Outlook gives up after {MaxHops} redirects.",
                "Shorten the redirect chain: point the SCP or DNS record at the Autodiscover endpoint that answers with settings.");
        }

        return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Following the {kind} to '{shown}' (hop {hop + 1}).");
    }

    /// <summary>
    /// The settings answer: the mapiHttp block must be there (X-MapiHttpCapability: 1 was sent), its URLs must be https
    /// names that resolve and that the served certificate covers, and, where the virtual directories were read, must
    /// be the MAPI virtual directory's URLs.
    /// </summary>
    public static Finding MapiHttpBlock(PoxResponse settings, string emailAddress, MapiHttpConfiguration? configuration, IReadOnlyList<MapiVirtualDirectoryUrls>? virtualDirectories, IReadOnlyList<MapiUrlHostFacts> hosts)
    {
        string others = settings.Protocols.Count == 0 ? "no other protocol" : string.Join(", ", settings.Protocols.Select(p => DisplayText.Safe(p.Type)));
        if (settings.MapiHttp is not { } block)
        {
            return NotOffered(emailAddress, configuration, others);
        }

        var problems = new List<string>();
        foreach ((string element, string url) in block.Urls())
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                problems.Add($"{element} '{DisplayText.Safe(url)}' is not an https URL");
            }
        }

        foreach (MapiUrlHostFacts host in hosts)
        {
            if (!host.Resolves)
            {
                problems.Add($"'{DisplayText.Safe(host.Host)}' does not resolve");
            }
            else if (host.CertificateCovers == false)
            {
                problems.Add($"the certificate served at '{DisplayText.Safe(host.Host)}:{host.Port}' does not cover that name (names: {string.Join(", ", host.CertificateNames.Select(n => DisplayText.Safe(n)))})");
            }
        }

        if (virtualDirectories is { Count: > 0 })
        {
            foreach ((string element, string url) in block.Urls())
            {
                bool external = element.EndsWith("ExternalUrl", StringComparison.Ordinal);
                string? root = MapiRoot(url);
                bool matches = virtualDirectories.Any(v => root is not null && string.Equals(MapiRoot(external ? v.ExternalUrl : v.InternalUrl), root, StringComparison.OrdinalIgnoreCase));
                if (!matches)
                {
                    string configured = string.Join(", ", virtualDirectories.Select(v => $"{DisplayText.Safe(v.Identity)}: {DisplayText.Safe((external ? v.ExternalUrl : v.InternalUrl) ?? "(none)")}"));
                    problems.Add($"{element} '{DisplayText.Safe(url)}' is not the {(external ? "ExternalUrl" : "InternalUrl")} of any MAPI virtual directory ({configured})");
                }
            }
        }

        if (block.Urls().All(u => !u.Element.StartsWith("MailStore", StringComparison.Ordinal)))
        {
            problems.Add("the block has no MailStore URL, so Outlook has no /mapi/emsmdb to connect to");
        }

        if (problems.Count > 0)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.VirtualDirectory,
                $"Autodiscover offers MAPI/HTTP to '{DisplayText.Safe(emailAddress)}', but {string.Join("; ", problems)}.",
                "Set-MapiVirtualDirectory -Identity '<Server>\\mapi (Default Web Site)' -InternalUrl https://<namespace>/mapi -ExternalUrl https://<namespace>/mapi (a name in DNS and on the certificate enabled for IIS), then Get-MapiVirtualDirectory | Format-List Identity,InternalUrl,ExternalUrl");
        }

        return new Finding(CheckStatus.Pass, MapiHttpCause.None,
            $"Autodiscover offers MAPI/HTTP to '{DisplayText.Safe(emailAddress)}' (mapiHttp version {DisplayText.Safe(block.Version ?? "?")}): MailStore {DisplayText.Safe(block.MailStoreInternalUrl ?? block.MailStoreExternalUrl)}; beside it {others}.");
    }

    private static Finding NotOffered(string emailAddress, MapiHttpConfiguration? configuration, string others)
    {
        string address = DisplayText.Safe(emailAddress);
        string lead = $"Autodiscover did not offer MAPI/HTTP to '{address}' although the request carried X-MapiHttpCapability: 1 (the answer has {others}): Outlook stays on RPC/HTTP";
        string mailbox = configuration?.MailboxIdentity is { } id ? PowerShellQuote(id) : PowerShellQuote(emailAddress);
        if (configuration is null)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled, lead + ". MAPI/HTTP is off for the organisation or for this mailbox (Get-OrganizationConfig and Get-CASMailbox could not be read here to tell which).",
                $"Get-OrganizationConfig | Format-List MapiHttpEnabled; Get-CASMailbox -Identity {mailbox} | Format-List MapiHttpEnabled,MAPIEnabled");
        }

        if (configuration.MailboxMapiEnabled == false)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled, lead + ": the mailbox has MAPIEnabled $false, so it gets no Outlook MAPI access at all.",
                $"Set-CASMailbox -Identity {mailbox} -MAPIEnabled $true");
        }

        if (configuration.MailboxMapiHttpEnabled == false)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled, lead + ": the mailbox has MapiHttpEnabled $false, which overrides the organisation.",
                configuration.OrganizationMapiHttpEnabled == true
                    ? $"Set-CASMailbox -Identity {mailbox} -MapiHttpEnabled $null (then the mailbox follows the organisation, which has it on)"
                    : $"Set-CASMailbox -Identity {mailbox} -MapiHttpEnabled $true");
        }

        if (configuration.MailboxMapiHttpEnabled is null && configuration.OrganizationMapiHttpEnabled == false)
        {
            return new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled, lead + ": MapiHttpEnabled is $false for the organisation, and the mailbox does not override it.",
                "Set-OrganizationConfig -MapiHttpEnabled $true (for the whole organisation), or for this mailbox only: Set-CASMailbox -Identity " + mailbox + " -MapiHttpEnabled $true");
        }

        return new Finding(CheckStatus.Fail, MapiHttpCause.NotEnabled,
            lead + $": yet the configuration has it on (organisation {Text(configuration.OrganizationMapiHttpEnabled)}, mailbox {Text(configuration.MailboxMapiHttpEnabled)}). The server that answered has not seen the change yet (Active Directory replication, Autodiscover's cache) or runs a build before Exchange 2013 SP1.",
            "Wait for replication, or on the server that answered: Restart-WebAppPool -Name " + AutodiscoverPool + "; Get-ExchangeServer | Format-Table Name,AdminDisplayVersion");
    }

    /// <summary>The endpoint probe of the URL Autodiscover gave: its worst finding is this step's verdict.</summary>
    public static Finding Endpoint(string url, IReadOnlyList<MapiHttpEndpointResult> rows)
    {
        MapiHttpEndpointResult? worst = rows.Where(r => r.Status is CheckStatus.Fail or CheckStatus.Error or CheckStatus.Warning).OrderByDescending(r => r.Status).FirstOrDefault();
        if (worst is null)
        {
            return new Finding(CheckStatus.Pass, MapiHttpCause.None, $"The /mapi endpoint Autodiscover names ({DisplayText.Safe(url)}) passes the endpoint probe ({string.Join(", ", rows.Where(r => r.Status == CheckStatus.Pass).Select(r => r.Check).Distinct())}).");
        }

        return new Finding(worst.Status, worst.Cause, $"Autodiscover sends Outlook to {DisplayText.Safe(url)}, and there {worst.Check} fails: {worst.Message}", worst.Recommendation);
    }

    /// <summary>scheme://host[:port]/mapi of a MAPI URL (the vdir URL, or an emsmdb/nspi URL with its MailboxId), lower case; null when it is not one.</summary>
    internal static string? MapiRoot(string? url)
    {
        if (url is null || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out Uri? uri))
        {
            return null;
        }

        string[] segments = uri.AbsolutePath.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0 || !segments[0].Equals("mapi", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return (uri.GetLeftPart(UriPartial.Authority) + "/mapi").ToLowerInvariant();
    }

    private static string Text(bool? value) => value switch { true => "$true", false => "$false", _ => "$null" };

    private static string PowerShellQuote(string text) => "'" + DisplayText.Safe(text).Replace("'", "''") + "'";
}
