using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace MapiHttpTools.Report;

/// <summary>Who, where and when a report was made: its footer.</summary>
internal sealed record ReportOrigin(DateTime CreatedUtc, string Machine, string ModuleVersion);

/// <summary>
/// One self-contained HTML page of the results (issue 15): the verdict first, a server × check matrix coloured by
/// status, the results grouped by cause with filters, log charts as inline SVG, and a footer naming when, where and
/// by which module version. No external fetch: a Content-Security-Policy of default-src 'none' allows only the
/// page's own style and script, by their SHA-256 hashes. Every text from the data is HTML-escaped; the script reads
/// data attributes and never writes HTML. Readable with scripts off (filters and copy buttons stay hidden) and printed.
/// </summary>
internal static class HtmlReportWriter
{
    private static readonly string[] StatusOrder = { "Error", "Fail", "Warning", "Skipped", "Pass" };

    internal const string Style = @"
:root{font-family:Segoe UI,system-ui,sans-serif;color:#1f2328;background:#fff}
body{margin:0 auto;max-width:1400px;padding:16px 24px}
h1{font-size:1.5em;margin:0 0 8px}h2{font-size:1.2em;margin:24px 0 8px;border-bottom:1px solid #d0d7de}
h3{font-size:1.05em;margin:16px 0 6px}
[hidden]{display:none!important}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:.9em}
.st-Pass{background:#dafbe1;color:#116329}.st-Warning{background:#fff8c5;color:#7d4e00}
.st-Fail{background:#ffebe9;color:#a40e26}.st-Error{background:#fbefff;color:#6e40c9}
.st-Skipped{background:#eaeef2;color:#57606a}
.verdict{border:2px solid #d0d7de;border-left-width:10px;border-radius:6px;padding:12px 16px}
.verdict.st-Fail{border-color:#cf222e}.verdict.st-Warning{border-color:#bf8700}.verdict.st-Error{border-color:#8250df}.verdict.st-Pass{border-color:#2da44e}
.verdict.st-Fail,.verdict.st-Warning,.verdict.st-Error,.verdict.st-Pass,.verdict.st-Skipped{background:#fff;color:#1f2328}
.headline{font-size:1.15em;font-weight:600;margin:4px 0}
.fix{display:flex;gap:8px;align-items:flex-start;margin:6px 0}
code.cmd{display:block;flex:1;white-space:pre-wrap;word-break:break-all;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:4px 8px;font-family:Consolas,monospace}
button.copy{font:inherit;font-size:.85em;padding:2px 10px;cursor:pointer}
ol.findings{margin:6px 0;padding-left:22px}ol.findings li{margin:4px 0}
div.matrix-wrap{overflow-x:auto}
table.matrix{border-collapse:collapse;font-size:.8em}
table.matrix th,table.matrix td{border:1px solid #d0d7de;padding:3px 6px;text-align:center}
table.matrix thead th{background:#f6f8fa;font-weight:600;max-width:90px}
table.matrix th,table.matrix td{padding:3px 4px}
table.matrix tbody th{text-align:left;background:#f6f8fa}
table.matrix tbody th .release{font-weight:400;white-space:nowrap}
td.none{color:#8c959f}
#filters{display:flex;flex-wrap:wrap;gap:16px;align-items:center;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin-bottom:8px}
#filters label{margin-right:8px}
article.result{border:1px solid #d0d7de;border-left-width:6px;border-radius:4px;padding:6px 10px;margin:6px 0}
article.result.st-Pass{border-left-color:#2da44e}article.result.st-Warning{border-left-color:#bf8700}
article.result.st-Fail{border-left-color:#cf222e}article.result.st-Error{border-left-color:#8250df}article.result.st-Skipped{border-left-color:#8c959f}
article.result{background:#fff;color:#1f2328}
.meta{color:#57606a;font-size:.85em}
dl.evidence{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0;font-size:.85em}
dl.evidence dt{font-weight:600}dl.evidence dd{margin:0;word-break:break-all}
.charts svg{border:1px solid #d0d7de;margin:4px 8px 4px 0;background:#fff}
footer{margin-top:24px;color:#57606a;font-size:.85em;border-top:1px solid #d0d7de;padding-top:8px}
@media print{#filters,button.copy{display:none!important}article.result{break-inside:avoid}}
";

    internal const string Script = @"
(function(){'use strict';
var d=document;
function q(s,r){return Array.prototype.slice.call((r||d).querySelectorAll(s));}
var form=d.getElementById('filters');
if(form){form.hidden=false;}
q('button.copy').forEach(function(b){
  b.hidden=false;
  b.addEventListener('click',function(){
    var src=d.getElementById(b.getAttribute('data-copy'));
    var text=src?src.textContent:'';
    function done(){b.textContent='Copied';}
    function fallback(){
      try{var r=d.createRange();r.selectNodeContents(src);var s=window.getSelection();s.removeAllRanges();s.addRange(r);d.execCommand('copy');done();}catch(e){}
    }
    try{if(navigator.clipboard&&navigator.clipboard.writeText){navigator.clipboard.writeText(text).then(done,fallback);}else{fallback();}}catch(e){fallback();}
  });
});
function apply(){
  var statuses=q('input[name=status]').filter(function(c){return c.checked;}).map(function(c){return c.value;});
  var cause=d.getElementById('f-cause').value,server=d.getElementById('f-server').value,shown=0;
  q('article.result').forEach(function(a){
    var ok=statuses.indexOf(a.getAttribute('data-status'))>=0&&(cause===''||a.getAttribute('data-cause')===cause)&&(server===''||a.getAttribute('data-server')===server);
    a.hidden=!ok;if(ok){shown++;}
  });
  q('section.cause').forEach(function(s){s.hidden=q('article.result',s).every(function(a){return a.hidden;});});
  q('table.matrix tbody tr').forEach(function(r){r.hidden=server!==''&&r.getAttribute('data-server')!==server;});
  d.getElementById('shown').textContent=String(shown);
}
if(form){
  var h={};
  location.hash.replace(/^#/,'').split('&').forEach(function(p){var i=p.indexOf('=');if(i>0){try{h[decodeURIComponent(p.slice(0,i))]=decodeURIComponent(p.slice(i+1));}catch(e){}}});
  if(typeof h.status==='string'){var want=h.status.split(',');q('input[name=status]').forEach(function(c){c.checked=want.indexOf(c.value)>=0;});}
  ['cause','server'].forEach(function(k){var s=d.getElementById('f-'+k);if(typeof h[k]==='string'&&q('option',s).some(function(o){return o.value===h[k];})){s.value=h[k];}});
  form.addEventListener('change',apply);
  apply();
}
d.documentElement.setAttribute('data-ready','1');
})();
";

    public static string Write(ReportContent content, ReportOrigin origin)
    {
        var html = new StringBuilder(64 * 1024);
        ReportVerdict? verdict = content.Verdicts.LastOrDefault();
        List<ReportItem> items = content.Items.Where(i => i.Kind != "MapiHttpVerdictResult").ToList();
        string worst = verdict?.Status ?? Worst(items.Select(i => i.Status)) ?? "Pass";

        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-").Append(Hash(Style))
            .Append("'; script-src 'sha256-").Append(Hash(Script)).Append("'; base-uri 'none'; form-action 'none'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>MAPI/HTTP report: ").Append(E(worst)).Append(" (").Append(E(origin.Machine)).Append(")</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n");

        WriteVerdict(html, verdict, items, worst);
        WriteMatrix(html, items);
        WriteCharts(html, content.LogSummaries);
        WriteResults(html, items);

        html.Append("<footer id=\"origin\">Produced ")
            .Append(E(origin.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append(" UTC on ")
            .Append("<span id=\"machine\">").Append(E(origin.Machine)).Append("</span> by MapiHttpTools ")
            .Append("<span id=\"version\">").Append(E(origin.ModuleVersion)).Append("</span>; ")
            .Append(items.Count.ToString(CultureInfo.InvariantCulture)).Append(" results");
        if (content.Ignored.Count > 0)
        {
            html.Append("; ").Append(content.Ignored.Count.ToString(CultureInfo.InvariantCulture)).Append(" other objects ignored");
        }

        html.Append(".</footer>\n<script>").Append(Script).Append("</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteVerdict(StringBuilder html, ReportVerdict? verdict, List<ReportItem> items, string worst)
    {
        html.Append("<header id=\"verdict\" class=\"verdict st-").Append(E(worst)).Append("\" data-status=\"").Append(E(worst)).Append("\">\n")
            .Append("<h1>MAPI/HTTP verdict: <span class=\"badge st-").Append(E(worst)).Append("\">").Append(E(worst)).Append("</span></h1>\n");
        if (verdict is null)
        {
            html.Append("<p class=\"headline\">No verdict among these results: pipe Invoke-MapiHttpDiagnostic's output for one. The worst status of ")
                .Append(items.Count.ToString(CultureInfo.InvariantCulture)).Append(" results is shown.</p>\n</header>\n");
            return;
        }

        html.Append("<p class=\"headline\" id=\"headline\">").Append(E(verdict.Headline)).Append("</p>\n");
        // The message starts with the headline; only the rest ("Also: ...") is new.
        string rest = verdict.Message.StartsWith(verdict.Headline, StringComparison.Ordinal) ? verdict.Message.Substring(verdict.Headline.Length).Trim() : verdict.Message;
        if (rest.Length > 0)
        {
            html.Append("<p id=\"also\">").Append(E(rest)).Append("</p>\n");
        }

        if (verdict.AffectedServers.Count > 0)
        {
            html.Append("<p>Servers affected: <strong id=\"affected\">").Append(E(string.Join(", ", verdict.AffectedServers))).Append("</strong></p>\n");
        }

        if (verdict.Recommendation.Length > 0)
        {
            AppendFix(html, "fix-verdict", verdict.Recommendation);
        }

        if (verdict.Findings.Count > 0)
        {
            html.Append("<ol class=\"findings\">\n");
            int n = 0;
            foreach (ReportFinding finding in verdict.Findings)
            {
                html.Append("<li><span class=\"badge st-").Append(E(finding.Status)).Append("\">").Append(E(finding.Cause)).Append("</span> ")
                    .Append(E(finding.Status)).Append(' ').Append(E(finding.Where)).Append(": ").Append(E(finding.Message));
                if (finding.Recommendation.Length > 0)
                {
                    AppendFix(html, "fix-finding-" + (n++).ToString(CultureInfo.InvariantCulture), finding.Recommendation);
                }

                html.Append("</li>\n");
            }

            html.Append("</ol>\n");
        }

        html.Append("</header>\n");
    }

    private static void WriteMatrix(StringBuilder html, List<ReportItem> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        // Checks with problems first (the columns an admin needs must not be the ones scrolled off), then in run order.
        List<string> checks = items.Select(i => i.Check).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select((check, order) => (check, order, worst: items.Where(i => string.Equals(i.Check, check, StringComparison.OrdinalIgnoreCase)).Max(i => Rank(i.Status))))
            .OrderByDescending(c => c.worst >= Rank("Warning") ? c.worst : 0).ThenBy(c => c.order).Select(c => c.check).ToList();
        List<string> servers = items.Select(ServerOf).Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(s => s.Length == 0 ? 1 : 0).ThenBy(s => s, StringComparer.OrdinalIgnoreCase).ToList();
        html.Append("<section id=\"matrix-section\"><h2>Servers × checks</h2>\n<div class=\"matrix-wrap\"><table class=\"matrix\">\n<thead><tr><th>Server</th>");
        foreach (string check in checks)
        {
            html.Append("<th>").Append(Breakable(check)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (string server in servers)
        {
            html.Append("<tr data-server=\"").Append(E(server)).Append("\"><th>").Append(server.Length == 0 ? "(organisation)" : E(server));
            // The server's Exchange release beside its name, as its results' evidence gave it (issue 15).
            if (EvidenceOf(items, server, "ExchangeRelease") is { } release)
            {
                html.Append("<br><span class=\"release meta\" title=\"").Append(E(EvidenceOf(items, server, "ExchangeBuild") ?? string.Empty)).Append("\">")
                    .Append(E(release)).Append("</span>");
            }

            html.Append("</th>");
            foreach (string check in checks)
            {
                List<ReportItem> cell = items.Where(i => string.Equals(ServerOf(i), server, StringComparison.OrdinalIgnoreCase) && string.Equals(i.Check, check, StringComparison.OrdinalIgnoreCase)).ToList();
                string? status = Worst(cell.Select(i => i.Status));
                if (status is null)
                {
                    html.Append("<td class=\"none\">–</td>");
                    continue;
                }

                html.Append("<td class=\"st-").Append(E(status)).Append("\" data-status=\"").Append(E(status)).Append("\" title=\"")
                    .Append(E(string.Join(" | ", cell.Select(i => i.Message).Distinct()))).Append("\">").Append(E(status)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void WriteResults(StringBuilder html, List<ReportItem> items)
    {
        bool problems = items.Any(i => Rank(i.Status) >= Rank("Warning"));
        List<string> causes = items.Select(i => i.Cause).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        List<string> servers = items.Select(ServerOf).Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToList();

        html.Append("<section id=\"results\"><h2>Results by cause</h2>\n<form id=\"filters\" hidden>\n<span>Status: ");
        foreach (string status in StatusOrder)
        {
            bool on = !problems || Rank(status) >= Rank("Warning");
            html.Append("<label><input type=\"checkbox\" name=\"status\" value=\"").Append(status).Append('"').Append(on ? " checked" : string.Empty)
                .Append("> ").Append(status).Append(" (").Append(items.Count(i => i.Status == status).ToString(CultureInfo.InvariantCulture)).Append(")</label>");
        }

        html.Append("</span>\n<label>Cause: <select id=\"f-cause\"><option value=\"\">all</option>");
        foreach (string cause in causes)
        {
            html.Append("<option value=\"").Append(E(cause)).Append("\">").Append(E(cause)).Append("</option>");
        }

        html.Append("</select></label>\n<label>Server: <select id=\"f-server\"><option value=\"\">all</option>");
        foreach (string server in servers)
        {
            html.Append("<option value=\"").Append(E(server)).Append("\">").Append(E(server)).Append("</option>");
        }

        html.Append("</select></label>\n<span><span id=\"shown\">").Append(items.Count.ToString(CultureInfo.InvariantCulture)).Append("</span> shown</span>\n</form>\n");

        // Causes with the worst results first; "None" (nothing wrong) last.
        int index = 0;
        foreach (IGrouping<string, ReportItem> group in items.GroupBy(i => i.Cause, StringComparer.OrdinalIgnoreCase)
                     .OrderBy(g => g.Key == "None" ? 1 : 0).ThenByDescending(g => g.Max(i => Rank(i.Status))).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            html.Append("<section class=\"cause\" data-cause=\"").Append(E(group.Key)).Append("\"><h3>")
                .Append(group.Key == "None" ? "No cause (nothing wrong)" : E(group.Key)).Append(" (").Append(group.Count().ToString(CultureInfo.InvariantCulture)).Append(")</h3>\n");
            foreach (ReportItem item in group.OrderByDescending(i => Rank(i.Status)).ThenBy(ServerOf, StringComparer.OrdinalIgnoreCase))
            {
                string id = (index++).ToString(CultureInfo.InvariantCulture);
                html.Append("<article class=\"result st-").Append(E(item.Status)).Append("\" data-status=\"").Append(E(item.Status))
                    .Append("\" data-cause=\"").Append(E(item.Cause)).Append("\" data-server=\"").Append(E(ServerOf(item))).Append("\">\n")
                    .Append("<div><span class=\"badge st-").Append(E(item.Status)).Append("\">").Append(E(item.Status)).Append("</span> <strong>")
                    .Append(E(item.Server.Length == 0 ? "(organisation)" : item.Server)).Append("</strong> <span class=\"meta\">").Append(E(item.Check));
                if (item.Target.Length > 0)
                {
                    html.Append(" · ").Append(E(item.Target));
                }

                html.Append("</span></div>\n<p class=\"message\">").Append(E(item.Message)).Append("</p>\n");
                if (item.Recommendation.Length > 0)
                {
                    AppendFix(html, "fix-" + id, item.Recommendation);
                }

                if (item.Evidence.Count > 0)
                {
                    html.Append("<details><summary>Evidence (").Append(item.Evidence.Count.ToString(CultureInfo.InvariantCulture)).Append(")</summary><dl class=\"evidence\">");
                    foreach (KeyValuePair<string, string> pair in item.Evidence)
                    {
                        html.Append("<dt>").Append(E(pair.Key)).Append("</dt><dd>").Append(E(pair.Value)).Append("</dd>");
                    }

                    html.Append("</dl></details>\n");
                }

                html.Append("</article>\n");
            }

            html.Append("</section>\n");
        }

        html.Append("</section>\n");
    }

    private static void WriteCharts(StringBuilder html, List<ReportLogSummary> summaries)
    {
        List<ReportLogSummary> drawn = summaries.Where(s => s.ByTime.Count > 0 || s.ByBackEnd.Any(b => b.P50 is not null)).ToList();
        if (drawn.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"charts\" class=\"charts\"><h2>Logs</h2>\n");
        foreach (ReportLogSummary summary in drawn)
        {
            html.Append("<h3>").Append(E(summary.Source.Length == 0 ? "Log summary" : summary.Source)).Append(": ")
                .Append(summary.Requests.ToString(CultureInfo.InvariantCulture)).Append(" requests, ")
                .Append(summary.Failures.ToString(CultureInfo.InvariantCulture)).Append(" failures</h3>\n");
            if (summary.ByTime.Count > 0)
            {
                RequestsChart(html, summary.ByTime);
            }

            if (summary.ByBackEnd.Any(b => b.P50 is not null))
            {
                LatencyChart(html, summary.ByBackEnd.Where(b => b.P50 is not null).Take(20).ToList());
            }
        }

        html.Append("</section>\n");
    }

    /// <summary>Requests (blue) and failures (red) per interval, as bars.</summary>
    private static void RequestsChart(StringBuilder html, IReadOnlyList<ReportLogRow> rows)
    {
        const int width = 680, height = 220, left = 50, bottom = 30, top = 20;
        long max = Math.Max(1, rows.Max(r => r.Requests));
        double slot = (double)(width - left - 10) / rows.Count;
        html.Append("<svg class=\"chart-requests\" role=\"img\" aria-label=\"Requests and failures per interval\" width=\"").Append(width).Append("\" height=\"").Append(height)
            .Append("\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append("<text x=\"").Append(left).Append("\" y=\"14\" font-size=\"12\" fill=\"#1f2328\">Requests (blue) and failures (red) per interval; max ")
            .Append(max.ToString(CultureInfo.InvariantCulture)).Append("</text>")
            .Append("<line x1=\"").Append(left).Append("\" y1=\"").Append(height - bottom).Append("\" x2=\"").Append(width - 5).Append("\" y2=\"").Append(height - bottom).Append("\" stroke=\"#8c959f\"/>");
        double plot = height - bottom - top;
        for (int i = 0; i < rows.Count; i++)
        {
            ReportLogRow row = rows[i];
            double x = left + (i * slot);
            double h = plot * row.Requests / max;
            double f = plot * row.Failures / max;
            string label = row.Start?.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture) ?? row.Key;
            html.Append("<rect x=\"").Append(N(x + 1)).Append("\" y=\"").Append(N(height - bottom - h)).Append("\" width=\"").Append(N(Math.Max(1, slot - 2)))
                .Append("\" height=\"").Append(N(h)).Append("\" fill=\"#54aeff\"><title>").Append(E(label)).Append(": ")
                .Append(row.Requests.ToString(CultureInfo.InvariantCulture)).Append(" requests, ").Append(row.Failures.ToString(CultureInfo.InvariantCulture)).Append(" failures</title></rect>")
                .Append("<rect x=\"").Append(N(x + 1)).Append("\" y=\"").Append(N(height - bottom - f)).Append("\" width=\"").Append(N(Math.Max(1, slot - 2)))
                .Append("\" height=\"").Append(N(f)).Append("\" fill=\"#cf222e\"/>");
            if (rows.Count <= 12 || i % (int)Math.Ceiling(rows.Count / 12.0) == 0)
            {
                html.Append("<text x=\"").Append(N(x + 1)).Append("\" y=\"").Append(height - bottom + 14).Append("\" font-size=\"10\" fill=\"#57606a\">").Append(E(label)).Append("</text>");
            }
        }

        html.Append("</svg>\n");
    }

    /// <summary>P50/P95/P99 latency per back end as horizontal bars.</summary>
    private static void LatencyChart(StringBuilder html, IReadOnlyList<ReportLogRow> rows)
    {
        const int width = 680, left = 200, rowHeight = 30, top = 24;
        int height = top + (rows.Count * rowHeight) + 10;
        double max = Math.Max(1, rows.Max(r => r.P99 ?? r.P95 ?? r.P50 ?? 0));
        html.Append("<svg class=\"chart-latency\" role=\"img\" aria-label=\"Latency percentiles per back end\" width=\"").Append(width).Append("\" height=\"").Append(height)
            .Append("\" viewBox=\"0 0 ").Append(width).Append(' ').Append(height).Append("\" xmlns=\"http://www.w3.org/2000/svg\">")
            .Append("<text x=\"4\" y=\"14\" font-size=\"12\" fill=\"#1f2328\">Latency per back end, ms: P50 (dark), P95, P99 (light); max ")
            .Append(N(max)).Append("</text>");
        string[] colours = { "#0550ae", "#218bff", "#80ccff" };
        for (int i = 0; i < rows.Count; i++)
        {
            ReportLogRow row = rows[i];
            double y = top + (i * rowHeight);
            html.Append("<text x=\"4\" y=\"").Append(N(y + 18)).Append("\" font-size=\"11\" fill=\"#1f2328\">").Append(E(Cut(row.Key, 30))).Append("</text>");
            double?[] values = { row.P50, row.P95, row.P99 };
            string[] names = { "P50", "P95", "P99" };
            for (int p = 0; p < 3; p++)
            {
                if (values[p] is not double v)
                {
                    continue;
                }

                html.Append("<rect x=\"").Append(left).Append("\" y=\"").Append(N(y + 2 + (p * 8))).Append("\" width=\"").Append(N(Math.Max(1, (width - left - 10) * v / max)))
                    .Append("\" height=\"7\" fill=\"").Append(colours[p]).Append("\"><title>").Append(E(row.Key)).Append(' ').Append(names[p]).Append(' ').Append(N(v)).Append(" ms</title></rect>");
            }
        }

        html.Append("</svg>\n");
    }

    private static void AppendFix(StringBuilder html, string id, string command) =>
        html.Append("<div class=\"fix\"><code class=\"cmd\" id=\"").Append(id).Append("\">").Append(E(command))
            .Append("</code><button type=\"button\" class=\"copy\" data-copy=\"").Append(id).Append("\" hidden>Copy</button></div>\n");

    /// <summary>A check name escaped, with line-break chances between words of its CamelCase and after ':' (never mid-word).</summary>
    private static string Breakable(string name)
    {
        var text = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1]))
            {
                text.Append("<wbr>");
            }

            text.Append(E(name[i].ToString()));
            if (name[i] == ':')
            {
                text.Append("<wbr>");
            }
        }

        return text.ToString();
    }

    private static string ServerOf(ReportItem item) => item.Server;

    /// <summary>The first non-empty value of an evidence key among a server's results; null when none has it.</summary>
    private static string? EvidenceOf(List<ReportItem> items, string server, string key) =>
        items.Where(i => i.Server.Length > 0 && string.Equals(ServerOf(i), server, StringComparison.OrdinalIgnoreCase))
            .SelectMany(i => i.Evidence).Where(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase) && e.Value.Length > 0)
            .Select(e => e.Value).FirstOrDefault();

    internal static int Rank(string status) => status switch
    {
        "Pass" => 0,
        "Skipped" => 1,
        "Warning" => 2,
        "Fail" => 3,
        "Error" => 4,
        _ => -1,
    };

    private static string? Worst(IEnumerable<string> statuses)
    {
        string? worst = null;
        foreach (string status in statuses)
        {
            if (worst is null || Rank(status) > Rank(worst))
            {
                worst = status;
            }
        }

        return worst;
    }

    private static string Cut(string text, int length) => text.Length <= length ? text : text.Substring(0, length - 1) + "…";

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string E(string? text) => ReportText.Html(text);

    /// <summary>The CSP hash of an inline element's exact text.</summary>
    internal static string Hash(string text)
    {
        using var sha = SHA256.Create();
        return Convert.ToBase64String(sha.ComputeHash(Encoding.UTF8.GetBytes(text)));
    }
}
