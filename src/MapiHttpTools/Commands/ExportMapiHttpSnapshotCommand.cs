using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.ClientProtocols;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Snapshot;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Commands;

/// <summary>
/// <para type="synopsis">Saves everything the MAPI/HTTP configuration checks read from Exchange into one file to analyse anywhere.</para>
/// <para type="description">The organisation, the Client Access servers with their MAPI virtual directories,
/// certificates (public part), component states and Outlook Anywhere names, the IMAP4/POP3 settings, services and
/// components (issue 16), the auth configuration and auth servers, the DNS answers for the MAPI URL hosts and, on
/// request, mailboxes. No credentials, no secrets; -Anonymize replaces user names and addresses consistently.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "MapiHttpSnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportMapiHttpSnapshotCommand : MapiHttpCmdletBase
{
    /// <summary>The Exchange cmdlets without which there is nothing to snapshot.</summary>
    private static readonly string[] Essential = { "Get-OrganizationConfig", "Get-ExchangeServer", "Get-MapiVirtualDirectory" };

    private readonly List<string> _servers = new();

    /// <summary>Test hook: stands in for DNS when the snapshot records the URL hosts' answers.</summary>

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The servers to include; default every server with the Client Access role.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Fqdn")]
    [ValidateNotNullOrEmpty]
    public string[]? Server { get; set; }

    /// <summary>Mailboxes to include (their CAS mailbox MAPI settings).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Mailbox { get; set; }

    /// <summary>Also include the mailboxes whose own settings turn MAPI or MAPI/HTTP off (server-side filter).</summary>
    [Parameter]
    public SwitchParameter IncludeProblemMailboxes { get; set; }

    /// <summary>How many problem mailboxes at most: a number or Unlimited.</summary>
    [Parameter]
    [ValidateResultSize]
    public string ResultSize { get; set; } = "1000";

    /// <summary>Replace user names and addresses consistently (User0001, user0001@domain).</summary>
    [Parameter]
    public SwitchParameter Anonymize { get; set; }

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (Server is not null)
        {
            _servers.AddRange(Server);
        }
    }

    protected override void EndProcessing()
    {
        string path = GetUnresolvedProviderPathFromPSPath(Path);
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is null || !Directory.Exists(directory))
        {
            ThrowTerminatingError(ErrorRecords.Create("SnapshotPathInvalid", ErrorCategory.ObjectNotFound, Path,
                $"The folder of '{path}' does not exist; create it first or give another -Path."));
        }

        if (Directory.Exists(path) || (File.Exists(path) && !Force))
        {
            ThrowTerminatingError(ErrorRecords.Create("SnapshotExists", ErrorCategory.ResourceExists, Path,
                Directory.Exists(path)
                    ? $"'{path}' is a folder; give a file name."
                    : $"The file '{path}' exists. Use -Force to overwrite it, or give another -Path."));
        }

        if (!ShouldProcess(path, "Write a MAPI/HTTP snapshot of the Exchange configuration"))
        {
            return;
        }

        string[] missing = RunspaceCommandRunner.FindMissing(this, RunspaceCommandRunner.AllCommands).ToArray();
        if (Essential.Any(e => missing.Contains(e, StringComparer.OrdinalIgnoreCase)))
        {
            ThrowTerminatingError(RunspaceCommandRunner.NotFoundError(Essential.Where(e => missing.Contains(e, StringComparer.OrdinalIgnoreCase)).ToArray()));
        }

        foreach (string unavailable in missing)
        {
            WriteWarning($"{unavailable} is not in this session: the snapshot records its facts as unavailable.");
        }

        string[] available = RunspaceCommandRunner.AllCommands.Except(missing, StringComparer.OrdinalIgnoreCase).ToArray();

        // The IMAP4/POP3 side (issue 16): what the session lacks is recorded as unavailable, with the reason.
        string[] clientCommands = ExchangeSideReader.Commands.Except(RunspaceCommandRunner.FindMissing(this, ExchangeSideReader.Commands), StringComparer.OrdinalIgnoreCase).ToArray();
        ServiceAccess services = ServiceAccess.Of(this, Services.IsWindows);
        var request = new SnapshotRequest(_servers.Count > 0 ? _servers.ToArray() : null, Mailbox ?? Array.Empty<string>(), IncludeProblemMailboxes, ResultSize);
        IHostResolver resolver = Services.Resolver; // on the pipeline thread, where the runspace is known
        RunAsync(async (pipeline, token) =>
        {
            var source = new LiveExchangeSource(RunspaceCommandRunner.Posted(pipeline, available));
            var clientProtocols = new SnapshotClientProtocolCollector(new RunspaceClientProtocolSource(RunspaceCommandRunner.Posted(pipeline, clientCommands), services));
            var collector = new SnapshotCollector(source, resolver, clientProtocols);
            SnapshotContent content = await collector.CollectAsync(
                request,
                (step, percent) => pipeline.WriteProgress(new ProgressRecord(1, "Export-MapiHttpSnapshot", "Reading " + step) { PercentComplete = percent }),
                (name, message) => pipeline.WriteError(ErrorRecords.Create("ServerNotFound", ErrorCategory.ObjectNotFound, name, message)),
                error => pipeline.WriteError(ErrorRecords.Create("MailboxNotFound", error.Record?.CategoryInfo.Category ?? ErrorCategory.ObjectNotFound, error.Identity, error.Message, error.Record?.Exception)),
                token).ConfigureAwait(false);

            try
            {
                SnapshotWriter.Write(content, path, Anonymize);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                pipeline.WriteError(ErrorRecords.Create("SnapshotWriteFailed", ErrorCategory.WriteError, Path, $"The snapshot could not be written to '{path}': {ex.Message}", ex));
                return;
            }

            pipeline.WriteProgress(new ProgressRecord(1, "Export-MapiHttpSnapshot", "Done") { RecordType = ProgressRecordType.Completed });
            pipeline.WriteVerbose($"Wrote {path}: {content.Servers.Count} server(s), {content.Sections.Sum(s => s.Value.Count)} entries, {content.Failures.Count} failure(s) recorded.");
            // The file as Get-Item gives it (issue 11): the FileSystem provider's object fills the default view's
            // Mode and Size columns, which a bare FileInfo leaves blank.
            pipeline.WriteObject(await pipeline.InvokeOnPipeline(cmdlet => FileItem((PSCmdlet)cmdlet, path)).ConfigureAwait(false));
        });
    }

    private static object FileItem(PSCmdlet cmdlet, string path)
    {
        try
        {
            return cmdlet.InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true).FirstOrDefault() ?? (object)new FileInfo(path);
        }
        catch (Exception ex) when (ex is ProviderNotFoundException or ItemNotFoundException or NotSupportedException or IOException)
        {
            return new FileInfo(path);
        }
    }
}
