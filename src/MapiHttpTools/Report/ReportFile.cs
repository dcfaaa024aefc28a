using System.IO;
using System.Management.Automation;
using System.Text;
using MapiHttpTools.Commands;

namespace MapiHttpTools.Report;

/// <summary>Checks and writes a report file; shared by Export-MapiHttpReport and Invoke-MapiHttpDiagnostic -ReportPath.</summary>
internal static class ReportFile
{
    internal sealed record Problem(string ErrorId, ErrorCategory Category, string Message);

    /// <summary>Why <paramref name="path"/> cannot be written, or null.</summary>
    public static Problem? Check(string path, bool force)
    {
        string? directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is null || !Directory.Exists(directory))
        {
            return new Problem("ReportPathInvalid", ErrorCategory.ObjectNotFound, $"The folder of '{path}' does not exist; create it first or give another path.");
        }

        if (Directory.Exists(path))
        {
            return new Problem("ReportExists", ErrorCategory.ResourceExists, $"'{path}' is a folder; give a file name.");
        }

        return File.Exists(path) && !force
            ? new Problem("ReportExists", ErrorCategory.ResourceExists, $"The file '{path}' exists. Use -Force to overwrite it, or give another path.")
            : null;
    }

    /// <summary>The format a file name asks for: .csv, .json, else HTML.</summary>
    public static MapiHttpReportFormat FormatOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => MapiHttpReportFormat.Csv,
        ".json" => MapiHttpReportFormat.Json,
        _ => MapiHttpReportFormat.Html,
    };

    /// <summary>Writes the whole file through a temporary file beside it, so a failure leaves no half report.</summary>
    public static FileInfo Write(string path, ReportContent content, MapiHttpReportFormat format, ReportOrigin origin)
    {
        string text = format switch
        {
            MapiHttpReportFormat.Csv => FlatReportWriter.Csv(content),
            MapiHttpReportFormat.Json => FlatReportWriter.Json(content),
            _ => HtmlReportWriter.Write(content, origin),
        };
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: format == MapiHttpReportFormat.Csv));
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        File.Move(temporary, path);
        return new FileInfo(path);
    }
}
