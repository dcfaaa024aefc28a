using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using MapiHttpTools.Logs;

namespace MapiHttpTools.Commands;

/// <summary>
/// Streams one typed object per MAPI/HTTP request from HttpProxy\Mapi, MapiHttp\Mailbox, MAPI Client Access
/// and IIS W3C logs; the format of each file is told from its header. Filters apply while reading, so only
/// matching lines become objects.
/// </summary>
[Cmdlet(VerbsCommunications.Read, "MapiHttpLog", DefaultParameterSetName = PathSet)]
[OutputType(typeof(HttpProxyLogRecord), typeof(MapiHttpMailboxLogRecord), typeof(MapiClientAccessLogRecord), typeof(IisLogRecord))]
public sealed class ReadMapiHttpLogCommand : MapiHttpLogCmdletBase
{
    private LogReadEngine? _engine;

    internal override int ProgressActivityId => 0x4d48;

    internal override string ProgressActivity => "Reading MAPI/HTTP logs";

    protected override void ProcessRecord()
    {
        List<string> files = ResolveFiles();
        if (files.Count == 0)
        {
            return;
        }

        RunAsync((pipeline, token) =>
        {
            _engine ??= new LogReadEngine(Filter);
            _engine.Read(files, pipeline.WriteObject, new PipelineObserver(pipeline, ProgressActivityId, ProgressActivity), token);
            return Task.CompletedTask;
        });
    }

    protected override void EndProcessing()
    {
        if (_engine is { } engine)
        {
            LogReadTotals t = engine.Totals;
            WriteVerbose($"Read {t.Files} file(s), {t.DataLines} lines: {t.Accepted} request(s) written, {t.Filtered} left out by the filters, {t.OtherProtocol} of other protocols, {t.Malformed} malformed.");
        }
    }
}
