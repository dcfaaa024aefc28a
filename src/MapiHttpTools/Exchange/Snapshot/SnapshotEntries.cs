using System;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.Exchange.Snapshot;

/// <summary>
/// Facts as snapshot entries: property bags under Exchange's own property names, holding only what the checks read,
/// so the snapshot reads back through the same <see cref="ExchangeFactReader"/> as live objects do.
/// </summary>
internal static class SnapshotEntries
{
    public static PSObject From(OrganizationFacts o) => Entry("OrganizationConfig",
        ("Name", o.Name), ("MapiHttpEnabled", o.MapiHttpEnabled), ("AdminDisplayVersion", o.AdminDisplayVersion));

    public static PSObject From(ExchangeServerFacts s) => Entry("ExchangeServer",
        ("Name", s.Name), ("Fqdn", s.Fqdn), ("Site", s.Site), ("AdminDisplayVersion", s.AdminDisplayVersion),
        ("IsClientAccessServer", s.IsClientAccessServer), ("IsEdgeServer", s.IsEdgeServer));

    public static PSObject From(MapiVirtualDirectoryFacts v) => Entry("MapiVirtualDirectory",
        ("Identity", v.Identity), ("Server", v.Server), ("InternalUrl", v.InternalUrl), ("ExternalUrl", v.ExternalUrl),
        ("IISAuthenticationMethods", v.IISAuthenticationMethods.ToArray()),
        ("InternalAuthenticationMethods", v.InternalAuthenticationMethods.ToArray()),
        ("ExternalAuthenticationMethods", v.ExternalAuthenticationMethods.ToArray()));

    /// <summary>The public certificate only (RawData is the DER certificate; a private key is never in it).</summary>
    public static PSObject From(ExchangeCertificateFacts c) => Entry("ExchangeCertificate",
        ("Server", c.Server), ("Thumbprint", c.Thumbprint), ("RawData", c.RawData), ("Services", c.Services?.ToArray()), ("Status", c.Status));

    public static PSObject From(AuthConfigFacts a) => Entry("AuthConfig",
        ("CurrentCertificateThumbprint", a.CurrentCertificateThumbprint), ("PreviousCertificateThumbprint", a.PreviousCertificateThumbprint),
        ("NextCertificateThumbprint", a.NextCertificateThumbprint), ("NextCertificateEffectiveDate", a.NextCertificateEffectiveDateUtc),
        ("ServiceName", a.ServiceName), ("Realm", a.Realm));

    public static PSObject From(AuthServerFacts a) => Entry("AuthServer",
        ("Name", a.Name), ("Enabled", a.Enabled), ("Type", a.Type), ("AuthMetadataUrl", a.AuthMetadataUrl), ("IsDefaultAuthorizationEndpoint", a.IsDefaultAuthorizationEndpoint));

    public static PSObject From(ServerComponentStateFacts s) => Entry("ServerComponentState",
        ("Server", s.Server), ("ServerFqdn", s.ServerFqdn), ("Component", s.Component), ("State", s.State), ("InactiveRequesters", s.InactiveRequesters.ToArray()));

    public static PSObject From(OutlookAnywhereFacts o) => Entry("OutlookAnywhere",
        ("Identity", o.Identity), ("Server", o.Server), ("InternalHostname", o.InternalHostname), ("ExternalHostname", o.ExternalHostname));

    public static PSObject From(CasMailboxFacts m) => Entry("CASMailbox",
        ("Identity", m.Identity), ("Name", m.Name), ("DisplayName", m.DisplayName), ("PrimarySmtpAddress", m.PrimarySmtpAddress),
        ("SamAccountName", m.SamAccountName), ("MAPIEnabled", m.MAPIEnabled), ("MapiHttpEnabled", m.MapiHttpEnabled),
        ("MAPIBlockOutlookRpcHttp", m.MapiBlockOutlookRpcHttp), ("MAPIBlockOutlookExternalConnectivity", m.MapiBlockOutlookExternalConnectivity),
        ("MAPIBlockOutlookVersions", m.MapiBlockOutlookVersions), ("ImapEnabled", m.ImapEnabled), ("PopEnabled", m.PopEnabled));

    public static PSObject HostResolution(string host, string[]? addresses, string? error) => Entry("HostResolution",
        ("Host", host), ("Addresses", addresses ?? Array.Empty<string>()), ("Error", error));

    public static PSObject Failure(SnapshotFailure f) => Entry("Failure",
        ("Section", f.Section), ("Key", f.Key), ("Kind", f.Kind), ("Command", f.Command), ("Message", f.Message));

    private static PSObject Entry(string kind, params (string Name, object? Value)[] properties)
    {
        var entry = new PSObject();
        entry.TypeNames.Insert(0, "MapiHttpTools.Snapshot." + kind);
        foreach ((string name, object? value) in properties)
        {
            entry.Properties.Add(new PSNoteProperty(name, value));
        }

        return entry;
    }
}
