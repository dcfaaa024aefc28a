using System;
using System.Collections.Specialized;
using MapiHttpTools.Logs;

namespace MapiHttpTools;

/// <summary>Which log a record came from (told from the file's header, not its name).</summary>
public enum MapiHttpLogKind
{
    /// <summary>Front end: Logging\HttpProxy\Mapi\HttpProxy_*.LOG.</summary>
    HttpProxy,

    /// <summary>Back end, Exchange 2016 CU4 and later: Logging\MapiHttp\Mailbox\MapiHttp_*.LOG.</summary>
    MapiHttpMailbox,

    /// <summary>Back end, Exchange 2013 and 2016 before CU4: Logging\MAPI Client Access\*.LOG.</summary>
    MapiClientAccess,

    /// <summary>IIS W3C: inetpub\logs\LogFiles\W3SVC1 (front end) and W3SVC2 (back end).</summary>
    Iis,
}

/// <summary>
/// One request from a MAPI/HTTP log. The common properties mean the same in every log kind; the derived
/// types add the log's own columns under the names the log uses. Any column is available by name with
/// <see cref="GetField"/> or, all at once, through <see cref="Fields"/>.
/// </summary>
public abstract class MapiHttpLogRecord
{
    private readonly LogSchema _schema;
    private readonly byte[] _line;
    private OrderedDictionary? _fields;

    private protected MapiHttpLogRecord(LogSchema schema, byte[] line, string path, long lineNumber)
    {
        _schema = schema;
        _line = line;
        Path = path;
        LineNumber = lineNumber;
    }

    /// <summary>The kind of log the line came from.</summary>
    public MapiHttpLogKind LogKind => _schema.Kind;

    /// <summary>When the request was logged, in UTC (Kind = Utc).</summary>
    public DateTime DateTime { get; internal set; }

    /// <summary>The request id: HttpProxy RequestId, MapiHttp RequestId, or for IIS the cafeReqId the front end passed on.</summary>
    public string? RequestId { get; internal set; }

    /// <summary>
    /// Who the request was for: the authenticated user; for requests that carry none (401 challenges) the
    /// anchor mailbox without its "SMTP:" prefix; for MAPI Client Access the client's legacy DN.
    /// </summary>
    public string? User { get; internal set; }

    /// <summary>The front end (Client Access) server that took the request, where the log says.</summary>
    public string? FrontEnd { get; internal set; }

    /// <summary>The back end (Mailbox) server the request went to, where the log says.</summary>
    public string? BackEnd { get; internal set; }

    /// <summary>HTTP status code; for MAPI Client Access the RPC status (0 is success).</summary>
    public int? Status { get; internal set; }

    /// <summary>Total time of the request in milliseconds.</summary>
    public double? LatencyMs { get; internal set; }

    /// <summary>The MAPI/HTTP request type (Connect, Execute, NotificationWait, Disconnect, PING, Bind, ...).</summary>
    public string? RequestType { get; internal set; }

    /// <summary>The client's IP address as the server saw it.</summary>
    public string? ClientIpAddress { get; internal set; }

    /// <summary>The client's User-Agent (HttpProxy, IIS) or client software name (back-end logs).</summary>
    public string? UserAgent { get; internal set; }

    /// <summary>The Outlook build ("16.0.17928") from the user agent or the logged client version.</summary>
    public string? ClientVersion { get; internal set; }

    /// <summary>True for a failed request: HTTP status 400 or above, a non-zero MAPI response code, or a non-zero RPC status.</summary>
    public bool IsFailure { get; internal set; }

    /// <summary>The file the line is in.</summary>
    public string Path { get; }

    /// <summary>The line's number in the file (1-based).</summary>
    public long LineNumber { get; }

    /// <summary>Every column of the line by the header's names, values as logged (strings).</summary>
    public OrderedDictionary Fields => _fields ??= BuildFields();

    /// <summary>The value of column <paramref name="name"/> as logged; null when empty or when the log has no such column.</summary>
    public string? GetField(string name)
    {
        int index = _schema.IndexOf(name);
        if (index < 0)
        {
            return null;
        }

        LineFields fields = Split();
        return fields.GetString(index);
    }

    /// <summary>The line as it is in the file.</summary>
    public string Line => System.Text.Encoding.UTF8.GetString(_line);

    private LineFields Split()
    {
        var fields = new LineFields();
        fields.Split(_line, 0, _line.Length, _schema.Separator, _schema.Quoted, _schema.DashIsEmpty);
        return fields;
    }

    private OrderedDictionary BuildFields()
    {
        LineFields fields = Split();
        var dictionary = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < _schema.Columns.Length; i++)
        {
            if (!dictionary.Contains(_schema.Columns[i]))
            {
                dictionary.Add(_schema.Columns[i], fields.GetString(i));
            }
        }

        return dictionary.AsReadOnly();
    }
}

/// <summary>A line of the front end's HttpProxy log for MAPI (Logging\HttpProxy\Mapi).</summary>
public sealed class HttpProxyLogRecord : MapiHttpLogRecord
{
    internal HttpProxyLogRecord(LogSchema schema, byte[] line, string path, long lineNumber)
        : base(schema, line, path, lineNumber)
    {
    }

    public string? ClientRequestId { get; internal set; }

    public string? Protocol { get; internal set; }

    public string? UrlHost { get; internal set; }

    public string? UrlStem { get; internal set; }

    public string? UrlQuery { get; internal set; }

    public string? ProtocolAction { get; internal set; }

    public string? AuthenticationType { get; internal set; }

    public bool? IsAuthenticated { get; internal set; }

    public string? AuthenticatedUser { get; internal set; }

    public string? AnchorMailbox { get; internal set; }

    public string? ServerHostName { get; internal set; }

    public int? HttpStatus { get; internal set; }

    public int? BackEndStatus { get; internal set; }

    public string? ErrorCode { get; internal set; }

    public string? Method { get; internal set; }

    public string? TargetServer { get; internal set; }

    public string? TargetServerVersion { get; internal set; }

    public string? RoutingType { get; internal set; }

    public long? RequestBytes { get; internal set; }

    public long? ResponseBytes { get; internal set; }

    public double? BackendProcessingLatency { get; internal set; }

    public double? TotalRequestTime { get; internal set; }

    public string? GenericErrors { get; internal set; }
}

/// <summary>A line of the back end's MapiHttp log (Logging\MapiHttp\Mailbox, Exchange 2016 CU4 and later).</summary>
public sealed class MapiHttpMailboxLogRecord : MapiHttpLogRecord
{
    internal MapiHttpMailboxLogRecord(LogSchema schema, byte[] line, string path, long lineNumber)
        : base(schema, line, path, lineNumber)
    {
    }

    public string? MapiRequestId { get; internal set; }

    public string? ClientRequestId { get; internal set; }

    public int? HttpStatusCode { get; internal set; }

    /// <summary>The X-ResponseCode the server returned (0 success; see MS-OXCMAPIHTTP).</summary>
    public int? ResponseCode { get; internal set; }

    public string? StatusCode { get; internal set; }

    public double? TotalRequestLatency { get; internal set; }

    public string? AuthenticatedUserEmail { get; internal set; }

    public string? ActAsUserEmail { get; internal set; }

    public string? MailboxId { get; internal set; }

    public string? SourceCafeServer { get; internal set; }

    public string? ClientSoftware { get; internal set; }

    public string? ClientSoftwareVersion { get; internal set; }

    public string? ClientMode { get; internal set; }

    public string? AuthenticationType { get; internal set; }

    public string? GenericErrors { get; internal set; }
}

/// <summary>A line of the back end's MAPI Client Access log (Exchange 2013, 2016 before CU4).</summary>
public sealed class MapiClientAccessLogRecord : MapiHttpLogRecord
{
    internal MapiClientAccessLogRecord(LogSchema schema, byte[] line, string path, long lineNumber)
        : base(schema, line, path, lineNumber)
    {
    }

    public string? SessionId { get; internal set; }

    public string? ClientName { get; internal set; }

    public string? ClientSoftware { get; internal set; }

    public string? ClientSoftwareVersion { get; internal set; }

    public string? ClientMode { get; internal set; }

    public string? ServerIp { get; internal set; }

    public string? Protocol { get; internal set; }

    public string? Operation { get; internal set; }

    /// <summary>The rpc-status column as logged ("1010 (rpc::LoginPerm)").</summary>
    public string? RpcStatus { get; internal set; }

    public string? Failures { get; internal set; }
}

/// <summary>A /mapi line of an IIS W3C log (W3SVC1 front end, W3SVC2 back end on port 444).</summary>
public sealed class IisLogRecord : MapiHttpLogRecord
{
    internal IisLogRecord(LogSchema schema, byte[] line, string path, long lineNumber)
        : base(schema, line, path, lineNumber)
    {
    }

    /// <summary>s-computername when logged, else s-ip.</summary>
    public string? ServerName { get; internal set; }

    public int? Port { get; internal set; }

    public string? Method { get; internal set; }

    public string? UriStem { get; internal set; }

    public string? UriQuery { get; internal set; }

    public string? UserName { get; internal set; }

    public int? SubStatus { get; internal set; }

    public long? Win32Status { get; internal set; }

    /// <summary>The HttpProxy RequestId the front end passed in cs-uri-query (cafeReqId=...), on back-end lines.</summary>
    public string? CafeRequestId { get; internal set; }
}
