using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Issue 19: each configuration check's every branch with its exact sentence and fix, and the boundaries where a
/// judgement flips (a certificate that expires this second, one that expires on the last day of the warning window,
/// a two-against-two namespace tie, an empty IIS method list). Facts come from Exchange objects as a remote session
/// delivers them (ExchangeObjects) through ExchangeFactReader; every expected value is written out.
/// </summary>
public sealed class ConfigurationCheckBoundaryTests
{
    private const string Vdir01 = @"EX01\mapi (Default Web Site)";
    private const string Site = "contoso.lab/Configuration/Sites/Default-First-Site-Name";

    private const string RenewAuth =
        "$c = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' " +
        "-FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @(); " +
        "Set-AuthConfig -NewCertificateThumbprint $c.Thumbprint -NewCertificateEffectiveDate (Get-Date); Set-AuthConfig -PublishCertificate; Set-AuthConfig -ClearPreviousCertificate";

    private const string StageAuth =
        "$c = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' " +
        "-FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @(); " +
        "Set-AuthConfig -NewCertificateThumbprint $c.Thumbprint -NewCertificateEffectiveDate (Get-Date).AddHours(48)";

    // A fixed "now" inside the lab CA's validity, so dates in messages are literals.
    private static readonly DateTime Now = new(2027, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly ExchangeServerFacts Ex01 = new("EX01", "ex01.contoso.lab", Site, "Version 15.2 (Build 1118.7)", true, false);

    private static MapiVirtualDirectoryFacts Vdir(string server = "EX01", string? internalUrl = "https://mail.contoso.lab/mapi", string? externalUrl = "https://mail.contoso.lab/mapi", string[]? iis = null, string[]? internalMethods = null, string[]? externalMethods = null) =>
        ExchangeFactReader.ReadVirtualDirectory(ExchangeObjects.MapiVirtualDirectory(server, internalUrl, externalUrl, iis, internalMethods, externalMethods));

    // The lab CA is valid from two years before the real clock; these fixed dates need a CA that does not move with it.
    private static readonly Lazy<X509Certificate2> BoundaryCa = new(() =>
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Contoso Boundary CA, O=Contoso", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero));
    });

    private static ExchangeCertificateFacts Cert(DateTime notBefore, DateTime notAfter, string? services = "IIS, SMTP", string? status = null, string name = "mail.contoso.lab")
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
        X509Certificate2 certificate = request.Create(BoundaryCa.Value, new DateTimeOffset(notBefore), new DateTimeOffset(notAfter), Guid.NewGuid().ToByteArray());
        return ExchangeFactReader.ReadCertificate(ExchangeObjects.Certificate(certificate, services, status), "EX01")!;
    }

    private static ExchangeCertificateFacts SelfSigned(DateTime notBefore, DateTime notAfter, string? services = "IIS, SMTP") =>
        ExchangeFactReader.ReadCertificate(ExchangeObjects.Certificate(LabPki.SelfSigned("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, notBefore, notAfter), services), "EX01")!;

    /// <summary>The evidence as "Key=value" lines: lists as [a, b], dates as ISO 8601, null as (null).</summary>
    private static string[] Evidence(MapiHttpResult result) =>
        result.Evidence.Cast<DictionaryEntry>().Select(e => $"{e.Key}={Show(e.Value)}").ToArray();

    private static string Show(object? value) => value switch
    {
        null => "(null)",
        string text => text,
        DateTime date => date.ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Show)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    // ---------------------------------------------------------------- organisation

    [Theory]
    [InlineData(true, CheckStatus.Pass, MapiHttpCause.None, "True", null, "MAPI/HTTP is enabled for the organisation SoloORG.")]
    [InlineData(false, CheckStatus.Fail, MapiHttpCause.NotEnabled, "False", "Set-OrganizationConfig -MapiHttpEnabled $true",
        "MAPI/HTTP is disabled for the organisation SoloORG: Autodiscover offers Outlook Anywhere (RPC/HTTP) to every mailbox that does not enable MAPI/HTTP itself.")]
    [InlineData(null, CheckStatus.Warning, MapiHttpCause.NotEnabled, null, "Set-OrganizationConfig -MapiHttpEnabled $true",
        "The organisation SoloORG does not report MapiHttpEnabled (Exchange 2013 before SP1 has no MAPI/HTTP; later versions treat an unset value as disabled).")]
    public void The_organisation_switch_on_off_and_unreported(bool? enabled, CheckStatus status, MapiHttpCause cause, string? value, string? fix, string message)
    {
        var org = ExchangeObjects.Fixture("GetOrganizationConfig.xml")[0];
        org.Properties["MapiHttpEnabled"].Value = enabled;

        MapiHttpConfigurationResult result = OrganizationChecks.MapiHttpEnabled(ExchangeFactReader.ReadOrganization(org));

        Assert.Equal((status, cause, value, fix, message), (result.Status, result.Cause, result.Value, result.Recommendation, result.Message));
        Assert.Equal(("OrganizationMapiHttp", ConfigurationArea.Organization, "SoloORG", "SoloORG", "MapiHttpEnabled", "True"), (result.Check, result.Area, result.Identity, result.Target, result.Property, result.ExpectedValue));
        Assert.Equal(new[] { "Organization=SoloORG", "MapiHttpEnabled=" + (value ?? "(null)") }, Evidence(result));
    }

    // ---------------------------------------------------------------- component state

    private static ServerComponentStateFacts[] States(ExchangeLab lab) => lab.ComponentStates.Select(s => ExchangeFactReader.ReadComponentState(s, "SOLO-E19A")).ToArray();

    [Fact]
    public void Active_components_pass_with_their_sentence_and_a_missing_one_is_skipped()
    {
        var lab = ExchangeLab.Solo();
        ExchangeServerFacts solo = ExchangeFactReader.ReadServer(lab.Servers[0]);

        MapiHttpConfigurationResult[] active = ComponentStateChecks.Check(solo, States(lab)).ToArray();
        MapiHttpConfigurationResult[] onlyOffline = ComponentStateChecks.Check(solo, States(lab).Where(s => s.Component == "ServerWideOffline").ToArray()).ToArray();

        Assert.Equal(new[] { "ServerWideOffline is active on SOLO-E19A.", "MapiProxy is active on SOLO-E19A." }, active.Select(r => r.Message));
        Assert.All(active, r => Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, "ComponentState", ConfigurationArea.ComponentState, "State", "Active", "Active", (string?)null),
            (r.Status, r.Cause, r.Check, r.Area, r.Property, r.Value, r.ExpectedValue, r.Recommendation)));
        Assert.Equal(("SOLO-E19A", "SOLO-E19A"), (active[1].Server, active[1].Identity));
        MapiHttpConfigurationResult skipped = onlyOffline[1];
        Assert.Equal((CheckStatus.Skipped, "MapiProxy", (string?)null, "Exchange returned no state for MapiProxy on SOLO-E19A."), (skipped.Status, skipped.Target, skipped.Value, skipped.Message));
        Assert.Equal(new[] { "Component=MapiProxy", "State=(null)", "InactiveRequesters=[]" }, Evidence(skipped));
    }

    [Fact]
    public void An_inactive_component_without_requesters_is_fixed_for_Maintenance_and_a_draining_one_warns()
    {
        var lab = ExchangeLab.Solo();
        ExchangeServerFacts solo = ExchangeFactReader.ReadServer(lab.Servers[0]);

        lab.SetComponent("SOLO-E19A", "MapiProxy", "Inactive");
        MapiHttpConfigurationResult inactive = ComponentStateChecks.Check(solo, States(lab)).Last();
        lab.SetComponent("SOLO-E19A", "MapiProxy", "Draining", "Maintenance");
        MapiHttpConfigurationResult draining = ComponentStateChecks.Check(solo, States(lab)).Last();
        lab.SetComponent("SOLO-E19A", "ServerWideOffline", "Inactive", "Maintenance", "Functional");
        MapiHttpConfigurationResult offline = ComponentStateChecks.Check(solo, States(lab)).First();

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled), (inactive.Status, inactive.Cause));
        Assert.Equal("MapiProxy is Inactive on SOLO-E19A: its front end answers /mapi/healthcheck.htm with an error and refuses MAPI/HTTP, so load balancers take it out for Outlook.", inactive.Message);
        Assert.Equal("Set-ServerComponentState -Identity 'SOLO-E19A' -Component MapiProxy -State Active -Requester Maintenance", inactive.Recommendation);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.NotEnabled, "Draining"), (draining.Status, draining.Cause, draining.Value));
        Assert.Equal("MapiProxy is Draining on SOLO-E19A (set by Maintenance): its front end answers /mapi/healthcheck.htm with an error and refuses MAPI/HTTP, so load balancers take it out for Outlook.", draining.Message);

        Assert.Equal(CheckStatus.Fail, offline.Status);
        Assert.Equal("ServerWideOffline is Inactive on SOLO-E19A (set by Maintenance, Functional): the server is in maintenance mode and every protocol on it is off, so every health page of its front end fails.", offline.Message);
        Assert.Equal(
            "Set-ServerComponentState -Identity 'SOLO-E19A' -Component ServerWideOffline -State Active -Requester Maintenance; Set-ServerComponentState -Identity 'SOLO-E19A' -Component ServerWideOffline -State Active -Requester Functional",
            offline.Recommendation);
        Assert.Equal(new[] { "Component=ServerWideOffline", "State=Inactive", "InactiveRequesters=[Maintenance, Functional]" }, Evidence(offline));
    }

    // ---------------------------------------------------------------- virtual directory

    [Fact]
    public void Present_names_the_directories_and_a_missing_one_on_a_server_without_FQDN_uses_its_name()
    {
        MapiHttpConfigurationResult present = VirtualDirectoryChecks.Present(Ex01, new[] { Vdir(), Vdir() });
        MapiHttpConfigurationResult missing = VirtualDirectoryChecks.Present(Ex01 with { Fqdn = null }, Array.Empty<MapiVirtualDirectoryFacts>());

        Assert.Equal($"EX01 has a MAPI virtual directory ({Vdir01}, {Vdir01}).", present.Message);
        Assert.Equal(("MapiVirtualDirectory", ConfigurationArea.VirtualDirectory, "EX01", "EX01", Vdir01), (present.Check, present.Area, present.Server, present.Target, present.Identity));
        Assert.Equal(new[] { "Count=2", "ExchangeBuild=15.2.1118.7", "ExchangeRelease=Exchange 2019 CU12" }, Evidence(present));

        Assert.Equal("EX01 has no MAPI virtual directory: its front end cannot serve /mapi, and Autodiscover offers no MAPI/HTTP URL for it.", missing.Message);
        Assert.Equal("New-MapiVirtualDirectory -Server 'EX01' -InternalUrl 'https://ex01/mapi' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", missing.Recommendation);
        Assert.Equal(("EX01", "EX01"), (missing.Identity, missing.Target));
        Assert.Equal(new[] { "Count=0", "ExchangeBuild=15.2.1118.7", "ExchangeRelease=Exchange 2019 CU12" }, Evidence(missing));
    }

    [Theory]
    [InlineData("https://mail.contoso.lab/mapi", CheckStatus.Pass, $"InternalUrl https://mail.contoso.lab/mapi of {Vdir01} is a well-formed https /mapi URL.", null)]
    [InlineData("https://mail.contoso.lab/mapi/", CheckStatus.Pass, $"InternalUrl https://mail.contoso.lab/mapi/ of {Vdir01} is a well-formed https /mapi URL.", null)]
    [InlineData("HTTPS://Mail.Contoso.lab/MAPI", CheckStatus.Pass, $"InternalUrl HTTPS://Mail.Contoso.lab/MAPI of {Vdir01} is a well-formed https /mapi URL.", null)]
    [InlineData("http://MAIL.contoso.lab/mapi", CheckStatus.Fail,
        $"InternalUrl http://MAIL.contoso.lab/mapi of {Vdir01} uses http: the front-end /mapi application requires SSL, so Outlook's requests to it fail.", "https://mail.contoso.lab/mapi")]
    [InlineData("https://mail.contoso.lab/", CheckStatus.Fail,
        $"InternalUrl https://mail.contoso.lab/ of {Vdir01} points at /, not /mapi: Outlook's MAPI/HTTP requests go to an application that does not serve them.", "https://mail.contoso.lab/mapi")]
    [InlineData("https://mail.contoso.lab/mapi/emsmdb", CheckStatus.Fail,
        $"InternalUrl https://mail.contoso.lab/mapi/emsmdb of {Vdir01} points at /mapi/emsmdb, not /mapi: Outlook's MAPI/HTTP requests go to an application that does not serve them.", "https://mail.contoso.lab/mapi")]
    [InlineData("mail.contoso.lab/mapi", CheckStatus.Fail, $"InternalUrl 'mail.contoso.lab/mapi' of {Vdir01} is not an absolute URL.", "https://ex01.contoso.lab/mapi")]
    public void Each_InternalUrl_shape_gets_its_sentence_and_fix(string url, CheckStatus status, string message, string? fixedUrl)
    {
        MapiHttpConfigurationResult result = VirtualDirectoryChecks.Urls(Vdir(internalUrl: url), Ex01).First();

        Assert.Equal((status, status == CheckStatus.Pass ? MapiHttpCause.None : MapiHttpCause.VirtualDirectory, message), (result.Status, result.Cause, result.Message));
        Assert.Equal(fixedUrl is null ? null : $"Set-MapiVirtualDirectory -Identity '{Vdir01}' -InternalUrl '{fixedUrl}'", result.Recommendation);
        Assert.Equal(("VirtualDirectoryUrl", "EX01", Vdir01, url, url, "InternalUrl"), (result.Check, result.Server, result.Identity, result.Target, result.Value, result.Property));
        Assert.Equal(new[] { "InternalUrl=" + url }, Evidence(result));
    }

    [Fact]
    public void Missing_URLs_have_their_sentences_and_fixes_fall_back_to_the_server_name()
    {
        MapiHttpConfigurationResult none = Assert.Single(VirtualDirectoryChecks.Urls(Vdir(internalUrl: null, externalUrl: null), null));
        MapiHttpConfigurationResult[] externalOnly = VirtualDirectoryChecks.Urls(Vdir(internalUrl: null), Ex01).ToArray();
        MapiHttpConfigurationResult[] badExternalOnly = VirtualDirectoryChecks.Urls(Vdir(internalUrl: null, externalUrl: "outlook/mapi"), Ex01 with { Fqdn = null }).ToArray();
        MapiHttpConfigurationResult[] internalOnly = VirtualDirectoryChecks.Urls(Vdir(externalUrl: null), Ex01).ToArray();

        Assert.Equal($"{Vdir01} has neither InternalUrl nor ExternalUrl: Autodiscover gives Outlook no MAPI/HTTP URL for this server.", none.Message);
        Assert.Equal(($"Set-MapiVirtualDirectory -Identity '{Vdir01}' -InternalUrl 'https://ex01/mapi'", Vdir01, (string?)null), (none.Recommendation, none.Target, none.Value));

        Assert.Equal($"{Vdir01} has no InternalUrl: Outlook inside the network is offered only the ExternalUrl https://mail.contoso.lab/mapi.", externalOnly[0].Message);
        Assert.Equal((CheckStatus.Pass, "ExternalUrl"), (externalOnly[1].Status, externalOnly[1].Property));
        Assert.Equal($"Set-MapiVirtualDirectory -Identity '{Vdir01}' -InternalUrl 'https://ex01/mapi'", badExternalOnly[0].Recommendation);
        Assert.Equal(CheckStatus.Fail, badExternalOnly[1].Status);

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, (string?)null), (internalOnly[1].Status, internalOnly[1].Cause, internalOnly[1].Recommendation));
        Assert.Equal($"{Vdir01} has no ExternalUrl: Outlook outside the network gets no MAPI/HTTP URL from this server (set one if clients connect from outside).", internalOnly[1].Message);
    }

    private sealed class StubResolver : IHostResolver
    {
        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellation) => host switch
        {
            "mail.contoso.lab" => Task.FromResult(new[] { IPAddress.Parse("10.0.0.5"), IPAddress.Parse("10.0.0.6") }),
            "empty.contoso.lab" => Task.FromResult(Array.Empty<IPAddress>()),
            "cancel.contoso.lab" => Task.FromException<IPAddress[]>(new OperationCanceledException()),
            _ => Task.FromException<IPAddress[]>(new InvalidOperationException("No such host is known")),
        };
    }

    [Fact]
    public async Task Host_resolution_names_the_addresses_an_empty_answer_and_the_resolver_error()
    {
        var resolver = new StubResolver();

        MapiHttpConfigurationResult ok = Assert.Single(await VirtualDirectoryChecks.HostsResolveAsync(Vdir(), Ex01, resolver, CancellationToken.None));
        IReadOnlyList<MapiHttpConfigurationResult> bad = await VirtualDirectoryChecks.HostsResolveAsync(
            Vdir(internalUrl: "https://empty.contoso.lab/mapi", externalUrl: "https://outlook.contoso.com/mapi"), Ex01 with { Fqdn = null }, resolver, CancellationToken.None);

        Assert.Equal($"mail.contoso.lab (InternalUrl, ExternalUrl of {Vdir01}) resolves to 10.0.0.5, 10.0.0.6.", ok.Message);
        Assert.Equal(("UrlHostResolves", ConfigurationArea.VirtualDirectory, "EX01", Vdir01, "mail.contoso.lab", "InternalUrl", "mail.contoso.lab"), (ok.Check, ok.Area, ok.Server, ok.Identity, ok.Target, ok.Property, ok.Value));
        Assert.Equal(new[] { "Host=mail.contoso.lab", "Addresses=[10.0.0.5, 10.0.0.6]" }, Evidence(ok));

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "InternalUrl"), (bad[0].Status, bad[0].Cause, bad[0].Property));
        Assert.Equal($"empty.contoso.lab (InternalUrl of {Vdir01}) does not resolve: no addresses. Outlook cannot reach the MAPI/HTTP URL it is given.", bad[0].Message);
        Assert.Equal($"Create the DNS record for empty.contoso.lab (the load balancer or server address), or give the URL a name that resolves: Set-MapiVirtualDirectory -Identity '{Vdir01}' -InternalUrl 'https://ex01/mapi'", bad[0].Recommendation);
        Assert.Equal(new[] { "Host=empty.contoso.lab", "Error=no addresses" }, Evidence(bad[0]));

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.VirtualDirectory, "ExternalUrl", "outlook.contoso.com"), (bad[1].Status, bad[1].Cause, bad[1].Property, bad[1].Target));
        Assert.Equal($"outlook.contoso.com (ExternalUrl of {Vdir01}) does not resolve from here: No such host is known. That is expected only if the name exists in external DNS alone.", bad[1].Message);
        Assert.Equal($"Create the DNS record for outlook.contoso.com (the load balancer or server address), or give the URL a name that resolves: Set-MapiVirtualDirectory -Identity '{Vdir01}' -ExternalUrl 'https://ex01/mapi'", bad[1].Recommendation);
    }

    [Fact]
    public async Task A_cancelled_lookup_is_not_reported_as_a_name_that_does_not_resolve()
    {
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            VirtualDirectoryChecks.HostsResolveAsync(Vdir(internalUrl: "https://cancel.contoso.lab/mapi"), Ex01, new StubResolver(), CancellationToken.None));
    }

    [Theory]
    [InlineData(new[] { "Ntlm", "OAuth", "Negotiate" }, CheckStatus.Pass, null, "are Ntlm, OAuth, Negotiate.")]
    [InlineData(new[] { "Ntlm", "OAuth" }, CheckStatus.Warning, "Ntlm,OAuth,Negotiate", "are Ntlm, OAuth; Negotiate missing: clients that use Negotiate fail to sign in.")]
    [InlineData(new[] { "Negotiate", "OAuth" }, CheckStatus.Warning, "Negotiate,OAuth,Ntlm", "are Negotiate, OAuth; Ntlm missing: clients that use Ntlm fail to sign in.")]
    [InlineData(new[] { "Negotiate" }, CheckStatus.Warning, "Negotiate,Ntlm,OAuth", "are Negotiate; Ntlm, OAuth missing: clients that use Ntlm or OAuth fail to sign in.")]
    [InlineData(new[] { "Ntlm", "Negotiate" }, CheckStatus.Warning, "Ntlm,Negotiate,OAuth", "are Ntlm, Negotiate; OAuth missing: OAuth (modern authentication, hybrid free/busy and the Outlook clients that use it) fails.")]
    [InlineData(new[] { "OAuth" }, CheckStatus.Fail, "OAuth,Ntlm,Negotiate", "are OAuth; Ntlm, Negotiate missing: no Windows authentication is left, so Outlook cannot sign in to /mapi.")]
    [InlineData(new string[0], CheckStatus.Fail, "Ntlm,OAuth,Negotiate", "are (none); Ntlm, OAuth, Negotiate missing: no Windows authentication is left, so Outlook cannot sign in to /mapi.")]
    public void Each_set_of_missing_IIS_methods_has_its_status_and_consequence(string[] methods, CheckStatus status, string? fixMethods, string says)
    {
        MapiHttpConfigurationResult result = VirtualDirectoryChecks.IisAuthenticationMethods(Vdir(iis: methods));

        Assert.Equal((status, $"IISAuthenticationMethods of {Vdir01} {says}"), (result.Status, result.Message));
        Assert.Equal(status == CheckStatus.Pass ? MapiHttpCause.None : MapiHttpCause.Authentication, result.Cause);
        Assert.Equal(fixMethods is null ? null : $"Set-MapiVirtualDirectory -Identity '{Vdir01}' -IISAuthenticationMethods {fixMethods}", result.Recommendation);
        Assert.Equal(("IisAuthenticationMethods", Vdir01, "IISAuthenticationMethods", string.Join(",", methods), "Ntlm,OAuth,Negotiate"), (result.Check, result.Target, result.Property, result.Value, result.ExpectedValue));
    }

    [Fact]
    public void Authentication_methods_agree_in_any_order_and_an_empty_IIS_list_is_not_compared()
    {
        MapiHttpConfigurationResult same = VirtualDirectoryChecks.AuthenticationMethodsAgree(Vdir(internalMethods: new[] { "Negotiate", "Ntlm", "OAuth" }));
        MapiHttpConfigurationResult noIis = VirtualDirectoryChecks.AuthenticationMethodsAgree(Vdir(iis: Array.Empty<string>(), internalMethods: new[] { "Ntlm", "Negotiate" }, externalMethods: new[] { "Negotiate", "Ntlm" }));

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, $"Internal, external and IIS authentication methods of {Vdir01} agree."), (same.Status, same.Cause, same.Message));
        Assert.Equal(("AuthenticationMethodsAgree", "ExternalAuthenticationMethods", "Ntlm,OAuth,Negotiate", "Negotiate,Ntlm,OAuth", (string?)null), (same.Check, same.Property, same.Value, same.ExpectedValue, same.Recommendation));
        Assert.Equal(CheckStatus.Pass, noIis.Status);
    }

    [Fact]
    public void IIS_methods_that_differ_from_internal_ones_warn_and_both_differences_are_named()
    {
        MapiHttpConfigurationResult iisOnly = VirtualDirectoryChecks.AuthenticationMethodsAgree(Vdir(iis: new[] { "Ntlm", "OAuth", "Negotiate" }, internalMethods: new[] { "Ntlm", "Negotiate" }, externalMethods: new[] { "Ntlm", "Negotiate" }));
        MapiHttpConfigurationResult both = VirtualDirectoryChecks.AuthenticationMethodsAgree(Vdir(iis: new[] { "Basic" }, internalMethods: new[] { "Ntlm" }, externalMethods: new[] { "Negotiate" }));

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (iisOnly.Status, iisOnly.Cause));
        Assert.Equal($"The authentication methods of {Vdir01} disagree: IIS (Ntlm, OAuth, Negotiate) and internal (Ntlm, Negotiate). Autodiscover advertises methods IIS may not accept.", iisOnly.Message);
        Assert.Equal($"Set-MapiVirtualDirectory -Identity '{Vdir01}' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", iisOnly.Recommendation);
        Assert.Equal($"The authentication methods of {Vdir01} disagree: internal (Ntlm) and external (Negotiate); IIS (Basic) and internal (Ntlm). Autodiscover advertises methods IIS may not accept.", both.Message);
        Assert.Equal($"Set-MapiVirtualDirectory -Identity '{Vdir01}' -IISAuthenticationMethods Basic,Ntlm,OAuth,Negotiate", both.Recommendation);
        Assert.Equal(
            new[] { "IISAuthenticationMethods=[Basic]", "InternalAuthenticationMethods=[Ntlm]", "ExternalAuthenticationMethods=[Negotiate]" },
            Evidence(both));
    }

    [Fact]
    public void HostsOf_joins_one_host_in_both_URLs_and_skips_URLs_without_a_host()
    {
        Assert.Equal(new[] { ("mail.contoso.lab", "InternalUrl,ExternalUrl") }, VirtualDirectoryChecks.HostsOf(Vdir(externalUrl: "https://MAIL.contoso.lab/mapi")).Select(h => (h.Host, string.Join(",", h.Properties))));
        Assert.Equal(new[] { ("mail.contoso.lab", "InternalUrl"), ("outlook.contoso.com", "ExternalUrl") }, VirtualDirectoryChecks.HostsOf(Vdir(externalUrl: "https://outlook.contoso.com/mapi")).Select(h => (h.Host, string.Join(",", h.Properties))));
        Assert.Equal(new[] { ("outlook.contoso.com", "ExternalUrl") }, VirtualDirectoryChecks.HostsOf(Vdir(internalUrl: "mail/mapi", externalUrl: "https://outlook.contoso.com/mapi")).Select(h => (h.Host, string.Join(",", h.Properties))));
    }

    // ---------------------------------------------------------------- certificates

    private const string Where = $"mail.contoso.lab (InternalUrl, ExternalUrl of {Vdir01})";

    private static MapiHttpConfigurationResult CertificateResult(params ExchangeCertificateFacts[] certificates) =>
        Assert.Single(CertificateChecks.UrlHosts(Vdir(), certificates, Now, 30));

    private static string RenewCa(ExchangeCertificateFacts c) =>
        $"Get-ExchangeCertificate -Server 'EX01' -Thumbprint '{c.Thumbprint}' | New-ExchangeCertificate -GenerateRequest -RequestFile 'C:\\Temp\\mail.contoso.lab-renewal.req'; submit the request to the CA, then Import-ExchangeCertificate and Enable-ExchangeCertificate -Services IIS";

    [Fact]
    public void A_pending_request_covers_nothing_and_the_fix_requests_a_certificate_for_the_host()
    {
        ExchangeCertificateFacts pending = Cert(Now.AddDays(-10), Now.AddDays(300), status: "PendingRequest");

        MapiHttpConfigurationResult result = CertificateResult(pending);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate, ConfigurationArea.Certificate, "UrlCertificate"), (result.Status, result.Cause, result.Area, result.Check));
        Assert.Equal($"No Exchange certificate on EX01 covers {Where}: Outlook rejects the TLS connection with a name mismatch.", result.Message);
        Assert.Equal(
            "New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'CN=mail.contoso.lab' -DomainName 'mail.contoso.lab' -PrivateKeyExportable $true -RequestFile 'C:\\Temp\\mail.contoso.lab.req'; " +
            "submit the request to your CA, then Import-ExchangeCertificate and Enable-ExchangeCertificate -Services IIS",
            result.Recommendation);
        Assert.Equal(new[] { "Host=mail.contoso.lab", $"Certificates=[{pending.Thumbprint} CN=mail.contoso.lab [mail.contoso.lab] until 2027-12-26]" }, Evidence(result));
        Assert.Equal(("EX01", Vdir01, "mail.contoso.lab", "InternalUrl", "mail.contoso.lab", (string?)null), (result.Server, result.Identity, result.Target, result.Property, result.Value, result.Thumbprint));
    }

    [Fact]
    public void The_best_candidate_is_valid_now_then_bound_to_IIS_then_the_latest_expiry()
    {
        ExchangeCertificateFacts expiredLater = Cert(Now.AddDays(-900), Now.AddSeconds(-1));
        ExchangeCertificateFacts valid = Cert(Now.AddDays(-10), Now.AddDays(200));
        ExchangeCertificateFacts smtpLonger = Cert(Now.AddDays(-10), Now.AddDays(400), "SMTP");
        ExchangeCertificateFacts iisLongest = Cert(Now.AddDays(-10), Now.AddDays(500));
        ExchangeCertificateFacts notYet = Cert(Now.AddDays(1), Now.AddDays(900));

        Assert.Equal(valid.Thumbprint, CertificateResult(expiredLater, valid).Thumbprint);
        Assert.Equal(valid.Thumbprint, CertificateResult(valid, expiredLater).Thumbprint);
        Assert.Equal(valid.Thumbprint, CertificateResult(notYet, valid).Thumbprint);
        Assert.Equal(valid.Thumbprint, CertificateResult(smtpLonger, valid).Thumbprint);
        Assert.Equal(iisLongest.Thumbprint, CertificateResult(valid, iisLongest, smtpLonger).Thumbprint);
        ExchangeCertificateFacts startsNow = Cert(Now, Now.AddDays(400));
        Assert.Equal(startsNow.Thumbprint, CertificateResult(valid, startsNow).Thumbprint);
        Assert.Equal(CheckStatus.Pass, CertificateResult(valid, iisLongest, smtpLonger).Status);
    }

    [Fact]
    public void A_certificate_is_expired_from_its_NotAfter_second_and_valid_from_its_NotBefore_second()
    {
        ExchangeCertificateFacts endsNow = Cert(Now.AddDays(-400), Now);
        ExchangeCertificateFacts startsNow = Cert(Now, Now.AddDays(400));
        ExchangeCertificateFacts startsNext = Cert(Now.AddSeconds(1), Now.AddDays(400));

        MapiHttpConfigurationResult expired = CertificateResult(endsNow);
        MapiHttpConfigurationResult started = CertificateResult(startsNow);
        MapiHttpConfigurationResult notYet = CertificateResult(startsNext);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (expired.Status, expired.Cause));
        Assert.Equal($"The certificate covering {Where} (CN=mail.contoso.lab, {endsNow.Thumbprint}) expired on 2027-03-01: Outlook rejects the connection.", expired.Message);
        Assert.Equal(RenewCa(endsNow), expired.Recommendation);
        Assert.Equal((endsNow.Thumbprint, (DateTime?)Now), (expired.Thumbprint, expired.NotAfter));

        Assert.Equal(CheckStatus.Pass, started.Status);
        Assert.Equal($"{Where} is covered by CN=mail.contoso.lab ({startsNow.Thumbprint}), valid until 2028-04-04, enabled for IIS.", started.Message);

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (notYet.Status, notYet.Cause));
        Assert.Equal($"The certificate covering {Where} (CN=mail.contoso.lab, {startsNext.Thumbprint}) is not valid before 2027-03-01.", notYet.Message);
        Assert.Equal(RenewCa(startsNext), notYet.Recommendation);
    }

    [Fact]
    public void A_certificate_warns_until_the_last_second_of_the_warning_window()
    {
        ExchangeCertificateFacts lastDay = Cert(Now.AddDays(-400), Now.AddDays(30));
        ExchangeCertificateFacts afterWindow = Cert(Now.AddDays(-400), Now.AddDays(30).AddSeconds(1));

        MapiHttpConfigurationResult warning = CertificateResult(lastDay);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (warning.Status, warning.Cause));
        Assert.Equal($"The certificate covering {Where} (CN=mail.contoso.lab, {lastDay.Thumbprint}) expires on 2027-03-31, within 30 days.", warning.Message);
        Assert.Equal(RenewCa(lastDay), warning.Recommendation);
        Assert.Equal(CheckStatus.Pass, CertificateResult(afterWindow).Status);
    }

    [Fact]
    public void Not_bound_to_IIS_self_signed_and_a_status_other_than_Valid_each_have_their_sentence_and_fix()
    {
        ExchangeCertificateFacts smtp = Cert(Now.AddDays(-10), Now.AddDays(300), "SMTP, IMAP");
        ExchangeCertificateFacts self = SelfSigned(Now.AddDays(-10), Now.AddDays(300));
        ExchangeCertificateFacts selfExpired = SelfSigned(Now.AddDays(-400), Now.AddDays(-1));
        ExchangeCertificateFacts revoked = Cert(Now.AddDays(-10), Now.AddDays(300), status: "Revoked");
        ExchangeCertificateFacts validStatus = Cert(Now.AddDays(-10), Now.AddDays(300), services: null, status: "Valid");

        MapiHttpConfigurationResult notIis = CertificateResult(smtp);
        MapiHttpConfigurationResult selfResult = CertificateResult(self);
        MapiHttpConfigurationResult selfExpiredResult = CertificateResult(selfExpired);
        MapiHttpConfigurationResult revokedResult = CertificateResult(revoked);
        MapiHttpConfigurationResult validResult = CertificateResult(validStatus);

        Assert.Equal((CheckStatus.Fail, $"The certificate covering {Where} (CN=mail.contoso.lab, {smtp.Thumbprint}) is not enabled for IIS (Services: SMTP, IMAP), so IIS serves another certificate."), (notIis.Status, notIis.Message));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (selfResult.Status, selfResult.Cause));
        Assert.Equal($"{Where} is covered only by the self-signed certificate CN=mail.contoso.lab ({self.Thumbprint}): Outlook on computers that do not trust it shows certificate warnings or fails.", selfResult.Message);
        Assert.Equal(
            "New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'CN=mail.contoso.lab' -DomainName 'mail.contoso.lab' -PrivateKeyExportable $true -RequestFile 'C:\\Temp\\mail.contoso.lab.req'; " +
            "submit it to a CA the clients trust, then Import-ExchangeCertificate and Enable-ExchangeCertificate -Services IIS",
            selfResult.Recommendation);
        Assert.Equal($"Get-ExchangeCertificate -Server 'EX01' -Thumbprint '{selfExpired.Thumbprint}' | New-ExchangeCertificate -Force -PrivateKeyExportable $true", selfExpiredResult.Recommendation);
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (revokedResult.Status, revokedResult.Cause));
        Assert.Equal($"Exchange reports the certificate covering {Where} (CN=mail.contoso.lab, {revoked.Thumbprint}) as Revoked.", revokedResult.Message);
        Assert.Equal(RenewCa(revoked), revokedResult.Recommendation);
        Assert.Equal(CheckStatus.Pass, validResult.Status);
        Assert.Equal(
            $"{Where} is covered by CN=mail.contoso.lab ({validStatus.Thumbprint}), valid until 2027-12-26, its IIS binding is not in the data (deserialized certificates carry no Services); the endpoint probe's TLS handshake shows the certificate IIS serves.",
            validResult.Message);
        Assert.Equal(
            new[]
            {
                "Host=mail.contoso.lab", "Thumbprint=" + validStatus.Thumbprint, "Subject=CN=mail.contoso.lab", "Issuer=CN=Contoso Boundary CA, O=Contoso",
                "NotAfter=2027-12-26T12:00:00Z", "Services=(not in the data)", "Status=Valid",
            },
            Evidence(validResult));
        Assert.Equal("Services=IIS, SMTP", Evidence(CertificateResult(Cert(Now.AddDays(-10), Now.AddDays(300))))[5]);
    }

    // ---------------------------------------------------------------- namespaces

    private static ExchangeServerFacts Server(string name, string? site = Site) => Ex01 with { Name = name, Fqdn = name.ToLowerInvariant() + ".contoso.lab", Site = site };

    [Fact]
    public void A_two_against_two_split_is_no_namespace_and_names_the_hosts()
    {
        var servers = new[] { Server("EX01"), Server("EX02"), Server("EX03"), Server("EX04") };
        var vdirs = new[]
        {
            Vdir("EX01", "https://a.contoso.lab/mapi", null), Vdir("EX02", "https://a.contoso.lab/mapi", null),
            Vdir("EX03", "https://b.contoso.lab/mapi", null), Vdir("EX04", "https://b.contoso.lab/mapi", null),
        };

        MapiHttpConfigurationResult result = Assert.Single(NamespaceChecks.Consistency(servers, vdirs));

        Assert.Equal((CheckStatus.Pass, "NamespaceConsistency", ConfigurationArea.Namespace, Site, "InternalUrl"), (result.Status, result.Check, result.Area, result.Target, result.Property));
        Assert.Equal($"The servers of site {Site} use their own InternalUrl host names (a.contoso.lab, b.contoso.lab); there is no shared namespace to compare with.", result.Message);
        Assert.Equal(
            new[] { "Site=" + Site, "Hosts=[EX01=a.contoso.lab, EX02=a.contoso.lab, EX03=b.contoso.lab, EX04=b.contoso.lab]" },
            Evidence(result));
    }

    [Fact]
    public void Two_servers_on_one_name_share_a_namespace_and_each_passes_with_its_sentence()
    {
        var servers = new[] { Server("EX01"), Server("EX02") };

        MapiHttpConfigurationResult[] results = NamespaceChecks.Consistency(servers, new[] { Vdir("EX01"), Vdir("EX02") }).ToArray();

        Assert.Equal(4, results.Length);
        Assert.All(results, r => Assert.Equal((CheckStatus.Pass, "mail.contoso.lab", "mail.contoso.lab"), (r.Status, r.Value, r.ExpectedValue)));
        Assert.Equal($"InternalUrl of {Vdir01} uses the site namespace mail.contoso.lab.", results[0].Message);
        Assert.Equal(("EX02", "ExternalUrl"), (results[3].Server, results[3].Property));
        Assert.Equal(new[] { "Site=" + Site, "Namespace=mail.contoso.lab", "ServersOnNamespace=[EX01, EX02]" }, Evidence(results[0]));
    }

    [Fact]
    public void Servers_in_different_sites_or_one_server_with_two_directories_are_not_compared()
    {
        var split = new[] { Server("EX01", "Site-A"), Server("EX02", "Site-B") };
        var vdirs = new[] { Vdir("EX01", "https://a.contoso.lab/mapi", null), Vdir("EX02", "https://b.contoso.lab/mapi", null) };

        Assert.Empty(NamespaceChecks.Consistency(split, vdirs));
        Assert.Empty(NamespaceChecks.Consistency(new[] { Server("EX01") }, new[] { Vdir("EX01"), Vdir("EX01", "https://other.contoso.lab/mapi", null) }));
    }

    [Fact]
    public void Directories_of_servers_without_a_site_are_one_group_and_the_odd_one_out_warns_with_its_sentence()
    {
        var servers = new[] { Server("EX01", null), Server("EX02", null) };
        var vdirs = new[] { Vdir("EX01", null, "https://mail.contoso.lab/mapi"), Vdir("EX02", null, "https://mail.contoso.lab/mapi"), Vdir("EX03", null, "https://ex03.contoso.lab/mapi") };

        MapiHttpConfigurationResult[] results = NamespaceChecks.Consistency(servers, vdirs).ToArray();

        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Pass, CheckStatus.Warning }, results.Select(r => r.Status));
        MapiHttpConfigurationResult off = results[2];
        Assert.Equal((MapiHttpCause.VirtualDirectory, "EX03", "ExternalUrl", "ex03.contoso.lab"), (off.Cause, off.Server, off.Property, off.Target));
        Assert.Equal(@"ExternalUrl of EX03\mapi (Default Web Site) uses ex03.contoso.lab, while EX01, EX02 in site (no site) use mail.contoso.lab: clients of this server bypass the load-balanced namespace.", off.Message);
        Assert.Equal(@"Set-MapiVirtualDirectory -Identity 'EX03\mapi (Default Web Site)' -ExternalUrl 'https://mail.contoso.lab/mapi'", off.Recommendation);
    }

    [Fact]
    public void MAPI_hosts_match_Outlook_Anywhere_names_in_any_case_and_a_missing_name_is_not_compared()
    {
        var upper = new[] { ExchangeFactReader.ReadOutlookAnywhere(ExchangeObjects.OutlookAnywhere("EX01", "MAIL.CONTOSO.LAB", null)) };
        var different = new[] { ExchangeFactReader.ReadOutlookAnywhere(ExchangeObjects.OutlookAnywhere("EX01", "rpc.contoso.lab", "mail.contoso.lab")) };

        MapiHttpConfigurationResult same = Assert.Single(NamespaceChecks.VersusOutlookAnywhere(Vdir(), upper));
        MapiHttpConfigurationResult[] internalDiffers = NamespaceChecks.VersusOutlookAnywhere(Vdir(externalUrl: null), different).ToArray();

        Assert.Equal((CheckStatus.Pass, "OutlookAnywhereNamespace", "InternalUrl", "mail.contoso.lab", "mail.contoso.lab"), (same.Status, same.Check, same.Property, same.Value, same.ExpectedValue));
        Assert.Equal($"InternalUrl of {Vdir01} uses mail.contoso.lab, the Outlook Anywhere InternalHostname.", same.Message);
        Assert.Equal(new[] { "MapiHost=mail.contoso.lab", @"OutlookAnywhere=EX01\Rpc (Default Web Site)", "InternalHostname=mail.contoso.lab" }, Evidence(same));

        MapiHttpConfigurationResult warning = Assert.Single(internalDiffers);
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.VirtualDirectory, "rpc.contoso.lab"), (warning.Status, warning.Cause, warning.ExpectedValue));
        Assert.Equal(
            $@"InternalUrl of {Vdir01} uses mail.contoso.lab but Outlook Anywhere (EX01\Rpc (Default Web Site)) publishes rpc.contoso.lab: Outlook switches names when it moves between RPC/HTTP and MAPI/HTTP, and the certificate and load balancer must serve both.",
            warning.Message);
        Assert.Equal($"Set-MapiVirtualDirectory -Identity '{Vdir01}' -InternalUrl 'https://rpc.contoso.lab/mapi'", warning.Recommendation);
    }

    // ---------------------------------------------------------------- Auth configuration

    private static AuthConfigFacts Auth(string? current, string? next = null, DateTime? effective = null) =>
        ExchangeFactReader.ReadAuthConfig(ExchangeObjects.AuthConfig(current ?? string.Empty, next, effective));

    private static Dictionary<string, IReadOnlyList<ExchangeCertificateFacts>?> On(params (string Server, ExchangeCertificateFacts[]? Certificates)[] servers) =>
        servers.ToDictionary(s => s.Server, s => (IReadOnlyList<ExchangeCertificateFacts>?)s.Certificates);

    private static ExchangeCertificateFacts AuthCert(DateTime notAfter) =>
        ExchangeFactReader.ReadCertificate(ExchangeObjects.Certificate(LabPki.SelfSigned("CN=Microsoft Exchange Server Auth Certificate", Array.Empty<string>(), Now.AddYears(-1), notAfter), "SMTP"), "EX01")!;

    [Fact]
    public void No_current_Auth_certificate_fails_and_unreadable_servers_skip_with_their_sentences()
    {
        ExchangeCertificateFacts cert = AuthCert(Now.AddDays(400));

        MapiHttpConfigurationResult none = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth(null), On(("EX01", new[] { cert })), Now, 30));
        MapiHttpConfigurationResult skipped = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth(cert.Thumbprint), On(("EX01", null)), Now, 30));
        MapiHttpConfigurationResult nowhere = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth("00AA"), On(("EX01", new[] { cert }), ("EX02", Array.Empty<ExchangeCertificateFacts>()), ("EX03", null)), Now, 30));

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, RenewAuth), (none.Status, none.Cause, none.Recommendation));
        Assert.Equal("Get-AuthConfig names no current Auth certificate: OAuth between servers and for Outlook fails.", none.Message);
        Assert.Equal(("AuthCertificate", ConfigurationArea.Authentication, "Auth Configuration", "Auth Configuration", "CurrentCertificateThumbprint"), (none.Check, none.Area, none.Identity, none.Target, none.Property));

        Assert.Equal((CheckStatus.Skipped, $"The Auth certificate {cert.Thumbprint} could not be looked for: no server's certificates could be read."), (skipped.Status, skipped.Message));
        Assert.Equal((cert.Thumbprint, cert.Thumbprint), (skipped.Value, skipped.Thumbprint));

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, RenewAuth), (nowhere.Status, nowhere.Cause, nowhere.Recommendation));
        Assert.Equal("The current Auth certificate 00AA is on none of the servers checked (EX01, EX02): OAuth fails.", nowhere.Message);
        Assert.Equal(new[] { "Thumbprint=00AA", "ServersChecked=[EX01, EX02]" }, Evidence(nowhere));
    }

    [Fact]
    public void The_current_Auth_certificate_is_expired_at_its_NotAfter_and_warns_through_the_last_window_second()
    {
        ExchangeCertificateFacts endsNow = AuthCert(Now);
        ExchangeCertificateFacts lastDay = AuthCert(Now.AddDays(30));
        ExchangeCertificateFacts afterWindow = AuthCert(Now.AddDays(30).AddSeconds(1));

        MapiHttpConfigurationResult expired = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth(endsNow.Thumbprint), On(("EX01", new[] { endsNow })), Now, 30));
        MapiHttpConfigurationResult expiring = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth(lastDay.Thumbprint), On(("EX01", new[] { lastDay })), Now, 30));
        MapiHttpConfigurationResult expiringStaged = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth(lastDay.Thumbprint, "11BB"), On(("EX01", new[] { lastDay })), Now, 30));
        MapiHttpConfigurationResult valid = Assert.Single(AuthConfigChecks.CurrentCertificate(Auth(afterWindow.Thumbprint), On(("EX01", new[] { afterWindow })), Now, 30));

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, RenewAuth), (expired.Status, expired.Cause, expired.Recommendation));
        Assert.Equal($"The current Auth certificate {endsNow.Thumbprint} expired on 2027-03-01: OAuth (hybrid, modern authentication, server-to-server) fails.", expired.Message);
        Assert.Equal((DateTime?)Now, expired.NotAfter);
        Assert.Equal(
            new[] { "Thumbprint=" + endsNow.Thumbprint, "Subject=CN=Microsoft Exchange Server Auth Certificate", "NotAfter=2027-03-01T12:00:00Z", "ServersChecked=[EX01]" },
            Evidence(expired));

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication, StageAuth), (expiring.Status, expiring.Cause, expiring.Recommendation));
        Assert.Equal($"The current Auth certificate {lastDay.Thumbprint} expires on 2027-03-31, within 30 days.", expiring.Message);
        Assert.Equal((CheckStatus.Warning, (string?)null), (expiringStaged.Status, expiringStaged.Recommendation));

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, (string?)null), (valid.Status, valid.Cause, valid.Recommendation));
        Assert.Equal($"The current Auth certificate {afterWindow.Thumbprint} is valid until 2027-03-31.", valid.Message);
    }

    [Fact]
    public void A_server_without_the_current_Auth_certificate_fails_with_the_service_restart()
    {
        ExchangeCertificateFacts cert = AuthCert(Now.AddDays(400));

        MapiHttpConfigurationResult[] results = AuthConfigChecks.CurrentCertificate(Auth(cert.Thumbprint), On(("EX01", new[] { cert }), ("EX02", new[] { AuthCert(Now.AddDays(400)) })), Now, 30).ToArray();

        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Fail }, results.Select(r => r.Status));
        Assert.Equal((MapiHttpCause.Authentication, "EX02"), (results[1].Cause, results[1].Server));
        Assert.Equal($"EX02 does not have the current Auth certificate {cert.Thumbprint}: OAuth requests that EX02 handles fail.", results[1].Message);
        Assert.Equal(
            "Invoke-Command -ComputerName 'EX02' -ScriptBlock { Restart-Service MSExchangeServiceHost } " +
            "(its AuthAdmin task deploys the Auth certificate; if it stays missing, Export-ExchangeCertificate it from a server that has it and Import-ExchangeCertificate on this one)",
            results[1].Recommendation);
    }

    [Fact]
    public void Without_a_staged_next_certificate_the_sentence_depends_on_how_long_the_current_one_lasts()
    {
        ExchangeCertificateFacts far = AuthCert(Now.AddDays(400));
        ExchangeCertificateFacts lastDay = AuthCert(Now.AddDays(30));
        ExchangeCertificateFacts endsNow = AuthCert(Now);

        MapiHttpConfigurationResult unknownCurrent = AuthConfigChecks.NextCertificate(Auth("00AA"), On(("EX01", new[] { far })), Now, 30);
        MapiHttpConfigurationResult noCurrent = AuthConfigChecks.NextCertificate(Auth(null), On(("EX01", new[] { far })), Now, 30);
        MapiHttpConfigurationResult notYet = AuthConfigChecks.NextCertificate(Auth(far.Thumbprint), On(("EX01", new[] { far })), Now, 30);
        MapiHttpConfigurationResult soon = AuthConfigChecks.NextCertificate(Auth(lastDay.Thumbprint), On(("EX01", new[] { lastDay })), Now, 30);
        MapiHttpConfigurationResult late = AuthConfigChecks.NextCertificate(Auth(endsNow.Thumbprint), On(("EX01", new[] { endsNow })), Now, 30);

        Assert.Equal((CheckStatus.Pass, "No next Auth certificate is staged."), (unknownCurrent.Status, unknownCurrent.Message));
        Assert.Equal((CheckStatus.Pass, "No next Auth certificate is staged."), (noCurrent.Status, noCurrent.Message));
        Assert.Equal((CheckStatus.Pass, (string?)null, "No next Auth certificate is staged; none is needed before 2028-03-05."), (notYet.Status, notYet.Recommendation, notYet.Message));
        Assert.Equal(("AuthNextCertificate", "NextCertificateThumbprint", (string?)null), (notYet.Check, notYet.Property, notYet.Value));
        Assert.Equal(new[] { "NextCertificateThumbprint=(null)", "NextCertificateEffectiveDate=(null)", "CurrentNotAfter=2028-04-04T12:00:00Z" }, Evidence(notYet));

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication, StageAuth), (soon.Status, soon.Cause, soon.Recommendation));
        Assert.Equal("No next Auth certificate is staged, and the current one expires on 2027-03-31.", soon.Message);
        Assert.Equal((CheckStatus.Warning, RenewAuth), (late.Status, late.Recommendation));
        Assert.Equal("No next Auth certificate is staged, and the current one expired on 2027-03-01.", late.Message);
    }

    [Fact]
    public void A_staged_next_certificate_is_judged_by_presence_expiry_and_effective_date()
    {
        ExchangeCertificateFacts current = AuthCert(Now.AddDays(10));
        ExchangeCertificateFacts next = AuthCert(Now.AddDays(800));
        ExchangeCertificateFacts nextEndsNow = AuthCert(Now);
        var certificates = On(("EX01", new[] { current, next, nextEndsNow }));

        MapiHttpConfigurationResult lost = AuthConfigChecks.NextCertificate(Auth(current.Thumbprint, "22CC", Now.AddDays(2)), certificates, Now, 30);
        MapiHttpConfigurationResult expired = AuthConfigChecks.NextCertificate(Auth(current.Thumbprint, nextEndsNow.Thumbprint, Now.AddDays(2)), certificates, Now, 30);
        MapiHttpConfigurationResult overdue = AuthConfigChecks.NextCertificate(Auth(current.Thumbprint, next.Thumbprint, Now), certificates, Now, 30);
        MapiHttpConfigurationResult staged = AuthConfigChecks.NextCertificate(Auth(current.Thumbprint, next.Thumbprint, Now.AddSeconds(1)), certificates, Now, 30);
        MapiHttpConfigurationResult undated = AuthConfigChecks.NextCertificate(Auth(current.Thumbprint, next.Thumbprint), certificates, Now, 30);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication, StageAuth), (lost.Status, lost.Cause, lost.Recommendation));
        Assert.Equal("The staged next Auth certificate 22CC is on none of the servers checked: when it takes over, OAuth fails.", lost.Message);
        Assert.Equal(("22CC", "22CC"), (lost.Value, lost.Thumbprint));

        Assert.Equal((CheckStatus.Warning, StageAuth, (DateTime?)Now), (expired.Status, expired.Recommendation, expired.NotAfter));
        Assert.Equal($"The staged next Auth certificate {nextEndsNow.Thumbprint} expired on 2027-03-01.", expired.Message);

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication, "Set-AuthConfig -PublishCertificate; Set-AuthConfig -ClearPreviousCertificate"), (overdue.Status, overdue.Cause, overdue.Recommendation));
        Assert.Equal($"The next Auth certificate {next.Thumbprint} was to take over on 2027-03-01 but is still only staged.", overdue.Message);
        Assert.Equal((DateTime?)next.NotAfterUtc, overdue.NotAfter);

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, (string?)null), (staged.Status, staged.Cause, staged.Recommendation));
        Assert.Equal($"The next Auth certificate {next.Thumbprint} is staged to take over on 2027-03-01.", staged.Message);
        Assert.Equal((DateTime?)next.NotAfterUtc, staged.NotAfter);
        Assert.Equal(
            new[] { "NextCertificateThumbprint=" + next.Thumbprint, "NextCertificateEffectiveDate=2027-03-01T12:00:01Z", "CurrentNotAfter=2027-03-11T12:00:00Z" },
            Evidence(staged));
        Assert.Equal((CheckStatus.Pass, $"The next Auth certificate {next.Thumbprint} is staged."), (undated.Status, undated.Message));
    }

    [Fact]
    public void Auth_servers_have_their_sentences_values_and_evidence()
    {
        AuthServerFacts[] servers =
        {
            ExchangeFactReader.ReadAuthServer(ExchangeObjects.AuthServer("EvoSts - contoso", true)),
            ExchangeFactReader.ReadAuthServer(ExchangeObjects.AuthServer("ACS - contoso", false, "MicrosoftACS")),
        };

        MapiHttpConfigurationResult[] results = AuthConfigChecks.AuthServers(servers).ToArray();
        MapiHttpConfigurationResult none = Assert.Single(AuthConfigChecks.AuthServers(Array.Empty<AuthServerFacts>()));

        Assert.Equal((CheckStatus.Pass, "The auth server EvoSts - contoso (AzureAD) is enabled.", "True", "True", (string?)null), (results[0].Status, results[0].Message, results[0].Value, results[0].ExpectedValue, results[0].Recommendation));
        Assert.Equal(("AuthServer", ConfigurationArea.Authentication, "EvoSts - contoso", "EvoSts - contoso", "Enabled"), (results[0].Check, results[0].Area, results[0].Identity, results[0].Target, results[0].Property));
        Assert.Equal(
            new[] { "Type=AzureAD", "AuthMetadataUrl=https://login.windows.net/contoso.onmicrosoft.com/federationmetadata/2007-06/federationmetadata.xml", "IsDefaultAuthorizationEndpoint=False" },
            Evidence(results[0]));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication, "False"), (results[1].Status, results[1].Cause, results[1].Value));
        Assert.Equal("The auth server ACS - contoso (MicrosoftACS) is disabled: tokens it issues (hybrid modern authentication) are refused.", results[1].Message);
        Assert.Equal((CheckStatus.Pass, "AuthServer", "No auth servers are configured (no OAuth partner such as Microsoft Entra ID in a hybrid deployment)."), (none.Status, none.Target, none.Message));
    }
}
