using System.Collections;
using System.Linq;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Issue 19: the whole mailbox truth table of docs/design.md, every organisation value ($true, $false, unknown) by every
/// mailbox MapiHttpEnabled ($true, $false, $null), RPC/HTTP blocked or not, external connectivity blocked or not, with
/// MAPI on and off; each row asserts the protocol, status, cause, fix and sentence as literals. Mailboxes are
/// Get-CASMailbox objects as a remote session delivers them (ExchangeObjects.CasMailbox).
/// </summary>
public sealed class MailboxProtocolTruthTableTests
{
    private const string SetMapiHttp = "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiHttpEnabled $true";
    private const string SetOrganization = "Set-OrganizationConfig -MapiHttpEnabled $true";
    private const string ClearExternal = "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookExternalConnectivity $false";
    private const string EnableMapi = "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MAPIEnabled $true";
    private const string ReadOrganization = "Get-OrganizationConfig | Format-List MapiHttpEnabled";

    private const string PassOwn = "bob@contoso.lab gets MAPI/HTTP inside and outside (set on the mailbox).";
    private const string PassOrg = "bob@contoso.lab gets MAPI/HTTP inside and outside (following the organisation setting).";
    private const string Internal = "bob@contoso.lab gets MAPI/HTTP inside the network only: MapiBlockOutlookExternalConnectivity removes the external URLs, so Outlook outside cannot connect.";
    private const string RpcOwn = "MAPI/HTTP is off for bob@contoso.lab (set on the mailbox): Autodiscover gives Outlook Outlook Anywhere (RPC/HTTP).";
    private const string RpcOrg = "MAPI/HTTP is off for bob@contoso.lab (following the organisation setting): Autodiscover gives Outlook Outlook Anywhere (RPC/HTTP).";
    private const string NoneOwn = "MAPI/HTTP is off for bob@contoso.lab (set on the mailbox) and RPC/HTTP is blocked (MapiBlockOutlookRpcHttp $true): Outlook has no way to connect.";
    private const string NoneOrg = "MAPI/HTTP is off for bob@contoso.lab (following the organisation setting) and RPC/HTTP is blocked (MapiBlockOutlookRpcHttp $true): Outlook has no way to connect.";
    private const string Unknown = "The protocol of bob@contoso.lab is not known: it follows the organisation's MapiHttpEnabled, which could not be read (Get-OrganizationConfig returned no value).";
    private const string NoMapi = "MAPI is disabled for bob@contoso.lab (MAPIEnabled $false): Outlook cannot open this mailbox over any protocol.";

    private static CasMailboxFacts Mailbox(bool? mapiHttp, bool mapi = true, bool blockRpc = false, bool blockExternal = false, string? versions = null) =>
        ExchangeFactReader.ReadCasMailbox(ExchangeObjects.CasMailbox("bob", mapi, mapiHttp, blockRpc, blockExternal, versions));

    /// <summary>org, mailbox MapiHttpEnabled, RPC/HTTP blocked, external blocked: protocol, status, cause, fix, sentence (MAPIEnabled $true).</summary>
    public static TheoryData<bool?, bool?, bool, bool, MapiClientProtocol, CheckStatus, MapiHttpCause, string?, string> MapiOn => new()
    {
        // Organisation on: the mailbox follows it ($null) or says the same ($true); $false overrides it.
        { true, null, false, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOrg },
        { true, null, false, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { true, null, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOrg },
        { true, null, true, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { true, true, false, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOwn },
        { true, true, false, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { true, true, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOwn },
        { true, true, true, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { true, false, false, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, RpcOwn },
        { true, false, false, true, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, RpcOwn },
        { true, false, true, false, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOwn },
        { true, false, true, true, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOwn },

        // Organisation off: $null and $false give Outlook Anywhere (nothing when RPC/HTTP is blocked); $true overrides it.
        { false, null, false, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetOrganization, RpcOrg },
        { false, null, false, true, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetOrganization, RpcOrg },
        { false, null, true, false, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOrg },
        { false, null, true, true, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOrg },
        { false, false, false, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, RpcOwn },
        { false, false, false, true, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, RpcOwn },
        { false, false, true, false, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOwn },
        { false, false, true, true, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOwn },
        { false, true, false, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOwn },
        { false, true, false, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { false, true, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOwn },
        { false, true, true, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },

        // Organisation unknown (Get-OrganizationConfig gave no value): a mailbox that follows it is Unknown whatever its
        // blocks; a mailbox with its own setting is judged on that setting alone.
        { null, null, false, false, MapiClientProtocol.Unknown, CheckStatus.Warning, MapiHttpCause.NotEnabled, ReadOrganization, Unknown },
        { null, null, false, true, MapiClientProtocol.Unknown, CheckStatus.Warning, MapiHttpCause.NotEnabled, ReadOrganization, Unknown },
        { null, null, true, false, MapiClientProtocol.Unknown, CheckStatus.Warning, MapiHttpCause.NotEnabled, ReadOrganization, Unknown },
        { null, null, true, true, MapiClientProtocol.Unknown, CheckStatus.Warning, MapiHttpCause.NotEnabled, ReadOrganization, Unknown },
        { null, true, false, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOwn },
        { null, true, false, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { null, true, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, null, PassOwn },
        { null, true, true, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal },
        { null, false, false, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, RpcOwn },
        { null, false, false, true, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, RpcOwn },
        { null, false, true, false, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOwn },
        { null, false, true, true, MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetMapiHttp, NoneOwn },
    };

    [Theory]
    [MemberData(nameof(MapiOn))]
    public void With_MAPI_on_every_row_of_the_truth_table_gives_its_protocol_fix_and_sentence(
        bool? org, bool? mailbox, bool blockRpc, bool blockExternal, MapiClientProtocol protocol, CheckStatus status, MapiHttpCause cause, string? fix, string message)
    {
        MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(org, Mailbox(mailbox, blockRpc: blockRpc, blockExternal: blockExternal));

        Assert.Equal((protocol, status, cause), (result.EffectiveProtocol, result.Status, result.Cause));
        Assert.Equal(fix, result.Recommendation);
        Assert.Equal(message, result.Message);
        Assert.Equal((org, mailbox, true, blockRpc, blockExternal), (result.OrganizationMapiHttpEnabled, result.MailboxMapiHttpEnabled, result.MAPIEnabled, result.MapiBlockOutlookRpcHttp, result.MapiBlockOutlookExternalConnectivity));
        Assert.Equal(protocol, MailboxProtocolEvaluator.EffectiveProtocol(org, Mailbox(mailbox, blockRpc: blockRpc, blockExternal: blockExternal)));
    }

    /// <summary>org, mailbox MapiHttpEnabled, RPC/HTTP blocked, external blocked, MapiBlockOutlookVersions (MAPIEnabled $false).</summary>
    public static TheoryData<bool?, bool?, bool, bool, string?> MapiOff => new()
    {
        { true, null, false, false, null },
        { true, true, false, true, "-15.0.4569" },
        { true, false, true, false, null },
        { false, null, false, false, null },
        { false, true, false, false, "-15.0.4569" },
        { false, false, true, true, null },
        { null, null, false, false, null },
        { null, true, true, false, null },
        { null, false, false, true, null },
    };

    [Theory]
    [MemberData(nameof(MapiOff))]
    public void With_MAPI_off_Outlook_gets_nothing_whatever_the_other_settings(bool? org, bool? mailbox, bool blockRpc, bool blockExternal, string? versions)
    {
        MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(org, Mailbox(mailbox, mapi: false, blockRpc: blockRpc, blockExternal: blockExternal, versions: versions));

        Assert.Equal((MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled), (result.EffectiveProtocol, result.Status, result.Cause));
        Assert.Equal((EnableMapi, NoMapi), (result.Recommendation, result.Message));
        Assert.False(result.MAPIEnabled);
    }

    [Theory]
    [InlineData(true, null, false, MapiClientProtocol.MapiHttp, CheckStatus.Warning, MapiHttpCause.Client, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookVersions $null", "bob@contoso.lab gets MAPI/HTTP, but Outlook versions -15.0.4569 are blocked (MapiBlockOutlookVersions).")]
    [InlineData(false, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Warning, MapiHttpCause.Client, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookVersions $null", "bob@contoso.lab gets MAPI/HTTP, but Outlook versions -15.0.4569 are blocked (MapiBlockOutlookVersions).")]
    [InlineData(true, null, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, MapiHttpCause.NotEnabled, ClearExternal, Internal)]
    [InlineData(false, null, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, MapiHttpCause.NotEnabled, SetOrganization, RpcOrg)]
    [InlineData(null, null, false, MapiClientProtocol.Unknown, CheckStatus.Warning, MapiHttpCause.NotEnabled, ReadOrganization, Unknown)]
    public void Blocked_Outlook_versions_warn_Client_only_where_the_mailbox_gets_MAPI_HTTP_everywhere(
        bool? org, bool? mailbox, bool blockExternal, MapiClientProtocol protocol, CheckStatus status, MapiHttpCause cause, string fix, string message)
    {
        MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(org, Mailbox(mailbox, blockExternal: blockExternal, versions: "-15.0.4569"));

        Assert.Equal((protocol, status, cause, fix, message), (result.EffectiveProtocol, result.Status, result.Cause, result.Recommendation, result.Message));
        Assert.Equal("-15.0.4569", result.MapiBlockOutlookVersions);
    }

    [Fact]
    public void An_empty_MapiBlockOutlookVersions_blocks_nothing()
    {
        MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(true, Mailbox(null, versions: ""));

        Assert.Equal((MapiClientProtocol.MapiHttp, CheckStatus.Pass, MapiHttpCause.None, (string?)null, PassOrg), (result.EffectiveProtocol, result.Status, result.Cause, result.Recommendation, result.Message));
    }

    [Fact]
    public void A_mailbox_without_a_primary_address_is_named_by_its_identity_and_the_evidence_lists_every_input()
    {
        var mailbox = Mailbox(false, blockRpc: true) with { PrimarySmtpAddress = null };

        MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(null, mailbox);

        Assert.Equal(
            "MAPI/HTTP is off for contoso.lab/Users/Bob Example (set on the mailbox) and RPC/HTTP is blocked (MapiBlockOutlookRpcHttp $true): Outlook has no way to connect.",
            result.Message);
        Assert.Equal(("MailboxProtocol", "contoso.lab/Users/Bob Example", "contoso.lab/Users/Bob Example", "Bob Example"), (result.Check, result.Target, result.Identity, result.DisplayName));
        Assert.Null(result.PrimarySmtpAddress);
        Assert.Equal(
            new (string, object?)[]
            {
                ("OrganizationMapiHttpEnabled", null),
                ("MailboxMapiHttpEnabled", false),
                ("MAPIEnabled", true),
                ("MapiBlockOutlookRpcHttp", true),
                ("MapiBlockOutlookExternalConnectivity", false),
            },
            result.Evidence.Cast<DictionaryEntry>().Select(e => ((string)e.Key, e.Value)).ToArray());
    }
}
