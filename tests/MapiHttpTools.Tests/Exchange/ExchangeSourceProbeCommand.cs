using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Commands;
using MapiHttpTools.Exchange;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Test-only cmdlet: reads every fact through <see cref="LiveExchangeSource"/> from inside a real pipeline, either
/// inline on the pipeline thread or from async work that posts each Exchange call back to it (-Posted).
/// </summary>
[Cmdlet("Read", "ExchangeSourceForTest")]
public sealed class ReadExchangeSourceForTestCommand : MapiHttpCmdletBase
{
    [Parameter]
    public SwitchParameter Posted { get; set; }

    [Parameter]
    public string Server { get; set; } = "EX01";

    [Parameter]
    public string? Mailbox { get; set; }

    protected override void ProcessRecord()
    {
        if (!Posted)
        {
            var source = new LiveExchangeSource(RunspaceCommandRunner.Inline(this));
            ReadAll(source, o => WriteObject(o), CancelToken).GetAwaiter().GetResult();
            return;
        }

        var available = RunspaceCommandRunner.AllCommands;
        RunAsync(async (pipeline, token) =>
        {
            var source = new LiveExchangeSource(RunspaceCommandRunner.Posted(pipeline, available));
            await ReadAll(source, pipeline.WriteObject, token).ConfigureAwait(false);
        });
    }

    private async Task ReadAll(IExchangeSource source, Action<object> write, CancellationToken token)
    {
        write(await source.GetOrganizationConfigAsync(token).ConfigureAwait(false));
        write(await source.GetExchangeServersAsync(null, token).ConfigureAwait(false));
        foreach (object vdir in await source.GetMapiVirtualDirectoriesAsync(Server, token).ConfigureAwait(false))
        {
            write(vdir);
        }

        foreach (object certificate in await source.GetExchangeCertificatesAsync(Server, token).ConfigureAwait(false))
        {
            write(certificate);
        }

        write(await source.GetAuthConfigAsync(token).ConfigureAwait(false));
        foreach (object state in await source.GetServerComponentStatesAsync(Server, MapiComponents.All, token).ConfigureAwait(false))
        {
            write(state);
        }

        foreach (object oa in await source.GetOutlookAnywhereAsync(Server, token).ConfigureAwait(false))
        {
            write(oa);
        }

        if (Mailbox is not null)
        {
            var mailboxes = new System.Collections.Generic.List<object>();
            await source.StreamCasMailboxesAsync(new CasMailboxQuery(Mailbox, null, null, null), mailboxes.Add, e => mailboxes.Add(e), token).ConfigureAwait(false);
            mailboxes.ForEach(write);
        }
    }
}
