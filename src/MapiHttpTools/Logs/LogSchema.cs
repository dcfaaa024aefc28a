using System;
using System.Collections.Generic;

namespace MapiHttpTools.Logs;

/// <summary>
/// The columns of one log file as its header names them, and where the columns the engine reads are.
/// Columns are always found by name, never by position (docs/design.md "Logs"); a column the file lacks is -1.
/// </summary>
internal sealed class LogSchema
{
    private readonly Dictionary<string, int> _byName;

    public LogSchema(MapiHttpLogKind kind, string[] columns, byte separator, string? logType, string? software)
    {
        Kind = kind;
        Columns = columns;
        Separator = separator;
        LogType = logType;
        Software = software;
        _byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < columns.Length; i++)
        {
            if (!_byName.ContainsKey(columns[i]))
            {
                _byName[columns[i]] = i;
            }
        }

        switch (kind)
        {
            case MapiHttpLogKind.HttpProxy:
                DateTime = IndexOf("DateTime");
                RequestId = IndexOf("RequestId");
                User = IndexOf("AuthenticatedUser");
                Anchor = IndexOf("AnchorMailbox");
                FrontEnd = IndexOf("ServerHostName");
                BackEnd = IndexOf("TargetServer");
                Status = IndexOf("HttpStatus");
                Latency = IndexOf("TotalRequestTime");
                RequestType = IndexOf("ProtocolAction");
                ClientRequestId = IndexOf("ClientRequestId");
                ClientIp = IndexOf("ClientIpAddress");
                UserAgent = IndexOf("UserAgent");
                UrlStem = IndexOf("UrlStem");
                UrlQuery = IndexOf("UrlQuery");
                Protocol = IndexOf("Protocol");
                break;
            case MapiHttpLogKind.MapiHttpMailbox:
                DateTime = IndexOf("DateTime");
                RequestId = IndexOf("RequestId");
                User = FirstOf("AuthenticatedUserEmail", "AuthenticatedUser");
                Anchor = IndexOf("ActAsUserEmail");
                FrontEnd = IndexOf("SourceCafeServer");
                Status = IndexOf("HttpStatusCode");
                ResponseCode = IndexOf("ResponseCode");
                Latency = IndexOf("TotalRequestLatency");
                RequestType = IndexOf("RequestType");
                ClientIp = IndexOf("ClientIP");
                ClientSoftware = IndexOf("ClientSoftware");
                ClientVersion = IndexOf("ClientSoftwareVersion");
                break;
            case MapiHttpLogKind.MapiClientAccess:
                DateTime = IndexOf("date-time");
                User = IndexOf("client-name");
                Status = IndexOf("rpc-status");
                Latency = IndexOf("processing-time");
                LatencyIsDuration = true;
                RequestType = IndexOf("operation");
                ClientIp = IndexOf("client-ip");
                ClientSoftware = IndexOf("client-software");
                ClientVersion = IndexOf("client-software-version");
                RequestIds = IndexOf("request-ids");
                Protocol = IndexOf("protocol");
                break;
            case MapiHttpLogKind.Iis:
                Date = IndexOf("date");
                Time = IndexOf("time");
                User = IndexOf("cs-username");
                ServerName = FirstOf("s-computername", "s-ip");
                Port = IndexOf("s-port");
                Status = IndexOf("sc-status");
                Latency = IndexOf("time-taken");
                ClientIp = IndexOf("c-ip");
                UserAgent = IndexOf("cs(User-Agent)");
                UrlStem = IndexOf("cs-uri-stem");
                UrlQuery = IndexOf("cs-uri-query");
                break;
        }
    }

    public MapiHttpLogKind Kind { get; }

    public string[] Columns { get; }

    public byte Separator { get; }

    public bool Quoted => Separator == (byte)',';

    public bool DashIsEmpty => Kind == MapiHttpLogKind.Iis;

    /// <summary>The #Log-type directive, when the file has one.</summary>
    public string? LogType { get; }

    /// <summary>The #Software directive, when the file has one.</summary>
    public string? Software { get; }

    public int DateTime { get; } = -1;

    public int Date { get; } = -1;

    public int Time { get; } = -1;

    public int RequestId { get; } = -1;

    public int User { get; } = -1;

    /// <summary>HttpProxy AnchorMailbox / MapiHttp ActAsUserEmail: who the request is for when no user authenticated.</summary>
    public int Anchor { get; } = -1;

    public int FrontEnd { get; } = -1;

    public int BackEnd { get; } = -1;

    public int ServerName { get; } = -1;

    public int Port { get; } = -1;

    public int Status { get; } = -1;

    public int ResponseCode { get; } = -1;

    public int Latency { get; } = -1;

    public bool LatencyIsDuration { get; }

    public int RequestType { get; } = -1;

    /// <summary>
    /// HttpProxy ClientRequestId ("R:&lt;guid&gt;:&lt;n&gt;;RT:Connect;CI:&lt;guid&gt;:&lt;n&gt;;CID:&lt;guid&gt;"): real HttpProxy\Mapi lines leave
    /// ProtocolAction empty and carry the request type here as RT: (issue 11), and the client (CI:) for the 401 pairing.
    /// </summary>
    public int ClientRequestId { get; } = -1;

    public int ClientIp { get; } = -1;

    public int UserAgent { get; } = -1;

    public int ClientSoftware { get; } = -1;

    public int ClientVersion { get; } = -1;

    public int UrlStem { get; } = -1;

    public int UrlQuery { get; } = -1;

    public int Protocol { get; } = -1;

    public int RequestIds { get; } = -1;

    public int IndexOf(string name) => _byName.TryGetValue(name, out int index) ? index : -1;

    private int FirstOf(string first, string second)
    {
        int index = IndexOf(first);
        return index >= 0 ? index : IndexOf(second);
    }
}
