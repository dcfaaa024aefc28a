using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Report;

namespace MapiHttpTools.Commands;

/// <summary>The formats Export-MapiHttpReport writes.</summary>
public enum MapiHttpReportFormat
{
    /// <summary>One self-contained page: verdict, server × check matrix, results by cause with filters, log charts.</summary>
    Html,

    /// <summary>One row per result; Status and Cause as text, Evidence as "name=value; …".</summary>
    Csv,

    /// <summary>An array of results; Status and Cause as text, Evidence as an object.</summary>
    Json,
}

/// <summary>
/// <para type="synopsis">Writes the module's results to one file to look at or hand over: an HTML report, CSV or JSON.</para>
/// <para type="description">Takes any result of this module from the pipeline (verdict, configuration, endpoint, IIS,
/// client, mailbox, log summary, repair), live or deserialized from a remote session or Import-Clixml.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "MapiHttpReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportMapiHttpReportCommand : MapiHttpCmdletBase
{
    private readonly ReportContent _content = new();

    /// <summary>The results to write.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Html (default), Csv or Json.</summary>
    [Parameter]
    public MapiHttpReportFormat Format { get; set; } = MapiHttpReportFormat.Html;

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ReportReader.Add(_content, InputObject);

    protected override void EndProcessing()
    {
        if (_content.Ignored.Count > 0)
        {
            WriteWarning($"{_content.Ignored.Count} input object(s) are not MapiHttpTools results and are left out (the first is a {_content.Ignored[0]}).");
        }

        string path = GetUnresolvedProviderPathFromPSPath(Path);
        if (ReportFile.Check(path, Force) is { } problem)
        {
            ThrowTerminatingError(ErrorRecords.Create(problem.ErrorId, problem.Category, Path, problem.Message));
        }

        if (!ShouldProcess(path, $"Write a MAPI/HTTP {Format} report of {_content.Items.Count} results"))
        {
            return;
        }

        var origin = new ReportOrigin(DateTime.UtcNow, Environment.MachineName, MyInvocation.MyCommand.Module?.Version?.ToString() ?? typeof(MapiHttpResult).Assembly.GetName().Version?.ToString() ?? "unknown");
        try
        {
            WriteObject(ReportFile.Write(path, _content, Format, origin));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorRecords.Create("ReportNotWritten", ErrorCategory.WriteError, Path, $"The report could not be written to '{path}': {ex.Message}", ex));
        }
    }
}
