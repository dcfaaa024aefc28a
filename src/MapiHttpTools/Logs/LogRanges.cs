using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;

namespace MapiHttpTools.Logs;

/// <summary>
/// Issue 18: one large log read at the speed of reading it. Exchange's CSV logs (HttpProxy, MapiHttp Mailbox, MAPI
/// Client Access) write their header once at the top, so a byte range that starts at a line start can be read
/// with the file's header on its own; the engine reads the ranges in parallel and settles what crosses their ends.
/// </summary>
internal static class LogRanges
{
    /// <summary>How far past a nominal cut a line end is looked for; a longer line is not cut there.</summary>
    private const int SearchBytes = 64 * 1024;

    /// <summary>
    /// Where the ranges start (the first at 0), about <paramref name="rangeBytes"/> apart, each just after a line end
    /// past the header and the first data line; null when the file is not one that can be split.
    /// </summary>
    public static List<long>? Starts(string path, long rangeBytes, CancellationToken cancellation, out LogSchema? schema)
    {
        schema = null;
        long afterFirstLine;
        try
        {
            using LogFileParser header = LogFileParser.OpenHeader(path, cancellation);
            if (header.Schema is not { Kind: MapiHttpLogKind.HttpProxy or MapiHttpLogKind.MapiHttpMailbox or MapiHttpLogKind.MapiClientAccess })
            {
                return null;
            }

            schema = header.Schema;
            afterFirstLine = header.Position;
        }
        catch (Exception ex) when (LogFiles.IsReadFailure(ex))
        {
            // Read whole: the whole-file read reports the failure.
            return null;
        }

        var starts = new List<long> { 0 };
        var buffer = new byte[SearchBytes];
        using FileStream stream = LogLineReader.Open(path);
        long length = stream.Length;
        for (long nominal = rangeBytes; nominal < length; nominal += rangeBytes)
        {
            long from = Math.Max(nominal, afterFirstLine) - 1;
            if (from <= starts[starts.Count - 1])
            {
                continue;
            }

            stream.Seek(from, SeekOrigin.Begin);
            int read = stream.Read(buffer, 0, buffer.Length);
            int newline = read > 0 ? Array.IndexOf(buffer, (byte)'\n', 0, read) : -1;
            long start = from + newline + 1;
            if (newline >= 0 && start < length && start > starts[starts.Count - 1])
            {
                starts.Add(start);
            }
        }

        return starts;
    }
}

/// <summary>Holds messages until <see cref="Flush"/> (issue 18: a split read whose ranges do not merge is read again, whole); progress passes on.</summary>
internal sealed class HeldObserver : ILogObserver
{
    private readonly ILogObserver _inner;
    private readonly List<Action<ILogObserver>> _held = new();

    public HeldObserver(ILogObserver inner) => _inner = inner;

    public void FileFailed(string path, string errorId, ErrorCategory category, string message, Exception? inner) =>
        Hold(o => o.FileFailed(path, errorId, category, message, inner));

    public void Verbose(string message) => Hold(o => o.Verbose(message));

    public void Warning(string message) => Hold(o => o.Warning(message));

    public void Progress(long bytesDone, long bytesTotal, string currentFile, int filesDone, int fileCount) =>
        _inner.Progress(bytesDone, bytesTotal, currentFile, filesDone, fileCount);

    public void Flush()
    {
        foreach (Action<ILogObserver> message in _held)
        {
            message(_inner);
        }

        _held.Clear();
    }

    private void Hold(Action<ILogObserver> message)
    {
        lock (_held)
        {
            _held.Add(message);
        }
    }
}
