using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.ClientProtocols;
using Xunit;

namespace MapiHttpTools.Tests.ClientProtocols;

/// <summary>The IMAP4/POP3 line reader's bounds and the login judgement's reading of Exchange's answers (issue 16).</summary>
public sealed class MailWireTests
{
    [Fact]
    public async Task A_line_longer_than_8192_bytes_ends_the_exchange()
    {
        var wire = new MailWire(new MemoryStream(Encoding.ASCII.GetBytes("* OK " + new string('x', 9000) + "\r\n")));

        MailProtocolException error = await Assert.ThrowsAsync<MailProtocolException>(() => wire.ReadLineAsync(CancellationToken.None));
        Assert.Equal("The server sent a line longer than 8192 bytes.", error.Message);
    }

    [Fact]
    public async Task An_imap_response_of_more_than_1000_untagged_lines_ends_the_exchange()
    {
        string flood = string.Concat(Enumerable.Repeat("* CAPABILITY IMAP4rev1\r\n", 1001)) + "a1 OK done\r\n";
        var wire = new MailWire(new MemoryStream(Encoding.ASCII.GetBytes(flood)));

        MailProtocolException error = await Assert.ThrowsAsync<MailProtocolException>(() => wire.ReadImapResponseAsync("a1", CancellationToken.None));
        Assert.Equal("The server sent more than 1000 lines without completing the command.", error.Message);
    }

    [Fact]
    public async Task A_pop3_list_is_dot_unstuffed_and_ends_at_the_lone_dot_without_reading_past_it()
    {
        var wire = new MailWire(new MemoryStream(Encoding.ASCII.GetBytes("USER\r\n..odd\r\nSTLS\r\n.\r\n+OK next\r\n")));

        Assert.Equal(new[] { "USER", ".odd", "STLS" }, await wire.ReadPopMultiLineAsync(CancellationToken.None));
        Assert.Equal("+OK next\r\n".Length, wire.Buffered);
        Assert.Equal("+OK next", await wire.ReadLineAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_read_from_a_server_that_never_answers_ends_when_the_token_is_cancelled()
    {
        using var never = new NeverStream();
        var wire = new MailWire(never);
        using var cancel = new CancellationTokenSource();
        Task<string?> read = wire.ReadLineAsync(cancel.Token);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public void Exchanges_authenticated_but_not_connected_answer_is_the_mailbox_setting_not_the_password()
    {
        var finding = MailJudgement.Login(ExchangeClientProtocol.Imap4, new LoginFacts(false, "NO User is authenticated but not connected.", false), "CONTOSO\\alice", "EX01");

        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled), (finding.Status, finding.Cause));
        Assert.Equal("Set-CASMailbox -Identity 'CONTOSO\\alice' -ImapEnabled $true", finding.Recommendation);
    }

    [Fact]
    public void Server_text_in_a_greeting_is_escaped()
    {
        var finding = MailJudgement.Greeting(ExchangeClientProtocol.Pop3, "-ERR busy\u001b[31m", false, TimeSpan.FromSeconds(5), "10.0.0.11", null);

        Assert.Equal(MapiHttpCause.Service, finding.Cause);
        Assert.DoesNotContain("\u001b", finding.Message, StringComparison.Ordinal);
    }

    /// <summary>A stream whose reads wait until cancelled, as a silent server's socket does.</summary>
    private sealed class NeverStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => 0;

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }
    }
}
