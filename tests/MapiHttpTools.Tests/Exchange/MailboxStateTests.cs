using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Get-MapiHttpMailboxState: the truth table, the calls it makes to Exchange, streaming, errors and pipeline binding.</summary>
public sealed class MailboxStateTests
{
    private static CasMailboxFacts Mailbox(bool? mapiHttp = null, bool mapi = true, bool blockRpc = false, bool blockExternal = false, string? versions = null) =>
        ExchangeFactReader.ReadCasMailbox(ExchangeObjects.CasMailbox("bob", mapi, mapiHttp, blockRpc, blockExternal, versions));

    [Theory]
    [InlineData(true, null, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, null)]
    [InlineData(true, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, null)]
    [InlineData(true, null, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookExternalConnectivity $false")]
    [InlineData(true, true, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookExternalConnectivity $false")]
    [InlineData(true, false, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiHttpEnabled $true")]
    [InlineData(true, false, true, MapiClientProtocol.RpcHttp, CheckStatus.Fail, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiHttpEnabled $true")]
    [InlineData(false, null, false, MapiClientProtocol.RpcHttp, CheckStatus.Fail, "Set-OrganizationConfig -MapiHttpEnabled $true")]
    [InlineData(false, false, true, MapiClientProtocol.RpcHttp, CheckStatus.Fail, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiHttpEnabled $true")]
    [InlineData(false, true, false, MapiClientProtocol.MapiHttp, CheckStatus.Pass, null)]
    [InlineData(false, true, true, MapiClientProtocol.MapiHttpInternalOnly, CheckStatus.Warning, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookExternalConnectivity $false")]
    public void The_effective_protocol_follows_the_design_truth_table(bool org, bool? mailbox, bool blockExternal, MapiClientProtocol expected, CheckStatus status, string? fix)
    {
        MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(org, Mailbox(mailbox, blockExternal: blockExternal));

        Assert.Equal((expected, status, fix), (result.EffectiveProtocol, result.Status, result.Recommendation));
        Assert.Equal(status == CheckStatus.Pass ? MapiHttpCause.None : MapiHttpCause.NotEnabled, result.Cause);
        Assert.Equal((org, mailbox, "contoso.lab/Users/Bob Example", "bob@contoso.lab"), (result.OrganizationMapiHttpEnabled, result.MailboxMapiHttpEnabled, result.Identity, result.PrimarySmtpAddress));
    }

    [Fact]
    public void No_MAPI_or_RPC_blocked_without_MAPI_HTTP_leaves_Outlook_nothing_blocked_versions_warn_Client()
    {
        MapiHttpMailboxStateResult noMapi = MailboxProtocolEvaluator.Evaluate(true, Mailbox(mapi: false));
        Assert.Equal((MapiClientProtocol.None, CheckStatus.Fail, "Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MAPIEnabled $true"), (noMapi.EffectiveProtocol, noMapi.Status, noMapi.Recommendation));

        MapiHttpMailboxStateResult blocked = MailboxProtocolEvaluator.Evaluate(true, Mailbox(mapiHttp: false, blockRpc: true));
        Assert.Equal((MapiClientProtocol.None, CheckStatus.Fail), (blocked.EffectiveProtocol, blocked.Status));
        Assert.Contains("no way to connect", blocked.Message);

        MapiHttpMailboxStateResult versions = MailboxProtocolEvaluator.Evaluate(true, Mailbox(versions: "-15.0.4569"));
        Assert.Equal((MapiClientProtocol.MapiHttp, CheckStatus.Warning, MapiHttpCause.Client, "-15.0.4569"), (versions.EffectiveProtocol, versions.Status, versions.Cause, versions.MapiBlockOutlookVersions));
        Assert.Equal("Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiBlockOutlookVersions $null", versions.Recommendation);
    }

    private static ModuleSession Session(ExchangeLab lab)
    {
        var session = new ModuleSession();
        lab.Install(session);
        return session;
    }

    [Fact]
    public void Every_mailbox_once_with_no_filter_and_Exchanges_own_default_size()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());

        ScriptResult result = session.Invoke("Get-MapiHttpMailboxState");

        Assert.Empty(result.Errors);
        Assert.Equal(
            new[] { ("alice", MapiClientProtocol.MapiHttp), ("bob", MapiClientProtocol.RpcHttp), ("carol", MapiClientProtocol.None), ("dave", MapiClientProtocol.MapiHttpInternalOnly), ("erin", MapiClientProtocol.None) },
            result.Objects<MapiHttpMailboxStateResult>().Select(r => (r.PrimarySmtpAddress!.Split('@')[0], r.EffectiveProtocol)));
        var calls = ExchangeLab.Calls(session);
        Assert.Equal(new[] { "Get-OrganizationConfig", "Get-CASMailbox" }, calls.Select(c => c.Command));
        Assert.Empty(calls[1].Parameters.Keys);
    }

    [Fact]
    public void ProblemsOnly_asks_Exchange_for_problem_mailboxes_with_a_server_side_filter_and_passes_ResultSize()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());

        ScriptResult result = session.Invoke("Get-MapiHttpMailboxState -ProblemsOnly -ResultSize Unlimited -OrganizationalUnit 'contoso.lab/Sales'");

        // The stand-in applies the filter as Exchange would: the healthy one is not even returned.
        Assert.Equal(new[] { "bob", "carol", "dave", "erin" }, result.Objects<MapiHttpMailboxStateResult>().Select(r => r.PrimarySmtpAddress!.Split('@')[0]));
        (string command, Hashtable parameters) = ExchangeLab.Calls(session).Single(c => c.Command == "Get-CASMailbox");
        Assert.Equal("MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null", parameters["Filter"]);
        Assert.Equal("Unlimited", parameters["ResultSize"]);
        Assert.Equal("contoso.lab/Sales", parameters["OrganizationalUnit"]);
        Assert.False(parameters.ContainsKey("Identity"));

        ExchangeLab.ClearCalls(session);
        session.Invoke("Get-MapiHttpMailboxState -ProblemsOnly -Filter \"Name -like 'B*'\" -ResultSize 50");
        Hashtable combined = ExchangeLab.Calls(session).Single(c => c.Command == "Get-CASMailbox").Parameters;
        Assert.Equal("(Name -like 'B*') -and (MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null)", combined["Filter"]);
        Assert.Equal("50", combined["ResultSize"]);
    }

    [Fact]
    public void Identities_are_looked_up_one_by_one_an_unknown_one_is_a_MailboxNotFound_error()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());

        ScriptResult result = session.Invoke("Get-MapiHttpMailboxState -Identity bob, nobody@contoso.lab, carol");

        Assert.Equal(new[] { "bob@contoso.lab", "carol@contoso.lab" }, result.Objects<MapiHttpMailboxStateResult>().Select(r => r.PrimarySmtpAddress));
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("MailboxNotFound,MapiHttpTools.Commands.GetMapiHttpMailboxStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal("nobody@contoso.lab", error.TargetObject);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("couldn't be found", error.Exception.Message);
        Assert.Equal(new object[] { "bob", "nobody@contoso.lab", "carol" }, ExchangeLab.Calls(session).Where(c => c.Command == "Get-CASMailbox").Select(c => c.Parameters["Identity"]!));
    }

    [Fact]
    public void Piped_mailboxes_bind_by_Identity_and_results_pipe_into_Set_CASMailbox()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());
        session.Invoke(@"function global:Set-CASMailbox {
            [CmdletBinding(SupportsShouldProcess = $true)]
            param([Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)][string] $Identity, [Nullable[bool]] $MapiHttpEnabled)
            process { $null = Record 'Set-CASMailbox' $PSBoundParameters }
        }");

        session.Invoke("Get-CASMailbox bob | Get-MapiHttpMailboxState | Where-Object EffectiveProtocol -eq RpcHttp | Set-CASMailbox -MapiHttpEnabled $true");

        var calls = ExchangeLab.Calls(session);
        Assert.Equal("contoso.lab/Users/Bob Example", calls.Single(c => c.Command == "Get-CASMailbox" && (string?)c.Parameters["Identity"] != "bob").Parameters["Identity"]);
        Hashtable set = calls.Single(c => c.Command == "Set-CASMailbox").Parameters;
        Assert.Equal(("contoso.lab/Users/Bob Example", (object)true), ((string)set["Identity"]!, set["MapiHttpEnabled"]!));
    }

    [Fact]
    public void A_session_without_the_Exchange_cmdlets_gets_one_error_that_says_what_to_do()
    {
        using var session = new ModuleSession();

        ScriptResult result = session.InvokeCatching("Get-MapiHttpMailboxState -ProblemsOnly");

        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Empty(result.Output);
        Assert.Equal("ExchangeCmdletsNotFound,MapiHttpTools.Commands.GetMapiHttpMailboxStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        string message = error.Exception.Message;
        Assert.Contains("Get-OrganizationConfig, Get-CASMailbox", message);
        Assert.Contains("Exchange Management Shell", message);
        Assert.Contains("Import-PSSession", message);
        Assert.Contains("-SnapshotPath", message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("lots")]
    [InlineData("-5")]
    public void ResultSize_takes_Unlimited_or_a_positive_number(string size)
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());

        ScriptResult result = session.InvokeCatching($"Get-MapiHttpMailboxState -ResultSize '{size}'");

        Assert.StartsWith("ParameterArgumentValidationError,", result.ErrorIds.Single());
        Assert.DoesNotContain(ExchangeLab.Calls(session), c => c.Command == "Get-CASMailbox");
    }

    [Fact]
    public void ProblemsOnly_warns_when_the_organisation_has_MAPI_HTTP_off()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Organization.Properties["MapiHttpEnabled"].Value = false;
        using ModuleSession session = Session(lab);

        ScriptResult result = session.Invoke("Get-MapiHttpMailboxState -ProblemsOnly");

        Assert.Contains(result.Warnings, w => w.Contains("disabled for the organisation") && w.Contains("Set-OrganizationConfig -MapiHttpEnabled $true"));
        Assert.Contains(result.Objects<MapiHttpMailboxStateResult>(), r => r.PrimarySmtpAddress == "alice@contoso.lab" && r.EffectiveProtocol == MapiClientProtocol.RpcHttp);
    }

    [Fact]
    public void A_filter_Exchange_rejects_ends_the_scan_with_MailboxFilterRejected_naming_the_documented_alternative()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.RejectFilterProperty = "MapiHttpEnabled";
        using ModuleSession session = Session(lab);

        ScriptResult result = session.InvokeCatching("Get-MapiHttpMailboxState -ProblemsOnly");

        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Empty(result.Output);
        Assert.Equal("MailboxFilterRejected,MapiHttpTools.Commands.GetMapiHttpMailboxStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal("MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null", error.TargetObject);
        Assert.Contains("MapiHttpEnabled is not a recognized filterable property", error.Exception.Message);
        Assert.Contains("-Filter \"MAPIEnabled -eq `$false\"", error.Exception.Message);
    }

    [Fact]
    public void A_scan_that_fails_for_another_reason_is_a_MailboxReadFailed_error_not_a_rejected_filter()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.ScanFailure = "The LDAP server dc01.contoso.lab is unavailable.";
        using ModuleSession session = Session(lab);

        ScriptResult result = session.InvokeCatching("Get-MapiHttpMailboxState -ProblemsOnly");

        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("MailboxReadFailed,MapiHttpTools.Commands.GetMapiHttpMailboxStateCommand", error.FullyQualifiedErrorId);
        Assert.Equal("MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null", error.TargetObject);
        Assert.Contains("The LDAP server dc01.contoso.lab is unavailable.", error.Exception.Message);
    }

    [Fact]
    public void A_scan_of_100000_mailboxes_streams_results_while_Exchange_is_still_returning_them()
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.GeneratedMailboxes = 100_000;
        using ModuleSession session = Session(lab);

        ScriptResult result = session.Invoke(@"
            $global:Seen = 0; $global:FirstSeenWhenEmitted = $null
            Get-MapiHttpMailboxState -ProblemsOnly -ResultSize Unlimited | ForEach-Object {
                if ($null -eq $global:FirstSeenWhenEmitted) { $global:FirstSeenWhenEmitted = $global:CasEmitted }
                $global:Seen++
            }
            $global:Seen; $global:FirstSeenWhenEmitted; $global:CasEmitted");

        Assert.Empty(result.Errors);
        Assert.Equal(100_000, (int)result.Output[0].BaseObject);
        // The first result reached the next command when Exchange had produced one mailbox, not all of them.
        Assert.Equal(1, (int)result.Output[1].BaseObject);
        Assert.Equal(100_000, (int)result.Output[2].BaseObject);
        (string command, Hashtable parameters) = Assert.Single(ExchangeLab.Calls(session), c => c.Command == "Get-CASMailbox");
        Assert.Equal(("MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null", (object)"Unlimited"), ((string)parameters["Filter"]!, parameters["ResultSize"]!));
    }

    [Fact]
    public void The_table_view_shows_status_protocol_and_address()
    {
        using ModuleSession session = Session(ExchangeLab.Contoso());

        session.Invoke("Get-MapiHttpMailboxState -Identity bob | Out-Default");

        string screen = session.Host.Output;
        Assert.Contains("Status  EffectiveProtocol    Mailbox", screen);
        Assert.Contains("Fail    RpcHttp              bob@contoso.lab", screen);
    }

    /// <summary>
    /// A population as an organisation has it: every combination of MapiHttpEnabled ($null/$true/$false), MAPIEnabled,
    /// the RPC/HTTP and external blocks and a version block (48), plus 8 mailboxes left at their defaults. With the
    /// organisation on, 4 combinations and the 8 defaults work (44 problems); off or unknown, only the 2 with
    /// MapiHttpEnabled $true and no block work (54).
    /// </summary>
    private static ExchangeLab Population(bool? organization)
    {
        ExchangeLab lab = ExchangeLab.Contoso();
        lab.Organization.Properties["MapiHttpEnabled"].Value = organization;
        lab.Mailboxes.Clear();
        int n = 0;
        foreach (bool? mapiHttp in new bool?[] { null, true, false })
        {
            foreach (bool mapi in new[] { true, false })
            {
                foreach (bool blockRpc in new[] { false, true })
                {
                    foreach (bool blockExternal in new[] { false, true })
                    {
                        foreach (string? versions in new[] { null, "-15.0.4000" })
                        {
                            n++;
                            lab.Mailboxes.Add(ExchangeObjects.CasMailbox($"user{n:D2}", mapi, mapiHttp, blockRpc, blockExternal, versions));
                        }
                    }
                }
            }
        }

        for (int i = 0; i < 8; i++)
        {
            lab.Mailboxes.Add(ExchangeObjects.CasMailbox($"plain{i}"));
        }

        return lab;
    }

    [Theory]
    [InlineData(true, 44, "MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null")]
    [InlineData(false, 54, "MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null -or MapiHttpEnabled -eq $null")]
    [InlineData(null, 54, "MAPIEnabled -eq $false -or MapiHttpEnabled -eq $false -or MAPIBlockOutlookRpcHttp -eq $true -or MAPIBlockOutlookExternalConnectivity -eq $true -or MAPIBlockOutlookVersions -ne $null -or MapiHttpEnabled -eq $null")]
    public void ProblemsOnly_reports_exactly_the_problems_the_unfiltered_run_flags(bool? organization, int problems, string filter)
    {
        using ModuleSession session = Session(Population(organization));

        string[] all = session.Invoke("Get-MapiHttpMailboxState").Objects<MapiHttpMailboxStateResult>()
            .Where(r => r.Status != CheckStatus.Pass).Select(r => r.Identity).OrderBy(i => i, StringComparer.Ordinal).ToArray();
        ExchangeLab.ClearCalls(session);
        string[] filtered = session.Invoke("Get-MapiHttpMailboxState -ProblemsOnly").Objects<MapiHttpMailboxStateResult>()
            .Select(r => r.Identity).OrderBy(i => i, StringComparer.Ordinal).ToArray();

        Assert.Equal(problems, all.Length);
        Assert.Equal(all, filtered);
        Assert.Equal(filter, ExchangeLab.Calls(session).Single(c => c.Command == "Get-CASMailbox").Parameters["Filter"]);
    }

    [Fact]
    public void An_unknown_organisation_setting_is_not_reported_as_MAPI_HTTP_and_org_off_with_RPC_blocked_is_None()
    {
        MapiHttpMailboxStateResult unknown = MailboxProtocolEvaluator.Evaluate(null, Mailbox());
        MapiHttpMailboxStateResult unknownBlocked = MailboxProtocolEvaluator.Evaluate(null, Mailbox(blockRpc: true));
        MapiHttpMailboxStateResult ownSetting = MailboxProtocolEvaluator.Evaluate(null, Mailbox(mapiHttp: true));
        MapiHttpMailboxStateResult none = MailboxProtocolEvaluator.Evaluate(false, Mailbox(blockRpc: true));

        Assert.Equal((MapiClientProtocol.Unknown, CheckStatus.Warning), (unknown.EffectiveProtocol, unknown.Status));
        Assert.Equal(MapiClientProtocol.Unknown, unknownBlocked.EffectiveProtocol);
        Assert.Equal((MapiClientProtocol.MapiHttp, CheckStatus.Pass), (ownSetting.EffectiveProtocol, ownSetting.Status));
        Assert.Equal((MapiClientProtocol.None, CheckStatus.Fail, MapiHttpCause.NotEnabled), (none.EffectiveProtocol, none.Status, none.Cause));
        Assert.Equal("Set-CASMailbox -Identity 'contoso.lab/Users/Bob Example' -MapiHttpEnabled $true", none.Recommendation);
    }
}
