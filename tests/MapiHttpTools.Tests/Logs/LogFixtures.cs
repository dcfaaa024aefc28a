using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace MapiHttpTools.Tests.Logs;

/// <summary>Paths of the log fixtures (Fixtures/Logs, see its README) and a temp folder per test.</summary>
internal static class LogFixtures
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Logs");

    public static string HttpProxy => Path.Combine(Root, "HttpProxy", "Mapi", "HttpProxy_2024031108-1.LOG");

    public static string Mailbox => Path.Combine(Root, "MapiHttp", "Mailbox", "MapiHttp_2024031108-1.LOG");

    public static string ClientAccess => Path.Combine(Root, "MAPI Client Access", "MAPI_Client_Access_2017010212-1.LOG");

    public static string IisBackEnd => Path.Combine(Root, "IIS", "W3SVC2", "u_ex240311.log");

    public static string IisFrontEnd => Path.Combine(Root, "IIS", "W3SVC1", "u_ex240311.log");

    public static string Malformed => Path.Combine(Root, "Malformed", "HttpProxy_2024031110-1.LOG");

    public static string UnknownEws => Path.Combine(Root, "Unknown", "Ews_2024031108-1.LOG");

    public static string UnknownText => Path.Combine(Root, "Unknown", "notes.log");
}

/// <summary>A temp folder deleted at the end of the test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "MapiHttpTools.Tests." + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string relative, string content)
    {
        string path = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One HttpProxy\Mapi request for <see cref="HttpProxyLog"/>.</summary>
internal sealed record ProxyLine(DateTime Time, string User, int Status, string FrontEnd = "EX01", string? BackEnd = "ex03.contoso.com", double Latency = 20, string Action = "Execute", string Stem = "/mapi/emsmdb/", Guid? RequestId = null, string Agent = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)");

/// <summary>Writes HttpProxy\Mapi logs with the real 74-column header, for the scenario tests.</summary>
internal static class HttpProxyLog
{
    public const string Fields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus";

    private static readonly string[] Columns = Fields.Split(',');

    /// <summary>A stable Outlook session per user (the CI: part of ClientRequestId).</summary>
    public static Guid ClientGuid(string user)
    {
        byte[] hash = System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(user));
        return new Guid(hash);
    }

    public static string Header(DateTime date) =>
        "#Software: Microsoft Exchange Server\r\n#Version: 15.02.1544.004\r\n#Log-type: HttpProxy Logs\r\n" +
        $"#Date: {date.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture)}Z\r\n#Fields: {Fields}\r\n";

    public static string Text(IEnumerable<ProxyLine> lines)
    {
        List<ProxyLine> list = lines.ToList();
        var text = new StringBuilder(Header(list.Count > 0 ? list[0].Time : DateTime.UtcNow));
        foreach (ProxyLine line in list)
        {
            text.Append(Line(line)).Append("\r\n");
        }

        return text.ToString();
    }

    public static string Line(ProxyLine l)
    {
        bool challenge = l.Status == 401;
        var values = Columns.ToDictionary(c => c, _ => string.Empty);
        values["DateTime"] = l.Time.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture) + "Z";
        values["RequestId"] = (l.RequestId ?? Guid.NewGuid()).ToString();
        values["Protocol"] = "Mapi";
        values["UrlHost"] = "mail.contoso.com";
        values["UrlStem"] = l.Stem;
        // As Exchange writes it (issue 11): ProtocolAction empty, the request type as RT: in ClientRequestId,
        // the client (Outlook session) as CI:.
        Guid client = ClientGuid(l.User);
        values["ClientRequestId"] = $"R:{{{client.ToString().ToUpperInvariant()}}}:{l.Time.Second + 1};RT:{l.Action};CI:{{{client.ToString().ToUpperInvariant()}}}:1;CID:{{{client.ToString().ToUpperInvariant()}}}";
        values["AuthenticationType"] = challenge ? string.Empty : "Negotiate";
        values["IsAuthenticated"] = challenge ? "false" : "true";
        values["AuthenticatedUser"] = challenge ? string.Empty : "CONTOSO\\" + l.User;
        values["AnchorMailbox"] = $"SMTP:{l.User}@contoso.com";
        values["UserAgent"] = l.Agent;
        values["ClientIpAddress"] = "10.1.2.3";
        values["ServerHostName"] = l.FrontEnd;
        values["HttpStatus"] = l.Status.ToString(CultureInfo.InvariantCulture);
        values["BackEndStatus"] = challenge ? string.Empty : l.Status.ToString(CultureInfo.InvariantCulture);
        values["Method"] = "POST";
        values["TargetServer"] = challenge ? string.Empty : l.BackEnd ?? string.Empty;
        values["TotalRequestTime"] = l.Latency.ToString(CultureInfo.InvariantCulture);
        values["GenericInfo"] = "BeginRequest=x;CorrelationID=<empty>;";
        values["RoutingStatus"] = "CafeV1";
        return string.Join(",", Columns.Select(c => values[c]));
    }
}
