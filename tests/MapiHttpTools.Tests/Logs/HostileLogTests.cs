using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Lab;
using MapiHttpTools.Logs;
using Xunit;

namespace MapiHttpTools.Tests.Logs;

/// <summary>Issue 20: log files made to hurt (control characters, endless lines, FIFOs, devices) and stopping a long read.</summary>
public sealed class HostileLogTests
{
    private static readonly DateTime Day = new(2024, 3, 11, 0, 0, 0, DateTimeKind.Utc);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    [Fact]
    public void Control_characters_in_user_names_and_agents_are_escaped_in_findings()
    {
        var lines = new List<ProxyLine>();
        for (int u = 0; u < 20; u++)
        {
            for (int i = 0; i < 10; i++)
            {
                lines.Add(new ProxyLine(Day.AddHours(8).AddSeconds(u * 60 + i), $"user{u:00}", 200));
            }
        }

        for (int i = 0; i < 8; i++)
        {
            lines.Add(new ProxyLine(Day.AddHours(8).AddMinutes(30).AddSeconds(i), "evil\u001b]0;owned\u0007", 403, Agent: "Evil\u001b[2J/1.0"));
        }

        using var folder = new TempFolder();
        string file = folder.File("HttpProxy_2024031108-1.LOG", HttpProxyLog.Text(lines.OrderBy(l => l.Time)));
        MapiHttpLogSummary s = new LogSummaryEngine(new SummaryOptions(), new CollectingObserver()).Run(new[] { file }, CancellationToken.None);

        MapiHttpLogFinding finding = Assert.Single(s.Findings, f => f.Check == "LogUserFailures");
        Assert.StartsWith("CONTOSO\\evil\\e]0;owned\\a: 8 of 8 requests from Evil\\e[2J failed (403 x8)", finding.Message);
        Assert.Equal("CONTOSO\\evil\\e]0;owned\\a", finding.Target);
        Assert.Equal("CONTOSO\\evil\\e]0;owned\\a", finding.Evidence["User"]);
        Assert.Contains("Get-CASMailbox -Identity 'CONTOSO\\evil\\e]0;owned\\a'", finding.Recommendation);
        foreach (string text in new[] { finding.Message, finding.Recommendation!, finding.Target! })
        {
            Assert.DoesNotContain('\u001b', text);
            Assert.DoesNotContain('\u0007', text);
        }

        // The statistics rows are data: they keep the name as logged.
        Assert.Contains(s.ByUser, r => r.Key == "CONTOSO\\evil\u001b]0;owned\u0007");
    }

    [Fact]
    public void A_100_MB_line_without_a_line_end_is_skipped_as_malformed_with_its_line_number()
    {
        DateTime t = Day.AddHours(8);
        byte[] head = Encoding.UTF8.GetBytes(HttpProxyLog.Header(t) + HttpProxyLog.Line(new ProxyLine(t, "alice", 200)) + "\r\n");
        byte[] tail = Encoding.UTF8.GetBytes("\r\n" + HttpProxyLog.Line(new ProxyLine(t.AddSeconds(1), "bob", 200)) + "\r\n");
        using var stream = new GeneratedStream(head, 100L << 20, (byte)'x', tail);
        using LogFileParser parser = LogFileParser.Open(stream, "HttpProxy_2024031108-1.LOG", CancellationToken.None);

        var users = new List<string?>();
        while (parser.Next())
        {
            users.Add(parser.Fields.GetString(parser.Schema!.User));
        }

        Assert.Equal(new[] { "CONTOSO\\alice", "CONTOSO\\bob" }, users);
        Assert.Equal(1, parser.Malformed.Count(MalformedReason.TooLong));
        Assert.Equal(1, parser.Malformed.Total);
        Assert.Equal("1 longer than 4 MB (not a log line; skipped unread) at line 7", parser.Malformed.Describe());
        Assert.Equal(stream.Length, parser.Position);
    }

    [Fact]
    public async Task A_FIFO_and_a_device_are_refused_without_being_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new InvalidOperationException("This test creates a FIFO: it runs on Linux.");
        }

        using var folder = new TempFolder();
        string fifo = Path.Combine(folder.Path, "HttpProxy_2024031108-1.LOG");
        Assert.Equal(0, mkfifo(fifo, Convert.ToUInt32("644", 8)));
        using var session = new ModuleSession();

        // Opening the FIFO would block until a writer comes: the guard only keeps a failing run from hanging.
        Task<ScriptResult> run = Task.Run(() => session.Invoke("Read-MapiHttpLog -LiteralPath $fifo, '/dev/zero'; Get-MapiHttpLogSummary -LiteralPath $fifo", Vars(("fifo", fifo))));
        Task done = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(done == run, "Read-MapiHttpLog blocked on the FIFO");
        ScriptResult result = await run;

        Assert.Empty(result.Output);
        Assert.Equal(
            new[] { "InputFileNotRegular,MapiHttpTools.Commands.ReadMapiHttpLogCommand", "InputFileNotRegular,MapiHttpTools.Commands.ReadMapiHttpLogCommand", "InputFileNotRegular,MapiHttpTools.Commands.GetMapiHttpLogSummaryCommand" },
            result.ErrorIds);
        Assert.Equal(new object[] { fifo, "/dev/zero", fifo }, result.Errors.Select(e => e.TargetObject));
        Assert.Equal($"'{fifo}' is empty or is not a regular file (a device or a pipe): it was not opened.", result.Errors[0].Exception.Message);
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category));
    }

    [Fact]
    public void Stop_ends_Read_MapiHttpLog_on_a_large_file()
    {
        using var folder = new TempFolder();
        string file = LargeFile(folder, 40_000);
        using var session = new ModuleSession();
        using var first = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();

        // The first record blocks downstream until Stop() is under way; the reader cannot run past the bounded queue.
        using PowerShell shell = session.Prepare("Read-MapiHttpLog -LiteralPath $path | ForEach-Object { $first.Set(); $gate.Wait() }", Vars(("path", file), ("first", first), ("gate", gate)));
        IAsyncResult invocation = shell.BeginInvoke();
        first.Wait();
        IAsyncResult stopping = shell.BeginStop(null, null);
        gate.Set();
        shell.EndStop(stopping);

        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(invocation));
    }

    [Fact]
    public void Stop_ends_Get_MapiHttpLogSummary_on_a_large_file()
    {
        using var folder = new TempFolder();
        string file = LargeFile(folder, 60_000);
        using var session = new ModuleSession();
        using var reading = new ManualResetEventSlim();
        using PowerShell shell = session.Prepare("Get-MapiHttpLogSummary -LiteralPath $path", Vars(("path", file)));
        shell.Streams.Progress.DataAdded += (_, _) => reading.Set();

        IAsyncResult invocation = shell.BeginInvoke();
        reading.Wait();
        shell.Stop();

        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(invocation));
    }

    private static string LargeFile(TempFolder folder, int lines)
    {
        DateTime t = Day.AddHours(8);
        var text = new StringBuilder(HttpProxyLog.Header(t));
        string line = HttpProxyLog.Line(new ProxyLine(t, "alice", 200));
        for (int i = 0; i < lines; i++)
        {
            text.Append(line).Append("\r\n");
        }

        return folder.File("HttpProxy_2024031108-1.LOG", text.ToString());
    }

    /// <summary>head, then <c>count</c> times <c>fill</c>, then tail, without holding the fill in memory.</summary>
    private sealed class GeneratedStream : Stream
    {
        private readonly byte[] _head;
        private readonly long _count;
        private readonly byte _fill;
        private readonly byte[] _tail;
        private long _position;

        public GeneratedStream(byte[] head, long count, byte fill, byte[] tail)
        {
            _head = head;
            _count = count;
            _fill = fill;
            _tail = tail;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _head.Length + _count + _tail.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int done = 0;
            while (done < count && _position < Length)
            {
                long p = _position;
                int n;
                if (p < _head.Length)
                {
                    n = (int)Math.Min(count - done, _head.Length - p);
                    Array.Copy(_head, p, buffer, offset + done, n);
                }
                else if (p < _head.Length + _count)
                {
                    n = (int)Math.Min(count - done, _head.Length + _count - p);
                    buffer.AsSpan(offset + done, n).Fill(_fill);
                }
                else
                {
                    long t = p - _head.Length - _count;
                    n = (int)Math.Min(count - done, _tail.Length - t);
                    Array.Copy(_tail, t, buffer, offset + done, n);
                }

                done += n;
                _position += n;
            }

            return done;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
