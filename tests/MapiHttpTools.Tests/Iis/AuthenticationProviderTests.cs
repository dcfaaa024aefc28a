using System;
using System.Linq;
using System.Xml.Linq;
using MapiHttpTools.Iis;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// The windowsAuthentication providers, useKernelMode and useAppPoolCredentials of /mapi read from the real E19
/// applicationHost.config and its variants, and the three-sided comparison with the vdir and the wire (issue 14).
/// </summary>
public sealed class AuthenticationProviderTests : IDisposable
{
    private const string Mapi = "Default Web Site/mapi";
    private readonly IisFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Real_Exchange_2019_mapi_inherits_negotiate_then_ntlm_without_kernel_mode()
    {
        LocationSecurity security = IisFixture.Load(IisFixture.ConfigPath).GetSecurity(Mapi);

        Assert.Equal(new[] { "Negotiate", "NTLM" }, security.WindowsAuthenticationProviders);
        Assert.False(security.UseKernelMode);
        Assert.False(security.UseAppPoolCredentials);
    }

    [Fact]
    public void A_location_collection_clears_adds_and_removes_as_iis_merges_it()
    {
        string path = _fixture.Variant(d =>
        {
            XElement windows = MapiWindowsAuthentication(d);
            windows.Add(new XElement("providers", new XElement("remove", new XAttribute("value", "Negotiate")), new XElement("add", new XAttribute("value", "Negotiate:Kerberos"))));
        });
        Assert.Equal(new[] { "NTLM", "Negotiate:Kerberos" }, IisFixture.Load(path).GetSecurity(Mapi).WindowsAuthenticationProviders);

        string cleared = _fixture.Variant(d => MapiWindowsAuthentication(d).Add(new XElement("providers", new XElement("clear"), new XElement("add", new XAttribute("value", "NTLM")))));
        Assert.Equal(new[] { "NTLM" }, IisFixture.Load(cleared).GetSecurity(Mapi).WindowsAuthenticationProviders);
    }

    [Fact]
    public void Kernel_mode_defaults_to_iis_schema_when_no_level_sets_it()
    {
        string path = _fixture.Variant(d =>
        {
            foreach (XElement windows in d.Descendants("windowsAuthentication"))
            {
                windows.Attribute("useKernelMode")?.Remove();
            }

            MapiWindowsAuthentication(d).SetAttributeValue("useAppPoolCredentials", "true");
        });
        LocationSecurity security = IisFixture.Load(path).GetSecurity(Mapi);

        Assert.True(security.UseKernelMode);
        Assert.True(security.UseAppPoolCredentials);
    }

    [Fact]
    public void Three_sides_that_agree_pass()
    {
        LocationSecurity e19 = IisFixture.Load(IisFixture.ConfigPath).GetSecurity(Mapi);
        (Finding finding, var evidence) = AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, e19, new[] { "Ntlm", "OAuth", "Negotiate" }, new[] { "Negotiate", "NTLM", "Bearer" }, true));

        Assert.Equal(CheckStatus.Pass, finding.Status);
        Assert.Equal("Windows authentication of Default Web Site/mapi agrees on every side read: IISAuthenticationMethods Ntlm, OAuth, Negotiate; IIS providers Negotiate, NTLM (useKernelMode False); on the wire Negotiate, NTLM, Bearer.", finding.Message);
        Assert.Equal(new[] { "Negotiate", "NTLM" }, (string[])evidence.Single(e => e.Key == "WindowsAuthenticationProviders").Value!);
    }

    [Fact]
    public void Negotiate_in_the_vdir_but_not_among_the_providers_fails_with_the_exact_fix()
    {
        string path = _fixture.Variant(d => MapiWindowsAuthentication(d).Add(new XElement("providers", new XElement("remove", new XAttribute("value", "Negotiate")))));
        LocationSecurity security = IisFixture.Load(path).GetSecurity(Mapi);
        (Finding finding, _) = AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, security, new[] { "Ntlm", "OAuth", "Negotiate" }, null, null));

        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Equal(MapiHttpCause.Authentication, finding.Cause);
        Assert.Equal("IISAuthenticationMethods has Negotiate, but the windowsAuthentication providers of Default Web Site/mapi are NTLM, so IIS never offers Negotiate.", finding.Message);
        Assert.Equal("Add-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/windowsAuthentication/providers -Name . -Value @{value='Negotiate'} -AtIndex 0", finding.Recommendation);
    }

    [Fact]
    public void Ntlm_before_negotiate_fails_with_an_alternate_service_account_and_warns_without()
    {
        string path = _fixture.Variant(d => MapiWindowsAuthentication(d).Add(new XElement("providers", new XElement("clear"), new XElement("add", new XAttribute("value", "NTLM")), new XElement("add", new XAttribute("value", "Negotiate")))));
        LocationSecurity security = IisFixture.Load(path).GetSecurity(Mapi);

        (Finding withAsa, _) = AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, security, new[] { "Ntlm", "Negotiate" }, null, true));
        Assert.Equal(CheckStatus.Fail, withAsa.Status);
        Assert.Contains("list NTLM before Negotiate (NTLM, Negotiate)", withAsa.Message);
        Assert.Contains("although an Alternate Service Account is set up for Kerberos", withAsa.Message);
        Assert.Equal(
            "Remove-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/windowsAuthentication/providers -Name . -AtElement @{value='NTLM'}; " +
            "Add-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/windowsAuthentication/providers -Name . -Value @{value='NTLM'}",
            withAsa.Recommendation);

        (Finding withoutAsa, _) = AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, security, new[] { "Ntlm", "Negotiate" }, null, false));
        Assert.Equal(CheckStatus.Warning, withoutAsa.Status);
        Assert.Equal(MapiHttpCause.Authentication, withoutAsa.Cause);
    }

    [Fact]
    public void Kernel_mode_with_an_alternate_service_account_fails()
    {
        string path = _fixture.Variant(d => MapiWindowsAuthentication(d).SetAttributeValue("useKernelMode", "true"));
        LocationSecurity security = IisFixture.Load(path).GetSecurity(Mapi);

        (Finding finding, _) = AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, security, new[] { "Ntlm", "Negotiate" }, null, true));
        Assert.Equal(CheckStatus.Fail, finding.Status);
        Assert.Contains("At Default Web Site/mapi useKernelMode is true: HTTP.sys decrypts Kerberos tickets with the computer account", finding.Message);
        Assert.Equal("Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/windowsAuthentication -Name useKernelMode -Value $false (as Exchange's setup leaves it)", finding.Recommendation);

        Assert.Equal(CheckStatus.Pass, AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, security, new[] { "Ntlm", "Negotiate" }, null, false)).Finding.Status);
    }

    [Fact]
    public void Providers_missing_on_the_wire_point_at_the_path()
    {
        LocationSecurity e19 = IisFixture.Load(IisFixture.ConfigPath).GetSecurity(Mapi);
        (Finding finding, _) = AuthenticationProviderJudgement.Compare(new WindowsAuthenticationSides(Mapi, e19, new[] { "Ntlm", "Negotiate" }, new[] { "NTLM" }, null));

        Assert.Equal(CheckStatus.Warning, finding.Status);
        Assert.Equal(MapiHttpCause.Network, finding.Cause);
        Assert.StartsWith("IIS offers Negotiate at Default Web Site/mapi, but the probe did not see it in WWW-Authenticate", finding.Message);
    }

    [Fact]
    public void Get_MapiAppPoolHealth_shows_the_iis_side_in_the_evidence()
    {
        using var session = new MapiHttpTools.Lab.ModuleSession();
        var result = session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $p | Where-Object Name -eq 'Default Web Site/mapi'", new() { ["p"] = IisFixture.ConfigPath });
        MapiAppPoolHealthResult mapi = Assert.Single(result.Objects<MapiAppPoolHealthResult>());

        Assert.Equal(new[] { "Negotiate", "NTLM" }, (string[])mapi.Evidence["windowsAuthentication.providers"]!);
        Assert.Equal(false, mapi.Evidence["windowsAuthentication.useKernelMode"]);
        Assert.Equal(false, mapi.Evidence["windowsAuthentication.useAppPoolCredentials"]);
    }

    private static XElement MapiWindowsAuthentication(XDocument document) =>
        document.Root!.Elements("location").Single(l => (string?)l.Attribute("path") == Mapi)
            .Descendants("windowsAuthentication").Single();
}
