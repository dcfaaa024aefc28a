using System;
using System.Collections.Generic;
using System.Management.Automation;
using MapiHttpTools.Repair;
using Xunit;

namespace MapiHttpTools.Tests.Repair;

/// <summary>Issue 19: each guard of a restore alone, with the error id, category, target and message it gives.</summary>
public sealed class RestoreGuardTests
{
    private const string Path = "/tmp/MapiRepair-EX01-20260301T120000Z.xml";

    private static RepairBackup Backup(string server, string? identity = @"EX01\mapi (Default Web Site)", string? vdirServer = "EX01") =>
        new(server, new DateTime(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc))
        {
            VirtualDirectory = new SavedVirtualDirectory(true, identity, vdirServer, "https://mail.contoso.lab/mapi", null, new[] { "Ntlm" }),
        };

    [Theory]
    [InlineData("EX01", "EX01")]
    [InlineData("EX01", "ex01.contoso.lab")]
    [InlineData("EX01.contoso.lab", "ex01")]
    public void A_backup_of_the_named_server_by_short_name_or_FQDN_passes(string backupServer, string server) =>
        RestoreGuard.CheckServer(Backup(backupServer), server, Path);

    [Fact]
    public void A_backup_of_another_server_is_RestoreServerMismatch_targeting_the_server_named()
    {
        RepairException ex = Assert.Throws<RepairException>(() => RestoreGuard.CheckServer(Backup("EX02"), "EX01", Path));

        Assert.Equal("RestoreServerMismatch", ex.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, ex.Category);
        Assert.Equal("EX01", ex.Target);
        Assert.Equal(
            "The backup '/tmp/MapiRepair-EX01-20260301T120000Z.xml' is of the server 'EX02', not of EX01: a restore changes only the server named with -Server, and only from its own backup. Nothing was changed.",
            ex.Message);
    }

    [Theory]
    [InlineData(@"EX01\mapi (Default Web Site)", "EX02", "EX02")] // the directory's Server
    [InlineData(@"EX02\mapi (Default Web Site)", "EX01", "EX02")] // the server part of its Identity
    [InlineData(@"EX02\mapi (Default Web Site)", null, "EX02")]
    public void A_backup_whose_directory_names_another_server_is_RestoreServerMismatch_targeting_the_file(string identity, string? vdirServer, string named)
    {
        RepairException ex = Assert.Throws<RepairException>(() => RestoreGuard.CheckServer(Backup("EX01", identity, vdirServer), "EX01", Path));

        Assert.Equal("RestoreServerMismatch", ex.ErrorId);
        Assert.Equal(ErrorCategory.InvalidData, ex.Category);
        Assert.Equal(Path, ex.Target);
        Assert.Equal(
            $"The backup '/tmp/MapiRepair-EX01-20260301T120000Z.xml' names the virtual directory of '{named}' although it is a backup of EX01: it was not written by this module as it is. Nothing was changed.",
            ex.Message);
    }

    [Theory]
    [InlineData("mapi (Default Web Site)")] // no server part
    [InlineData(@"\mapi (Default Web Site)")] // an empty server part
    [InlineData(null)]
    public void An_identity_without_a_server_part_is_judged_by_the_directorys_Server_alone(string? identity)
    {
        RestoreGuard.CheckServer(Backup("EX01", identity, "ex01.contoso.lab"), "EX01", Path);
        RestoreGuard.CheckServer(Backup("EX01", identity, null), "EX01", Path);
    }

    [Fact]
    public void URLs_in_the_namespaces_pass_in_any_case_and_an_unset_one_is_not_checked()
    {
        var saved = new SavedVirtualDirectory(true, null, "EX01", "https://MAIL.contoso.lab/mapi", null, Array.Empty<string>());

        RestoreGuard.CheckUrls(saved, new[] { "mail.contoso.lab" }, Path);
        RestoreGuard.CheckUrls(saved with { InternalUrl = null }, Array.Empty<string>(), Path);
    }

    [Theory]
    [InlineData("https://mail.contoso.lab/mapi", "https://attacker.example/mapi", "ExternalUrl", "https://attacker.example/mapi", "autodiscover.contoso.com, mail.contoso.lab")]
    [InlineData("https://attacker.example/mapi", null, "InternalUrl", "https://attacker.example/mapi", "autodiscover.contoso.com, mail.contoso.lab")]
    [InlineData("mapi", null, "InternalUrl", "mapi", "autodiscover.contoso.com, mail.contoso.lab")] // not an absolute URL: no host
    public void A_URL_outside_the_namespaces_is_RestoreUrlOutsideNamespace_listing_them_sorted(string? internalUrl, string? externalUrl, string setting, string url, string known)
    {
        var saved = new SavedVirtualDirectory(true, null, "EX01", internalUrl, externalUrl, Array.Empty<string>());

        RepairException ex = Assert.Throws<RepairException>(() => RestoreGuard.CheckUrls(saved, new[] { "mail.contoso.lab", "autodiscover.contoso.com" }, Path));

        Assert.Equal("RestoreUrlOutsideNamespace", ex.ErrorId);
        Assert.Equal(ErrorCategory.SecurityError, ex.Category);
        Assert.Equal(url, ex.Target);
        Assert.Equal(
            $"The backup '/tmp/MapiRepair-EX01-20260301T120000Z.xml' would set {setting} to '{url}', whose host is not one of the organisation's namespaces (the hosts of the MAPI, OWA and EWS virtual directories now: {known}). " +
            "Nothing was changed. If that URL is right, run the restore again with -Force.",
            ex.Message);
    }

    [Fact]
    public void With_no_namespace_read_every_URL_is_refused_and_the_message_says_none_could_be_read()
    {
        var saved = new SavedVirtualDirectory(true, null, "EX01", "https://mail.contoso.lab/mapi", null, Array.Empty<string>());

        RepairException ex = Assert.Throws<RepairException>(() => RestoreGuard.CheckUrls(saved, Array.Empty<string>(), Path));

        Assert.Contains("(the hosts of the MAPI, OWA and EWS virtual directories now: none could be read)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_hosts_of_absolute_URLs_are_added()
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        RestoreGuard.AddHost(hosts, "https://mail.contoso.lab/mapi");
        RestoreGuard.AddHost(hosts, "https://MAIL.contoso.lab/owa");
        RestoreGuard.AddHost(hosts, "https://mail.contoso.com/EWS/Exchange.asmx");
        RestoreGuard.AddHost(hosts, "/mapi");
        RestoreGuard.AddHost(hosts, null);
        RestoreGuard.AddHost(hosts, "file:///C:/mapi");

        Assert.Equal(new[] { "mail.contoso.lab", "mail.contoso.com" }, hosts);
    }
}
