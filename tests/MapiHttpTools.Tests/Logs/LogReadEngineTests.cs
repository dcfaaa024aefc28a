using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>Records the engine's events for assertions.</summary>
internal sealed class CollectingObserver : ILogObserver
{
    public List<(string Path, string Id, ErrorCategory Category, string Message)> Errors { get; } = new();

    public List<string> Messages { get; } = new();

    public List<(long Done, long Total)> ProgressReports { get; } = new();

    public List<string> Warnings { get; } = new();

    public void Warning(string message)
    {
        lock (Warnings)
        {
            Warnings.Add(message);
        }
    }

    public void FileFailed(string path, string errorId, ErrorCategory category, string message, Exception? inner)
    {
        lock (Errors)
        {
            Errors.Add((path, errorId, category, message));
        }
    }

    public void Verbose(string message)
    {
        lock (Messages)
        {
            Messages.Add(message);
        }
    }

    public void Progress(long bytesDone, long bytesTotal, string currentFile, int filesDone, int fileCount)
    {
        lock (ProgressReports)
        {
            ProgressReports.Add((bytesDone, bytesTotal));
        }
    }
}

/// <summary>Read-MapiHttpLog's engine: typed values per log kind and the filters applied while reading.</summary>
public sealed class LogReadEngineTests
{
    private static readonly DateTime Day = new(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    private static List<MapiHttpLogRecord> Read(LogFilter filter, CollectingObserver? observer = null, params string[] files)
    {
        var records = new List<MapiHttpLogRecord>();
        new LogReadEngine(filter).Read(files, records.Add, observer ?? new CollectingObserver(), CancellationToken.None);
        return records;
    }

    [Fact]
    public void HttpProxy_records_carry_typed_values_in_UTC_and_every_column_by_name()
    {
        List<MapiHttpLogRecord> records = Read(LogFilter.None, null, LogFixtures.HttpProxy);

        Assert.Equal(16, records.Count);
        var challenge = Assert.IsType<HttpProxyLogRecord>(records[0]);
        Assert.Equal(new DateTime(2024, 3, 11, 8, 0, 1, 101, DateTimeKind.Utc), challenge.DateTime);
        Assert.Equal(DateTimeKind.Utc, challenge.DateTime.Kind);
        Assert.Equal("5e58f501-1ddc-48d3-82c6-0199bc121601", challenge.RequestId);
        Assert.Equal("alice@contoso.com", challenge.User);
        Assert.Null(challenge.AuthenticatedUser);
        Assert.Equal("SMTP:alice@contoso.com", challenge.AnchorMailbox);
        Assert.Equal(false, challenge.IsAuthenticated);
        Assert.Equal(401, challenge.Status);
        Assert.Equal(401, challenge.HttpStatus);
        Assert.Null(challenge.BackEndStatus);
        Assert.Equal(2.0, challenge.LatencyMs);
        Assert.Equal("EX01", challenge.FrontEnd);
        Assert.Null(challenge.BackEnd);
        Assert.Equal("Connect", challenge.RequestType);
        Assert.Null(challenge.ProtocolAction);
        Assert.Equal("R:{6B1F9A52-2D3C-4F59-9A8E-0C7D1F1B2A11}:1;RT:Connect;CI:{6B1F9A52-2D3C-4F59-9A8E-0C7D1F1B2A11}:1;CID:{6B1F9A52-2D3C-4F59-9A8E-0C7D1F1B2A11}", challenge.ClientRequestId);
        Assert.Equal("16.0.17928", challenge.ClientVersion);
        Assert.True(challenge.IsFailure);
        Assert.Equal(7, challenge.LineNumber);
        Assert.Equal(LogFixtures.HttpProxy, challenge.Path);
        Assert.Equal(MapiHttpLogKind.HttpProxy, challenge.LogKind);

        var error = Assert.IsType<HttpProxyLogRecord>(records[9]);
        Assert.Equal("CONTOSO\\bob", error.User);
        Assert.Equal("ex04.contoso.com", error.BackEnd);
        Assert.Equal(500, error.BackEndStatus);
        Assert.Equal("InternalServerError", error.ErrorCode);
        Assert.Equal(97.0, error.BackendProcessingLatency);
        Assert.Equal(1893L, error.ResponseBytes);
        Assert.StartsWith("WebExceptionStatus=ProtocolError;ResponseStatusCode=500;WebException=System.Net.WebException: The remote server returned an error: (500) Internal Server Error., at ", error.GenericErrors);
        Assert.EndsWith(", at \"ProxyRequestHandler\"", error.GenericErrors);
        Assert.Equal("CafeV1", error.GetField("RoutingStatus"));
        Assert.Equal(error.GenericErrors, error.GetField("genericerrors"));
        Assert.Null(error.GetField("NoSuchColumn"));
        Assert.Equal(74, error.Fields.Count);
        Assert.Equal("?MailboxId=0d8e7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c22@contoso.com", error.Fields["UrlQuery"]);
        Assert.StartsWith("2024-03-11T08:05:05.912Z,5e58f50a-", error.Line);
        Assert.Equal(60000.0, records[4].LatencyMs);
        Assert.Equal("NotificationWait", records[4].RequestType);
    }

    [Fact]
    public void MapiHttp_Mailbox_records_count_a_nonzero_response_code_as_a_failure()
    {
        List<MapiHttpLogRecord> records = Read(LogFilter.None, null, LogFixtures.Mailbox);

        Assert.Equal(4, records.Count);
        var context = Assert.IsType<MapiHttpMailboxLogRecord>(records[2]);
        Assert.Equal(200, context.Status);
        Assert.Equal(10, context.ResponseCode);
        Assert.True(context.IsFailure);
        Assert.Equal("alice@contoso.com", context.User);
        Assert.Equal("EX01.contoso.com", context.FrontEnd);
        Assert.Equal("16.0.17928.20114", context.ClientVersion);
        Assert.Equal("OUTLOOK.EXE", context.ClientSoftware);
        Assert.Equal("Execute", context.RequestType);
        Assert.Equal(12.0, context.LatencyMs);
        Assert.False(records[1].IsFailure);
        var failed = Assert.IsType<MapiHttpMailboxLogRecord>(records[3]);
        Assert.Equal(500, failed.HttpStatusCode);
        Assert.Equal("MapiExceptionCallFailed: Unable to process, \"store\" busy", failed.GenericErrors);
        Assert.Equal("5e58f50a-1ddc-48d3-82c6-0199bc121610", failed.RequestId);
    }

    [Fact]
    public void MAPI_Client_Access_records_use_the_RPC_status_and_the_processing_time()
    {
        List<MapiHttpLogRecord> records = Read(LogFilter.None, null, LogFixtures.ClientAccess);

        Assert.Equal(3, records.Count);
        var denied = Assert.IsType<MapiClientAccessLogRecord>(records[0]);
        Assert.Equal(1010, denied.Status);
        Assert.Equal("1010 (rpc::LoginPerm)", denied.RpcStatus);
        Assert.True(denied.IsFailure);
        Assert.Equal(15.0, denied.LatencyMs);
        Assert.Equal("EX01.contoso.com", denied.FrontEnd);
        Assert.Equal("Connect", denied.Operation);
        Assert.EndsWith("cn=7c5e1e2f3a4b4c5d8e9f0a1b2c3d4e5f-carol", denied.User);
        Assert.Equal("14.0.7172.5000", denied.ClientVersion);
        Assert.StartsWith("RpcDispatch: [LoginPermException] 'User SID:", denied.Failures);
        Assert.Equal("SID=S-1-5-21-3914747541-1987656476-2091229219-1465, Flags=None", denied.GetField("operation-specific"));
        Assert.Equal(new DateTime(2017, 1, 2, 12, 29, 47, 946, DateTimeKind.Utc), denied.DateTime);
        Assert.False(records[1].IsFailure);
        Assert.Equal(0, records[1].Status);

        // RPC Client Access logs have the same fields; their RPC/HTTP lines are not MAPI/HTTP requests.
        using var folder = new TempFolder();
        string[] lines = System.IO.File.ReadAllLines(LogFixtures.ClientAccess);
        string rpc = folder.File("RCA_2017010212-1.LOG", string.Join("\r\n", lines.Take(6).Concat(new[] { lines[6].Replace(",MapiHttp,", ",RpcHttp,") })) + "\r\n");
        var engine = new LogReadEngine(LogFilter.None);
        var read = new List<MapiHttpLogRecord>();
        engine.Read(new[] { rpc }, read.Add, new CollectingObserver(), CancellationToken.None);
        Assert.Single(read);
        Assert.Equal(1, engine.Totals.OtherProtocol);
    }

    [Fact]
    public void IIS_records_are_read_for_mapi_only_with_the_cafeReqId_of_the_front_end()
    {
        var observer = new CollectingObserver();
        var engine = new LogReadEngine(LogFilter.None);
        var records = new List<MapiHttpLogRecord>();
        engine.Read(new[] { LogFixtures.IisBackEnd }, records.Add, observer, CancellationToken.None);

        Assert.Equal(4, records.Count);
        Assert.Equal(1, engine.Totals.OtherProtocol);
        var unavailable = Assert.IsType<IisLogRecord>(records[1]);
        Assert.Equal(503, unavailable.Status);
        Assert.Equal(4.0, unavailable.LatencyMs);
        Assert.Equal(444, unavailable.Port);
        Assert.Equal("10.0.0.24", unavailable.BackEnd);
        Assert.Null(unavailable.FrontEnd);
        Assert.Equal("5e58f508-1ddc-48d3-82c6-0199bc121608", unavailable.CafeRequestId);
        Assert.Equal(unavailable.CafeRequestId, unavailable.RequestId);
        Assert.Equal("Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.16130; Pro)", unavailable.UserAgent);
        Assert.Equal("16.0.16130", unavailable.ClientVersion);
        Assert.Equal("CONTOSO\\bob", unavailable.User);
        Assert.Equal(new DateTime(2024, 3, 11, 8, 5, 3, DateTimeKind.Utc), unavailable.DateTime);

        List<MapiHttpLogRecord> front = Read(LogFilter.None, null, LogFixtures.IisFrontEnd);
        Assert.Equal(3, front.Count);
        Assert.Null(front[0].User);
        Assert.Equal("10.0.0.21", front[0].FrontEnd);
        Assert.Null(((IisLogRecord)front[0]).CafeRequestId);
    }

    [Theory]
    [InlineData("08:05", "09:00", null, null, null, null, 6)]
    [InlineData(null, null, "bob", null, null, null, 7)]
    [InlineData(null, null, "carol@contoso.com", null, null, null, 2)]
    [InlineData(null, null, "CONTOSO\\ali*", null, null, null, 6)]
    [InlineData(null, null, "alice", null, null, null, 7)]
    [InlineData(null, null, null, 503, null, null, 2)]
    [InlineData(null, null, null, null, "EX02", null, 7)]
    [InlineData(null, null, null, null, "ex04", null, 6)]
    [InlineData(null, null, null, null, "*.contoso.com", null, 12)]
    [InlineData(null, null, null, null, null, 50.0, 2)]
    [InlineData("08:00", "08:30", "bob", 503, "EX02", 5.0, 2)]
    public void Filters_apply_while_reading(string? since, string? until, string? user, int? status, string? server, double? minimumLatency, int expected)
    {
        DateTime? At(string? time) => time is null ? null : Day.Add(TimeSpan.Parse(time, System.Globalization.CultureInfo.InvariantCulture));
        var filter = new LogFilter(At(since), At(until), user is null ? null : new[] { user }, status is null ? null : new[] { status.Value }, server is null ? null : new[] { server }, minimumLatency);

        List<MapiHttpLogRecord> records = Read(filter, null, LogFixtures.HttpProxy);

        Assert.Equal(expected, records.Count);
    }

    [Fact]
    public void A_file_that_is_missing_or_of_another_format_is_reported_and_the_others_are_still_read()
    {
        var observer = new CollectingObserver();
        string missing = System.IO.Path.Combine(LogFixtures.Root, "HttpProxy", "Mapi", "HttpProxy_2099010100-1.LOG");

        List<MapiHttpLogRecord> records = Read(LogFilter.None, observer, LogFixtures.UnknownEws, missing, LogFixtures.Mailbox, LogFixtures.UnknownText);

        Assert.Equal(4, records.Count);
        Assert.Equal(
            new[] { (LogFixtures.UnknownEws, "UnknownLogFormat", ErrorCategory.InvalidData), (missing, "LogFileNotFound", ErrorCategory.ObjectNotFound), (LogFixtures.UnknownText, "UnknownLogFormat", ErrorCategory.InvalidData) },
            observer.Errors.Select(e => (e.Path, e.Id, e.Category)));
        Assert.Contains(LogFixtures.UnknownEws, observer.Errors[0].Message);
        Assert.Contains("'EWS Logs'", observer.Errors[0].Message);
        Assert.Equal((observer.ProgressReports[^1].Total, observer.ProgressReports[^1].Total), observer.ProgressReports[^1]);
    }

    [Fact]
    public void A_folder_where_a_file_is_expected_is_refused_before_it_is_opened()
    {
        // Issue 20: non-regular inputs are refused with InputFileNotRegular (it used to be an open that failed).
        var observer = new CollectingObserver();
        using var folder = new TempFolder();

        List<MapiHttpLogRecord> records = Read(LogFilter.None, observer, folder.Path, LogFixtures.ClientAccess);

        Assert.Equal(3, records.Count);
        var error = Assert.Single(observer.Errors);
        Assert.Equal((folder.Path, "InputFileNotRegular", ErrorCategory.InvalidArgument), (error.Path, error.Id, error.Category));
        Assert.Equal($"'{folder.Path}' is a folder where a log file was expected.", error.Message);
    }

    [Fact]
    public void Malformed_lines_are_reported_once_per_file_in_verbose_text()
    {
        var observer = new CollectingObserver();
        var engine = new LogReadEngine(LogFilter.None);
        var records = new List<MapiHttpLogRecord>();

        engine.Read(new[] { LogFixtures.Malformed }, records.Add, observer, CancellationToken.None);

        Assert.Equal(5, records.Count);
        Assert.Equal(13, records[2].LineNumber);
        Assert.Equal(5, engine.Totals.Malformed);
        Assert.Contains(observer.Messages, m => m.StartsWith(LogFixtures.Malformed + ": 5 malformed line(s) skipped: 2 with the wrong number of fields, first at line 8;", StringComparison.Ordinal));
    }
}
