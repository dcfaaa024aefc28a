using System;
using System.Collections.Generic;
using System.Linq;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using System.Threading;
using System.Runtime.CompilerServices;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Logs;

/// <summary>What the engine tells its caller while it reads (the cmdlets forward it to the pipeline). Thread-safe.</summary>
internal interface ILogObserver
{
    /// <summary>A file could not be read at all, or not to its end. Ids: LogFileNotFound, UnknownLogFormat, LogReadFailed.</summary>
    void FileFailed(string path, string errorId, ErrorCategory category, string message, Exception? inner);

    void Verbose(string message);

    /// <summary>Something the user must see although nothing failed (a log of another protocol read for nothing).</summary>
    void Warning(string message);

    /// <summary>Called often; the observer throttles.</summary>
    void Progress(long bytesDone, long bytesTotal, string currentFile, int filesDone, int fileCount);
}

/// <summary>An observer that ignores everything (the benchmark).</summary>
internal sealed class NullObserver : ILogObserver
{
    public static readonly NullObserver Instance = new();

    public void FileFailed(string path, string errorId, ErrorCategory category, string message, Exception? inner)
    {
    }

    public void Verbose(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Progress(long bytesDone, long bytesTotal, string currentFile, int filesDone, int fileCount)
    {
    }
}

/// <summary>The stable error ids of the log cmdlets.</summary>
internal static class LogErrorIds
{
    public const string LogFileNotFound = "LogFileNotFound";
    public const string UnknownLogFormat = "UnknownLogFormat";
    public const string LogReadFailed = "LogReadFailed";
}

/// <summary>Counters of one read.</summary>
internal sealed class LogReadTotals
{
    public long Files;
    public long Bytes;
    public long DataLines;
    public long Accepted;
    public long Filtered;
    public long OtherProtocol;
    public long Malformed;

    /// <summary>The time range of every dated line read, before the filters (to say why -Since/-Until left nothing).</summary>
    public long DataFirstTicks = long.MaxValue;
    public long DataLastTicks = long.MinValue;

    /// <summary>Files whose every line was of another protocol, by that protocol ("Owa": 3 files, the first named).</summary>
    public Dictionary<string, (int Files, string First)> ForeignFiles { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Counts <paramref name="path"/> as a log of <paramref name="protocol"/> only.</summary>
    public void AddForeign(string protocol, string path)
    {
        ForeignFiles[protocol] = ForeignFiles.TryGetValue(protocol, out var seen) ? (seen.Files + 1, seen.First) : (1, path);
    }

    public void AddRange(long first, long last)
    {
        DataFirstTicks = Math.Min(DataFirstTicks, first);
        DataLastTicks = Math.Max(DataLastTicks, last);
    }

    public void Add(LogReadTotals other)
    {
        AddRange(other.DataFirstTicks, other.DataLastTicks);
        foreach (KeyValuePair<string, (int Files, string First)> pair in other.ForeignFiles)
        {
            ForeignFiles[pair.Key] = ForeignFiles.TryGetValue(pair.Key, out var seen) ? (seen.Files + pair.Value.Files, seen.First) : pair.Value;
        }

        Files += other.Files;
        Bytes += other.Bytes;
        DataLines += other.DataLines;
        Accepted += other.Accepted;
        Filtered += other.Filtered;
        OtherProtocol += other.OtherProtocol;
        Malformed += other.Malformed;
    }
}

/// <summary>
/// Opens files for the engines: turns every way a file can fail into one observer call with a stable id
/// and the file named, so one bad file never stops the others.
/// </summary>
internal static class LogFiles
{
    /// <summary>Opens <paramref name="path"/> and reads its header; null (after reporting) when it cannot be used.</summary>
    public static LogFileParser? OpenKnown(string path, ILogObserver observer, CancellationToken cancellation, bool headerOnly = false)
    {
        if (NotRegular(path) is string why)
        {
            observer.FileFailed(path, InputFile.NotRegularErrorId, ErrorCategory.InvalidArgument, why, null);
            return null;
        }

        LogFileParser parser;
        try
        {
            parser = headerOnly ? LogFileParser.OpenHeader(path, cancellation) : LogFileParser.Open(path, cancellation);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            observer.FileFailed(path, LogErrorIds.LogFileNotFound, ErrorCategory.ObjectNotFound, $"Log file '{DisplayText.Safe(path)}' was not found.", ex);
            return null;
        }
        catch (Exception ex) when (IsReadFailure(ex))
        {
            observer.FileFailed(path, LogErrorIds.LogReadFailed, ErrorCategory.ReadError, $"Log file '{DisplayText.Safe(path)}' could not be read: {DisplayText.Safe(ex.Message)}", ex);
            return null;
        }

        if (parser.Schema is null)
        {
            observer.FileFailed(path, LogErrorIds.UnknownLogFormat, ErrorCategory.InvalidData, $"'{DisplayText.Safe(path)}' is not a MAPI/HTTP log this module reads: {DisplayText.Safe(parser.UnknownReason, 1024)}.", null);
            parser.Dispose();
            return null;
        }

        return parser;
    }

    /// <summary>
    /// Why <paramref name="path"/> must not be opened, or null. Issue 20: a FIFO blocks whoever opens it and
    /// /dev/zero never ends; both (like every device) show a length of 0, so a zero-length file is refused before
    /// it is opened, as InputFile does. Unlike InputFile there is no size limit: logs being written grow, legitimately.
    /// </summary>
    public static string? NotRegular(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return $"'{DisplayText.Safe(path)}' is a folder where a log file was expected.";
            }

            var info = new FileInfo(path);
            return info.Exists && info.Length == 0
                ? $"'{DisplayText.Safe(path)}' is empty or is not a regular file (a device or a pipe): it was not opened."
                : null;
        }
        catch (Exception ex) when (IsReadFailure(ex) || ex is ArgumentException)
        {
            return null;
        }
    }

    public static bool IsReadFailure(Exception ex) => ex is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or System.Security.SecurityException;

    public static long Length(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (Exception ex) when (IsReadFailure(ex) || ex is ArgumentException)
        {
            return 0;
        }
    }

    /// <summary>
    /// Issue 11: an Owa/Eas/RpcHttp HttpProxy log (same columns as HttpProxy\Mapi) used to give nothing, silently.
    /// One warning per protocol found, naming it and the first such file.
    /// </summary>
    public static void ReportForeign(LogReadTotals totals, ILogObserver observer)
    {
        foreach (KeyValuePair<string, (int Files, string First)> pair in totals.ForeignFiles)
        {
            string files = pair.Value.Files == 1 ? $"'{DisplayText.Safe(pair.Value.First)}' holds" : $"{pair.Value.Files} files (the first '{DisplayText.Safe(pair.Value.First)}') hold";
            observer.Warning($"{files} no MAPI/HTTP requests: every request in them is of protocol '{DisplayText.Safe(pair.Key)}'. " +
                             "Give the logs of Logging\\HttpProxy\\Mapi (or MapiHttp\\Mailbox, MAPI Client Access, IIS W3C with /mapi requests).");
        }

        totals.ForeignFiles.Clear();
    }

    /// <summary>After a file is read: notes it when all its lines were of another protocol.</summary>
    public static void NoteForeign(LogReadTotals totals, string path, long lines, long otherProtocol, string? protocol)
    {
        if (lines > 0 && otherProtocol == lines)
        {
            totals.AddForeign(protocol ?? "(unknown)", path);
        }
    }

    public static void ReportMalformed(LogFileParser parser, ILogObserver observer)
    {
        if (parser.Malformed.Total > 0)
        {
            observer.Verbose($"{DisplayText.Safe(parser.Path)}: {parser.Malformed.Total} malformed line(s) skipped: {parser.Malformed.Describe()}.");
        }
    }
}

/// <summary>The log files under a folder: *.log in any letter case (Exchange writes .LOG, IIS .log), recursively, sorted.</summary>
internal static class LogFolder
{
    public static IEnumerable<string> Enumerate(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".log", StringComparison.OrdinalIgnoreCase))
            .OrderBy(f => f, StringComparer.OrdinalIgnoreCase);
}
