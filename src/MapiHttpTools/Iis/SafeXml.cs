using System;
using System.IO;
using System.Threading;
using System.Xml;
using System.Xml.Linq;
using MapiHttpTools.Infrastructure;

namespace MapiHttpTools.Iis;

/// <summary>
/// Loads an XML input file (applicationHost.config, cached Autodiscover XML) so that hostile files cannot hurt
/// (issue 20): the file passes <see cref="InputFile"/> (regular file, size limit, bounded read), no DTD or external
/// resource is touched, element nesting is bounded while reading, and every buffer read checks the cancellation token
/// so Ctrl+C acts at once on any input. XML nested 500,000 deep ran past 400 s before; now it stops at the bound.
/// </summary>
internal static class SafeXml
{
    /// <summary>
    /// Deeper than any real IIS configuration or Autodiscover response (both stay under 15 levels), far below what
    /// makes the reader or the tree slow.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Reads <paramref name="path"/> into an XDocument with line information. Throws FileNotFoundException,
    /// <see cref="InputFileException"/> (not a regular file, too large), <see cref="XmlException"/> with a line and
    /// position (malformed, or nested deeper than <see cref="MaxDepth"/>), or OperationCanceledException.
    /// </summary>
    public static XDocument Load(string path, string what, long maxBytes, CancellationToken cancellation, bool ignoreComments = false)
    {
        cancellation.ThrowIfCancellationRequested();

        // First pass: stream through the file checking the depth (the tree would be built before any check could
        // see it); second pass: build the tree of a file known to be shallow. Both passes are linear.
        using (XmlReader scan = Open(path, what, maxBytes, cancellation, ignoreComments))
        {
            while (scan.Read())
            {
                if (scan.Depth > MaxDepth)
                {
                    var info = (IXmlLineInfo)scan;
                    throw new XmlException($"elements are nested more than {MaxDepth} deep, which no {what} is.", null, info.LineNumber, info.LinePosition);
                }
            }
        }

        using XmlReader reader = Open(path, what, maxBytes, cancellation, ignoreComments);
        return XDocument.Load(reader, LoadOptions.SetLineInfo);
    }

    /// <summary>
    /// The same rules for XML that arrived over the network (an Autodiscover answer, issue 14): no DTD, no entities,
    /// nesting bounded, at most <paramref name="content"/>'s length in characters. Throws <see cref="XmlException"/>.
    /// </summary>
    public static XDocument Load(byte[] content, string what)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            IgnoreComments = true,
            MaxCharactersFromEntities = 0,
            MaxCharactersInDocument = Math.Max(1, content.Length),
        };
        using (XmlReader scan = XmlReader.Create(new MemoryStream(content, false), settings))
        {
            while (scan.Read())
            {
                if (scan.Depth > MaxDepth)
                {
                    var info = (IXmlLineInfo)scan;
                    throw new XmlException($"elements are nested more than {MaxDepth} deep, which no {what} is.", null, info.LineNumber, info.LinePosition);
                }
            }
        }

        using XmlReader reader = XmlReader.Create(new MemoryStream(content, false), settings);
        return XDocument.Load(reader, LoadOptions.SetLineInfo);
    }

    private static XmlReader Open(string path, string what, long maxBytes, CancellationToken cancellation, bool ignoreComments)
    {
        Stream stream = new CancellableStream(InputFile.OpenRead(path, what, maxBytes), cancellation);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            CloseInput = true,
            IgnoreComments = ignoreComments,
            MaxCharactersFromEntities = 0,
            MaxCharactersInDocument = maxBytes,
        };
        return XmlReader.Create(stream, settings);
    }

    /// <summary>A read-only stream that checks the cancellation token before every read.</summary>
    private sealed class CancellableStream : Stream
    {
        private readonly Stream _inner;
        private readonly CancellationToken _cancellation;

        public CancellableStream(Stream inner, CancellationToken cancellation)
        {
            _inner = inner;
            _cancellation = cancellation;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            _cancellation.ThrowIfCancellationRequested();
            return _inner.Read(buffer, offset, count);
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
