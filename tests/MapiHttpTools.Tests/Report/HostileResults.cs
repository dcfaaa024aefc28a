using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Diagnostics;

namespace MapiHttpTools.Tests.Report;

/// <summary>Results whose every text is an attack on a page, a JSON reader or a spreadsheet (issue 15).</summary>
internal static class HostileResults
{
    public static MapiHttpResult[] Create(int port)
    {
        var results = new MapiHttpResult[]
        {
            new MapiHttpEndpointResult(
                "HealthCheck", CheckStatus.Fail, MapiHttpCause.AppPool,
                $"https://ex01.contoso.lab/mapi\"><img src=http://127.0.0.1:{port}/leak.png onerror=\"document.title='img'\">",
                "10.0.0.11", "EX\"01' onmouseover='alert(1)", null, 5, 503, false,
                "<script>document.title='pwned'</script> broke",
                $"<script src=\"http://127.0.0.1:{port}/x.js\"></script>Start-WebAppPool",
                new[]
                {
                    new KeyValuePair<string, object?>("User<b>", "</dd><script>alert(2)</script>"),
                    new KeyValuePair<string, object?>("Server", "Ünïcødé-服务器"),
                }),
            new MapiHttpEndpointResult(
                "HealthCheck:owa", CheckStatus.Pass, MapiHttpCause.None, "https://ex02.contoso.lab/owa", "10.0.0.12", "Ünïcødé-服务器", null, 5, 200, false,
                "</article></section><style>body{display:none}</style>", $"=HYPERLINK(\"http://127.0.0.1:{port}/x\")", null),
        };
        return results.Append(MapiHttpVerdict.From(results)).ToArray();
    }
}
