using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using MapiHttpTools.Exchange;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>The Exchange gateway: one fact reader for live, deserialized and snapshot objects; the live source's calls.</summary>
public sealed class ExchangeSourceTests
{
    [Fact]
    public void Real_exports_read_as_facts()
    {
        OrganizationFacts org = ExchangeFactReader.ReadOrganization(ExchangeObjects.Fixture("GetOrganizationConfig.xml")[0]);
        Assert.Equal("SoloORG", org.Name);
        Assert.True(org.MapiHttpEnabled);

        ExchangeServerFacts server = ExchangeFactReader.ReadServer(ExchangeObjects.Fixture("GetExchangeServer.xml")[0]);
        Assert.Equal(("SOLO-E19A", "Solo-E19A.Solo.com", true, false), (server.Name, server.Fqdn, server.IsClientAccessServer, server.IsEdgeServer));
        Assert.Equal(new Version(15, 2, 986, 5), server.Build);
        Assert.Equal("Solo.com/Configuration/Sites/Default-First-Site-Name", server.Site);

        AuthConfigFacts auth = ExchangeFactReader.ReadAuthConfig(ExchangeObjects.Fixture("GetAuthConfig.xml")[0]);
        Assert.Equal("C3EDCF181EF4F9B53D01768ECA99564014BCA6E7", auth.CurrentCertificateThumbprint);
        Assert.Null(auth.NextCertificateThumbprint);
        Assert.Null(auth.NextCertificateEffectiveDateUtc);

        ServerComponentStateFacts[] states = ExchangeObjects.Fixture("GetServerComponentState.xml").Select(s => ExchangeFactReader.ReadComponentState(s, "SOLO-E19A")).ToArray();
        Assert.Equal(34, states.Length);
        ServerComponentStateFacts mapi = states.Single(s => s.Component == "MapiProxy");
        Assert.Equal(("SOLO-E19A", "Active"), (mapi.Server, mapi.State));
        Assert.Empty(mapi.InactiveRequesters);
    }

    [Fact]
    public void Deserialized_certificates_are_rebuilt_from_RawData_without_Services()
    {
        ExchangeCertificateFacts[] certificates = ExchangeObjects.Fixture("GetExchangeCertificate.xml")
            .Select(c => ExchangeFactReader.ReadCertificate(c, "SOLO-E19A")!).ToArray();

        Assert.Equal(3, certificates.Length);
        ExchangeCertificateFacts auth = certificates.Single(c => c.Thumbprint == "C3EDCF181EF4F9B53D01768ECA99564014BCA6E7");
        Assert.Equal("CN=Microsoft Exchange Server Auth Certificate", auth.Subject);
        Assert.True(auth.IsSelfSigned);
        Assert.Equal(new DateTime(2024, 11, 6, 22, 47, 32, DateTimeKind.Utc), auth.NotAfterUtc);

        ExchangeCertificateFacts server = certificates.Single(c => c.Thumbprint == "6C7DE09FB39A40144F57EFEBC3DF0148E3A9AB28");
        Assert.Equal(new[] { "Solo-E19A", "Solo-E19A.Solo.com" }, server.DnsNames);
        Assert.Null(server.Services);
        Assert.Null(server.EnabledForIis);
        Assert.All(certificates, c => Assert.Equal("SOLO-E19A", c.Server));
    }

    [Fact]
    public void A_built_MAPI_virtual_directory_reads_like_a_deserialized_one()
    {
        PSObject vdir = ExchangeObjects.MapiVirtualDirectory("EX01", "https://mail.contoso.lab/mapi", null, new[] { "Ntlm", "OAuth", "Negotiate" }, externalMethods: new[] { "Negotiate" });
        Assert.Contains("Deserialized.Microsoft.Exchange.Data.Directory.SystemConfiguration.ADMapiVirtualDirectory", vdir.TypeNames);

        MapiVirtualDirectoryFacts facts = ExchangeFactReader.ReadVirtualDirectory(vdir);

        Assert.Equal(@"EX01\mapi (Default Web Site)", facts.Identity);
        Assert.Equal("EX01", facts.Server);
        Assert.Equal("https://mail.contoso.lab/mapi", facts.InternalUrl);
        Assert.Null(facts.ExternalUrl);
        Assert.Equal(new[] { "Ntlm", "OAuth", "Negotiate" }, facts.IISAuthenticationMethods);
        Assert.Equal(new[] { "Negotiate" }, facts.ExternalAuthenticationMethods);
    }

    [Flags]
    public enum AllowedServicesStandIn
    {
        None = 0,
        IMAP = 1,
        POP = 2,
        IIS = 4,
        SMTP = 8,
    }

    [Fact]
    public void Live_types_read_the_same_Uri_or_string_enum_or_text_list_or_comma_text()
    {
        var live = new PSObject();
        live.Properties.Add(new PSNoteProperty("Identity", @"EX01\mapi (Default Web Site)"));
        live.Properties.Add(new PSNoteProperty("InternalUrl", new Uri("https://mail.contoso.lab/mapi")));
        live.Properties.Add(new PSNoteProperty("ExternalUrl", "https://mail.contoso.lab/mapi"));
        live.Properties.Add(new PSNoteProperty("IISAuthenticationMethods", new List<AllowedServicesStandIn> { AllowedServicesStandIn.IMAP, AllowedServicesStandIn.SMTP }));
        live.Properties.Add(new PSNoteProperty("InternalAuthenticationMethods", "Ntlm, OAuth"));

        MapiVirtualDirectoryFacts facts = ExchangeFactReader.ReadVirtualDirectory(live);

        Assert.Equal("EX01", facts.Server);
        Assert.Equal("https://mail.contoso.lab/mapi", facts.InternalUrl);
        Assert.Equal("https://mail.contoso.lab/mapi", facts.ExternalUrl);
        Assert.Equal(new[] { "IMAP", "SMTP" }, facts.IISAuthenticationMethods);
        Assert.Equal(new[] { "Ntlm", "OAuth" }, facts.InternalAuthenticationMethods);
        Assert.Empty(facts.ExternalAuthenticationMethods);

        // A local snap-in's ExchangeCertificate is an X509Certificate2 with Services as a [Flags] enum.
        using X509Certificate2 certificate = LabPki.Server("CN=mail.contoso.lab", new[] { "mail.contoso.lab" }, DateTime.UtcNow.AddDays(-1), DateTime.UtcNow.AddDays(90));
        var liveCertificate = new PSObject(certificate);
        liveCertificate.Properties.Add(new PSNoteProperty("Services", AllowedServicesStandIn.IIS | AllowedServicesStandIn.SMTP));
        ExchangeCertificateFacts read = ExchangeFactReader.ReadCertificate(liveCertificate, "EX01")!;
        Assert.Equal(new[] { "IIS", "SMTP" }, read.Services);
        Assert.True(read.EnabledForIis);
        Assert.Equal(certificate.Thumbprint, read.Thumbprint);
        Assert.Equal(new[] { "mail.contoso.lab" }, read.DnsNames);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_live_source_asks_Exchange_for_as_little_as_it_needs(bool posted)
    {
        using var session = new ModuleSession();
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Install(session);
        session.Invoke("Import-Module -Assembly $asm", new Dictionary<string, object?> { ["asm"] = typeof(ExchangeSourceTests).Assembly });

        ScriptResult result = session.Invoke($"Read-ExchangeSourceForTest -Server EX01 -Mailbox bob -Posted:${posted.ToString().ToLowerInvariant()}");

        Assert.Empty(result.Errors);
        Assert.Equal("SoloORG", result.Objects<OrganizationFacts>().Single().Name);
        Assert.Equal(new[] { "EX01", "EX02" }, result.Objects<ServerLookup>().Single().Servers.Select(s => s.Name));
        Assert.Equal("https://mail.contoso.lab/mapi", result.Objects<MapiVirtualDirectoryFacts>().Single().InternalUrl);
        Assert.Equal(new[] { lab.MailCertificate!.Thumbprint, lab.AuthCertificate!.Thumbprint }, result.Objects<ExchangeCertificateFacts>().Select(c => c.Thumbprint));
        Assert.Equal(new[] { "IMAP", "POP", "IIS", "SMTP" }, result.Objects<ExchangeCertificateFacts>().First().Services);
        Assert.Equal(lab.AuthCertificate.Thumbprint, result.Objects<AuthConfigFacts>().Single().CurrentCertificateThumbprint);
        Assert.Equal(new[] { "ServerWideOffline", "MapiProxy" }, result.Objects<ServerComponentStateFacts>().Select(s => s.Component));
        Assert.Equal("mail.contoso.lab", result.Objects<OutlookAnywhereFacts>().Single().InternalHostname);
        CasMailboxFacts bob = result.Objects<CasMailboxFacts>().Single();
        Assert.Equal(("contoso.lab/Users/Bob Example", "bob@contoso.lab", false, true), (bob.Identity, bob.PrimarySmtpAddress, bob.MapiHttpEnabled, bob.MAPIEnabled));

        var calls = ExchangeLab.Calls(session);
        Assert.Equal(
            new[] { "Get-OrganizationConfig", "Get-ExchangeServer", "Get-MapiVirtualDirectory", "Get-ExchangeCertificate", "Get-AuthConfig", "Get-ServerComponentState", "Get-ServerComponentState", "Get-OutlookAnywhere", "Get-CASMailbox" },
            calls.Select(c => c.Command));
        Assert.Empty(calls[1].Parameters.Keys);
        Assert.Equal(new object[] { "EX01", true }, new[] { calls[2].Parameters["Server"], ((SwitchParameter)calls[2].Parameters["ADPropertiesOnly"]!).IsPresent });
        Assert.Equal("EX01", calls[3].Parameters["Server"]);
        Assert.Equal(new object[] { "EX01", "ServerWideOffline" }, new[] { calls[5].Parameters["Identity"], calls[5].Parameters["Component"] });
        Assert.Equal("MapiProxy", calls[6].Parameters["Component"]);
        Assert.True(((SwitchParameter)calls[7].Parameters["ADPropertiesOnly"]!).IsPresent);
        Assert.Equal(new[] { "Identity" }, calls[8].Parameters.Keys.Cast<string>());
    }

    [Fact]
    public void An_Exchange_error_fails_the_call_with_the_command_and_Exchanges_message()
    {
        using var session = new ModuleSession();
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Failing.Add("Get-ExchangeCertificate:EX01");
        lab.Install(session);
        session.Invoke("Import-Module -Assembly $asm", new Dictionary<string, object?> { ["asm"] = typeof(ExchangeSourceTests).Assembly });

        ScriptResult result = session.InvokeCatching("Read-ExchangeSourceForTest -Server EX01");

        ErrorRecord error = Assert.Single(result.Errors);
        var failure = Assert.IsType<ExchangeCommandException>(error.Exception);
        Assert.Equal("Get-ExchangeCertificate -Server 'EX01'", failure.Command);
        Assert.Equal("Get-ExchangeCertificate -Server 'EX01' failed: The Exchange server 'EX01' could not be contacted (The WinRM client cannot process the request).", failure.Message);
        Assert.Equal("ServerUnavailable,Get-ExchangeCertificate", failure.Record!.FullyQualifiedErrorId);
    }
}
