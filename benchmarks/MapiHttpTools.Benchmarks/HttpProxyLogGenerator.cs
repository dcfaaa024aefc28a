using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace MapiHttpTools.Benchmarks;

/// <summary>
/// Writes realistic Logging\HttpProxy\Mapi logs: two front ends (one folder each, one file per hour, the
/// header block of a real file at the top of each), four back ends, a few thousand users with a mix of
/// Outlook builds, Negotiate 401 challenges before sessions, Execute/NotificationWait/Connect timing,
/// occasional 500s with quoted GenericErrors holding commas, and three incidents the summary must find:
/// a 503 burst on one back end (app pool), an hour of 401s across users on one front end (authentication)
/// and one user whose Outlook never authenticates (client).
/// </summary>
internal sealed class HttpProxyLogGenerator
{
    public const string Fields = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus";

    private const double AverageLineBytes = 1180;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] FrontEnds = { "EX01", "EX02" };
    private static readonly string[] BackEnds = { "ex03.contoso.com", "ex04.contoso.com", "ex05.contoso.com", "ex06.contoso.com" };
    private static readonly string[] Agents =
    {
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.18025; Pro)",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16130; Pro)",
        "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.10417; Pro)",
        "Microsoft Office/16.0 (Windows NT 6.1; Microsoft Outlook 16.0.5413; Pro)",
        "Microsoft Office/15.0 (Windows NT 10.0; Microsoft Outlook 15.0.5589; Pro)",
    };

    private readonly int _users;
    private readonly Random _random = new(20240311);
    private readonly StringBuilder _line = new(2048);
    private readonly string[] _userAgent;
    private readonly Guid[] _mailbox;

    public HttpProxyLogGenerator(int users = 3000)
    {
        _users = users;
        _userAgent = new string[users];
        _mailbox = new Guid[users];
        for (int u = 0; u < users; u++)
        {
            _userAgent[u] = Agents[_random.Next(Agents.Length)];
            _mailbox[u] = Guid.NewGuid();
        }
    }

    public static DateTime Start { get; } = new(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    public const int Days = 4;

    /// <summary>The user whose Outlook keeps failing to authenticate.</summary>
    public const int StaleUser = 42;

    /// <summary>Writes about <paramref name="bytes"/> of logs under <paramref name="root"/>; returns the files.</summary>
    public List<string> Write(string root, long bytes)
    {
        var files = new List<string>();
        long lines = Math.Max(1000, (long)(bytes / AverageLineBytes));
        double step = TimeSpan.FromDays(Days).Ticks / (double)lines;
        var writers = new StreamWriter?[FrontEnds.Length];
        int hour = -1;
        long written = 0;
        var encoding = new UTF8Encoding(false);
        try
        {
            for (long i = 0; written < bytes; i++)
            {
                var time = new DateTime(Start.Ticks + (long)(Math.Min(i, lines - 1) * step), DateTimeKind.Utc);
                int h = (int)((time - Start).Ticks / TimeSpan.TicksPerHour);
                if (h != hour)
                {
                    hour = h;
                    for (int f = 0; f < FrontEnds.Length; f++)
                    {
                        writers[f]?.Dispose();
                        string folder = Path.Combine(root, FrontEnds[f], "Logging", "HttpProxy", "Mapi");
                        Directory.CreateDirectory(folder);
                        string file = Path.Combine(folder, $"HttpProxy_{time:yyyyMMddHH}-1.LOG");
                        files.Add(file);
                        writers[f] = new StreamWriter(file, false, encoding, 1 << 16);
                        writers[f]!.Write($"#Software: Microsoft Exchange Server\r\n#Version: 15.02.1544.004\r\n#Log-type: HttpProxy Logs\r\n#Date: {time:yyyy-MM-ddTHH:mm:ss.fff}Z\r\n#Fields: {Fields}\r\n");
                    }
                }

                int frontEnd = _random.Next(FrontEnds.Length);
                string text = Line(time, frontEnd);
                writers[frontEnd]!.Write(text);
                writers[frontEnd]!.Write("\r\n");
                written += text.Length + 2;
            }
        }
        finally
        {
            foreach (StreamWriter? writer in writers)
            {
                writer?.Dispose();
            }
        }

        return files;
    }

    /// <summary>
    /// One request; a normal Negotiate handshake is its anonymous 401 followed 15 ms later by the authenticated
    /// request of the same client, as Exchange logs it (two lines). The stale user and the outage hour get 401s
    /// that no success follows.
    /// </summary>
    private string Line(DateTime time, int frontEnd)
    {
        Random r = _random;
        int user = r.NextDouble() < 0.002 ? StaleUser : r.Next(_users);
        TimeSpan offset = time - Start;
        bool authOutage = offset >= TimeSpan.FromHours(62) && offset < TimeSpan.FromHours(63) && frontEnd == 0;
        if (user == StaleUser || (authOutage && r.NextDouble() < 0.6))
        {
            return Line(time, frontEnd, user, challenge: true);
        }

        if (r.NextDouble() < 0.06)
        {
            string first = Line(time, frontEnd, user, challenge: true);
            return first + "\r\n" + Line(time.AddMilliseconds(15), frontEnd, user, challenge: false);
        }

        return Line(time, frontEnd, user, challenge: false);
    }

    private string Line(DateTime time, int frontEnd, int user, bool challenge)
    {
        Random r = _random;
        TimeSpan offset = time - Start;
        bool nspi = r.NextDouble() < 0.12;
        string requestType = nspi
            ? (r.NextDouble() < 0.5 ? "QueryRows" : "Bind")
            : Pick(r.NextDouble(), ("Execute", 0.70), ("NotificationWait", 0.18), ("Connect", 0.06), ("PING", 0.04), ("Disconnect", 0.02));
        int backEnd = (user * 7 + 3) % BackEnds.Length;
        bool poolDown = backEnd == 1 && offset >= TimeSpan.FromHours(34) && offset < TimeSpan.FromHours(34.33);
        int status = challenge ? 401 : poolDown ? 503 : r.NextDouble() < 0.002 ? 500 : r.NextDouble() < 0.0005 ? 404 : 200;
        double latency = status switch
        {
            401 => 1 + r.Next(3),
            503 => 2 + r.Next(20),
            _ => requestType == "NotificationWait" ? 1000 + r.Next(300000) : LogNormal(r, requestType == "Connect" ? 60 : 18, 0.9),
        };

        var f = new string[74];
        f[0] = time.ToString("yyyy-MM-ddTHH:mm:ss.fff", Inv) + "Z";
        f[1] = Guid.NewGuid().ToString();
        f[2] = "15";
        f[3] = "2";
        f[4] = "1544";
        f[5] = "4";
        // As Exchange writes it (issue 11): ProtocolAction empty, the request type as RT: in ClientRequestId.
        string session = _mailbox[user].ToString().ToUpperInvariant();
        f[6] = $"R:{{{session}}}:{r.Next(1, 400).ToString(Inv)};RT:{requestType};CI:{{{session}}}:{(user % 9 + 1).ToString(Inv)};CID:{{{_mailbox[(user + 7) % _users].ToString().ToUpperInvariant()}}}";
        f[7] = "Mapi";
        f[8] = "mail.contoso.com";
        f[9] = nspi ? "/mapi/nspi/" : "/mapi/emsmdb/";
        f[10] = string.Empty;
        f[11] = challenge ? string.Empty : "Negotiate";
        f[12] = challenge ? "false" : "true";
        f[13] = challenge ? string.Empty : $"CONTOSO\\user{user:0000}";
        f[14] = string.Empty;
        f[15] = $"SMTP:user{user:0000}@contoso.com";
        f[16] = _userAgent[user];
        f[17] = $"10.{1 + (user % 20)}.{user % 250}.{10 + (user % 200)}";
        f[18] = FrontEnds[frontEnd];
        f[19] = status.ToString(Inv);
        f[20] = challenge ? string.Empty : status.ToString(Inv);
        f[21] = status switch { 503 => "ServiceUnavailable", 500 => "InternalServerError", _ => string.Empty };
        f[22] = "POST";
        f[23] = challenge ? string.Empty : "Proxy";
        f[24] = challenge ? string.Empty : BackEnds[backEnd];
        f[25] = challenge ? string.Empty : "15.02.1544.004";
        f[26] = challenge ? string.Empty : "IntraForest";
        f[27] = challenge ? string.Empty : "MailboxGuidWithDomain-UrlQuery";
        f[28] = challenge ? string.Empty : $"MailboxGuid~{_mailbox[user]}~contoso.com~~2024-04-10T00:00:00~contoso.com~1";
        f[29] = string.Empty;
        f[30] = string.Empty;
        f[31] = (300 + r.Next(4000)).ToString(Inv);
        f[32] = (200 + r.Next(40000)).ToString(Inv);
        f[33] = challenge ? string.Empty : r.Next(0, 4).ToString(Inv);
        f[34] = string.Empty;
        f[35] = "0";
        f[36] = challenge ? string.Empty : "1";
        f[37] = string.Empty;
        f[38] = string.Empty;
        f[39] = string.Empty;
        f[40] = "0";
        f[41] = string.Empty;
        f[42] = "0";
        f[43] = "0";
        f[44] = string.Empty;
        f[45] = "0";
        int total = (int)Math.Round(latency);
        int backend = Math.Max(0, total - 3);
        string[] timings = { total.ToString(Inv), "0", "1", "0", "0", backend.ToString(Inv), "1", "0", "0", "0", "0", total.ToString(Inv), "0", backend.ToString(Inv), "1", "1", "2", total.ToString(Inv) };
        Array.Copy(timings, 0, f, 46, timings.Length);
        f[64] = string.Empty;
        f[65] = $"?MailboxId={_mailbox[user]}@contoso.com";
        f[66] = string.Empty;
        f[67] = GenericInfo(time, total, frontEnd, challenge);
        f[68] = status >= 500
            ? $"WebExceptionStatus=ProtocolError;ResponseStatusCode={status};WebException=System.Net.WebException: The remote server returned an error: ({status}), at System.Net.HttpWebRequest.EndGetResponse(IAsyncResult asyncResult), at Microsoft.Exchange.HttpProxy.ProxyRequestHandler.<OnResponseReady>b__0();"
            : string.Empty;
        f[69] = string.Empty;
        f[70] = challenge ? string.Empty : _mailbox[(user + 1) % _users].ToString();
        f[71] = string.Empty;
        f[72] = string.Empty;
        f[73] = "CafeV1";

        _line.Clear();
        for (int i = 0; i < f.Length; i++)
        {
            if (i > 0)
            {
                _line.Append(',');
            }

            string value = f[i];
            if (value.IndexOf(',') >= 0 || value.IndexOf('"') >= 0)
            {
                _line.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
            }
            else
            {
                _line.Append(value);
            }
        }

        return _line.ToString();
    }

    private string GenericInfo(DateTime time, int total, int frontEnd, bool challenge)
    {
        string begin = time.AddMilliseconds(-total).ToString("yyyy-MM-ddTHH:mm:ss.fff", Inv);
        string end = time.ToString("yyyy-MM-ddTHH:mm:ss.fff", Inv);
        return challenge
            ? $"BeginRequest={begin}Z;CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-1942061725;EndRequest={end}Z;S:ServiceCommonMetadata.AuthenticationType=Negotiate;S:ActivityStandardMetadata.Action=Authenticate"
            : $"BeginRequest={begin}Z;CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-1942061725;NewConnection={FrontEnds[frontEnd].ToLowerInvariant()}&0;BeginGetRequestStream={begin}Z;OnRequestStreamReady={begin}Z;BeginGetResponse={begin}Z;OnResponseReady={end}Z;EndGetResponse={end}Z;ProxyState-Complete=ProxyResponseData;SharedCacheGuard=0;EndRequest={end}Z;I32:ATE.C[dc01.contoso.com]=1;F:ATE.AL[dc01.contoso.com]=0.5";
    }

    private static string Pick(double x, params (string Value, double Weight)[] choices)
    {
        foreach ((string value, double weight) in choices)
        {
            if (x < weight)
            {
                return value;
            }

            x -= weight;
        }

        return choices[0].Value;
    }

    private static double LogNormal(Random r, double median, double sigma)
    {
        double u1 = 1.0 - r.NextDouble();
        double u2 = r.NextDouble();
        double normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        return Math.Max(1, median * Math.Exp(sigma * normal));
    }
}
