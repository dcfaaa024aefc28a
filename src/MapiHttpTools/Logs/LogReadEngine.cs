using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Runtime.CompilerServices;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Logs;

/// <summary>
/// Read-MapiHttpLog's engine: streams typed records from files in order, applying the filters before any
/// record is made.
/// </summary>
internal sealed class LogReadEngine
{
    private readonly LineEvaluator _evaluator;
    private ILogObserver _observer = NullObserver.Instance;

    public LogReadEngine(LogFilter filter)
    {
        _evaluator = new LineEvaluator(filter);
    }

    public LogReadTotals Totals { get; } = new();

    /// <summary>Reads <paramref name="files"/> in order; may be called again (pools and totals carry over).</summary>
    [MethodImpl(Hot.Path)]
    public void Read(IReadOnlyList<string> files, Action<MapiHttpLogRecord> emit, ILogObserver observer, CancellationToken cancellation)
    {
        _observer = observer;
        long total = 0;
        foreach (string file in files)
        {
            total += LogFiles.Length(file);
        }

        long done = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < files.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            string path = files[i];
            _observer.Progress(done, total, path, i, files.Count);
            using LogFileParser? parser = LogFiles.OpenKnown(path, _observer, cancellation);
            if (parser is null)
            {
                done += LogFiles.Length(path);
                continue;
            }

            _observer.Verbose($"{DisplayText.Safe(path)}: {parser.Schema!.Kind} log{(parser.Schema.LogType is null ? string.Empty : $" ('{DisplayText.Safe(parser.Schema.LogType)}')")}.");
            long linesBefore = Totals.DataLines;
            long otherBefore = Totals.OtherProtocol;
            string? foreign = null;
            try
            {
                while (parser.Next())
                {
                    Totals.DataLines++;
                    LogSchema schema = parser.Schema!;
                    switch (_evaluator.Evaluate(parser.Fields, schema, out LineFacts facts))
                    {
                        case LineOutcome.Accepted:
                            Totals.Accepted++;
                            emit(LogRecordFactory.Create(_evaluator, parser.Fields, schema, facts, path, parser.LineNumber));
                            break;
                        case LineOutcome.FilteredOut:
                            Totals.Filtered++;
                            break;
                        case LineOutcome.NotMapi:
                            Totals.OtherProtocol++;
                            foreign ??= LineEvaluator.Protocol(parser.Fields, schema);
                            break;
                        default:
                            parser.ReportBadValue();
                            break;
                    }

                    if ((Totals.DataLines & 1023) == 0 && clock.ElapsedMilliseconds > 200)
                    {
                        cancellation.ThrowIfCancellationRequested();
                        clock.Restart();
                        _observer.Progress(done + parser.Position, total, path, i, files.Count);
                    }
                }
            }
            catch (Exception ex) when (LogFiles.IsReadFailure(ex))
            {
                _observer.FileFailed(path, LogErrorIds.LogReadFailed, ErrorCategory.ReadError, $"Log file '{DisplayText.Safe(path)}' could not be read past line {parser.LineNumber}: {DisplayText.Safe(ex.Message)}", ex);
            }

            Totals.Files++;
            Totals.Bytes += parser.Position;
            Totals.Malformed += parser.Malformed.Total;
            LogFiles.NoteForeign(Totals, path, Totals.DataLines - linesBefore, Totals.OtherProtocol - otherBefore, foreign);
            done += Math.Max(parser.Position, LogFiles.Length(path));
            LogFiles.ReportMalformed(parser, _observer);
        }

        Totals.AddRange(_evaluator.DataFirstTicks, _evaluator.DataLastTicks);
        LogFiles.ReportForeign(Totals, _observer);

        _observer.Progress(total, total, string.Empty, files.Count, files.Count);
    }
}

/// <summary>
/// Turns an accepted line into its typed record (only Read-MapiHttpLog does this; the summary never makes
/// records). Values that repeat come from the evaluator's pools, so records share their strings.
/// </summary>
internal static class LogRecordFactory
{
    public static MapiHttpLogRecord Create(LineEvaluator e, LineFields f, LogSchema s, in LineFacts facts, string path, long lineNumber)
    {
        byte[] line = f.CopyLine();
        MapiHttpLogRecord record = s.Kind switch
        {
            MapiHttpLogKind.HttpProxy => HttpProxy(e, f, s, line, path, lineNumber),
            MapiHttpLogKind.MapiHttpMailbox => Mailbox(e, f, s, line, path, lineNumber),
            MapiHttpLogKind.MapiClientAccess => ClientAccess(e, f, s, line, path, lineNumber),
            _ => Iis(e, f, s, line, path, lineNumber),
        };

        record.DateTime = new DateTime(facts.Ticks, DateTimeKind.Utc);
        record.Status = facts.HasStatus ? facts.Status : null;
        record.LatencyMs = facts.HasLatency ? facts.LatencyMs : null;
        record.FrontEnd = facts.FrontEnd >= 0 ? e.Servers[facts.FrontEnd] : null;
        record.BackEnd = facts.BackEnd >= 0 ? e.Servers[facts.BackEnd] : null;
        record.User = facts.User >= 0 ? e.Users[facts.User] : facts.Anchor >= 0 ? e.Anchors[facts.Anchor] : null;
        record.ClientVersion = e.ClientVersion(facts.Agent, f, s);
        record.IsFailure = facts.IsFailure;
        record.RequestType = facts.RequestTypeLength > 0 ? Pooled(e, f, facts.RequestTypeStart, facts.RequestTypeLength) : null;
        record.ClientIpAddress = Pooled(e, f, s.ClientIp);
        return record;
    }

    private static string? Pooled(LineEvaluator e, LineFields f, int index)
    {
        int id = e.Misc.Intern(f, index);
        return id >= 0 ? e.Misc[id] : f.GetString(index);
    }

    private static string Pooled(LineEvaluator e, LineFields f, int start, int length)
    {
        int id = e.Misc.Intern(f.Buffer, start, length);
        return id >= 0 ? e.Misc[id] : System.Text.Encoding.UTF8.GetString(f.Buffer, start, length);
    }

    private static int? Int(LineFields f, int index) =>
        f.TryGetInt64(index, out long value) && value >= int.MinValue && value <= int.MaxValue ? (int)value : null;

    private static long? Long(LineFields f, int index) => f.TryGetInt64(index, out long value) ? value : null;

    private static double? Double(LineFields f, int index) => f.TryGetDouble(index, out double value) ? value : null;

    private static HttpProxyLogRecord HttpProxy(LineEvaluator e, LineFields f, LogSchema s, byte[] line, string path, long lineNumber)
    {
        string? authenticated = Pooled(e, f, s.IndexOf("IsAuthenticated"));
        return new HttpProxyLogRecord(s, line, path, lineNumber)
        {
            RequestId = f.GetString(s.RequestId),
            UserAgent = Pooled(e, f, s.UserAgent),
            ClientRequestId = f.GetString(s.IndexOf("ClientRequestId")),
            Protocol = Pooled(e, f, s.Protocol),
            UrlHost = Pooled(e, f, s.IndexOf("UrlHost")),
            UrlStem = Pooled(e, f, s.UrlStem),
            UrlQuery = f.GetString(s.UrlQuery),
            ProtocolAction = Pooled(e, f, s.RequestType),
            AuthenticationType = Pooled(e, f, s.IndexOf("AuthenticationType")),
            IsAuthenticated = authenticated is null ? null : string.Equals(authenticated, "true", StringComparison.OrdinalIgnoreCase),
            AuthenticatedUser = Pooled(e, f, s.User),
            AnchorMailbox = Pooled(e, f, s.Anchor),
            ServerHostName = Pooled(e, f, s.FrontEnd),
            HttpStatus = Int(f, s.Status),
            BackEndStatus = Int(f, s.IndexOf("BackEndStatus")),
            ErrorCode = Pooled(e, f, s.IndexOf("ErrorCode")),
            Method = Pooled(e, f, s.IndexOf("Method")),
            TargetServer = Pooled(e, f, s.BackEnd),
            TargetServerVersion = Pooled(e, f, s.IndexOf("TargetServerVersion")),
            RoutingType = Pooled(e, f, s.IndexOf("RoutingType")),
            RequestBytes = Long(f, s.IndexOf("RequestBytes")),
            ResponseBytes = Long(f, s.IndexOf("ResponseBytes")),
            BackendProcessingLatency = Double(f, s.IndexOf("BackendProcessingLatency")),
            TotalRequestTime = Double(f, s.Latency),
            GenericErrors = f.GetString(s.IndexOf("GenericErrors")),
        };
    }

    private static MapiHttpMailboxLogRecord Mailbox(LineEvaluator e, LineFields f, LogSchema s, byte[] line, string path, long lineNumber) =>
        new(s, line, path, lineNumber)
        {
            RequestId = f.GetString(s.RequestId),
            UserAgent = Pooled(e, f, s.ClientSoftware),
            MapiRequestId = f.GetString(s.IndexOf("MapiRequestId")),
            ClientRequestId = f.GetString(s.IndexOf("ClientRequestId")),
            HttpStatusCode = Int(f, s.Status),
            ResponseCode = Int(f, s.ResponseCode),
            StatusCode = Pooled(e, f, s.IndexOf("StatusCode")),
            TotalRequestLatency = Double(f, s.Latency),
            AuthenticatedUserEmail = Pooled(e, f, s.IndexOf("AuthenticatedUserEmail")),
            ActAsUserEmail = Pooled(e, f, s.Anchor),
            MailboxId = Pooled(e, f, s.IndexOf("MailboxId")),
            SourceCafeServer = Pooled(e, f, s.FrontEnd),
            ClientSoftware = Pooled(e, f, s.ClientSoftware),
            ClientSoftwareVersion = Pooled(e, f, s.ClientVersion),
            ClientMode = Pooled(e, f, s.IndexOf("ClientMode")),
            AuthenticationType = Pooled(e, f, s.IndexOf("AuthenticationType")),
            GenericErrors = f.GetString(s.IndexOf("GenericErrors")),
        };

    private static MapiClientAccessLogRecord ClientAccess(LineEvaluator e, LineFields f, LogSchema s, byte[] line, string path, long lineNumber) =>
        new(s, line, path, lineNumber)
        {
            UserAgent = Pooled(e, f, s.ClientSoftware),
            SessionId = f.GetString(s.IndexOf("session-id")),
            ClientName = Pooled(e, f, s.User),
            ClientSoftware = Pooled(e, f, s.ClientSoftware),
            ClientSoftwareVersion = Pooled(e, f, s.ClientVersion),
            ClientMode = Pooled(e, f, s.IndexOf("client-mode")),
            ServerIp = Pooled(e, f, s.IndexOf("server-ip")),
            Protocol = Pooled(e, f, s.Protocol),
            Operation = Pooled(e, f, s.RequestType),
            RpcStatus = Pooled(e, f, s.Status),
            Failures = f.GetString(s.IndexOf("failures")),
        };

    private static IisLogRecord Iis(LineEvaluator e, LineFields f, LogSchema s, byte[] line, string path, long lineNumber)
    {
        string? query = f.GetString(s.UrlQuery);
        string? cafeRequestId = CafeRequestId(query);
        int agent = e.Agents.Intern(f, s.UserAgent);
        return new IisLogRecord(s, line, path, lineNumber)
        {
            RequestId = cafeRequestId,
            UserAgent = e.AgentText(agent, s) ?? f.GetString(s.UserAgent)?.Replace('+', ' '),
            ServerName = Pooled(e, f, s.ServerName),
            Port = Int(f, s.Port),
            Method = Pooled(e, f, s.IndexOf("cs-method")),
            UriStem = Pooled(e, f, s.UrlStem),
            UriQuery = query,
            UserName = Pooled(e, f, s.User),
            SubStatus = Int(f, s.IndexOf("sc-substatus")),
            Win32Status = Long(f, s.IndexOf("sc-win32-status")),
            CafeRequestId = cafeRequestId,
        };
    }

    /// <summary>The GUID after "cafeReqId=" in an IIS query string, or null.</summary>
    internal static string? CafeRequestId(string? query)
    {
        if (query is null)
        {
            return null;
        }

        int at = query.IndexOf("cafeReqId=", StringComparison.OrdinalIgnoreCase);
        if (at < 0 || at + 10 + 36 > query.Length)
        {
            return null;
        }

        string candidate = query.Substring(at + 10, 36);
        return Guid.TryParse(candidate, out _) ? candidate : null;
    }
}
