using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Checks;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Shows which protocol Outlook gets for each mailbox (MAPI/HTTP, MAPI/HTTP inside only, RPC/HTTP or none) and why.</para>
/// <para type="description">Reads the organisation's and each mailbox's MAPI settings (Get-OrganizationConfig,
/// Get-CASMailbox) and applies Autodiscover's rules. Scans use a server-side filter and stream: results are
/// written while Exchange still returns mailboxes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "MapiHttpMailboxState", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(MapiHttpMailboxStateResult))]
public sealed class GetMapiHttpMailboxStateCommand : MapiHttpCmdletBase
{
    private const string LiveSet = "Live";
    private const string SnapshotSet = "Snapshot";

    private IExchangeSource? _source;
    private bool? _organizationMapiHttpEnabled;

    /// <summary>Mailboxes to check: names, addresses, or piped mailbox objects (their Identity is used).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public object[]? Identity { get; set; }

    /// <summary>Only mailboxes where Outlook does not get full MAPI/HTTP (server-side filter live).</summary>
    [Parameter]
    public SwitchParameter ProblemsOnly { get; set; }

    /// <summary>An OPATH filter for Get-CASMailbox, evaluated by Exchange.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>Limits the scan to an OU, as Get-CASMailbox -OrganizationalUnit.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [Alias("OrganizationUnit")]
    [ValidateNotNullOrEmpty]
    public string? OrganizationalUnit { get; set; }

    /// <summary>How many mailboxes at most: a number or Unlimited, passed to Get-CASMailbox.</summary>
    [Parameter]
    [ValidateResultSize]
    public string? ResultSize { get; set; }

    /// <summary>An Export-MapiHttpSnapshot file to read instead of Exchange.</summary>
    [Parameter(ParameterSetName = SnapshotSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    protected override void BeginProcessing()
    {
        if (ParameterSetName == SnapshotSet)
        {
            SnapshotDocument snapshot = ExchangeCommandSupport.LoadSnapshot(this, SnapshotPath!, CancelToken);
            WriteVerbose($"Reading mailboxes from {snapshot.Path} (taken {snapshot.CreatedUtc:u}, {snapshot.Section(SnapshotSections.CasMailbox).Count} mailboxes).");
            _source = new SnapshotExchangeSource(snapshot);
        }
        else
        {
            RunspaceCommandRunner runner = RunspaceCommandRunner.Inline(this);
            string[] missing = new[] { "Get-OrganizationConfig", "Get-CASMailbox" }.Where(c => !runner.IsAvailable(c)).ToArray();
            if (missing.Length > 0)
            {
                ThrowTerminatingError(RunspaceCommandRunner.NotFoundError(missing));
            }

            _source = new LiveExchangeSource(runner);
        }

        try
        {
            _organizationMapiHttpEnabled = _source.GetOrganizationConfigAsync(CancelToken).GetAwaiter().GetResult().MapiHttpEnabled;
        }
        catch (Exception ex) when (ex is ExchangeCommandException or ExchangeDataUnavailableException or ExchangeDataException)
        {
            ThrowTerminatingError(ErrorRecords.Create("OrganizationConfigUnavailable", ErrorCategory.ReadError, "Get-OrganizationConfig",
                $"The organisation's MapiHttpEnabled, which every mailbox's protocol depends on, could not be read: {ex.Message}", ex));
        }

        if (ProblemsOnly && _organizationMapiHttpEnabled != true)
        {
            WriteWarning(_organizationMapiHttpEnabled is null
                ? "The organisation's MapiHttpEnabled could not be read: every mailbox without its own MapiHttpEnabled is listed, as its protocol is not known."
                : "MAPI/HTTP is disabled for the organisation: every mailbox without its own MapiHttpEnabled $true uses Outlook Anywhere and is listed. " +
                  "Fix it for everyone with: " + OrganizationChecks.Fix);
        }
    }

    protected override void ProcessRecord()
    {
        IEnumerable<string?> identities = Identity is null
            ? new string?[] { null }
            : Identity.Select(ExchangeCommandSupport.IdentityText).Where(i => i is not null);
        foreach (string? identity in identities)
        {
            Query(identity);
        }
    }

    private void Query(string? identity)
    {
        bool live = ParameterSetName == LiveSet;

        // A scan asks Exchange for the problem mailboxes only; a named mailbox is fetched as is and judged here.
        string? problemFilter = live && ProblemsOnly && identity is null ? MailboxProtocolEvaluator.ProblemFilterFor(_organizationMapiHttpEnabled) : null;
        string? filter = (Filter, problemFilter) switch
        {
            (null, null) => null,
            (string f, null) => f,
            (null, string p) => p,
            (string f, string p) => $"({f}) -and ({p})",
        };
        var query = new CasMailboxQuery(identity, filter, OrganizationalUnit, ResultSize);
        WriteVerbose($"Get-CASMailbox{(identity is null ? string.Empty : " -Identity " + PowerShellText.Quote(identity))}" +
                     $"{(filter is null ? string.Empty : " -Filter " + PowerShellText.Quote(filter))}{(ResultSize is null ? string.Empty : " -ResultSize " + ResultSize)}");

        try
        {
            _source!.StreamCasMailboxesAsync(
                query,
                mailbox =>
                {
                    MapiHttpMailboxStateResult result = MailboxProtocolEvaluator.Evaluate(_organizationMapiHttpEnabled, mailbox);
                    if (!ProblemsOnly || result.Status != CheckStatus.Pass)
                    {
                        WriteObject(result);
                    }
                },
                error => WriteError(ErrorRecords.Create(
                    identity is null ? "MailboxReadFailed" : "MailboxNotFound",
                    error.Record?.CategoryInfo.Category ?? ErrorCategory.ObjectNotFound,
                    identity ?? filter,
                    error.Message,
                    error.Record?.Exception)),
                CancelToken).GetAwaiter().GetResult();
        }
        catch (ExchangeCommandException ex) when (problemFilter is not null && ex.Reason.IndexOf("Filter", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            ThrowTerminatingError(ErrorRecords.Create("MailboxFilterRejected", ErrorCategory.InvalidArgument, problemFilter,
                $"Exchange rejected the -ProblemsOnly filter \"{problemFilter}\": {ex.Reason} Use -Filter \"MAPIEnabled -eq `$false\" (a property Exchange documents as filterable), " +
                "or evaluate every mailbox without -ProblemsOnly (-ResultSize Unlimited streams them) and filter with Where-Object Status -ne Pass.", ex));
        }
        catch (ExchangeCommandException ex)
        {
            WriteError(ErrorRecords.Create(identity is null ? "MailboxReadFailed" : "MailboxNotFound", ex.Record?.CategoryInfo.Category ?? ErrorCategory.ReadError,
                (object?)identity ?? filter ?? "Get-CASMailbox", ex.Message, ex));
        }
    }
}
