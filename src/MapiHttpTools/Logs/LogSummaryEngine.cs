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
//   Entries     LogSummaryEngine.cs    Get-MapiHttpLogSummary: files (and byte ranges of a large one, cut by
//                                      LogRanges.cs) in parallel through the layers above; what crosses a range's
//                                      end is settled in file order, so the result never depends on the workers
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

    /// <summary>
    /// Test seam (issue 18): which files (by their place in the run) each worker reads, instead of taking them from
    /// a shared queue; the workers' partials are merged in this list's order. Null: the shared queue.
    /// </summary>
    internal IReadOnlyList<int[]>? WorkerFiles { get; set; }

    /// <summary>
    /// Issue 18: an Exchange CSV log (HttpProxy, MapiHttp Mailbox, MAPI Client Access) larger than this is
    /// read as byte ranges of about this size in parallel, cut at line starts and merged exactly; 0: never.
    /// Null: <see cref="MinimumRangeBytes"/> or the run's bytes per worker, whichever is larger (a range after a
    /// file's first costs about a third more processor time, so no more ranges than the workers need).
    /// </summary>
    internal long? RangeBytes { get; set; }

    internal const long MinimumRangeBytes = 16L << 20;
}

/// <summary>A file, or a byte range of one, that one worker reads (issue 18).</summary>
internal sealed record WorkUnit(int Id, int FileIndex, string Path, int Range, long Start, long End, LogSchema? Schema)
{
    /// <summary>True for a byte range of a split file (Range 0 is its first), false for a whole file.</summary>
    public bool IsRange => Range >= 0;

    public bool IsLastRange => End == long.MaxValue;
}

/// <summary>What a byte range saw that is settled per file once all its ranges are read.</summary>
internal sealed class RangeResult
{
    public RangeBoundary Boundary { get; } = new();

    public MalformedCounter Malformed { get; set; } = new();

    public long Lines;
    public long DataLines;
    public long OtherProtocol;
    public string? Foreign;

    /// <summary>The range could not be read on its own as the whole file would be (a quoted record over its end, a new #Fields).</summary>
    public bool Unsplittable;
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
    private ILogObserver _observer;
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
        long rangeBytes = _options.RangeBytes ?? Math.Max(SummaryOptions.MinimumRangeBytes, LongDivideUp(primary.Sum(LogFiles.Length), Math.Max(1, _options.Parallelism)));
        List<WorkUnit> units = Units(primary, rangeBytes, cancellation);
        SummaryPartial? merged;
        if (units.Count == primary.Count)
        {
            merged = Aggregate(units, join, readFiles, cancellation);
        }
        else
        {
            // Issue 18: messages wait until the ranges prove mergeable; if one is not, every file is read whole.
            ILogObserver outer = _observer;
            var held = new HeldObserver(outer);
            _observer = held;
            try
            {
                merged = Aggregate(units, join, readFiles, cancellation);
            }
            finally
            {
                _observer = outer;
            }

            if (merged is null)
            {
                outer.Verbose("A log could not be split into byte ranges exactly (a quoted record over a range's end, or a new #Fields header): every file is read whole.");
                Interlocked.Exchange(ref _bytesDone, 0);
                Interlocked.Exchange(ref _filesDone, 0);
                readFiles = new ConcurrentBag<string>();
                merged = Aggregate(Units(primary, 0, cancellation), join, readFiles, cancellation);
            }
            else
            {
                held.Flush();
            }
        }

        merged!.ResolveAnchors();
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

    private static long LongDivideUp(long a, long b) => (a + b - 1) / b;

    /// <summary>The work in run order: whole files, and byte ranges of the large Exchange CSV logs (issue 18).</summary>
    private List<WorkUnit> Units(List<string> files, long rangeBytes, CancellationToken cancellation)
    {
        var units = new List<WorkUnit>();
        for (int i = 0; i < files.Count; i++)
        {
            LogSchema? schema = null;
            List<long>? starts = rangeBytes > 0 && LogFiles.Length(files[i]) > rangeBytes ? LogRanges.Starts(files[i], rangeBytes, cancellation, out schema) : null;
            if (starts is null || starts.Count < 2)
            {
                units.Add(new WorkUnit(units.Count, i, files[i], -1, 0, long.MaxValue, null));
                continue;
            }

            for (int r = 0; r < starts.Count; r++)
            {
                units.Add(new WorkUnit(units.Count, i, files[i], r, starts[r], r + 1 < starts.Count ? starts[r + 1] : long.MaxValue, schema));
            }
        }

        return units;
    }

    /// <summary>Reads the units on the workers and merges their partials; null when a split file's ranges cannot be merged exactly.</summary>
    private SummaryPartial? Aggregate(List<WorkUnit> units, bool join, ConcurrentBag<string> readFiles, CancellationToken cancellation)
    {
        // In run order: each worker then sees its units in that order, which LineOrder relies on.
        var queue = new ConcurrentQueue<WorkUnit>(units);
        IReadOnlyList<int[]>? assigned = _options.WorkerFiles;
        int workers = assigned?.Count ?? Math.Max(1, Math.Min(_options.Parallelism, units.Count));
        var partials = new SummaryPartial[workers];
        var totals = new LogReadTotals[workers];
        var ranges = new RangeResult?[units.Count];
        Task[] tasks = Enumerable.Range(0, workers).Select(w => Task.Run(
            () =>
            {
                var evaluator = new LineEvaluator(_options.Filter);
                var aggregator = new LogSummaryAggregator(evaluator, _options.Interval, join, _options.IncludeMonitoring);
                totals[w] = new LogReadTotals();
                ConcurrentQueue<WorkUnit> mine = assigned is null ? queue
                    : new ConcurrentQueue<WorkUnit>(units.Where(u => assigned[w].Contains(u.FileIndex)));
                while (mine.TryDequeue(out WorkUnit? unit))
                {
                    ReadOne(unit, evaluator, aggregator, totals[w], readFiles, ranges, cancellation);
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

        var sum = new LogReadTotals();
        foreach (LogReadTotals t in totals)
        {
            sum.Add(t);
        }

        SummaryPartial result = partials[0];
        for (int i = 1; i < partials.Length; i++)
        {
            result.Merge(partials[i]);
        }

        if (!SettleRanges(units, ranges, result, sum, readFiles))
        {
            return null;
        }

        Totals.Add(sum);
        return result;
    }

    /// <summary>
    /// Issue 18: per split file, in range order, what crosses a range's end: the 401s still waiting are paired with
    /// the client's first success in the ranges after (as within one file; a minute at most), and the malformed
    /// lines are numbered from the file's start. False when a range was not readable on its own.
    /// </summary>
    private bool SettleRanges(List<WorkUnit> units, RangeResult?[] ranges, SummaryPartial merged, LogReadTotals totals, ConcurrentBag<string> readFiles)
    {
        if (units.Any(u => u.IsRange && ranges[u.Id] is { Unsplittable: true }))
        {
            return false;
        }

        foreach (IGrouping<int, WorkUnit> file in units.Where(u => u.IsRange).GroupBy(u => u.FileIndex))
        {
            var waiting = new Dictionary<string, List<CarriedChallenge>>(StringComparer.Ordinal);
            var malformed = new MalformedCounter();
            long lines = 0;
            long dataLines = 0;
            long other = 0;
            string? foreign = null;
            string path = file.First().Path;
            foreach (WorkUnit unit in file.OrderBy(u => u.Range))
            {
                if (ranges[unit.Id] is not RangeResult r)
                {
                    continue;
                }

                foreach (string key in waiting.Keys.Where(r.Boundary.FirstSuccess.ContainsKey).ToList())
                {
                    long success = r.Boundary.FirstSuccess[key];
                    foreach (CarriedChallenge c in waiting[key])
                    {
                        merged.ApplyCarried(c, success - c.Ticks is >= 0 and <= ChallengePairing.WindowTicks);
                    }

                    waiting.Remove(key);
                }

                foreach (CarriedChallenge c in r.Boundary.Waiting)
                {
                    if (!waiting.TryGetValue(c.Key, out List<CarriedChallenge>? list))
                    {
                        waiting[c.Key] = list = new List<CarriedChallenge>();
                    }

                    list.Add(c);
                }

                malformed.AddRange(r.Malformed, lines);
                lines += r.Lines;
                dataLines += r.DataLines;
                other += r.OtherProtocol;
                foreign ??= r.Foreign;
            }

            foreach (CarriedChallenge c in waiting.Values.SelectMany(l => l))
            {
                merged.ApplyCarried(c, challenge: false);
            }

            totals.Files++;
            totals.Malformed += malformed.Total;
            LogFiles.NoteForeign(totals, path, dataLines, other, foreign);
            readFiles.Add(path);
            LogFiles.ReportMalformed(path, malformed, _observer);
        }

        return true;
    }

    [MethodImpl(Hot.Path)]
    private void ReadOne(WorkUnit unit, LineEvaluator evaluator, LogSummaryAggregator aggregator, LogReadTotals totals, ConcurrentBag<string> readFiles, RangeResult?[] ranges, CancellationToken cancellation)
    {
        string path = unit.Path;
        LogFileParser? parser;
        if (unit.Range > 0)
        {
            try
            {
                parser = LogFileParser.OpenRange(path, unit.Schema!, unit.Start, unit.End, cancellation);
            }
            catch (Exception ex) when (LogFiles.IsReadFailure(ex))
            {
                _observer.FileFailed(path, LogErrorIds.LogReadFailed, ErrorCategory.ReadError, $"Log file '{DisplayText.Safe(path)}' could not be read: {DisplayText.Safe(ex.Message)}", ex);
                parser = null;
            }
        }
        else
        {
            parser = LogFiles.OpenKnown(path, _observer, cancellation);
            parser?.LimitTo(unit.End);
        }

        if (parser is null)
        {
            Interlocked.Add(ref _bytesDone, unit.IsRange ? 0 : LogFiles.Length(path));
            return;
        }

        using LogFileParser opened = parser;
        long reported = unit.Start;
        var clock = Stopwatch.StartNew();
        ReportProgress(0, path);
        long linesBefore = totals.DataLines;
        long otherBefore = totals.OtherProtocol;
        string? foreign = null;
        if (unit.IsRange)
        {
            aggregator.BeginRange(first: unit.Range == 0);
        }

        try
        {
            while (parser.Next())
            {
                totals.DataLines++;
                switch (evaluator.Evaluate(parser.Fields, parser.Schema!, out LineFacts facts))
                {
                    case LineOutcome.Accepted:
                        totals.Accepted++;
                        aggregator.Add(parser.Fields, parser.Schema!, facts, LineOrder.Of(unit.FileIndex, parser.RecordStart));
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

        totals.Bytes += parser.Position - unit.Start;
        if (unit.IsRange)
        {
            var result = new RangeResult
            {
                Malformed = parser.Malformed,
                Lines = parser.LinesRead,
                DataLines = totals.DataLines - linesBefore,
                OtherProtocol = totals.OtherProtocol - otherBefore,
                Foreign = foreign,
                Unsplittable = parser.SchemaChanged || (!unit.IsLastRange && parser.Position != unit.End),
            };
            aggregator.EndRange(result.Boundary);
            ranges[unit.Id] = result;
            if (unit.IsLastRange)
            {
                Interlocked.Increment(ref _filesDone);
            }

            ReportProgress((unit.IsLastRange ? Math.Max(parser.Position, LogFiles.Length(path)) : unit.End) - reported, path);
            return;
        }

        aggregator.EndFile();
        totals.Files++;
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

/// <summary>
/// A line's place in the run: its file's place in the list, then its byte offset in the file. Issue 18: where
/// the merge must choose (the client seen last, an anchor's user, a repeated RequestId) it chooses by this, so
/// the summary does not depend on which worker read what or finished first.
/// </summary>
internal static class LineOrder
{
    /// <summary>Files up to 1 TB (far above InputFile's limits) keep their offsets apart.</summary>
    private const int OffsetBits = 40;

    public static long Of(int fileIndex, long offset) => ((long)fileIndex << OffsetBits) | offset;
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
