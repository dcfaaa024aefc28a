using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Each configuration check with passing and failing facts (real exports where there are some).</summary>
public sealed class ConfigurationCheckTests
{
    // Microsoft's Auth certificate procedures as the recommendations must spell them (issue 19: literals, not the production constants).
    private const string RenewAuth =
        "$c = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' " +
        "-FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @(); " +
        "Set-AuthConfig -NewCertificateThumbprint $c.Thumbprint -NewCertificateEffectiveDate (Get-Date); Set-AuthConfig -PublishCertificate; Set-AuthConfig -ClearPreviousCertificate";

    private const string StageAuth =
        "$c = New-ExchangeCertificate -KeySize 2048 -PrivateKeyExportable $true -SubjectName 'cn=Microsoft Exchange Server Auth Certificate' " +
        "-FriendlyName 'Microsoft Exchange Server Auth Certificate' -DomainName @(); " +
        "Set-AuthConfig -NewCertificateThumbprint $c.Thumbprint -NewCertificateEffectiveDate (Get-Date).AddHours(48)";

    private static readonly ExchangeServerFacts Ex01 = new("EX01", "ex01.contoso.lab", "contoso.lab/Configuration/Sites/Default-First-Site-Name", "Version 15.2 (Build 1118.7)", true, false);

    private static MapiVirtualDirectoryFacts Vdir(string server = "EX01", string? internalUrl = "https://mail.contoso.lab/mapi", string? externalUrl = "https://mail.contoso.lab/mapi", string[]? iis = null, string[]? internalMethods = null, string[]? externalMethods = null) =>
        ExchangeFactReader.ReadVirtualDirectory(ExchangeObjects.MapiVirtualDirectory(server, internalUrl, externalUrl, iis, internalMethods, externalMethods));

    [Fact]
    public void Organisation_MapiHttpEnabled_passes_when_on_and_fails_NotEnabled_when_off()
    {
        PSObject org = ExchangeObjects.Fixture("GetOrganizationConfig.xml")[0];
        MapiHttpConfigurationResult on = OrganizationChecks.MapiHttpEnabled(ExchangeFactReader.ReadOrganization(org));
        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None, "SoloORG", "True"), (on.Status, on.Cause, on.Identity, on.Value));

        org.Properties["MapiHttpEnabled"].Value = false;
        MapiHttpConfigurationResult off = OrganizationChecks.MapiHttpEnabled(ExchangeFactReader.ReadOrganization(org));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled, ConfigurationArea.Organization), (off.Status, off.Cause, off.Area));
        Assert.Equal("Set-OrganizationConfig -MapiHttpEnabled $true", off.Recommendation);
        Assert.Equal(false, off.Evidence["MapiHttpEnabled"]);

        MapiHttpConfigurationResult unset = OrganizationChecks.MapiHttpEnabled(new OrganizationFacts("Contoso", null, null));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.NotEnabled), (unset.Status, unset.Cause));
    }

    [Fact]
    public void A_server_without_a_MAPI_virtual_directory_fails_with_the_command_that_creates_one()
    {
        MapiHttpConfigurationResult missing = VirtualDirectoryChecks.Present(Ex01, Array.Empty<MapiVirtualDirectoryFacts>());
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "EX01"), (missing.Status, missing.Cause, missing.Server));
        Assert.Equal("New-MapiVirtualDirectory -Server 'EX01' -InternalUrl 'https://ex01.contoso.lab/mapi' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", missing.Recommendation);

        MapiHttpConfigurationResult present = VirtualDirectoryChecks.Present(Ex01, new[] { Vdir() });
        Assert.Equal((CheckStatus.Pass, @"EX01\mapi (Default Web Site)"), (present.Status, present.Identity));
    }

    [Fact]
    public void Well_formed_https_mapi_URLs_pass()
    {
        MapiHttpConfigurationResult[] results = VirtualDirectoryChecks.Urls(Vdir(), Ex01).ToArray();
        Assert.Equal(new[] { "InternalUrl", "ExternalUrl" }, results.Select(r => r.Property));
        Assert.All(results, r => Assert.Equal((CheckStatus.Pass, "VirtualDirectoryUrl"), (r.Status, r.Check)));
    }

    [Theory]
    [InlineData("http://mail.contoso.lab/mapi", "uses http", "https://mail.contoso.lab/mapi")]
    [InlineData("https://mail.contoso.lab/owa", "points at /owa", "https://mail.contoso.lab/mapi")]
    [InlineData("mail.contoso.lab/mapi", "not an absolute URL", "https://ex01.contoso.lab/mapi")]
    public void A_broken_InternalUrl_fails_VirtualDirectory_with_the_corrected_URL(string url, string says, string fixedUrl)
    {
        MapiHttpConfigurationResult result = VirtualDirectoryChecks.Urls(Vdir(internalUrl: url), Ex01).First();

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "InternalUrl", url), (result.Status, result.Cause, result.Property, result.Value));
        Assert.Contains(says, result.Message);
        Assert.Equal($"Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -InternalUrl '{fixedUrl}'", result.Recommendation);
    }

    [Fact]
    public void Missing_URLs_no_URL_fails_no_InternalUrl_warns_no_ExternalUrl_passes_with_a_note()
    {
        MapiHttpConfigurationResult none = Assert.Single(VirtualDirectoryChecks.Urls(Vdir(internalUrl: null, externalUrl: null), Ex01));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory), (none.Status, none.Cause));
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -InternalUrl 'https://ex01.contoso.lab/mapi'", none.Recommendation);

        MapiHttpConfigurationResult[] externalOnly = VirtualDirectoryChecks.Urls(Vdir(internalUrl: null), Ex01).ToArray();
        Assert.Equal((CheckStatus.Warning, "InternalUrl"), (externalOnly[0].Status, externalOnly[0].Property));
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -InternalUrl 'https://mail.contoso.lab/mapi'", externalOnly[0].Recommendation);

        MapiHttpConfigurationResult[] internalOnly = VirtualDirectoryChecks.Urls(Vdir(externalUrl: null), Ex01).ToArray();
        Assert.Equal((CheckStatus.Pass, "ExternalUrl"), (internalOnly[1].Status, internalOnly[1].Property));
        Assert.Contains("no ExternalUrl", internalOnly[1].Message);
    }

    [Fact]
    public async System.Threading.Tasks.Task URL_hosts_resolve_an_internal_name_that_does_not_fails_an_external_one_warns()
    {
        var resolver = new LabResolver();
        MapiHttpConfigurationResult ok = Assert.Single(await VirtualDirectoryChecks.HostsResolveAsync(Vdir(), Ex01, resolver, CancellationToken.None));
        Assert.Equal((CheckStatus.Pass, "mail.contoso.lab"), (ok.Status, ok.Target));
        Assert.Equal(new[] { "127.0.0.10" }, (string[])ok.Evidence["Addresses"]!);
        Assert.Contains("InternalUrl, ExternalUrl", ok.Message);

        IReadOnlyList<MapiHttpConfigurationResult> bad = await VirtualDirectoryChecks.HostsResolveAsync(
            Vdir(internalUrl: "https://mapi.contoso.lab/mapi", externalUrl: "https://outlook.contoso.com/mapi"), Ex01, resolver, CancellationToken.None);
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory, "mapi.contoso.lab"), (bad[0].Status, bad[0].Cause, bad[0].Target));
        Assert.EndsWith("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -InternalUrl 'https://ex01.contoso.lab/mapi'", bad[0].Recommendation);
        Assert.Equal((CheckStatus.Warning, "outlook.contoso.com", "ExternalUrl"), (bad[1].Status, bad[1].Target, bad[1].Property));
    }

    [Fact]
    public void IIS_authentication_methods_missing_ones_are_added_not_overwritten()
    {
        Assert.Equal(CheckStatus.Pass, VirtualDirectoryChecks.IisAuthenticationMethods(Vdir()).Status);

        MapiHttpConfigurationResult noOAuth = VirtualDirectoryChecks.IisAuthenticationMethods(Vdir(iis: new[] { "Ntlm", "Negotiate" }));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (noOAuth.Status, noOAuth.Cause));
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,Negotiate,OAuth", noOAuth.Recommendation);
        Assert.Contains("OAuth (modern authentication", noOAuth.Message);

        MapiHttpConfigurationResult basicOnly = VirtualDirectoryChecks.IisAuthenticationMethods(Vdir(iis: new[] { "Basic" }));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication), (basicOnly.Status, basicOnly.Cause));
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Basic,Ntlm,OAuth,Negotiate", basicOnly.Recommendation);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, (string[])basicOnly.Evidence["Missing"]!);
    }

    [Fact]
    public void Internal_and_external_methods_that_disagree_warn()
    {
        Assert.Equal(CheckStatus.Pass, VirtualDirectoryChecks.AuthenticationMethodsAgree(Vdir()).Status);

        MapiHttpConfigurationResult result = VirtualDirectoryChecks.AuthenticationMethodsAgree(Vdir(externalMethods: new[] { "Ntlm" }));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (result.Status, result.Cause));
        Assert.Contains("internal (Ntlm, OAuth, Negotiate) and external (Ntlm)", result.Message);
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -IISAuthenticationMethods Ntlm,OAuth,Negotiate", result.Recommendation);
    }

    private static ExchangeCertificateFacts Cert(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string? services = "IIS, SMTP") =>
        ExchangeFactReader.ReadCertificate(ExchangeObjects.Certificate(certificate, services), "EX01")!;

    [Fact]
    public void URL_hosts_covered_by_a_valid_IIS_certificate_pass_also_by_wildcard()
    {
        DateTime now = ExchangeLab.Now;
        var mail = Cert(LabPki.Server("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, now.AddDays(-10), now.AddDays(300)));
        MapiHttpConfigurationResult result = Assert.Single(CertificateChecks.UrlHosts(Vdir(), new[] { mail }, now, 30));
        Assert.Equal((CheckStatus.Pass, ConfigurationArea.Certificate, mail.Thumbprint), (result.Status, result.Area, result.Thumbprint));
        Assert.Contains("enabled for IIS", result.Message);

        var wildcard = Cert(LabPki.Server("CN=*.contoso.lab", new[] { "*.contoso.lab" }, now.AddDays(-10), now.AddDays(300)), services: null);
        MapiHttpConfigurationResult viaWildcard = Assert.Single(CertificateChecks.UrlHosts(Vdir(), new[] { wildcard }, now, 30));
        Assert.Equal(CheckStatus.Pass, viaWildcard.Status);
        Assert.Contains("not in the data", viaWildcard.Message);
    }

    [Fact]
    public void Certificate_failures_name_cover_expiry_IIS_binding_and_self_signed()
    {
        DateTime now = ExchangeLab.Now;
        var other = Cert(LabPki.Server("CN=owa.fabrikam.lab", new[] { "owa.fabrikam.lab" }, now.AddDays(-10), now.AddDays(300)));
        MapiHttpConfigurationResult uncovered = Assert.Single(CertificateChecks.UrlHosts(Vdir(), new[] { other }, now, 30));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (uncovered.Status, uncovered.Cause));
        Assert.StartsWith("New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'CN=mail.contoso.lab' -DomainName 'mail.contoso.lab'", uncovered.Recommendation);

        var expired = Cert(LabPki.Server("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, now.AddDays(-400), now.AddDays(-2)));
        MapiHttpConfigurationResult expiredResult = Assert.Single(CertificateChecks.UrlHosts(Vdir(), new[] { expired }, now, 30));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (expiredResult.Status, expiredResult.Cause));
        Assert.Contains("expired on", expiredResult.Message);
        Assert.StartsWith($"Get-ExchangeCertificate -Server 'EX01' -Thumbprint '{expired.Thumbprint}' | New-ExchangeCertificate -GenerateRequest", expiredResult.Recommendation);

        var expiring = Cert(LabPki.Server("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, now.AddDays(-400), now.AddDays(12)));
        MapiHttpConfigurationResult expiringResult = Assert.Single(CertificateChecks.UrlHosts(Vdir(), new[] { expiring }, now, 30));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (expiringResult.Status, expiringResult.Cause));
        Assert.Contains("within 30 days", expiringResult.Message);

        var smtpOnly = Cert(LabPki.Server("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, now.AddDays(-10), now.AddDays(300)), "SMTP");
        MapiHttpConfigurationResult notIis = Assert.Single(CertificateChecks.UrlHosts(Vdir(), new[] { smtpOnly }, now, 30));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (notIis.Status, notIis.Cause));
        Assert.Equal($"Enable-ExchangeCertificate -Server 'EX01' -Thumbprint '{smtpOnly.Thumbprint}' -Services IIS", notIis.Recommendation);

        // Real export: SOLO-E19A's own self-signed certificate, seen in 2021 when it was valid.
        ExchangeCertificateFacts[] solo = ExchangeObjects.Fixture("GetExchangeCertificate.xml").Select(c => ExchangeFactReader.ReadCertificate(c, "SOLO-E19A")!).ToArray();
        MapiHttpConfigurationResult selfSigned = Assert.Single(CertificateChecks.UrlHosts(Vdir("SOLO-E19A", "https://solo-e19a.solo.com/mapi", null), solo, new DateTime(2021, 10, 1, 0, 0, 0, DateTimeKind.Utc), 30));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate, "6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28"), (selfSigned.Status, selfSigned.Cause, selfSigned.Thumbprint));
        Assert.Contains("self-signed", selfSigned.Message);
    }

    [Fact]
    public void A_server_off_the_site_namespace_warns_the_others_pass()
    {
        var servers = new[] { Ex01, Ex01 with { Name = "EX02", Fqdn = "ex02.contoso.lab" }, Ex01 with { Name = "EX03", Fqdn = "ex03.contoso.lab" } };
        var vdirs = new[] { Vdir("EX01"), Vdir("EX02"), Vdir("EX03", "https://ex03.contoso.lab/mapi", "https://mail.contoso.lab/mapi") };

        MapiHttpConfigurationResult[] results = NamespaceChecks.Consistency(servers, vdirs).ToArray();

        MapiHttpConfigurationResult off = Assert.Single(results, r => r.Status != CheckStatus.Pass);
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.VirtualDirectory, "EX03", "InternalUrl", "ex03.contoso.lab", "mail.contoso.lab"), (off.Status, off.Cause, off.Server, off.Property, off.Value, off.ExpectedValue));
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX03\\mapi (Default Web Site)' -InternalUrl 'https://mail.contoso.lab/mapi'", off.Recommendation);
        Assert.Contains("EX01, EX02", off.Message);
        Assert.Equal(5, results.Count(r => r.Status == CheckStatus.Pass));

        MapiHttpConfigurationResult own = Assert.Single(NamespaceChecks.Consistency(servers.Take(2).ToArray(), new[] { Vdir("EX01", "https://ex01.contoso.lab/mapi", null), Vdir("EX02", "https://ex02.contoso.lab/mapi", null) }));
        Assert.Equal(CheckStatus.Pass, own.Status);
        Assert.Contains("no shared namespace", own.Message);
    }

    [Fact]
    public void MAPI_URLs_are_compared_with_the_Outlook_Anywhere_names()
    {
        var matching = new[] { ExchangeFactReader.ReadOutlookAnywhere(ExchangeObjects.OutlookAnywhere("EX01", "mail.contoso.lab", "mail.contoso.lab")) };
        Assert.All(NamespaceChecks.VersusOutlookAnywhere(Vdir(), matching), r => Assert.Equal(CheckStatus.Pass, r.Status));
        Assert.Equal(2, NamespaceChecks.VersusOutlookAnywhere(Vdir(), matching).Count());

        var different = new[] { ExchangeFactReader.ReadOutlookAnywhere(ExchangeObjects.OutlookAnywhere("EX01", "mail.contoso.lab", "outlook.contoso.com")) };
        MapiHttpConfigurationResult external = NamespaceChecks.VersusOutlookAnywhere(Vdir(), different).Last();
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.VirtualDirectory, "ExternalUrl", "outlook.contoso.com"), (external.Status, external.Cause, external.Property, external.ExpectedValue));
        Assert.Equal("Set-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -ExternalUrl 'https://outlook.contoso.com/mapi'", external.Recommendation);

        Assert.Empty(NamespaceChecks.VersusOutlookAnywhere(Vdir(), Array.Empty<OutlookAnywhereFacts>()));
    }

    private static (AuthConfigFacts Auth, Dictionary<string, IReadOnlyList<ExchangeCertificateFacts>?> Certificates) SoloAuth() =>
        (ExchangeFactReader.ReadAuthConfig(ExchangeObjects.Fixture("GetAuthConfig.xml")[0]),
         new Dictionary<string, IReadOnlyList<ExchangeCertificateFacts>?>
         {
             ["SOLO-E19A"] = ExchangeObjects.Fixture("GetExchangeCertificate.xml").Select(c => ExchangeFactReader.ReadCertificate(c, "SOLO-E19A")!).ToArray(),
         });

    [Fact]
    public void The_real_Auth_certificate_passes_while_valid_warns_when_expiring_fails_when_expired()
    {
        (AuthConfigFacts auth, var certificates) = SoloAuth();

        MapiHttpConfigurationResult valid = Assert.Single(AuthConfigChecks.CurrentCertificate(auth, certificates, new DateTime(2021, 10, 1, 0, 0, 0, DateTimeKind.Utc), 30));
        Assert.Equal((CheckStatus.Pass, "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7"), (valid.Status, valid.Thumbprint));
        Assert.Equal(CheckStatus.Pass, AuthConfigChecks.NextCertificate(auth, certificates, new DateTime(2021, 10, 1, 0, 0, 0, DateTimeKind.Utc), 30).Status);

        DateTime october2024 = new(2024, 10, 20, 0, 0, 0, DateTimeKind.Utc);
        MapiHttpConfigurationResult expiring = Assert.Single(AuthConfigChecks.CurrentCertificate(auth, certificates, october2024, 30));
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (expiring.Status, expiring.Cause));
        Assert.Contains("expires on 2024-11-06", expiring.Message);
        MapiHttpConfigurationResult noNext = AuthConfigChecks.NextCertificate(auth, certificates, october2024, 30);
        Assert.Equal((CheckStatus.Warning, StageAuth), (noNext.Status, noNext.Recommendation));

        MapiHttpConfigurationResult expired = Assert.Single(AuthConfigChecks.CurrentCertificate(auth, certificates, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), 30));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, RenewAuth), (expired.Status, expired.Cause, expired.Recommendation));
    }

    [Fact]
    public void An_Auth_certificate_missing_on_a_server_or_everywhere_fails()
    {
        (AuthConfigFacts auth, var certificates) = SoloAuth();
        DateTime now = new(2021, 10, 1, 0, 0, 0, DateTimeKind.Utc);
        certificates["EX02"] = Array.Empty<ExchangeCertificateFacts>();
        certificates["EX03"] = null;

        MapiHttpConfigurationResult[] results = AuthConfigChecks.CurrentCertificate(auth, certificates, now, 30).ToArray();
        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Fail }, results.Select(r => r.Status));
        Assert.Equal("EX02", results[1].Server);
        Assert.StartsWith("Invoke-Command -ComputerName 'EX02' -ScriptBlock { Restart-Service MSExchangeServiceHost }", results[1].Recommendation);

        MapiHttpConfigurationResult nowhere = Assert.Single(AuthConfigChecks.CurrentCertificate(auth with { CurrentCertificateThumbprint = "0000000000000000000000000000000000000000" }, certificates, now, 30));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Authentication, RenewAuth), (nowhere.Status, nowhere.Cause, nowhere.Recommendation));

        MapiHttpConfigurationResult unreadable = Assert.Single(AuthConfigChecks.CurrentCertificate(auth, new Dictionary<string, IReadOnlyList<ExchangeCertificateFacts>?> { ["EX01"] = null }, now, 30));
        Assert.Equal(CheckStatus.Skipped, unreadable.Status);
    }

    [Fact]
    public void A_staged_next_Auth_certificate_passes_when_present_and_warns_when_missing()
    {
        DateTime now = ExchangeLab.Now;
        var current = Cert(LabPki.SelfSigned("CN=Microsoft Exchange Server Auth Certificate", Array.Empty<string>(), now.AddYears(-5), now.AddDays(10)), "SMTP");
        var next = Cert(LabPki.SelfSigned("CN=Microsoft Exchange Server Auth Certificate", Array.Empty<string>(), now.AddDays(-1), now.AddYears(5)), "SMTP");
        var certificates = new Dictionary<string, IReadOnlyList<ExchangeCertificateFacts>?> { ["EX01"] = new[] { current, next } };
        var auth = new AuthConfigFacts(current.Thumbprint, null, next.Thumbprint, now.AddDays(2), null, null);

        MapiHttpConfigurationResult staged = AuthConfigChecks.NextCertificate(auth, certificates, now, 30);
        Assert.Equal((CheckStatus.Pass, next.Thumbprint), (staged.Status, staged.Thumbprint));
        Assert.Contains("staged to take over on", staged.Message);

        MapiHttpConfigurationResult lost = AuthConfigChecks.NextCertificate(auth with { NextCertificateThumbprint = "1111111111111111111111111111111111111111" }, certificates, now, 30);
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (lost.Status, lost.Cause));

        MapiHttpConfigurationResult overdue = AuthConfigChecks.NextCertificate(auth with { NextCertificateEffectiveDateUtc = now.AddDays(-1) }, certificates, now, 30);
        Assert.Equal((CheckStatus.Warning, "Set-AuthConfig -PublishCertificate; Set-AuthConfig -ClearPreviousCertificate"), (overdue.Status, overdue.Recommendation));
    }

    [Fact]
    public void Auth_servers_disabled_ones_warn_with_the_command_that_enables_them()
    {
        AuthServerFacts[] servers =
        {
            ExchangeFactReader.ReadAuthServer(ExchangeObjects.AuthServer("EvoSts - contoso", true)),
            ExchangeFactReader.ReadAuthServer(ExchangeObjects.AuthServer("ACS - contoso", false, "MicrosoftACS")),
        };

        MapiHttpConfigurationResult[] results = AuthConfigChecks.AuthServers(servers).ToArray();

        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Warning }, results.Select(r => r.Status));
        Assert.Equal("Set-AuthServer -Identity 'ACS - contoso' -Enabled $true", results[1].Recommendation);
        Assert.Contains("(MicrosoftACS) is disabled", results[1].Message);
        Assert.Equal(CheckStatus.Pass, Assert.Single(AuthConfigChecks.AuthServers(Array.Empty<AuthServerFacts>())).Status);
    }

    [Fact]
    public void Real_component_states_pass_an_inactive_MapiProxy_fails_with_the_requester_that_set_it()
    {
        var lab = ExchangeLab.Solo();
        var solo = ExchangeFactReader.ReadServer(lab.Servers[0]);
        ServerComponentStateFacts[] states() => lab.ComponentStates.Select(s => ExchangeFactReader.ReadComponentState(s, "SOLO-E19A")).ToArray();

        MapiHttpConfigurationResult[] healthy = ComponentStateChecks.Check(solo, states()).ToArray();
        Assert.Equal(new[] { "ServerWideOffline", "MapiProxy" }, healthy.Select(r => r.Target));
        Assert.All(healthy, r => Assert.Equal(CheckStatus.Pass, r.Status));

        lab.SetComponent("SOLO-E19A", "MapiProxy", "Inactive", "Maintenance", "HealthApi");
        MapiHttpConfigurationResult mapi = ComponentStateChecks.Check(solo, states()).Last();
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled, "Inactive"), (mapi.Status, mapi.Cause, mapi.Value));
        Assert.Equal("Set-ServerComponentState -Identity 'SOLO-E19A' -Component MapiProxy -State Active -Requester Maintenance; Set-ServerComponentState -Identity 'SOLO-E19A' -Component MapiProxy -State Active -Requester HealthApi", mapi.Recommendation);
        Assert.Contains("healthcheck.htm", mapi.Message);

        lab.SetComponent("SOLO-E19A", "ServerWideOffline", "Inactive", "Maintenance");
        MapiHttpConfigurationResult offline = ComponentStateChecks.Check(solo, states()).First();
        Assert.Equal((CheckStatus.Fail, "ServerWideOffline"), (offline.Status, offline.Target));
        Assert.Contains("every protocol on it is off", offline.Message);
    }
}
