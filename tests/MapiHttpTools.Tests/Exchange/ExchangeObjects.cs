using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static MapiHttpTools.Tests.Exchange.Clixml;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Exchange objects as a remote Exchange session returns them: the real CSS-Exchange exports (deserialized), and
/// the objects there is no export of (MAPI virtual directory, CAS mailbox, Outlook Anywhere, auth server), built
/// with the real property set and deserialized the same way.
/// </summary>
internal static class ExchangeObjects
{
    public static readonly string FixtureFolder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "css-exchange", "Exchange");

    private const string Sc = "Microsoft.Exchange.Data.Directory.SystemConfiguration.";
    private const string AuthMethod = Sc + "AuthenticationMethod";

    /// <summary>Every object of a fixture export, deserialized afresh (tests may change their copies).</summary>
    public static List<PSObject> Fixture(string file, Func<string, string>? rewrite = null)
    {
        string text = File.ReadAllText(Path.Combine(FixtureFolder, file));
        if (rewrite is not null)
        {
            text = rewrite(text);
        }

        return PSSerializer.DeserializeAsList(text).Select(PSObject.AsPSObject).ToList();
    }

    /// <summary>The real SOLO-E19A exports rewritten as another server of contoso.lab (EX01, EX02, ...).</summary>
    public static Func<string, string> AsContosoServer(string name) => text => text
        .Replace("SOLO-E19A", name.ToUpperInvariant())
        .Replace("Solo-E19A", name.ToUpperInvariant())
        .Replace("solo-e19a", name.ToLowerInvariant())
        .Replace("Solo.com", "contoso.lab")
        .Replace("solo.com", "contoso.lab");

    public static PSObject MapiVirtualDirectory(
        string server,
        string? internalUrl,
        string? externalUrl,
        string[]? iis = null,
        string[]? internalMethods = null,
        string[]? externalMethods = null)
    {
        iis ??= new[] { "Ntlm", "OAuth", "Negotiate" };
        string identity = $"{server}\\mapi (Default Web Site)";
        return Clixml.Object(
            new[]
            {
                Sc + "ADMapiVirtualDirectory", Sc + "ADExchangeServiceVirtualDirectory", Sc + "ExchangeVirtualDirectory", Sc + "ADVirtualDirectory",
                Sc + "ADConfigurationObject", "Microsoft.Exchange.Data.Directory.ADObject", "Microsoft.Exchange.Data.Directory.ADRawEntry",
                "Microsoft.Exchange.Data.ConfigurableObject", "System.Object",
            },
            identity,
            EnumList("IISAuthenticationMethods", AuthMethod, iis),
            S("MetabasePath", $"IIS://{server.ToLowerInvariant()}.contoso.lab/W3SVC/1/ROOT/mapi"),
            S("Path", @"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\mapi"),
            Enum("ExtendedProtectionTokenChecking", "Microsoft.Exchange.Data.Directory.ExtendedProtectionTokenCheckingMode", "None", 0),
            Text("AdminDisplayVersion", "Microsoft.Exchange.Data.ServerVersion", "Version 15.2 (Build 1118.7)"),
            Text("Server", "Microsoft.Exchange.Data.Directory.ADObjectId", server),
            Uri("InternalUrl", internalUrl),
            EnumList("InternalAuthenticationMethods", AuthMethod, internalMethods ?? iis),
            Uri("ExternalUrl", externalUrl),
            EnumList("ExternalAuthenticationMethods", AuthMethod, externalMethods ?? iis),
            S("Name", "mapi (Default Web Site)"),
            Text("Identity", "Microsoft.Exchange.Data.Directory.ADObjectId", identity),
            S("DistinguishedName", $"CN=mapi (Default Web Site),CN=HTTP,CN=Protocols,CN={server},CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=lab"),
            B("IsValid", true));
    }

    /// <summary>A certificate as Get-ExchangeCertificate serializes it: RawData; Services only when the session kept it.</summary>
    public static PSObject Certificate(X509Certificate2 certificate, string? services = null, string? status = null)
    {
        var props = new List<Action<Clixml>> { Bytes("RawData", certificate.RawData) };
        if (services is not null)
        {
            props.Add(Enum("Services", "Microsoft.Exchange.Data.Directory.SystemConfiguration.AllowedServices", services, 0));
            props.Add(S("Thumbprint", certificate.Thumbprint));
        }

        if (status is not null)
        {
            props.Add(Enum("Status", "Microsoft.Exchange.Data.CertificateStatus", status, 0));
        }

        return Clixml.Object(
            new[] { "Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate", "System.Security.Cryptography.X509Certificates.X509Certificate2", "System.Security.Cryptography.X509Certificates.X509Certificate", "System.Object" },
            $"[Subject]\r\n  {certificate.Subject}\r\n",
            props.ToArray());
    }

    public static PSObject AuthConfig(string current, string? next = null, DateTime? nextEffective = null, string? previous = null) => Clixml.Object(
        new[] { Sc + "AuthConfig", Sc + "ADConfigurationObject", "Microsoft.Exchange.Data.Directory.ADObject", "System.Object" },
        "Auth Configuration",
        S("CurrentCertificateThumbprint", current),
        S("PreviousCertificateThumbprint", previous ?? string.Empty),
        S("NextCertificateThumbprint", next ?? string.Empty),
        nextEffective is null ? Nil("NextCertificateEffectiveDate") : Date("NextCertificateEffectiveDate", nextEffective.Value),
        S("ServiceName", "00000002-0000-0ff1-ce00-000000000000"),
        S("Realm", string.Empty),
        S("Name", "Auth Configuration"),
        Text("Identity", "Microsoft.Exchange.Data.Directory.ADObjectId", "Auth Configuration"));

    public static PSObject AuthServer(string name, bool enabled, string type = "AzureAD") => Clixml.Object(
        new[] { Sc + "AuthServer", Sc + "ADConfigurationObject", "System.Object" },
        name,
        S("Name", name),
        Enum("Type", Sc + "AuthServerType", type, 3),
        S("AuthMetadataUrl", "https://login.windows.net/contoso.onmicrosoft.com/federationmetadata/2007-06/federationmetadata.xml"),
        B("Enabled", enabled),
        B("IsDefaultAuthorizationEndpoint", false),
        Text("Identity", "Microsoft.Exchange.Data.Directory.ADObjectId", name));

    public static PSObject OutlookAnywhere(string server, string? internalHost, string? externalHost)
    {
        string identity = $"{server}\\Rpc (Default Web Site)";
        return Clixml.Object(
            new[] { Sc + "ADRpcHttpVirtualDirectory", Sc + "ADExchangeServiceVirtualDirectory", Sc + "ADVirtualDirectory", "System.Object" },
            identity,
            Text("InternalHostname", "Microsoft.Exchange.Data.Hostname", internalHost),
            Text("ExternalHostname", "Microsoft.Exchange.Data.Hostname", externalHost),
            Enum("InternalClientAuthenticationMethod", "Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthenticationMethod", "Ntlm", 2),
            Enum("ExternalClientAuthenticationMethod", "Microsoft.Exchange.Data.Directory.SystemConfiguration.AuthenticationMethod", "Negotiate", 13),
            B("InternalClientsRequireSsl", true),
            B("ExternalClientsRequireSsl", true),
            Text("Server", "Microsoft.Exchange.Data.Directory.ADObjectId", server),
            Text("Identity", "Microsoft.Exchange.Data.Directory.ADObjectId", identity));
    }

    public static PSObject CasMailbox(
        string alias,
        bool mapiEnabled = true,
        bool? mapiHttpEnabled = null,
        bool blockRpcHttp = false,
        bool blockExternal = false,
        string? blockVersions = null,
        string? displayName = null)
    {
        displayName ??= char.ToUpperInvariant(alias[0]) + alias.Substring(1) + " Example";
        string identity = $"contoso.lab/Users/{displayName}";
        return Clixml.Object(
            new[] { "Microsoft.Exchange.Data.Directory.Management.CASMailbox", "Microsoft.Exchange.Data.Directory.Management.ADPresentationObject", "System.Object" },
            displayName,
            S("Name", displayName),
            S("DisplayName", displayName),
            S("SamAccountName", alias),
            Text("PrimarySmtpAddress", "Microsoft.Exchange.Data.SmtpAddress", $"{alias}@contoso.lab"),
            B("MAPIEnabled", mapiEnabled),
            NullableB("MapiHttpEnabled", mapiHttpEnabled),
            B("MAPIBlockOutlookNonCachedMode", false),
            S("MAPIBlockOutlookVersions", blockVersions),
            B("MAPIBlockOutlookRpcHttp", blockRpcHttp),
            B("MAPIBlockOutlookExternalConnectivity", blockExternal),
            B("OWAEnabled", true),
            B("EwsEnabled", true),
            Text("Identity", "Microsoft.Exchange.Data.Directory.ADObjectId", identity),
            S("DistinguishedName", $"CN={displayName},CN=Users,DC=contoso,DC=lab"));
    }
}

/// <summary>Certificates for the lab: a contoso.lab CA, server certificates, Auth certificates (ECDSA: fast to make).</summary>
internal static class LabPki
{
    private static readonly Lazy<X509Certificate2> CaCertificate = new(() =>
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Contoso Lab Issuing CA, O=Contoso", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(10));
    });

    /// <summary>A server certificate issued by the lab CA.</summary>
    public static X509Certificate2 Server(string subject, string[] names, DateTime notBefore, DateTime notAfter)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = Request(subject, names, key);
        byte[] serial = Guid.NewGuid().ToByteArray();
        return request.Create(CaCertificate.Value, new DateTimeOffset(notBefore), new DateTimeOffset(notAfter), serial);
    }

    /// <summary>A self-signed certificate (Exchange's own default certificate, the Auth certificate).</summary>
    public static X509Certificate2 SelfSigned(string subject, string[] names, DateTime notBefore, DateTime notAfter)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Request(subject, names, key).CreateSelfSigned(new DateTimeOffset(notBefore), new DateTimeOffset(notAfter));
    }

    private static CertificateRequest Request(string subject, string[] names, ECDsa key)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (names.Length > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string name in names)
            {
                san.AddDnsName(name);
            }

            request.CertificateExtensions.Add(san.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        return request;
    }
}
