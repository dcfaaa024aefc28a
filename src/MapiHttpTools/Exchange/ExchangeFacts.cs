using System;
using System.Collections.Generic;

namespace MapiHttpTools.Exchange;

// The facts the configuration checks read, normalised from Exchange's objects by ExchangeFactReader. Live
// Exchange types, Deserialized.* property bags of a remote session and snapshot entries all end up as these,
// so a check cannot tell where its facts came from.

/// <summary>Get-OrganizationConfig: the organisation-wide MAPI/HTTP switch.</summary>
internal sealed record OrganizationFacts(string Name, bool? MapiHttpEnabled, string? AdminDisplayVersion);

/// <summary>Get-ExchangeServer: one server and the roles that matter here.</summary>
internal sealed record ExchangeServerFacts(
    string Name,
    string? Fqdn,
    string? Site,
    string? AdminDisplayVersion,
    bool IsClientAccessServer,
    bool IsEdgeServer)
{
    /// <summary>Build as "15.2.986.5" from AdminDisplayVersion "Version 15.2 (Build 986.5)"; null when unparsable.</summary>
    public Version? Build => ExchangeVersionText.Parse(AdminDisplayVersion);

    /// <summary>Product, CU and update of the build ("Exchange 2019 CU11"), or why it is unknown (issue 15).</summary>
    public Builds.ExchangeBuildInfo Release => Builds.ExchangeBuildTable.Default.Lookup(AdminDisplayVersion);
}

/// <summary>Get-MapiVirtualDirectory -ADPropertiesOnly.</summary>
internal sealed record MapiVirtualDirectoryFacts(
    string Identity,
    string Server,
    string? InternalUrl,
    string? ExternalUrl,
    IReadOnlyList<string> IISAuthenticationMethods,
    IReadOnlyList<string> InternalAuthenticationMethods,
    IReadOnlyList<string> ExternalAuthenticationMethods);

/// <summary>
/// Get-ExchangeCertificate -Server: names and dates come from the certificate bytes (RawData), which a
/// deserialized certificate keeps; Services and Status only where Exchange's own object is available.
/// </summary>
internal sealed record ExchangeCertificateFacts(
    string Server,
    string Thumbprint,
    string Subject,
    string Issuer,
    IReadOnlyList<string> DnsNames,
    DateTime NotBeforeUtc,
    DateTime NotAfterUtc,
    IReadOnlyList<string>? Services,
    string? Status,
    byte[] RawData)
{
    public bool IsSelfSigned => string.Equals(Subject, Issuer, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when Services is known and names IIS; null when Services is not in the data.</summary>
    public bool? EnabledForIis => Services is null ? null : Contains(Services, "IIS");

    private static bool Contains(IReadOnlyList<string> values, string wanted)
    {
        foreach (string value in values)
        {
            if (string.Equals(value, wanted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Get-AuthConfig: the OAuth (Auth) certificate in use and the one staged next.</summary>
internal sealed record AuthConfigFacts(
    string? CurrentCertificateThumbprint,
    string? PreviousCertificateThumbprint,
    string? NextCertificateThumbprint,
    DateTime? NextCertificateEffectiveDateUtc,
    string? ServiceName,
    string? Realm);

/// <summary>Get-AuthServer: one OAuth token issuer Exchange trusts.</summary>
internal sealed record AuthServerFacts(string Name, bool Enabled, string? Type, string? AuthMetadataUrl, bool? IsDefaultAuthorizationEndpoint);

/// <summary>Get-ServerComponentState -Component: the state and the requesters that set it.</summary>
internal sealed record ServerComponentStateFacts(
    string Server,
    string? ServerFqdn,
    string Component,
    string State,
    IReadOnlyList<string> InactiveRequesters);

/// <summary>Get-OutlookAnywhere -ADPropertiesOnly: the RPC/HTTP names the MAPI URLs are compared with.</summary>
internal sealed record OutlookAnywhereFacts(
    string Identity,
    string Server,
    string? InternalHostname,
    string? ExternalHostname);

/// <summary>Get-CASMailbox: the per-mailbox MAPI settings.</summary>
internal sealed record CasMailboxFacts(
    string Identity,
    string? Name,
    string? DisplayName,
    string? PrimarySmtpAddress,
    string? SamAccountName,
    bool MAPIEnabled,
    bool? MapiHttpEnabled,
    bool MapiBlockOutlookRpcHttp,
    bool MapiBlockOutlookExternalConnectivity,
    string? MapiBlockOutlookVersions)
{
    /// <summary>IMAP4 for the mailbox (issue 16: recorded in snapshots for -IncludeProtocol offline).</summary>
    public bool? ImapEnabled { get; init; }

    /// <summary>POP3 for the mailbox (issue 16).</summary>
    public bool? PopEnabled { get; init; }
}

/// <summary>What Get-CASMailbox is asked for: one identity or a server-side filtered scan.</summary>
internal sealed record CasMailboxQuery(string? Identity, string? Filter, string? OrganizationalUnit, string? ResultSize);

/// <summary>Which servers were found for the names asked for, and which names Exchange did not know.</summary>
internal sealed record ServerLookup(IReadOnlyList<ExchangeServerFacts> Servers, IReadOnlyList<(string Name, string Message)> NotFound);

/// <summary>Exchange's build strings: "Version 15.2 (Build 986.5)", "15.02.0986.005", "15.2.986.5" (ExchangeBuildTable.ParseBuild).</summary>
internal static class ExchangeVersionText
{
    public static Version? Parse(string? text) => Builds.ExchangeBuildTable.ParseBuild(text);
}
