using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>Reading applicationHost.config the way IIS resolves it: schema defaults, pool defaults, location inheritance.</summary>
public sealed class ApplicationHostConfigFileTests : IDisposable
{
    private const string FrontEnd = "MSExchangeMapiFrontEndAppPool";
    private readonly IisFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Real_Exchange_2019_pools_read_as_written()
    {
        ApplicationHostConfigFile file = IisFixture.Load(IisFixture.ConfigPath);

        AppPoolConfig pool = file.GetApplicationPool(FrontEnd)!;
        Assert.True(pool.AutoStart);
        Assert.Equal("v4.0", pool.ManagedRuntimeVersion);
        Assert.Equal("Integrated", pool.ManagedPipelineMode);
        Assert.Equal("LocalSystem", pool.IdentityType);
        Assert.Null(pool.UserName);
        Assert.Equal(TimeSpan.Zero, pool.IdleTimeout);
        Assert.Equal(TimeSpan.Zero, pool.PeriodicRestartTime);
        Assert.Equal(0, pool.PeriodicRestartMemory);
        Assert.Empty(pool.PeriodicRestartSchedule);
        Assert.False(pool.RapidFailProtection);
        Assert.Equal(1000, pool.QueueLength);
        Assert.Equal(@"C:\Program Files\Microsoft\Exchange Server\V15\bin\MSExchangeMapiFrontEndAppPool_CLRConfig.config", pool.ClrConfigFile);

        // Names are matched as IIS does, without regard to case.
        Assert.Equal("MSExchangeMapiMailboxAppPool", file.GetApplicationPool("msexchangemapimailboxapppool")!.Name);
        Assert.Null(file.GetApplicationPool("NoSuchPool"));
    }

    [Fact]
    public void Absent_attributes_take_the_IIS_schema_defaults()
    {
        string path = _fixture.Variant(d =>
        {
            XElement pool = IisFixture.Pool(d, FrontEnd);
            pool.Element("recycling")!.Remove();
            pool.Element("failure")!.Remove();
            pool.Element("processModel")!.Attribute("idleTimeout")!.Remove();
            pool.Attribute("queueLength")!.Remove();
            pool.Attribute("managedPipelineMode")!.Remove();
        });

        AppPoolConfig pool = IisFixture.Load(path).GetApplicationPool(FrontEnd)!;

        Assert.Equal(new TimeSpan(1, 5, 0, 0), pool.PeriodicRestartTime);
        Assert.True(pool.RapidFailProtection);
        Assert.Equal(TimeSpan.FromMinutes(20), pool.IdleTimeout);
        Assert.Equal(1000, pool.QueueLength);
        Assert.Equal("Integrated", pool.ManagedPipelineMode);
    }

    [Fact]
    public void Pool_attributes_inherit_from_applicationPoolDefaults_and_the_pool_overrides_them()
    {
        string path = _fixture.Variant(d =>
        {
            XElement pools = IisFixture.Pool(d, FrontEnd).Parent!;
            XElement defaults = pools.Element("applicationPoolDefaults")!;
            defaults.SetAttributeValue("queueLength", "4000");
            defaults.Add(new XElement("recycling", new XElement("periodicRestart", new XAttribute("requests", "5000"),
                new XElement("schedule", new XElement("add", new XAttribute("value", "02:00:00"))))));

            // The front-end pool loses its own identity (inherits ApplicationPoolIdentity from the real defaults element)
            // and keeps its own queueLength; the mailbox pool clears the inherited schedule.
            IisFixture.Pool(d, FrontEnd).Element("processModel")!.Attribute("identityType")!.Remove();
            IisFixture.Pool(d, "MSExchangeMapiMailboxAppPool").Element("recycling")!.Element("periodicRestart")!
                .Add(new XElement("schedule", new XElement("clear"), new XElement("add", new XAttribute("value", "04:30:00"))));
        });

        ApplicationHostConfigFile file = IisFixture.Load(path);
        AppPoolConfig front = file.GetApplicationPool(FrontEnd)!;
        AppPoolConfig mailbox = file.GetApplicationPool("MSExchangeMapiMailboxAppPool")!;

        Assert.Equal("ApplicationPoolIdentity", front.IdentityType);
        Assert.Equal(1000, front.QueueLength);
        Assert.Equal(5000, front.PeriodicRestartRequests);
        Assert.Equal(new[] { TimeSpan.FromHours(2) }, front.PeriodicRestartSchedule);
        Assert.Equal(new[] { new TimeSpan(4, 30, 0) }, mailbox.PeriodicRestartSchedule);
        Assert.Equal(TimeSpan.Zero, mailbox.PeriodicRestartTime);
    }

    [Fact]
    public void Security_at_a_location_is_the_global_section_overridden_by_each_location_down_to_it()
    {
        ApplicationHostConfigFile real = IisFixture.Load(IisFixture.ConfigPath);
        LocationSecurity mapi = real.GetSecurity("Default Web Site/mapi");
        Assert.True(mapi.WindowsAuthentication);
        Assert.False(mapi.AnonymousAuthentication);
        Assert.Equal("Ssl, Ssl128", mapi.SslFlags);
        Assert.Equal("None", mapi.ExtendedProtectionTokenChecking);
        Assert.Equal("Ssl", real.GetSecurity("Exchange Back End/mapi/emsmdb").SslFlags);

        // /owa/auth has no anonymousAuthentication of its own in /mapi's sense: the global section (enabled=true) shows through.
        string path = _fixture.Variant(d =>
        {
            IisFixture.Authentication(d, "Default Web Site/mapi", "anonymousAuthentication").Remove();
            IisFixture.Authentication(d, "Default Web Site/mapi", "windowsAuthentication")
                .Add(new XElement("extendedProtection", new XAttribute("tokenChecking", "Require"), new XAttribute("flags", "Proxy,NoServiceNameCheck")));
            IisFixture.Location(d, "Default Web Site/mapi").Element("system.webServer")!.Element("security")!.Element("access")!.Remove();

            // An ancestor that turns Windows authentication off is overridden by /mapi's own setting;
            // an ancestor with inheritInChildApplications="false" does not reach /mapi at all.
            XElement site = IisFixture.Location(d, "Default Web Site");
            site.Element("system.webServer")!.Element("security")!.Element("authentication")!
                .Add(new XElement("windowsAuthentication", new XAttribute("enabled", "false")));
            d.Root!.Add(new XElement("location", new XAttribute("path", "Default Web Site"), new XAttribute("inheritInChildApplications", "false"),
                new XElement("system.webServer", new XElement("security", new XElement("authentication",
                    new XElement("basicAuthentication", new XAttribute("enabled", "true")))))));
        });

        LocationSecurity edited = IisFixture.Load(path).GetSecurity("default web site/MAPI/");
        Assert.True(edited.AnonymousAuthentication);
        Assert.True(edited.WindowsAuthentication);
        Assert.False(edited.BasicAuthentication);
        Assert.Equal("Ssl, Ssl128", edited.SslFlags); // now inherited from <location path="Default Web Site">
        Assert.Equal("Require", edited.ExtendedProtectionTokenChecking);
        Assert.Equal("Proxy, NoServiceNameCheck", edited.ExtendedProtectionFlags);
        Assert.True(IisFixture.Load(path).GetSecurity("Default Web Site").BasicAuthentication);
    }

    [Fact]
    public void Applications_sites_and_bindings_are_read_and_certificates_come_from_the_binding_snapshot()
    {
        string bare = _fixture.Variant();
        ApplicationHostConfigFile file = IisFixture.Load(bare);

        ApplicationConfig mapi = file.GetApplication("Default Web Site", "/mapi")!;
        Assert.Equal("MSExchangeMapiFrontEndAppPool", mapi.ApplicationPool);
        Assert.Equal(@"C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\mapi", mapi.PhysicalPath);
        Assert.Null(file.GetApplication("Default Web Site", "/mapi/emsmdb"));
        Assert.Equal("DefaultAppPool", file.GetApplication("Exchange Back End", "/")!.ApplicationPool); // from <sites><applicationDefaults>

        SiteConfig site = file.GetSite("Default Web Site")!;
        SiteBinding https = site.Bindings.Single(b => b.BindingInformation == ":443:");
        Assert.Equal(443, https.Port);
        Assert.Equal(string.Empty, https.Host);
        Assert.False(https.CertificateKnown);
        Assert.Contains("HTTP.sys", site.CertificateUnknownReason);
        Assert.False(file.HasBindingSnapshot);

        ApplicationHostConfigFile withSnapshot = IisFixture.Load(_fixture.Variant(withBindingSnapshot: true));
        SiteBinding backEnd = withSnapshot.GetSite("Exchange Back End")!.Bindings.Single(b => b.BindingInformation == "*:444:");
        Assert.True(withSnapshot.HasBindingSnapshot);
        Assert.True(backEnd.CertificateKnown);
        Assert.Equal("12FD38FA8F58C8A74B3039962882DEFE4199D453", backEnd.CertificateHash);
        Assert.Equal("MY", backEnd.CertificateStoreName);
        Assert.Null(withSnapshot.GetSite("Exchange Back End")!.CertificateUnknownReason);
    }

    [Fact]
    public void Binding_information_with_a_host_and_an_IPv6_address_splits_on_the_last_colons()
    {
        var binding = new SiteBinding("https", "[2001:db8::1]:8443:mail.contoso.com", true, null, null);
        Assert.Equal("[2001:db8::1]", binding.Address);
        Assert.Equal(8443, binding.Port);
        Assert.Equal("mail.contoso.com", binding.Host);
        Assert.Null(new SiteBinding("net.pipe", "*", true, null, null).Port);
    }

    [Fact]
    public void The_unparseable_fixture_fails_with_the_file_line_and_position()
    {
        var error = Assert.Throws<IisConfigurationException>(() => IisFixture.Load(IisFixture.BadConfigPath));

        Assert.Equal(IisFixture.BadConfigPath, error.Path);
        Assert.Equal(128, error.Line);
        Assert.Equal(7, error.Position);
        Assert.Contains("sectionGroup", error.Reason);
        Assert.StartsWith($"'{IisFixture.BadConfigPath}' is not a valid IIS applicationHost.config: line 128, position 7: ", error.Message);
    }

    [Fact]
    public void A_bad_value_fails_when_its_pool_is_read_naming_the_attribute_and_its_position()
    {
        string path = _fixture.Variant(d => IisFixture.Pool(d, FrontEnd).Element("processModel")!.SetAttributeValue("idleTimeout", "twenty minutes"));
        int line = File.ReadAllLines(path).Select((text, i) => (text, i)).First(x => x.text.Contains("twenty minutes")).i + 1;

        // Issue 20: the file loads; only the pool holding the bad value cannot be read, the others can.
        ApplicationHostConfigFile file = IisFixture.Load(path);
        Assert.NotNull(file.GetApplicationPool(MapiIisBaseline.MailboxPool));
        var error = Assert.Throws<IisConfigurationException>(() => file.GetApplicationPool(FrontEnd));

        Assert.Equal(line, error.Line);
        Assert.True(error.Position > 0);
        Assert.Contains("processModel/@idleTimeout is 'twenty minutes', not a time span", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_applicationHost_config_is_refused()
    {
        string web = _fixture.Text("<?xml version=\"1.0\"?>\n<configuration>\n  <system.webServer />\n</configuration>\n", "web.config");
        string other = _fixture.Text("<settings />", "applicationHost.config");

        Assert.Contains("no <system.applicationHost> section", Assert.Throws<IisConfigurationException>(() => IisFixture.Load(web)).Message);
        var root = Assert.Throws<IisConfigurationException>(() => IisFixture.Load(other));
        Assert.Equal(1, root.Line);
        Assert.Contains("the root element is <settings>", root.Message);
        Assert.Throws<FileNotFoundException>(() => IisFixture.Load(Path.Combine(_fixture.Folder, "missing.config")));
    }

    [Theory]
    [InlineData("Ssl,Ssl128", "Ssl, Ssl128")]
    [InlineData("ssl128, SSL", "Ssl, Ssl128")]
    [InlineData("264", "Ssl, Ssl128")]
    [InlineData("", "None")]
    [InlineData("None", "None")]
    [InlineData("Ssl, SslRequireCert", "Ssl, SslRequireCert")]
    [InlineData("Bogus", "Bogus")]
    public void SslFlags_are_normalized_to_the_IIS_spelling(string text, string expected) =>
        Assert.Equal(expected, IisFlags.NormalizeSslFlags(text));

    [Theory]
    [InlineData("2", "Require")]
    [InlineData("allow", "Allow")]
    [InlineData(null, "None")]
    public void TokenChecking_numbers_and_names_are_normalized(string? text, string expected) =>
        Assert.Equal(expected, IisFlags.NormalizeTokenChecking(text));
}
