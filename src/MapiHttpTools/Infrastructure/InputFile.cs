using System;
using System.IO;
using System.Management.Automation;

namespace MapiHttpTools.Infrastructure;

/// <summary>
/// The one gate every offline input file passes (snapshots, applicationHost.config, event exports, .reg exports, repair
/// backups, Autodiscover XML): it must be an existing regular file of at most a documented size, and reading it never
/// goes past that size even if the file grows (issue 20: /dev/zero as a .reg ended in OutOfMemoryException, a FIFO
/// blocked the session, a 200 MB snapshot took 2-3 GB).
/// </summary>
/// <remarks>
/// .NET gives no portable way to ask for the file type: on Linux a device or FIFO is "a file" of length 0. Opening a
/// FIFO blocks until a writer comes, so the length is checked before anything is opened, and a zero-length input is
/// refused as "empty, or not a regular file": none of the formats the module reads means anything when empty.
/// </remarks>
internal static class InputFile
{
    /// <summary>The error id when the path is a folder, device, FIFO or an empty file.</summary>
    public const string NotRegularErrorId = "InputFileNotRegular";

    /// <summary>The error id when the file is larger than the limit for its kind.</summary>
    public const string TooLargeErrorId = "InputFileTooLarge";

    /// <summary>
    /// Checks <paramref name="path"/> and returns its full path. <paramref name="what"/> names the input in messages
    /// ("the snapshot", "the .reg export"); <paramref name="maxBytes"/> is the documented limit for that kind of file.
    /// A missing file is the caller's own error (each cmdlet has its own NotFound id), so this throws
    /// <see cref="FileNotFoundException"/> for it.
    /// </summary>
    public static string Check(string path, string what, long maxBytes)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new InputFileException(NotRegularErrorId, ErrorCategory.InvalidArgument, path, $"'{DisplayText.Safe(path)}' is a folder, not {what}: pass the file itself.");
        }

        var info = new FileInfo(full);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"'{DisplayText.Safe(path)}' does not exist.", full);
        }

        if (info.Length == 0)
        {
            throw new InputFileException(NotRegularErrorId, ErrorCategory.InvalidData, path, $"'{DisplayText.Safe(path)}' is empty or is not a regular file (a device or a pipe): it cannot be {what}.");
        }

        if (info.Length > maxBytes)
        {
            throw new InputFileException(TooLargeErrorId, ErrorCategory.LimitsExceeded, path, $"'{DisplayText.Safe(path)}' is {Megabytes(info.Length)}, more than the {Megabytes(maxBytes)} that {what} may be: this is not a file the module wrote or Exchange exports at that size.");
        }

        return full;
    }

    /// <summary>Checks the file as <see cref="Check"/> does and opens it for reading, bounded to <paramref name="maxBytes"/>.</summary>
    public static Stream OpenRead(string path, string what, long maxBytes)
    {
        string full = Check(path, what, maxBytes);
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
        return new BoundedReadStream(stream, maxBytes, path, what);
    }

    internal static string Megabytes(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024.0):0.#} MB"
        : $"{bytes:N0} bytes";

    /// <summary>A read-only stream that fails once more than its limit has been read (a file that grows while read).</summary>
    private sealed class BoundedReadStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _limit;
        private readonly string _path;
        private readonly string _what;
        private long _read;

        public BoundedReadStream(Stream inner, long limit, string path, string what)
        {
            _inner = inner;
            _limit = limit;
            _path = path;
            _what = what;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = _inner.Read(buffer, offset, count);
            _read += n;
            if (_read > _limit)
            {
                throw new InputFileException(TooLargeErrorId, ErrorCategory.LimitsExceeded, _path, $"'{DisplayText.Safe(_path)}' grew past the {Megabytes(_limit)} that {_what} may be while it was read.");
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>An input file refused by <see cref="InputFile"/>: carries the stable error id, category and target for the cmdlet's error record.</summary>
internal sealed class InputFileException : IOException
{
    public InputFileException(string errorId, ErrorCategory category, object target, string message)
        : base(message)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }

    public ErrorCategory Category { get; }

    public object Target { get; }

    public ErrorRecord ToErrorRecord() => ErrorRecords.Create(ErrorId, Category, Target, Message, this);
}
