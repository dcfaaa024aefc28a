using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Logs;

namespace MapiHttpTools.Commands;

/// <summary>
/// What Read-MapiHttpLog and Get-MapiHttpLogSummary share: the inputs (-Path with wildcards, -LiteralPath
/// and pipeline input from Get-ChildItem by FullName/PSPath; folders are searched for *.log), the filters,
/// and an observer that turns engine events into errors, verbose messages and progress by bytes read.
/// </summary>
public abstract class MapiHttpLogCmdletBase : MapiHttpCmdletBase
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";

    /// <summary>Log files or folders; wildcards allowed. Folders are searched recursively for *.log files.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Log files or folders taken literally (no wildcards); binds FullName/PSPath from Get-ChildItem.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Only requests logged at or after this time (local or UTC; compared in UTC).</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only requests logged before this time (local or UTC; compared in UTC).</summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary>Only requests of these users (wildcards; matches DOMAIN\name, name, UPN/SMTP address or its local part).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? User { get; set; }

    /// <summary>Only requests with these status codes (HTTP; RPC status for MAPI Client Access logs).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public int[]? Status { get; set; }

    /// <summary>Only requests through these front-end or back-end servers (wildcards; host name or FQDN).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Server { get; set; }

    /// <summary>Only requests that took at least this many milliseconds.</summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double? MinimumLatencyMs { get; set; }

    internal LogFilter Filter { get; private set; } = LogFilter.None;

    internal abstract int ProgressActivityId { get; }

    internal abstract string ProgressActivity { get; }

    protected override void BeginProcessing()
    {
        if (Since.HasValue && Until.HasValue && LogFilter.ToUtc(Since.Value) >= LogFilter.ToUtc(Until.Value))
        {
            ThrowTerminatingError(ErrorRecords.Create("InvalidTimeRange", ErrorCategory.InvalidArgument, Until,
                $"-Until ({Until.Value:u}) must be later than -Since ({Since.Value:u})."));
        }

        Filter = new LogFilter(Since, Until, User, Status, Server, MinimumLatencyMs);
    }

    /// <summary>The files this record's -Path/-LiteralPath name, in order, each once; errors written for the rest.</summary>
    internal List<string> ResolveFiles()
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (string literal in LiteralPath)
            {
                string resolved;
                ProviderInfo provider;
                try
                {
                    resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(literal, out provider, out _);
                }
                catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
                {
                    NotFound(literal, $"Log path '{DisplayText.Safe(literal)}' was not found: {DisplayText.Safe(ex.Message)}", ex);
                    continue;
                }

                if (IsFileSystem(provider, literal))
                {
                    Expand(resolved, literal, files, seen);
                }
            }

            return files;
        }

        foreach (string pattern in Path)
        {
            Collection<string> resolved;
            ProviderInfo provider;
            try
            {
                resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(pattern, out provider);
            }
            catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
            {
                NotFound(pattern, $"Log path '{DisplayText.Safe(pattern)}' was not found: {DisplayText.Safe(ex.Message)}", ex);
                continue;
            }

            if (!IsFileSystem(provider, pattern))
            {
                continue;
            }

            if (resolved.Count == 0)
            {
                NotFound(pattern, $"No file or folder matches '{DisplayText.Safe(pattern)}'.", null);
                continue;
            }

            foreach (string path in resolved)
            {
                Expand(path, pattern, files, seen);
            }
        }

        return files;
    }

    private bool IsFileSystem(ProviderInfo provider, string input)
    {
        if (string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        NotFound(input, $"'{DisplayText.Safe(input)}' is a {provider.Name} path; log files must be on the file system.", null);
        return false;
    }

    private void Expand(string path, string input, List<string> files, HashSet<string> seen)
    {
        if (Directory.Exists(path))
        {
            string[] logs;
            try
            {
                logs = LogFolder.Enumerate(path).ToArray();
            }
            catch (Exception ex) when (LogFiles.IsReadFailure(ex))
            {
                WriteError(ErrorRecords.Create(LogErrorIds.LogReadFailed, ErrorCategory.ReadError, input, $"Log folder '{DisplayText.Safe(path)}' could not be listed: {DisplayText.Safe(ex.Message)}", ex));
                return;
            }

            if (logs.Length == 0)
            {
                NotFound(input, $"Folder '{DisplayText.Safe(path)}' holds no *.log files.", null);
                return;
            }

            foreach (string log in logs)
            {
                if (seen.Add(log))
                {
                    files.Add(log);
                }
            }

            return;
        }

        if (!File.Exists(path))
        {
            NotFound(input, $"Log file '{DisplayText.Safe(path)}' was not found.", null);
            return;
        }

        if (seen.Add(path))
        {
            files.Add(path);
        }
    }

    private void NotFound(string input, string message, Exception? inner) =>
        WriteError(ErrorRecords.Create(LogErrorIds.LogFileNotFound, ErrorCategory.ObjectNotFound, input, message, inner));

    /// <summary>Forwards engine events to the pipeline: errors, verbose text, and progress at most four times a second.</summary>
    internal sealed class PipelineObserver : ILogObserver
    {
        private readonly AsyncPipeline _pipeline;
        private readonly int _activityId;
        private readonly string _activity;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly object _gate = new();
        private long _lastProgress = -1000;

        public PipelineObserver(AsyncPipeline pipeline, int activityId, string activity)
        {
            _pipeline = pipeline;
            _activityId = activityId;
            _activity = activity;
        }

        public void FileFailed(string path, string errorId, ErrorCategory category, string message, Exception? inner) =>
            _pipeline.WriteError(ErrorRecords.Create(errorId, category, path, message, inner));

        public void Verbose(string message) => _pipeline.WriteVerbose(message);

        public void Warning(string message) => _pipeline.WriteWarning(message);

        public void Progress(long bytesDone, long bytesTotal, string currentFile, int filesDone, int fileCount)
        {
            bool complete = filesDone >= fileCount && currentFile.Length == 0;
            lock (_gate)
            {
                long now = _clock.ElapsedMilliseconds;
                if (!complete && now - _lastProgress < 250)
                {
                    return;
                }

                _lastProgress = now;
            }

            int percent = bytesTotal <= 0 ? 0 : (int)Math.Min(100, bytesDone * 100 / bytesTotal);
            var record = new ProgressRecord(_activityId, _activity, $"{Mb(bytesDone)} of {Mb(bytesTotal)} MB, file {Math.Min(filesDone + 1, fileCount)} of {fileCount}")
            {
                PercentComplete = percent,
                CurrentOperation = currentFile,
                RecordType = complete ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            };
            _pipeline.WriteProgress(record);
        }

        private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
    }
}
