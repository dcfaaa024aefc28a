using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.ClientState;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>The sources behind the client checks: exports mapped to the user hive, Office detection, the Autodiscover cache.</summary>
public sealed class ClientStateEngineTests
{
    [Fact]
    public void An_HKEY_USERS_export_of_one_user_is_that_user_hive()
    {
        RegFileRegistrySource source = RegFileRegistrySource.Load(new[] { ClientStateFixtures.Reg("hku-user.reg") }, null);

        Assert.Equal(ClientStateFixtures.UserSid, source.UserSid);
        Assert.True(source.HasRoot(RegistryRoot.User));
        Assert.False(source.HasRoot(RegistryRoot.Machine));
        Assert.Equal(1L, source.GetValue(RegistryRoot.User, @"Software\Microsoft\Exchange", "MapiHttpDisabled")!.AsNumber());
    }

    [Fact]
    public void An_export_of_several_users_needs_the_sid_and_then_reads_that_user()
    {
        string path = ClientStateFixtures.Reg("hku-two-users.reg");
        var ex = Assert.Throws<ClientStateException>(() => RegFileRegistrySource.Load(new[] { path }, null));
        Assert.Equal("RegistryExportAmbiguousUser", ex.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, ex.Category);
        Assert.Contains("S-1-5-21-3623811015-3361044348-30300820-1014", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(".DEFAULT", ex.Message, StringComparison.Ordinal);

        RegFileRegistrySource second = RegFileRegistrySource.Load(new[] { path }, "s-1-5-21-3623811015-3361044348-30300820-1014");
        Assert.Equal(0L, second.GetValue(RegistryRoot.User, @"Software\Microsoft\Exchange", "MapiHttpDisabled")!.AsNumber());
    }

    [Fact]
    public void Several_exports_are_merged_user_and_machine()
    {
        RegFileRegistrySource source = RegFileRegistrySource.Load(new[] { ClientStateFixtures.Reg("good-hkcu.reg"), ClientStateFixtures.Reg("hklm-clicktorun.reg") }, null);

        Assert.Null(source.UserSid);
        Assert.Equal(new[] { "UTF-16LE", "UTF-16LE" }, source.Encodings);
        Assert.True(source.HasRoot(RegistryRoot.User) && source.HasRoot(RegistryRoot.Machine));
        Assert.Equal("16.0.17928.20156", source.GetValue(RegistryRoot.Machine, OfficeInstallationReader.ClickToRunKey, "VersionToReport")!.AsString());
        Assert.Null(source.GetValue(RegistryRoot.User, @"Software\Microsoft\Exchange", "MapiHttpDisabled"));
    }

    [Fact]
    public void A_missing_or_malformed_export_is_a_client_state_error_with_its_id()
    {
        var missing = Assert.Throws<ClientStateException>(() => RegFileRegistrySource.Load(new[] { "/nonexistent/user.reg" }, null));
        Assert.Equal(("RegistryExportNotFound", ErrorCategory.ObjectNotFound, (object?)"/nonexistent/user.reg"), (missing.ErrorId, missing.Category, missing.Target));

        // A bad line is one problem with its line number; the files are still read (issue 20).
        string bad = ClientStateFixtures.Reg("malformed-dword.reg");
        RegFileRegistrySource source = RegFileRegistrySource.Load(new[] { ClientStateFixtures.Reg("good-hkcu.reg"), bad }, null);
        ClientStateException malformed = Assert.Single(source.Problems);
        Assert.Equal(("RegistryExportInvalid", ErrorCategory.InvalidData, (object?)bad), (malformed.ErrorId, malformed.Category, malformed.Target));
        Assert.Contains("line 4", malformed.Message, StringComparison.Ordinal);
        Assert.True(source.KeyExists(RegistryRoot.User, @"Software\Microsoft\Exchange"));

        using var folder = new TempFolder();
        string notAnExport = ClientStateFixtures.WriteReg(folder, "not-an-export.reg", "REGEDIT5\n");
        var refused = Assert.Throws<ClientStateException>(() => RegFileRegistrySource.Load(new[] { notAnExport }, null));
        Assert.Equal("RegistryExportInvalid", refused.ErrorId);
    }

    [Fact]
    public void Click_to_Run_reports_version_installed_channel_and_assigned_channel()
    {
        RegFileRegistrySource source = RegFileRegistrySource.Load(new[] { ClientStateFixtures.Reg("hklm-clicktorun.reg") }, null);

        OfficeInstallation office = OfficeInstallationReader.Read(source)!;

        Assert.Equal(MapiHttpOfficeInstallType.ClickToRun, office.InstallType);
        Assert.Equal(new Version(16, 0, 17928, 20156), office.Version);
        Assert.Equal("Microsoft 365 Apps", office.Product);
        Assert.Equal("Monthly Enterprise Channel", office.Channel);
        Assert.Equal("Current Channel", office.AssignedChannel);
        Assert.Equal("x64", office.Bitness);
        Assert.True(office.SupportsMapiHttp);
    }

    [Theory]
    [InlineData("hklm-outlook2013-rtm.reg", "15.0.4420.1017", false)]
    [InlineData("hklm-outlook2013-sp1.reg", "15.0.4569.1506", true)]
    public void Outlook_2013_supports_MAPI_over_HTTP_from_SP1(string file, string version, bool supported)
    {
        RegFileRegistrySource source = RegFileRegistrySource.Load(new[] { ClientStateFixtures.Reg(file) }, null);

        OfficeInstallation office = OfficeInstallationReader.Read(source)!;

        Assert.Equal((MapiHttpOfficeInstallType.Msi, "Outlook 2013", Version.Parse(version), "x86"), (office.InstallType, office.Product, office.Version!, office.Bitness));
        Assert.Equal(supported, office.SupportsMapiHttp);
    }

    [Theory]
    [InlineData("http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60", "Current Channel")]
    [InlineData("http://officecdn.microsoft.com/pr/64256AFE-F5D9-4F86-8936-8840A6A4F5BE", "Current Channel (Preview)")]
    [InlineData("http://officecdn.microsoft.com/pr/55336b82-a18d-4dd6-b5f6-9e5095c314a6", "Monthly Enterprise Channel")]
    [InlineData("http://officecdn.microsoft.com/pr/7ffbc6bf-bc32-4f92-8982-f9dd17fd3114", "Semi-Annual Enterprise Channel")]
    [InlineData("http://officecdn.microsoft.com/pr/b8f9b850-328d-4355-9145-c59439a0c4cf", "Semi-Annual Enterprise Channel (Preview)")]
    [InlineData("http://officecdn.microsoft.com/pr/5440fd1f-7ecb-4221-8110-145efaa6372f", "Beta Channel")]
    [InlineData("http://officecdn.microsoft.com/pr/00000000-1111-2222-3333-444444444444", "Unknown channel (http://officecdn.microsoft.com/pr/00000000-1111-2222-3333-444444444444)")]
    [InlineData("", null)]
    public void Channel_GUIDs_map_to_their_names(string url, string? name)
    {
        Assert.Equal(name, OfficeChannels.NameOf(url));
    }

    [Fact]
    public void A_cached_response_with_mapiHttp_gives_its_urls_and_age()
    {
        using var folder = new TempFolder();
        string outlook = ClientStateFixtures.OutlookFolder(folder, TimeSpan.FromDays(3), ("mapihttp.xml", @"16\0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml"));

        string file = Assert.Single(AutodiscoverCache.FindFiles(outlook, CancellationToken.None));
        MapiHttpCachedAutodiscover cached = AutodiscoverCache.Read(file, DateTime.UtcNow);

        Assert.Null(cached.ParseError);
        Assert.True(cached.HasMapiHttp);
        Assert.Equal("alice@contoso.com", cached.EmailAddress);
        Assert.Equal("settings", cached.Action);
        Assert.Equal("https://mail.contoso.com/mapi/emsmdb/?MailboxId=3b1e9f0a-62d4-4c8e-a1f7-5d2c8b9e0a13@contoso.com", cached.MailStoreInternalUrl);
        Assert.Equal("https://outlook.contoso.com/mapi/emsmdb/?MailboxId=3b1e9f0a-62d4-4c8e-a1f7-5d2c8b9e0a13@contoso.com", cached.MailStoreExternalUrl);
        Assert.Equal("https://mail.contoso.com/mapi/nspi/?MailboxId=3b1e9f0a-62d4-4c8e-a1f7-5d2c8b9e0a13@contoso.com", cached.AddressBookInternalUrl);
        Assert.Equal("https://outlook.contoso.com/mapi/nspi/?MailboxId=3b1e9f0a-62d4-4c8e-a1f7-5d2c8b9e0a13@contoso.com", cached.AddressBookExternalUrl);
        Assert.Equal(new[] { "mapiHttp", "WEB" }, cached.Protocols);
        Assert.InRange(cached.Age.TotalDays, 2.99, 3.01);
        Assert.Equal(new[] { "mail.contoso.com", "outlook.contoso.com" }, AutodiscoverCache.HostsOf(new[] { cached }).ToArray());
    }

    [Fact]
    public void An_Outlook_Anywhere_response_has_no_mapiHttp_and_lists_its_protocols()
    {
        MapiHttpCachedAutodiscover cached = AutodiscoverCache.Read(ClientStateFixtures.Autodiscover("rpc-only.xml"), DateTime.UtcNow);

        Assert.Null(cached.ParseError);
        Assert.False(cached.HasMapiHttp);
        Assert.Equal(new[] { "EXCH", "EXPR", "WEB" }, cached.Protocols);
        Assert.Null(cached.MailStoreInternalUrl);
    }

    [Fact]
    public void Errors_redirects_and_broken_files_are_told_apart()
    {
        MapiHttpCachedAutodiscover error = AutodiscoverCache.Read(ClientStateFixtures.Autodiscover("error.xml"), DateTime.UtcNow);
        MapiHttpCachedAutodiscover redirect = AutodiscoverCache.Read(ClientStateFixtures.Autodiscover("redirect.xml"), DateTime.UtcNow);
        MapiHttpCachedAutodiscover broken = AutodiscoverCache.Read(ClientStateFixtures.Autodiscover("malformed.xml"), DateTime.UtcNow);

        Assert.Equal(("500", "The email address can't be found."), (error.ErrorCode, error.ErrorMessage));
        Assert.Equal(("redirectAddr", "alice@contoso.mail.onmicrosoft.com"), (redirect.Action, redirect.RedirectTarget));
        Assert.NotNull(broken.ParseError);
        Assert.False(broken.HasMapiHttp);
    }

    [Fact]
    public void A_document_type_definition_is_refused_not_resolved()
    {
        using var folder = new TempFolder();
        string secret = folder.Combine("secret.txt");
        File.WriteAllText(secret, "do-not-read");
        string path = folder.Combine("x - Autodiscover.xml");
        File.WriteAllText(path, $"<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY s SYSTEM \"file://{secret}\">]><Autodiscover xmlns=\"{AutodiscoverCache.ResponseNamespace}\"><Response>&s;</Response></Autodiscover>");

        MapiHttpCachedAutodiscover cached = AutodiscoverCache.Read(path, DateTime.UtcNow);

        Assert.Contains("DTD", cached.ParseError, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_Autodiscover_files_are_found_in_the_folder_and_its_subfolders()
    {
        using var folder = new TempFolder();
        string outlook = ClientStateFixtures.OutlookFolder(
            folder,
            TimeSpan.FromHours(1),
            ("rpc-only.xml", "{C5A1C3F4-0D2E-4B6A-9F1E-3B2A4C5D6E7F} - Autod.xml"),
            ("mapihttp.xml", @"16\0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml"));

        string[] names = AutodiscoverCache.FindFiles(outlook, CancellationToken.None).Select(f => Path.GetRelativePath(outlook, f)).ToArray();

        Assert.Equal(new[] { "{C5A1C3F4-0D2E-4B6A-9F1E-3B2A4C5D6E7F} - Autod.xml", Path.Combine("16", "0f4bd6e7c6a94a5ab4c0f2c3a1d9e8b7 - Autodiscover.xml") }, names);
    }

    [Fact]
    public void Office_credential_targets_are_recognised_by_name_and_by_Exchange_host()
    {
        string[] hosts = { "mail.contoso.com" };

        Assert.True(OfficeCredentialFilter.IsOfficeOrExchange("MicrosoftOffice16_Data:SSPI:alice@contoso.com", hosts));
        Assert.True(OfficeCredentialFilter.IsOfficeOrExchange("MSOID:alice@contoso.com", hosts));
        Assert.True(OfficeCredentialFilter.IsOfficeOrExchange("Domain:target=mail.contoso.com", hosts));
        Assert.False(OfficeCredentialFilter.IsOfficeOrExchange("git:https://github.com", hosts));
        Assert.False(OfficeCredentialFilter.IsOfficeOrExchange("TERMSRV/server01.contoso.com", hosts));
    }
}
