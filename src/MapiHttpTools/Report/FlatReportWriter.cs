using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MapiHttpTools.Report;

/// <summary>
/// The results for other tools (issue 15): Status and Cause as their names (ConvertTo-Json gives "Status": 3), Evidence
/// as a flat object (JSON) or one "name=value; …" field (CSV) instead of "System.Collections.Specialized.OrderedDictionary".
/// A log summary contributes its findings; its statistics stay with Get-MapiHttpLogSummary's own output.
/// </summary>
internal static class FlatReportWriter
{
    private static readonly string[] Columns = { "Kind", "Status", "Cause", "Check", "Server", "Target", "Message", "Recommendation", "Timestamp", "Evidence" };

    public static string Csv(ReportContent content)
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(",", Columns.Select(ReportText.Csv))).Append("\r\n");
        foreach (ReportItem item in content.Items)
        {
            string[] fields =
            {
                item.Kind, item.Status, item.Cause, item.Check, item.Server, item.Target, item.Message, item.Recommendation, Time(item),
                string.Join("; ", item.Evidence.Select(p => p.Key + "=" + p.Value)),
            };
            csv.Append(string.Join(",", fields.Select(ReportText.Csv))).Append("\r\n");
        }

        return csv.ToString();
    }

    public static string Json(ReportContent content)
    {
        var json = new StringBuilder("[");
        bool first = true;
        foreach (ReportItem item in content.Items)
        {
            json.Append(first ? "\n  {" : ",\n  {");
            first = false;
            Field(json, "Kind", item.Kind, true);
            Field(json, "Status", item.Status);
            Field(json, "Cause", item.Cause);
            Field(json, "Check", item.Check);
            Field(json, "Server", Null(item.Server));
            Field(json, "Target", Null(item.Target));
            Field(json, "Message", item.Message);
            Field(json, "Recommendation", Null(item.Recommendation));
            Field(json, "Timestamp", Null(Time(item)));
            json.Append(", \"Evidence\": {");
            for (int i = 0; i < item.Evidence.Count; i++)
            {
                json.Append(i == 0 ? string.Empty : ", ").Append(ReportText.Json(item.Evidence[i].Key)).Append(": ").Append(ReportText.Json(item.Evidence[i].Value));
            }

            json.Append('}');
            if (item.Verdict is { } verdict)
            {
                Field(json, "Headline", verdict.Headline);
                json.Append(", \"AffectedServers\": [").Append(string.Join(", ", verdict.AffectedServers.Select(ReportText.Json))).Append(']');
                json.Append(", \"Findings\": [");
                for (int i = 0; i < verdict.Findings.Count; i++)
                {
                    ReportFinding finding = verdict.Findings[i];
                    json.Append(i == 0 ? "{" : ", {");
                    Field(json, "Cause", finding.Cause, true);
                    Field(json, "Status", finding.Status);
                    Field(json, "Where", finding.Where);
                    json.Append(", \"Servers\": [").Append(string.Join(", ", finding.Servers.Select(ReportText.Json))).Append(']');
                    Field(json, "Message", finding.Message);
                    Field(json, "Recommendation", Null(finding.Recommendation));
                    json.Append('}');
                }

                json.Append(']');
            }

            json.Append('}');
        }

        return json.Append(first ? "]\n" : "\n]\n").ToString();
    }

    private static void Field(StringBuilder json, string name, string? value, bool first = false) =>
        json.Append(first ? string.Empty : ", ").Append('"').Append(name).Append("\": ").Append(ReportText.Json(value));

    private static string? Null(string value) => value.Length == 0 ? null : value;

    private static string Time(ReportItem item) =>
        item.Timestamp?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? string.Empty;
}
