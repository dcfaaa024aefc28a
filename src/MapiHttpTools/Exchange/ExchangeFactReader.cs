using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Exchange;

/// <summary>
/// Turns the objects the Exchange cmdlets return (or a snapshot holds, under the same property names) into
/// facts. Every reader works on the property bag alone, so live, deserialized and snapshot objects read alike.
/// </summary>
internal static class ExchangeFactReader
{
    public static OrganizationFacts ReadOrganization(PSObject obj) => new(
        ExchangeValues.Text(obj, "Name") ?? ExchangeValues.Text(obj, "Identity") ?? obj.ToString(),
        ExchangeValues.Bool(obj, "MapiHttpEnabled"),
        ExchangeValues.Text(obj, "AdminDisplayVersion"));

    public static ExchangeServerFacts ReadServer(PSObject obj)
    {
        string name = ExchangeValues.Text(obj, "Name") ?? ExchangeValues.Text(obj, "Identity") ?? throw Missing("Get-ExchangeServer", "Name");
        return new ExchangeServerFacts(
            name,
            ExchangeValues.Text(obj, "Fqdn"),
            ExchangeValues.Text(obj, "Site"),
            ExchangeValues.Text(obj, "AdminDisplayVersion"),
            ExchangeValues.Bool(obj, "IsClientAccessServer") ?? false,
            ExchangeValues.Bool(obj, "IsEdgeServer") ?? false);
    }

    public static MapiVirtualDirectoryFacts ReadVirtualDirectory(PSObject obj)
    {
        string identity = ExchangeValues.Text(obj, "Identity") ?? throw Missing("Get-MapiVirtualDirectory", "Identity");
        string server = ExchangeValues.Text(obj, "Server") ?? ServerOf(identity);
        return new MapiVirtualDirectoryFacts(
            identity,
            server,
            ExchangeValues.Text(obj, "InternalUrl"),
            ExchangeValues.Text(obj, "ExternalUrl"),
            ExchangeValues.Strings(obj, "IISAuthenticationMethods"),
            ExchangeValues.Strings(obj, "InternalAuthenticationMethods"),
            ExchangeValues.Strings(obj, "ExternalAuthenticationMethods"));
    }

    /// <summary>
    /// A certificate from its bytes (a live ExchangeCertificate is an X509Certificate2; a deserialized one keeps
    /// RawData). Only the public certificate is kept: RawData never holds the private key. Null when there is no
    /// RawData property at all; RawData that is empty or not a certificate (a damaged or hand-edited snapshot, issue 20)
    /// is an <see cref="ExchangeDataException"/> naming the certificate, which the diagnostic reports as one error.
    /// </summary>
    public static ExchangeCertificateFacts? ReadCertificate(PSObject obj, string server)
    {
        object? rawValue = obj.BaseObject is X509Certificate2 ? null : ExchangeValues.Raw(obj, "RawData");
        byte[]? raw = obj.BaseObject is X509Certificate2 live ? live.RawData : ExchangeValues.Bytes(obj, "RawData");
        if (raw is null && rawValue is null)
        {
            return null;
        }

        string which = ExchangeValues.Text(obj, "Thumbprint") ?? ExchangeValues.Text(obj, "Subject") ?? "a certificate";
        X509Certificate2 certificate;
        try
        {
            certificate = raw is { Length: > 0 } ? new X509Certificate2(raw) : throw new CryptographicException("RawData is empty");
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ExchangeDataException($"{Infrastructure.DisplayText.Safe(which)} of {Infrastructure.DisplayText.Safe(server)} has RawData that is not a certificate ({ex.Message}).");
        }

        using (certificate)
        {
            return new ExchangeCertificateFacts(
                ExchangeValues.Text(obj, "Server") ?? server,
                certificate.Thumbprint,
                certificate.Subject,
                certificate.Issuer,
                CertificateFacts.ReadDnsNames(certificate),
                certificate.NotBefore.ToUniversalTime(),
                certificate.NotAfter.ToUniversalTime(),
                ExchangeValues.Raw(obj, "Services") is null ? null : ExchangeValues.Strings(obj, "Services"),
                ExchangeValues.Text(obj, "Status"),
                certificate.RawData);
        }
    }

    public static AuthConfigFacts ReadAuthConfig(PSObject obj) => new(
        Thumbprint(ExchangeValues.Text(obj, "CurrentCertificateThumbprint")),
        Thumbprint(ExchangeValues.Text(obj, "PreviousCertificateThumbprint")),
        Thumbprint(ExchangeValues.Text(obj, "NextCertificateThumbprint")),
        ExchangeValues.UtcDate(obj, "NextCertificateEffectiveDate"),
        ExchangeValues.Text(obj, "ServiceName"),
        ExchangeValues.Text(obj, "Realm"));

    public static AuthServerFacts ReadAuthServer(PSObject obj) => new(
        ExchangeValues.Text(obj, "Name") ?? ExchangeValues.Text(obj, "Identity") ?? throw Missing("Get-AuthServer", "Name"),
        ExchangeValues.Bool(obj, "Enabled") ?? false,
        ExchangeValues.Text(obj, "Type"),
        ExchangeValues.Text(obj, "AuthMetadataUrl"),
        ExchangeValues.Bool(obj, "IsDefaultAuthorizationEndpoint"));

    public static ServerComponentStateFacts ReadComponentState(PSObject obj, string server)
    {
        string component = ExchangeValues.Text(obj, "Component") ?? throw Missing("Get-ServerComponentState", "Component");
        string state = ExchangeValues.Text(obj, "State") ?? "Unknown";
        var requesters = new List<string>();
        foreach (string list in new[] { "LocalStates", "RemoteStates" })
        {
            object? entries = ExchangeValues.Raw(obj, list);
            if (entries is null)
            {
                continue;
            }

            foreach (object? entry in LanguagePrimitives.GetEnumerable(entries is PSObject p ? p.BaseObject : entries) ?? Array.Empty<object>())
            {
                if (entry is null)
                {
                    continue;
                }

                var detail = PSObject.AsPSObject(entry);
                string? requester = ExchangeValues.Text(detail, "Requester");
                string? requesterState = ExchangeValues.Text(detail, "State");
                if (requester is not null && !string.Equals(requesterState, "Active", StringComparison.OrdinalIgnoreCase) &&
                    !requesters.Contains(requester, StringComparer.OrdinalIgnoreCase))
                {
                    requesters.Add(requester);
                }
            }
        }

        // Snapshot entries carry the requesters directly.
        foreach (string requester in ExchangeValues.Strings(obj, "InactiveRequesters"))
        {
            if (!requesters.Contains(requester, StringComparer.OrdinalIgnoreCase))
            {
                requesters.Add(requester);
            }
        }

        return new ServerComponentStateFacts(
            ExchangeValues.Text(obj, "Server") ?? ExchangeValues.Text(obj, "Identity") ?? server,
            ExchangeValues.Text(obj, "ServerFqdn"),
            component,
            state,
            requesters);
    }

    public static OutlookAnywhereFacts ReadOutlookAnywhere(PSObject obj)
    {
        string identity = ExchangeValues.Text(obj, "Identity") ?? throw Missing("Get-OutlookAnywhere", "Identity");
        return new OutlookAnywhereFacts(
            identity,
            ExchangeValues.Text(obj, "Server") ?? ServerOf(identity),
            ExchangeValues.Text(obj, "InternalHostname"),
            ExchangeValues.Text(obj, "ExternalHostname"));
    }

    public static CasMailboxFacts ReadCasMailbox(PSObject obj) => new(
        ExchangeValues.Text(obj, "Identity") ?? ExchangeValues.Text(obj, "DistinguishedName") ?? throw Missing("Get-CASMailbox", "Identity"),
        ExchangeValues.Text(obj, "Name"),
        ExchangeValues.Text(obj, "DisplayName"),
        ExchangeValues.Text(obj, "PrimarySmtpAddress"),
        ExchangeValues.Text(obj, "SamAccountName"),
        ExchangeValues.Bool(obj, "MAPIEnabled") ?? true,
        ExchangeValues.Bool(obj, "MapiHttpEnabled"),
        ExchangeValues.Bool(obj, "MAPIBlockOutlookRpcHttp") ?? false,
        ExchangeValues.Bool(obj, "MAPIBlockOutlookExternalConnectivity") ?? false,
        ExchangeValues.Text(obj, "MAPIBlockOutlookVersions"))
    {
        ImapEnabled = ExchangeValues.Bool(obj, "ImapEnabled"),
        PopEnabled = ExchangeValues.Bool(obj, "PopEnabled"),
    };

    /// <summary>"EX01" from "EX01\mapi (Default Web Site)".</summary>
    public static string ServerOf(string identity)
    {
        int slash = identity.IndexOf('\\');
        return slash > 0 ? identity.Substring(0, slash) : identity;
    }

    private static string? Thumbprint(string? text) => text?.Replace(" ", string.Empty).ToUpperInvariant();

    private static ExchangeDataException Missing(string command, string property) =>
        new($"{command} returned an object without {property}; it is not an Exchange object this module can read.");
}
