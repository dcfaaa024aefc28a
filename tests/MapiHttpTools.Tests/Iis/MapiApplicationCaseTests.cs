using System;
using System.Linq;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// Issue 19: the application judgement's decisions with literal facts in: a configuration that could not be read,
/// a missing site or application, physical path and pool spellings, site state, sslFlags beyond the fixture's values,
/// Extended Protection spellings and which binding (port, host, protocol) serves /mapi.
/// </summary>
public sealed class MapiApplicationCaseTests
{
    private const string InstallRoot = @"C:\Program Files\Microsoft\Exchange Server\V15\";
    private static readonly MapiApplicationDefinition FrontEnd = MapiIisBaseline.Applications[0];
    private static readonly MapiApplicationDefinition Emsmdb = MapiIisBaseline.Applications[1];
    private static readonly MapiIisJudgementContext Context = new("EX01", null);

    private static SiteBinding Https(string information, string? hash = "12FD38FA8F58C8A74B3039962882DEFE4199D453", string protocol = "https") =>
        new(protocol, information, true, hash, hash is null ? null : "My");

    private static SiteConfig Site(string name, bool autoStart = true, string? certificateUnknown = null, params SiteBinding[] bindings) =>
        new(name, name == "Default Web Site" ? 1 : 2, autoStart, bindings, certificateUnknown);

    private static LocationSecurity Security(string location, string sslFlags, bool windows = true, bool anonymous = false, bool basic = false, bool digest = false, string tokenChecking = "Require") =>
        new(location, windows, anonymous, basic, digest, sslFlags, tokenChecking, "None");

    private static MapiApplicationFacts Facts(MapiApplicationDefinition definition, string? physicalPath = null, string? pool = null, SiteConfig? site = null, string? installRoot = InstallRoot) =>
        new(definition, "test", site ?? Site(definition.SiteName, bindings: Https(definition.FrontEnd ? ":443:" : "*:444:")),
            new ApplicationConfig(definition.SiteName, definition.ApplicationPath, pool ?? definition.ApplicationPool, physicalPath ?? InstallRoot + definition.PhysicalPathSuffix),
            new RuntimeFacts(true, "Started", null, null), Security(definition.LocationPath, definition.SslFlags), installRoot);

    [Fact]
    public void A_site_whose_configuration_could_not_be_read_is_one_Error_finding()
    {
        var facts = new MapiApplicationFacts(FrontEnd, "test", null, null, null, null, null, "sslFlags 'Ssl,,' is not valid (line 4, position 9)");

        MapiAppPoolHealthResult result = MapiApplicationJudgement.Judge(facts, Context);

        MapiAppPoolFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("Configuration", CheckStatus.Error, MapiHttpCause.VirtualDirectory), (finding.Check, finding.Status, finding.Cause));
        Assert.Equal("The configuration of the site 'Default Web Site' could not be read: sslFlags 'Ssl,,' is not valid (line 4, position 9)", finding.Message);
        Assert.Equal(CheckStatus.Error, result.Status);
        Assert.Equal(false, result.Evidence["Exists"]);
    }

    [Fact]
    public void A_missing_site_has_no_command_and_a_missing_application_gets_New_WebApplication_with_this_servers_path()
    {
        MapiAppPoolHealthResult noSite = MapiApplicationJudgement.Judge(new MapiApplicationFacts(Emsmdb, "test", null, null, null, null, InstallRoot), Context);
        MapiAppPoolFinding site = Assert.Single(noSite.Findings);
        Assert.Equal(("ApplicationExists", CheckStatus.Fail, MapiHttpCause.VirtualDirectory), (site.Check, site.Status, site.Cause));
        Assert.Equal("The site 'Exchange Back End' does not exist, so neither does /mapi/emsmdb: requests to /mapi/emsmdb get 404.", site.Message);
        Assert.Null(site.Recommendation);

        MapiAppPoolFinding application = MapiApplicationJudgement.Judge(new MapiApplicationFacts(Emsmdb, "test", Site("Exchange Back End"), null, null, null, InstallRoot), Context).Findings.Single();
        Assert.Equal("The application Exchange Back End/mapi/emsmdb does not exist in IIS: requests to /mapi/emsmdb get 404.", application.Message);
        Assert.Equal(
            @"New-WebApplication -Site 'Exchange Back End' -Name 'mapi/emsmdb' -PhysicalPath 'C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\mapi\emsmdb' -ApplicationPool MSExchangeMapiMailboxAppPool",
            application.Recommendation);

        MapiAppPoolFinding unknownRoot = MapiApplicationJudgement.Judge(new MapiApplicationFacts(FrontEnd, "test", Site("Default Web Site"), null, null, null, null), Context).Findings.Single();
        Assert.Equal(
            @"New-WebApplication -Site 'Default Web Site' -Name 'mapi' -PhysicalPath (Join-Path $env:ExchangeInstallPath 'FrontEnd\HttpProxy\mapi') -ApplicationPool MSExchangeMapiFrontEndAppPool",
            unknownRoot.Recommendation);

        MapiAppPoolFinding quoted = MapiApplicationJudgement.Judge(new MapiApplicationFacts(FrontEnd, "test", Site("Default Web Site"), null, null, null, @"D:\O'Brien\Exchange"), Context).Findings.Single();
        Assert.EndsWith(@"-PhysicalPath 'D:\O''Brien\Exchange\FrontEnd\HttpProxy\mapi' -ApplicationPool MSExchangeMapiFrontEndAppPool", quoted.Recommendation);
    }

    [Theory]
    [InlineData(@"C:/Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/MAPI/")]
    [InlineData(@"E:\Exchange\FrontEnd\HttpProxy\mapi\")]
    [InlineData(@"e:\exchange\frontend\httpproxy\mapi")]
    public void A_physical_path_ending_in_the_Exchange_folder_passes_in_any_spelling(string path)
    {
        MapiAppPoolFinding finding = MapiApplicationJudgement.Placement(Facts(FrontEnd, physicalPath: path), new ApplicationConfig("Default Web Site", "/mapi", "MSExchangeMapiFrontEndAppPool", path)).First();

        Assert.Equal(CheckStatus.Pass, finding.Status);
        Assert.Equal($"Default Web Site/mapi points to {path}.", finding.Message);
        Assert.Equal((@"...\FrontEnd\HttpProxy\mapi", path), (finding.Expected, finding.Actual));
    }

    [Theory]
    [InlineData(@"D:\Evil\XFrontEnd\HttpProxy\mapi", @"D:\Evil\XFrontEnd\HttpProxy\mapi")] // the folder name must match whole
    [InlineData(@"FrontEnd\HttpProxy\mapi", @"FrontEnd\HttpProxy\mapi")] // no folder above it
    [InlineData(null, "")]
    public void Any_other_physical_path_fails_with_the_command_that_sets_this_servers_path(string? path, string shown)
    {
        MapiAppPoolFinding finding = MapiApplicationJudgement.Placement(Facts(FrontEnd), new ApplicationConfig("Default Web Site", "/mapi", "MSExchangeMapiFrontEndAppPool", path)).First();

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory), (finding.Status, finding.Cause));
        Assert.Equal($"Default Web Site/mapi points to '{shown}', not the Exchange folder ...\\FrontEnd\\HttpProxy\\mapi: IIS serves the wrong (or no) MAPI handler.", finding.Message);
        Assert.Equal(@"Set-ItemProperty -Path 'IIS:\Sites\Default Web Site\mapi' -Name physicalPath -Value 'C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\mapi'", finding.Recommendation);
    }

    [Fact]
    public void The_pool_is_compared_trimmed_in_any_case_and_another_pool_fails_with_the_back_end_path()
    {
        MapiAppPoolFinding spelled = MapiApplicationJudgement.Placement(Facts(Emsmdb), new ApplicationConfig("Exchange Back End", "/mapi/emsmdb", " msexchangemapimailboxapppool ", InstallRoot + @"ClientAccess\mapi\emsmdb")).Last();
        Assert.Equal(CheckStatus.Pass, spelled.Status);
        Assert.Equal("Exchange Back End/mapi/emsmdb runs in  msexchangemapimailboxapppool .", spelled.Message);

        MapiAppPoolFinding other = MapiApplicationJudgement.Placement(Facts(Emsmdb), new ApplicationConfig("Exchange Back End", "/mapi/emsmdb", "MSExchangeMapiAddressBookAppPool", InstallRoot + @"ClientAccess\mapi\emsmdb")).Last();
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory), (other.Status, other.Cause));
        Assert.Equal("Exchange Back End/mapi/emsmdb runs in 'MSExchangeMapiAddressBookAppPool', not MSExchangeMapiMailboxAppPool: it gets the wrong identity and settings, and recycles with another service.", other.Message);
        Assert.Equal(@"Set-ItemProperty -Path 'IIS:\Sites\Exchange Back End\mapi\emsmdb' -Name applicationPool -Value MSExchangeMapiMailboxAppPool", other.Recommendation);
        Assert.Equal(("MSExchangeMapiMailboxAppPool", "MSExchangeMapiAddressBookAppPool"), (other.Expected, other.Actual));
    }

    [Fact]
    public void The_site_state_is_an_Error_Skipped_Fail_or_Pass_and_a_site_that_does_not_start_with_IIS_warns()
    {
        SiteConfig backEnd = Site("Exchange Back End", autoStart: false);
        MapiAppPoolFinding[] failed = MapiApplicationJudgement.SiteState(Emsmdb, backEnd, RuntimeFacts.ReadFailed("access denied")).ToArray();
        MapiAppPoolFinding[] unknown = MapiApplicationJudgement.SiteState(Emsmdb, backEnd, RuntimeFacts.Unknown("offline")).ToArray();
        MapiAppPoolFinding[] stopped = MapiApplicationJudgement.SiteState(Emsmdb, backEnd, new RuntimeFacts(true, "Stopped", null, null)).ToArray();
        MapiAppPoolFinding[] started = MapiApplicationJudgement.SiteState(FrontEnd, Site("Default Web Site"), new RuntimeFacts(true, "Started", null, null)).ToArray();

        Assert.Equal((CheckStatus.Error, MapiHttpCause.AppPool, "The state of 'Exchange Back End' could not be read: access denied"), (failed[0].Status, failed[0].Cause, failed[0].Message));
        Assert.Equal((CheckStatus.Skipped, "Runtime state of 'Exchange Back End' not checked: offline."), (unknown[0].Status, unknown[0].Message));
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.AppPool), (stopped[0].Status, stopped[0].Cause));
        Assert.Equal("'Exchange Back End' is Stopped: every protocol proxied to this back end fails, not a MAPI/HTTP handler problem.", stopped[0].Message);
        Assert.Equal("Start-Website -Name 'Exchange Back End'", stopped[0].Recommendation);
        Assert.Equal(("Started", "Stopped"), (stopped[0].Expected, stopped[0].Actual));

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.AppPool), (stopped[1].Status, stopped[1].Cause));
        Assert.Equal("'Exchange Back End' has serverAutoStart false: after an IIS reset or a reboot it stays stopped and every protocol proxied to this back end fails, not a MAPI/HTTP handler problem.", stopped[1].Message);
        Assert.Equal("Set-ItemProperty -Path 'IIS:\\Sites\\Exchange Back End' -Name serverAutoStart -Value $true", stopped[1].Recommendation);

        Assert.Equal(new[] { "'Default Web Site' is Started.", "'Default Web Site' starts with IIS." }, started.Select(f => f.Message));
        Assert.All(started, f => Assert.Equal(CheckStatus.Pass, f.Status));
        Assert.Contains("every protocol on this front end fails", MapiApplicationJudgement.SiteState(FrontEnd, Site("Default Web Site", autoStart: false), RuntimeFacts.Unknown("offline")).Last().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_security_of_a_known_good_location_passes_each_check_with_what_it_saw()
    {
        MapiAppPoolFinding[] findings = MapiApplicationJudgement.Security(Emsmdb, Security("Exchange Back End/mapi/emsmdb", "Ssl", tokenChecking: " require ")).ToArray();

        Assert.Equal(
            new[]
            {
                "Windows authentication is on at Exchange Back End/mapi/emsmdb.",
                "Anonymous authentication is off at Exchange Back End/mapi/emsmdb.",
                "Basic authentication is off at Exchange Back End/mapi/emsmdb.",
                "Digest authentication is off at Exchange Back End/mapi/emsmdb.",
                "Exchange Back End/mapi/emsmdb requires SSL (sslFlags Ssl).",
                "Extended Protection is Require at Exchange Back End/mapi/emsmdb.",
            },
            findings.Select(f => f.Message));
        Assert.All(findings, f => Assert.Equal(CheckStatus.Pass, f.Status));
    }

    [Fact]
    public void Digest_authentication_on_warns_with_the_command_that_turns_it_off()
    {
        MapiAppPoolFinding digest = MapiApplicationJudgement.Security(FrontEnd, Security("Default Web Site/mapi", "Ssl, Ssl128", digest: true)).Single(f => f.Check == "DigestAuthentication");

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (digest.Status, digest.Cause));
        Assert.Equal("Digest authentication is on at Default Web Site/mapi; Exchange sets it off.", digest.Message);
        Assert.Equal("Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/digestAuthentication -Name enabled -Value $false", digest.Recommendation);
        Assert.Equal((false, true), (digest.Expected, digest.Actual));
    }

    [Theory]
    [InlineData("Ssl", "Warning", "it differs from what Exchange sets")] // SSL without 128-bit
    [InlineData("Ssl, Ssl128, SslNegotiateCert", "Warning", "it differs from what Exchange sets")] // a certificate asked for, not required
    [InlineData("Ssl128", "Fail", "SSL is not required, so MAPI is served over plain HTTP")] // 128-bit without the Ssl flag
    [InlineData("Ssl, Sl128", "Fail", "SSL is not required, so MAPI is served over plain HTTP")] // not IIS's spelling: unknown
    [InlineData("Ssl, Ssl128, SslRequireCert", "Fail", "a client certificate is required, which Outlook does not present")]
    public void SslFlags_other_than_Exchanges_fail_when_SSL_is_off_or_a_certificate_is_required_and_warn_otherwise(string sslFlags, string status, string why)
    {
        MapiAppPoolFinding finding = MapiApplicationJudgement.Security(FrontEnd, Security("Default Web Site/mapi", sslFlags)).Single(f => f.Check == "SslFlags");

        Assert.Equal(status, finding.Status.ToString());
        Assert.Equal(MapiHttpCause.Authentication, finding.Cause);
        Assert.Equal($"Default Web Site/mapi has sslFlags '{sslFlags}', not 'Ssl, Ssl128': {why}.", finding.Message);
        Assert.Equal("Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/access -Name sslFlags -Value 'Ssl,Ssl128'", finding.Recommendation);
        Assert.Equal(("Ssl, Ssl128", sslFlags), (finding.Expected, finding.Actual));
    }

    [Theory]
    [InlineData("Require", "Pass")]
    [InlineData(" require ", "Pass")]
    [InlineData("Allow", "Warning")]
    [InlineData("None", "Warning")]
    public void Extended_Protection_passes_only_as_Require_in_any_spelling(string tokenChecking, string status) =>
        Assert.Equal(status, MapiApplicationJudgement.ExtendedProtection("Default Web Site/mapi", tokenChecking).Status.ToString());

    [Fact]
    public void The_MAPI_URLs_https_port_and_host_pick_the_binding_and_a_host_binding_wins_over_any_host()
    {
        SiteConfig site = Site(
            "Default Web Site",
            bindings: new[]
            {
                new SiteBinding("http", "*:8443:", false, null, null),
                Https("*:443:", "AAAA"),
                Https("*:8443:", "BBBB", protocol: "HTTPS"),
                Https("*:443:owa.contoso.com", "CCCC"),
                Https("*:443:MAIL.contoso.com", "DDDD"),
            });

        (SiteBinding? custom, var customFindings) = MapiApplicationJudgement.Binding(FrontEnd, site, new MapiIisJudgementContext("EX01", new Uri("https://mail.contoso.com:8443/mapi")));
        Assert.Equal("*:8443:", custom!.BindingInformation);
        Assert.Equal("'Default Web Site' listens for https on port 8443 for mail.contoso.com (binding *:8443:).", customFindings.First().Message);
        Assert.Equal(("https on port 8443 for mail.contoso.com", "*:8443:"), (customFindings.First().Expected, customFindings.First().Actual));

        (SiteBinding? named, var namedFindings) = MapiApplicationJudgement.Binding(FrontEnd, site, new MapiIisJudgementContext("EX01", new Uri("https://mail.contoso.com/mapi")));
        Assert.Equal("DDDD", named!.CertificateHash);
        Assert.Equal("The binding *:443:MAIL.contoso.com of 'Default Web Site' has certificate DDDD.", namedFindings.Last().Message);
        Assert.Equal(("a certificate", "DDDD"), (namedFindings.Last().Expected, namedFindings.Last().Actual));

        // A plain-HTTP MAPI URL on another port still means https on 443; without a URL any host on 443 will do.
        (SiteBinding? plain, _) = MapiApplicationJudgement.Binding(FrontEnd, site, new MapiIisJudgementContext("EX01", new Uri("http://mail.contoso.com:8080/mapi")));
        Assert.Equal("DDDD", plain!.CertificateHash);
        (SiteBinding? any, var anyFindings) = MapiApplicationJudgement.Binding(FrontEnd, site, Context);
        Assert.Equal("AAAA", any!.CertificateHash);
        Assert.Equal("'Default Web Site' listens for https on port 443 (binding *:443:).", anyFindings.First().Message);

        // The back end ignores the MAPI URL: its binding is on 444, any host.
        SiteConfig backEnd = Site("Exchange Back End", bindings: Https("*:444:", "EEEE"));
        (SiteBinding? back, var backFindings) = MapiApplicationJudgement.Binding(Emsmdb, backEnd, new MapiIisJudgementContext("EX01", new Uri("https://mail.contoso.com/mapi")));
        Assert.Equal("EEEE", back!.CertificateHash);
        Assert.Equal("'Exchange Back End' listens for https on port 444 (binding *:444:).", backFindings.First().Message);
    }

    [Fact]
    public void Without_a_matching_binding_the_finding_lists_the_bindings_there_are()
    {
        SiteConfig site = Site("Default Web Site", bindings: new[] { new SiteBinding("http", "*:80:", false, null, null), new SiteBinding("https", "*:443:", false, null, null) });

        (SiteBinding? binding, var findings) = MapiApplicationJudgement.Binding(FrontEnd, site, new MapiIisJudgementContext("EX01", new Uri("https://mail.contoso.com:4443/mapi")));

        Assert.Null(binding);
        MapiAppPoolFinding finding = Assert.Single(findings);
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.VirtualDirectory), (finding.Status, finding.Cause));
        Assert.Equal("'Default Web Site' has no binding for https on port 4443 for mail.contoso.com: /mapi cannot be reached over HTTPS there.", finding.Message);
        Assert.Equal("New-WebBinding -Name 'Default Web Site' -Protocol https -Port 4443 -IPAddress '*'", finding.Recommendation);
        Assert.Equal(("https on port 4443 for mail.contoso.com", "http *:80:; https *:443: certificate=unknown"), (finding.Expected, finding.Actual));
    }

    [Fact]
    public void A_certificate_the_source_cannot_see_is_Skipped_and_a_missing_one_gets_the_command_for_its_side()
    {
        var unseen = new SiteBinding("https", "*:443:", false, null, null);
        MapiAppPoolFinding why = MapiApplicationJudgement.Binding(FrontEnd, Site("Default Web Site", certificateUnknown: "HTTP.sys keeps it", bindings: unseen), Context).Findings.Last();
        MapiAppPoolFinding noWhy = MapiApplicationJudgement.Binding(FrontEnd, Site("Default Web Site", bindings: unseen), Context).Findings.Last();
        Assert.Equal((CheckStatus.Skipped, "Certificate of binding *:443: not checked: HTTP.sys keeps it."), (why.Status, why.Message));
        Assert.Equal("Certificate of binding *:443: not checked: the source cannot see it.", noWhy.Message);

        MapiAppPoolFinding front = MapiApplicationJudgement.Binding(FrontEnd, Site("Default Web Site", bindings: Https("*:443:", null)), Context).Findings.Last();
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Certificate), (front.Status, front.Cause));
        Assert.Equal("The binding *:443: of 'Default Web Site' has no certificate: the TLS handshake for /mapi fails.", front.Message);
        Assert.Equal("Enable-ExchangeCertificate -Server EX01 -Services IIS -Thumbprint <thumbprint of the certificate for the MAPI URL>", front.Recommendation);
        Assert.Equal(("a certificate", (object?)null), (front.Expected, front.Actual));
    }

    [Fact]
    public void A_judged_application_carries_its_site_binding_and_certificate_in_the_evidence()
    {
        MapiAppPoolHealthResult result = MapiApplicationJudgement.Judge(Facts(Emsmdb), new MapiIisJudgementContext(null, null));

        Assert.Equal(CheckStatus.Pass, result.Status);
        Assert.Equal("Matches the known-good MAPI configuration.", result.Message);
        Assert.Equal("Started", result.Evidence["SiteState"]);
        Assert.Equal(true, result.Evidence["serverAutoStart"]);
        Assert.Equal("*:444:", result.Evidence["MatchingBinding"]);
        Assert.Equal("12FD38FA8F58C8A74B3039962882DEFE4199D453", result.Evidence["CertificateHash"]);
        Assert.Equal("https *:444: certificate=12FD38FA8F58C8A74B3039962882DEFE4199D453", result.Evidence["Bindings"]);
        Assert.Equal("Ssl", result.Evidence["sslFlags"]);
        Assert.Equal("Require", result.Evidence["extendedProtection.tokenChecking"]);
        Assert.Equal("MSExchangeMapiMailboxAppPool", result.ApplicationPool);
        Assert.Equal("Exchange Back End", result.SiteName);

        MapiAppPoolHealthResult unbound = MapiApplicationJudgement.Judge(Facts(Emsmdb, site: Site("Exchange Back End", bindings: Https("*:443:"))), Context);
        Assert.Equal(CheckStatus.Fail, unbound.Status);
        Assert.Null(unbound.Evidence["MatchingBinding"]);
        Assert.False(unbound.Evidence.Contains("CertificateHash"));
    }
}
