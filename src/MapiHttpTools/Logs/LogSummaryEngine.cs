using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using System.Runtime.CompilerServices;
using MapiHttpTools.Infrastructure;

// The Logs folder in layers (issue 12), from the file to the finding; each layer uses only the ones above it:
//   Files       LogFiles.cs            which files, refusals (folder, FIFO, device), errors and warnings to the observer
//   Lines       LogLineReader.cs       bytes to lines, undecoded; over-long lines skipped
//               LogFileParser.cs       header to LogSchema (LogFormatDetector.cs, LogSchema.cs), line to fields
//                                      (LineFields.cs), malformed lines counted
//   Values      ValueParsers.cs        numbers, times, durations parsed in place
//               LineEvaluator.cs       fields to LineFacts (time, status, latency, request type, monitoring, pooled
//                                      ids from BytePool.cs) and the filters (LogFilter.cs)
//   Aggregates  LogSummaryAggregator.cs facts to groups (GroupStats.cs, LatencyHistogram.cs, BitSet.cs), the 401
//                                      challenge pairing, the merge of the workers' partials
//   Findings    LogSummaryBuilder.cs   merged groups to MapiHttpLogSummary and its findings (facts in, findings out)
//   Entries     LogSummaryEngine.cs    Get-MapiHttpLogSummary: files in parallel through the layers above
//               LogReadEngine.cs       Read-MapiHttpLog: lines to typed records, in order
// The cmdlets (Commands/*MapiHttpLog*.cs) only bind parameters, resolve paths and forward the observer.

namespace MapiHttpTools.Logs;

/// <summary>Settings of one summary run.</summary>
internal sealed class SummaryOptions
{
    public LogFilter Filter { get; set; } = LogFilter.None;

    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>503 responses within one minute that make the minute part of a burst.</summary>
    public int BurstThreshold { get; set; } = 5;

    /// <summary>Count Exchange's own monitoring (HealthMailbox users, MapiHttpClient) with the users' traffic too (it is always counted apart).</summary>
    public bool IncludeMonitoring { get; set; }

    /// <summary>Files read at once; each worker keeps its own groups, merged at the end.</summary>
    public int Parallelism { get; set; } = Math.Max(1, Environment.ProcessorCount);
}

/// <summary>
/// Get-MapiHttpLogSummary's engine. Reads each file once, never makes a record object: lines are split in
/// place, the needed columns parsed to numbers and pool ids, and added to fixed-size groups (memory grows with
/// the number of distinct users, clients, servers and time buckets, not with the input size).
/// Each request is counted once, from one log kind (<see cref="MapiHttpLogSummary.Source"/>); with HttpProxy
/// logs, back-end IIS logs are used to join front-end failures to the back end's answer by cafeReqId.
/// </summary>
internal sealed class LogSummaryEngine
{
    private static readonly MapiHttpLogKind[] Precedence = { MapiHttpLogKind.HttpProxy, MapiHttpLogKind.MapiHttpMailbox, MapiHttpLogKind.MapiClientAccess, MapiHttpLogKind.Iis };

    private readonly SummaryOptions _options;
    private readonly ILogObserver _observer;
    private long _bytesDone;
    private long _bytesTotal;
    private int _filesDone;
    private int _fileCount;

    public LogSummaryEngine(SummaryOptions options, ILogObserver observer)
    {
        _options = options;
        _observer = observer;
    }

    public LogReadTotals Totals { get; } = new();

    public MapiHttpLogSummary Run(IReadOnlyList<string> files, CancellationToken cancellation)
    {
        // Detect every file first: which kind leads decides how the others are used.
        var byKind = new Dictionary<MapiHttpLogKind, List<string>>();
        foreach (string file in files)
        {
            cancellation.ThrowIfCancellationRequested();
            using LogFileParser? parser = LogFiles.OpenKnown(file, _observer, cancellation, headerOnly: true);
            if (parser is null)
            {
                continue;
            }

            MapiHttpLogKind kind = parser.Schema!.Kind;
            if (!byKind.TryGetValue(kind, out List<string>? list))
            {
                byKind[kind] = list = new List<string>();
            }

            list.Add(file);
        }

        MapiHttpLogKind? source = Precedence.Where(byKind.ContainsKey).Select(k => (MapiHttpLogKind?)k).FirstOrDefault();
        var primary = source is null ? new List<string>() : byKind[source.Value];
        bool join = source == MapiHttpLogKind.HttpProxy && byKind.ContainsKey(MapiHttpLogKind.Iis);
        var joinFiles = join ? byKind[MapiHttpLogKind.Iis] : new List<string>();
        foreach (KeyValuePair<MapiHttpLogKind, List<string>> pair in byKind)
        {
            if (pair.Key != source && !(join && pair.Key == MapiHttpLogKind.Iis))
            {
                _observer.Verbose($"{pair.Value.Count} {pair.Key} log file(s) not summarized: each request is counted once, from the {source} logs.");
            }
        }

        _fileCount = primary.Count + joinFiles.Count;
        _bytesTotal = primary.Concat(joinFiles).Sum(LogFiles.Length);
        var readFiles = new ConcurrentBag<string>();
        SummaryPartial merged = Aggregate(primary, join, readFiles, cancellation);
        merged.ResolveAnchors();
        merged.DataFirstTicks = Totals.DataFirstTicks;
        merged.DataLastTicks = Totals.DataLastTicks;
        LogFiles.ReportForeign(Totals, _observer);

        var joinResult = new JoinResult();
        if (join)
        {
            Join(joinFiles, merged, joinResult, readFiles, cancellation);
        }

        _observer.Progress(_bytesTotal, _bytesTotal, string.Empty, _fileCount, _fileCount);
        var builder = new LogSummaryBuilder(_options, merged, joinResult);
        MapiHttpLogSummary summary = builder.Build();
        summary.Source = source;
        summary.Files = (int)Totals.Files;
        summary.Path = readFiles.OrderBy(p => p, StringComparer.OrdinalIgnoreCase).ToArray();
        summary.Bytes = Totals.Bytes;
        summary.MalformedLines = Totals.Malformed;
        summary.FilteredLines = Totals.Filtered;
        summary.OtherProtocolLines = Totals.OtherProtocol;
        summary.SecondaryLines = joinResult.Lines;
        return summary;
    }

    private SummaryPartial Aggregate(List<string> files, bool join, ConcurrentBag<string> readFiles, CancellationToken cancellation)
    {
        var queue = new ConcurrentQueue<string>(files);
        int workers = Math.Max(1, Math.Min(_options.Parallelism, files.Count));
        var partials = new SummaryPartial[workers];
        var totals = new LogReadTotals[workers];
        Task[] tasks = Enumerable.Range(0, workers).Select(w => Task.Run(
            () =>
            {
                var evaluator = new LineEvaluator(_options.Filter);
                var aggregator = new LogSummaryAggregator(evaluator, _options.Interval, join, _options.IncludeMonitoring);
                totals[w] = new LogReadTotals();
                while (queue.TryDequeue(out string? path))
                {
                    ReadOne(path, evaluator, aggregator, totals[w], readFiles, cancellation);
                }

                totals[w].AddRange(evaluator.DataFirstTicks, evaluator.DataLastTicks);

                partials[w] = aggregator.Finish();
            },
            cancellation)).ToArray();

        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            throw new OperationCanceledException(cancellation);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        foreach (LogReadTotals t in totals)
        {
            Totals.Add(t);
        }

        SummaryPartial result = partials[0];
        for (int i = 1; i < partials.Length; i++)
        {
            result.Merge(partials[i]);
        }

        return result;
    }

    [MethodImpl(Hot.Path)]
    private void ReadOne(string path, LineEvaluator evaluator, LogSummaryAggregator aggregator, LogReadTotals totals, ConcurrentBag<string> readFiles, CancellationToken cancellation)
    {
        using LogFileParser? parser = LogFiles.OpenKnown(path, _observer, cancellation);
        if (parser is null)
        {
            Interlocked.Add(ref _bytesDone, LogFiles.Length(path));
            return;
        }

        long reported = 0;
        var clock = Stopwatch.StartNew();
        ReportProgress(0, path);
        long linesBefore = totals.DataLines;
        long otherBefore = totals.OtherProtocol;
        string? foreign = null;
        try
        {
            while (parser.Next())
            {
                totals.DataLines++;
                switch (evaluator.Evaluate(parser.Fields, parser.Schema!, out LineFacts facts))
                {
                    case LineOutcome.Accepted:
                        totals.Accepted++;
                        aggregator.Add(parser.Fields, parser.Schema!, facts);
                        break;
                    case LineOutcome.FilteredOut:
                        totals.Filtered++;
                        break;
                    case LineOutcome.NotMapi:
                        totals.OtherProtocol++;
                        foreign ??= LineEvaluator.Protocol(parser.Fields, parser.Schema!);
                        break;
                    default:
                        parser.ReportBadValue();
                        break;
                }

                if ((totals.DataLines & 4095) == 0 && clock.ElapsedMilliseconds >= 250)
                {
                    // Issue 20: a stop must end the read, not only the next buffer fill.
                    cancellation.ThrowIfCancellationRequested();
                    clock.Restart();
                    long position = parser.Position;
                    ReportProgress(position - reported, path);
                    reported = position;
                }
            }
        }
        catch (Exception ex) when (LogFiles.IsReadFailure(ex))
        {
            _observer.FileFailed(path, LogErrorIds.LogReadFailed, ErrorCategory.ReadError, $"Log file '{DisplayText.Safe(path)}' could not be read past line {parser.LineNumber}: {DisplayText.Safe(ex.Message)}", ex);
        }

        aggregator.EndFile();
        totals.Files++;
        totals.Bytes += parser.Position;
        totals.Malformed += parser.Malformed.Total;
        LogFiles.NoteForeign(totals, path, totals.DataLines - linesBefore, totals.OtherProtocol - otherBefore, foreign);
        readFiles.Add(path);
        LogFiles.ReportMalformed(parser, _observer);
        Interlocked.Increment(ref _filesDone);
        ReportProgress(Math.Max(parser.Position, LogFiles.Length(path)) - reported, path);
    }

    private void ReportProgress(long delta, string path)
    {
        long done = Interlocked.Add(ref _bytesDone, delta);
        _observer.Progress(done, _bytesTotal, path, Volatile.Read(ref _filesDone), _fileCount);
    }

    /// <summary>Back-end IIS lines carry cafeReqId=RequestId: match them to the front-end failures kept while aggregating.</summary>
    private void Join(List<string> files, SummaryPartial merged, JoinResult result, ConcurrentBag<string> readFiles, CancellationToken cancellation)
    {
        var evaluator = new LineEvaluator(LogFilter.None);
        var totals = new LogReadTotals();
        foreach (string path in files)
        {
            using LogFileParser? parser = LogFiles.OpenKnown(path, _observer, cancellation);
            if (parser is null)
            {
                continue;
            }

            try
            {
                while (parser.Next())
                {
                    result.Lines++;
                    LogSchema s = parser.Schema!;
                    LineFields f = parser.Fields;
                    if (evaluator.Evaluate(f, s, out LineFacts facts) != LineOutcome.Accepted)
                    {
                        continue;
                    }

                    int at = f.IndexOfAscii(s.UrlQuery, "cafeReqId=");
                    if (at < 0 || !GuidParser.TryParse(f.Buffer, at + 10, Math.Min(36, f.Start(s.UrlQuery) + f.Length(s.UrlQuery) - at - 10), out Guid id))
                    {
                        continue;
                    }

                    result.Candidates++;
                    if (!merged.Join.TryGetValue(id, out JoinEntry entry))
                    {
                        continue;
                    }

                    result.Add(entry, facts.HasStatus ? facts.Status : -1, facts.BackEnd >= 0 ? evaluator.Servers[facts.BackEnd] : facts.FrontEnd >= 0 ? evaluator.Servers[facts.FrontEnd] : null);
                }
            }
            catch (Exception ex) when (LogFiles.IsReadFailure(ex))
            {
                _observer.FileFailed(path, LogErrorIds.LogReadFailed, ErrorCategory.ReadError, $"Log file '{DisplayText.Safe(path)}' could not be read past line {parser.LineNumber}: {DisplayText.Safe(ex.Message)}", ex);
            }

            totals.Files++;
            totals.Bytes += parser.Position;
            totals.Malformed += parser.Malformed.Total;
            readFiles.Add(path);
            LogFiles.ReportMalformed(parser, _observer);
            Interlocked.Increment(ref _filesDone);
            ReportProgress(Math.Max(parser.Position, LogFiles.Length(path)), path);
        }

        result.Overflow = merged.JoinOverflow;
        Totals.Files += totals.Files;
        Totals.Bytes += totals.Bytes;
        Totals.Malformed += totals.Malformed;
    }
}

/// <summary>What the cafeReqId join found.</summary>
internal sealed class JoinResult
{
    public long Lines;
    public long Candidates;
    public long Overflow;

    public long Matched { get; private set; }

    /// <summary>"HttpProxy 503 / IIS 503" = count.</summary>
    public Dictionary<string, long> Outcomes { get; } = new(StringComparer.Ordinal);

    /// <summary>Front-end failures the back end's IIS answered below 400, per front end.</summary>
    public Dictionary<string, long> LostAfterBackEndByFrontEnd { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The same, per back end.</summary>
    public Dictionary<string, long> LostAfterBackEndByBackEnd { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Front-end failures the back end's IIS answered 503, per back end.</summary>
    public Dictionary<string, long> BackEndUnavailable { get; } = new(StringComparer.OrdinalIgnoreCase);

    public long LostAfterBackEnd { get; private set; }

    public void Add(JoinEntry frontEnd, int backEndStatus, string? iisServer)
    {
        Matched++;
        string key = $"HttpProxy {frontEnd.Status} / IIS {(backEndStatus < 0 ? "-" : backEndStatus.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
        Outcomes.TryGetValue(key, out long count);
        Outcomes[key] = count + 1;
        string backEnd = frontEnd.BackEnd ?? iisServer ?? "(unknown)";
        if (backEndStatus is >= 0 and < 400)
        {
            LostAfterBackEnd++;
            Increment(LostAfterBackEndByFrontEnd, frontEnd.FrontEnd ?? "(unknown)");
            Increment(LostAfterBackEndByBackEnd, backEnd);
        }
        else if (backEndStatus == 503)
        {
            Increment(BackEndUnavailable, backEnd);
        }
    }

    private static void Increment(Dictionary<string, long> counts, string key)
    {
        counts.TryGetValue(key, out long count);
        counts[key] = count + 1;
    }
}
