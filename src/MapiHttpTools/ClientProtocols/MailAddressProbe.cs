using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.ClientProtocols;

/// <summary>
/// One IMAP4/POP3 session against one address (issue 16): TCP, implicit TLS or the greeting, capabilities, STARTTLS/STLS,
/// and with a credential a login and logout. Gathers facts with the MAPI probe's transport (<see cref="ProbeTransport"/>)
/// and asks <see cref="MailJudgement"/> and <see cref="ProbeJudgement.Tls"/> what they mean. Stops at the first step
/// that leaves nothing to test. The password is sent only inside TLS with a validated certificate unless the admin
/// passed -AllowUnencryptedAuthentication, and never appears in a result.
/// </summary>
internal sealed class MailAddressProbe
{
    private readonly MailProbeOptions _options;
    private readonly MailTarget _target;
    private readonly IPAddress _address;
    private readonly string _label;
    private readonly List<ExchangeClientProtocolResult> _rows = new();
    private readonly bool _imap;
    private int _tag;

    public MailAddressProbe(MailProbeOptions options, MailTarget target, IPAddress address, string label)
    {
        _options = options;
        _target = target;
        _address = address;
        _label = label;
        _imap = target.Protocol == ExchangeClientProtocol.Imap4;
    }

    private ExchangeClientProtocol Protocol => _target.Protocol;

    public async Task<IReadOnlyList<ExchangeClientProtocolResult>> RunAsync(CancellationToken cancellation)
    {
        TcpClient? client = await ConnectAsync(cancellation).ConfigureAwait(false);
        if (client is null)
        {
            return _rows;
        }

        using (client)
        {
            try
            {
                await SessionAsync(client, cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && cancellation.IsCancellationRequested)
            {
                throw new OperationCanceledException("The probe was stopped.", ex, cancellation);
            }
        }

        return _rows;
    }

    private async Task<TcpClient?> ConnectAsync(CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        using var timeout = Linked(cancellation);
        try
        {
            TcpClient client = await ProbeTransport.ConnectAsync(_address, _target.Port, timeout.Token).ConfigureAwait(false);
            Emit(MailSteps.TcpConnect, new Finding(CheckStatus.Pass, MapiHttpCause.None, $"Connected to {_label}:{_target.Port}."), watch, Evidence(("Port", _target.Port)));
            return client;
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested)
        {
            bool timedOut = ex is OperationCanceledException;
            SocketError? error = ProbeTransport.SocketErrorOf(ex);
            Emit(MailSteps.TcpConnect, MailJudgement.Connect(Protocol, _label, _target.Port, timedOut, error == SocketError.ConnectionRefused, DisplayText.Safe(ProbeTransport.Describe(ex)), _options.Timeout, _target.Server),
                watch, Evidence(("Port", _target.Port), ("SocketError", error?.ToString()), ("TimedOut", timedOut)));
            return null;
        }
    }

    private async Task SessionAsync(TcpClient client, CancellationToken cancellation)
    {
        var wire = new MailWire(client.GetStream());
        bool secured = false;
        bool validated = false;
        if (_target.Security == MailSecurity.Tls)
        {
            (bool ok, bool valid) = await TlsAsync(wire, cancellation).ConfigureAwait(false);
            if (!ok)
            {
                return;
            }

            (secured, validated) = (true, valid);
        }

        string? greeting = await GreetingAsync(wire, cancellation).ConfigureAwait(false);
        if (greeting is null)
        {
            return;
        }

        IReadOnlyList<string>? capabilities = await CapabilityAsync(wire, greeting, secured, cancellation).ConfigureAwait(false);
        if (_target.Security == MailSecurity.StartTls)
        {
            IReadOnlyList<string> before = capabilities ?? Array.Empty<string>();
            Emit(MailSteps.PlainTextLogin, MailJudgement.PlainTextLogin(Protocol, before, _target.Host, _target.Server), Stopwatch.StartNew(),
                Evidence(("PlainTextLoginOffered", MailJudgement.OffersPlainTextLogin(Protocol, before)), ("StartTlsOffered", MailJudgement.OffersStartTls(Protocol, before))));
            if (MailJudgement.OffersStartTls(Protocol, before))
            {
                bool? started = await StartTlsAsync(wire, cancellation).ConfigureAwait(false);
                if (started is null)
                {
                    return;
                }

                if (started == true)
                {
                    (bool ok, bool valid) = await TlsAsync(wire, cancellation).ConfigureAwait(false);
                    if (!ok)
                    {
                        return;
                    }

                    (secured, validated) = (true, valid);
                    capabilities = await CapabilityAsync(wire, null, true, cancellation).ConfigureAwait(false);
                }
            }
        }

        await LoginAsync(wire, capabilities ?? Array.Empty<string>(), secured, validated, cancellation).ConfigureAwait(false);
    }

    private async Task<(bool Ok, bool Validated)> TlsAsync(MailWire wire, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        if (wire.Buffered > 0)
        {
            // Bytes that arrived before the handshake would be read as if TLS protected them (a STARTTLS injection).
            Emit(MailSteps.Tls, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"{_label} sent {wire.Buffered} bytes after accepting STARTTLS and before the TLS handshake: something on the path injects plain-text data; the session was ended.",
                $"Find what answers {MailJudgement.Text(Protocol)} at {_label} before sending credentials to it."), watch, null);
            return (false, false);
        }

        TlsOutcome outcome;
        using (var timeout = Linked(cancellation))
        {
            try
            {
                outcome = await ProbeTransport.AuthenticateAsync(wire.Stream, _target.Host, _options.SkipCertificateCheck, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                Emit(MailSteps.Tls, new Finding(CheckStatus.Fail, MapiHttpCause.Network, $"The TLS handshake with {_label}:{_target.Port} did not finish within {_options.Timeout.TotalSeconds:0} s.",
                    $"Check that {MailJudgement.FrontEndService(Protocol)} answers TLS on port {_target.Port} and that no device on the path holds the handshake."), watch, null);
                return (false, false);
            }
        }

        var facts = new TlsFacts(outcome.Stream is not null, outcome.Protocol, outcome.Certificate, outcome.Error, outcome.Error is not null && ProbeTransport.IsReset(outcome.Error));
        var subject = new ProbeSubject(_target.Host, _label, _target.Port, _target.Server, null);
        Emit(MailSteps.Tls, ProbeJudgement.Tls(facts, _target.Host, _label, DateTime.UtcNow, _options.CertificateExpiryWarningDays, _options.SkipCertificateCheck, subject, MailJudgement.CertificateUse(Protocol, _target.Host)),
            watch, TlsEvidence.Of(outcome, _target.Host, _options.SkipCertificateCheck));
        if (outcome.Stream is null)
        {
            return (false, false);
        }

        wire.Upgrade(outcome.Stream);
        return (true, ProbeJudgement.Validated(outcome.Certificate));
    }

    private async Task<string?> GreetingAsync(MailWire wire, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        (string? line, bool timedOut, string? error) = await StepAsync(ct => wire.ReadLineAsync(ct), cancellation).ConfigureAwait(false);
        if (error is not null)
        {
            Emit(MailSteps.Greeting, MailJudgement.Broken(Protocol, "Greeting", error, false, _options.Timeout, _label), watch, null);
            return null;
        }

        Finding finding = MailJudgement.Greeting(Protocol, line, timedOut, _options.Timeout, _label, _target.Server);
        Emit(MailSteps.Greeting, finding, watch, Evidence(("Greeting", line is null ? null : DisplayText.Safe(line)), ("TimedOut", timedOut ? true : null)));
        return finding.Status == CheckStatus.Pass ? line : null;
    }

    private async Task<IReadOnlyList<string>?> CapabilityAsync(MailWire wire, string? greeting, bool secured, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        (IReadOnlyList<string>? capabilities, bool timedOut, string? error) = await StepAsync(async ct =>
        {
            if (_imap)
            {
                string tag = NextTag();
                await wire.WriteLineAsync(tag + " CAPABILITY", ct).ConfigureAwait(false);
                IReadOnlyList<string> response = await wire.ReadImapResponseAsync(tag, ct).ConfigureAwait(false);
                return IsImapOk(response[response.Count - 1], tag) ? ImapCapabilities(response) : null;
            }

            await wire.WriteLineAsync("CAPA", ct).ConfigureAwait(false);
            string? status = await wire.ReadLineAsync(ct).ConfigureAwait(false) ?? throw new MailProtocolException("The server closed the connection after CAPA.");
            return status.StartsWith("+OK", StringComparison.Ordinal) ? await wire.ReadPopMultiLineAsync(ct).ConfigureAwait(false) : null;
        }, cancellation).ConfigureAwait(false);
        if (error is not null || timedOut)
        {
            Emit(MailSteps.Capability, MailJudgement.Broken(Protocol, "Capability", error ?? string.Empty, timedOut, _options.Timeout, _label), watch, null);
            return null;
        }

        _ = greeting;
        Emit(MailSteps.Capability, MailJudgement.Capability(Protocol, capabilities, secured), watch,
            Evidence(("Capabilities", capabilities?.Select(c => DisplayText.Safe(c, 80)).ToArray()), ("InsideTls", secured)));
        return capabilities;
    }

    /// <summary>True when the server accepted STARTTLS/STLS; false when it refused; null when the session broke.</summary>
    private async Task<bool?> StartTlsAsync(MailWire wire, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        (string? answer, bool timedOut, string? error) = await StepAsync(async ct =>
        {
            if (_imap)
            {
                string tag = NextTag();
                await wire.WriteLineAsync(tag + " STARTTLS", ct).ConfigureAwait(false);
                IReadOnlyList<string> response = await wire.ReadImapResponseAsync(tag, ct).ConfigureAwait(false);
                return response[response.Count - 1];
            }

            await wire.WriteLineAsync("STLS", ct).ConfigureAwait(false);
            return await wire.ReadLineAsync(ct).ConfigureAwait(false) ?? throw new MailProtocolException("The server closed the connection after STLS.");
        }, cancellation).ConfigureAwait(false);
        if (error is not null || timedOut)
        {
            Emit(MailSteps.StartTls, MailJudgement.Broken(Protocol, "StartTls", error ?? string.Empty, timedOut, _options.Timeout, _label), watch, null);
            return null;
        }

        bool accepted = _imap ? IsImapOk(answer!, CurrentTag()) : answer!.StartsWith("+OK", StringComparison.Ordinal);
        Emit(MailSteps.StartTls, MailJudgement.StartTls(Protocol, accepted, answer, _target.Host, _target.Server), watch, Evidence(("Response", DisplayText.Safe(answer!))));
        return accepted;
    }

    private async Task LoginAsync(MailWire wire, IReadOnlyList<string> capabilities, bool secured, bool validated, CancellationToken cancellation)
    {
        var watch = Stopwatch.StartNew();
        NetworkCredential? credential = _options.Credential;
        if (credential is null)
        {
            Skip(MailSteps.Login, watch, $"{MailJudgement.Text(Protocol)} login not attempted: pass -Credential.");
            await QuietLogoutAsync(wire, cancellation).ConfigureAwait(false);
            return;
        }

        if (!_options.AllowUnencryptedAuthentication && !secured)
        {
            Skip(MailSteps.Login, watch, $"{MailJudgement.Text(Protocol)} login not sent: this connection has no TLS, and credentials are never sent in clear. Pass -AllowUnencryptedAuthentication to send them anyway.");
            await QuietLogoutAsync(wire, cancellation).ConfigureAwait(false);
            return;
        }

        if (!_options.AllowUnencryptedAuthentication && !validated)
        {
            Skip(MailSteps.Login, watch, $"{MailJudgement.Text(Protocol)} login not sent: the certificate of {_label} was not validated (-SkipCertificateCheck), so the peer could be anyone. Pass -AllowUnencryptedAuthentication to send credentials to it anyway.");
            await QuietLogoutAsync(wire, cancellation).ConfigureAwait(false);
            return;
        }

        string user = credential.Domain is { Length: > 0 } domain ? domain + "\\" + credential.UserName : credential.UserName;
        if ((user + credential.Password).Any(c => c < ' ' || c == '\x7f'))
        {
            Skip(MailSteps.Login, watch, $"{MailJudgement.Text(Protocol)} login not attempted: the user name or password contains control characters, which the protocol cannot carry.");
            await QuietLogoutAsync(wire, cancellation).ConfigureAwait(false);
            return;
        }

        (LoginFacts? facts, bool timedOut, string? error) = await StepAsync(ct => _imap ? ImapLoginAsync(wire, capabilities, user, credential.Password, ct) : PopLoginAsync(wire, capabilities, user, credential.Password, ct), cancellation).ConfigureAwait(false);
        if (error is not null || timedOut)
        {
            Emit(MailSteps.Login, MailJudgement.Broken(Protocol, "Login", error ?? string.Empty, timedOut, _options.Timeout, _label), watch, Evidence(("User", DisplayText.Safe(user))));
            return;
        }

        Emit(MailSteps.Login, MailJudgement.Login(Protocol, facts!, user, _target.Server), watch, Evidence(("User", DisplayText.Safe(user)), ("Response", facts!.ResponseText is null ? null : DisplayText.Safe(facts.ResponseText))));
        if (!facts.Accepted)
        {
            await QuietLogoutAsync(wire, cancellation).ConfigureAwait(false);
            return;
        }

        var logoutWatch = Stopwatch.StartNew();
        (string? answer, bool logoutTimedOut, string? logoutError) = await StepAsync(ct => LogoutAsync(wire, ct), cancellation).ConfigureAwait(false);
        bool clean = logoutError is null && !logoutTimedOut && answer is not null && (_imap ? IsImapOk(answer, CurrentTag()) : answer.StartsWith("+OK", StringComparison.Ordinal));
        Emit(MailSteps.Logout, MailJudgement.Logout(Protocol, clean, answer ?? logoutError), logoutWatch, null);
    }

    private async Task<LoginFacts> ImapLoginAsync(MailWire wire, IReadOnlyList<string> capabilities, string user, string password, CancellationToken cancellation)
    {
        string tag = NextTag();
        if (capabilities.Contains("AUTH=PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            string initial = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + password));
            if (capabilities.Contains("SASL-IR", StringComparer.OrdinalIgnoreCase))
            {
                await wire.WriteLineAsync($"{tag} AUTHENTICATE PLAIN {initial}", cancellation).ConfigureAwait(false);
            }
            else
            {
                await wire.WriteLineAsync($"{tag} AUTHENTICATE PLAIN", cancellation).ConfigureAwait(false);
                string? go = await wire.ReadLineAsync(cancellation).ConfigureAwait(false);
                if (go is null || !go.StartsWith("+", StringComparison.Ordinal))
                {
                    return new LoginFacts(false, go, go is null);
                }

                await wire.WriteLineAsync(initial, cancellation).ConfigureAwait(false);
            }
        }
        else
        {
            await wire.WriteLineAsync($"{tag} LOGIN {ImapQuoted(user)} {ImapQuoted(password)}", cancellation).ConfigureAwait(false);
        }

        IReadOnlyList<string> response = await wire.ReadImapResponseAsync(tag, cancellation).ConfigureAwait(false);
        string last = response[response.Count - 1];
        return new LoginFacts(IsImapOk(last, tag), last.Substring(tag.Length + 1), false);
    }

    private static async Task<LoginFacts> PopLoginAsync(MailWire wire, IReadOnlyList<string> capabilities, string user, string password, CancellationToken cancellation)
    {
        bool saslPlain = capabilities.Any(c => c.StartsWith("SASL ", StringComparison.OrdinalIgnoreCase) && c.Split(' ').Contains("PLAIN", StringComparer.OrdinalIgnoreCase));
        if (!capabilities.Contains("USER", StringComparer.OrdinalIgnoreCase) && saslPlain)
        {
            string initial = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + user + "\0" + password));
            await wire.WriteLineAsync("AUTH PLAIN " + initial, cancellation).ConfigureAwait(false);
            string? answer = await wire.ReadLineAsync(cancellation).ConfigureAwait(false);
            return new LoginFacts(answer?.StartsWith("+OK", StringComparison.Ordinal) == true, answer, answer is null);
        }

        await wire.WriteLineAsync("USER " + user, cancellation).ConfigureAwait(false);
        string? userAnswer = await wire.ReadLineAsync(cancellation).ConfigureAwait(false);
        if (userAnswer is null || !userAnswer.StartsWith("+OK", StringComparison.Ordinal))
        {
            return new LoginFacts(false, userAnswer, userAnswer is null);
        }

        await wire.WriteLineAsync("PASS " + password, cancellation).ConfigureAwait(false);
        string? passAnswer = await wire.ReadLineAsync(cancellation).ConfigureAwait(false);
        return new LoginFacts(passAnswer?.StartsWith("+OK", StringComparison.Ordinal) == true, passAnswer, passAnswer is null);
    }

    private async Task<string?> LogoutAsync(MailWire wire, CancellationToken cancellation)
    {
        if (_imap)
        {
            string tag = NextTag();
            await wire.WriteLineAsync(tag + " LOGOUT", cancellation).ConfigureAwait(false);
            IReadOnlyList<string> response = await wire.ReadImapResponseAsync(tag, cancellation).ConfigureAwait(false);
            return response[response.Count - 1];
        }

        await wire.WriteLineAsync("QUIT", cancellation).ConfigureAwait(false);
        return await wire.ReadLineAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Ends the session politely without a row; a server that does not answer is not waited for long.</summary>
    private async Task QuietLogoutAsync(MailWire wire, CancellationToken cancellation)
    {
        using var shortTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        shortTimeout.CancelAfter(TimeSpan.FromSeconds(Math.Min(2, _options.Timeout.TotalSeconds)));
        try
        {
            await LogoutAsync(wire, shortTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellation.IsCancellationRequested)
        {
            // The probe is done with this connection either way.
        }
    }

    /// <summary>Runs one bounded exchange with the timeout; a protocol violation or I/O error comes back as text.</summary>
    private async Task<(T? Value, bool TimedOut, string? Error)> StepAsync<T>(Func<CancellationToken, Task<T>> step, CancellationToken cancellation)
    {
        using var timeout = Linked(cancellation);
        try
        {
            return (await step(timeout.Token).ConfigureAwait(false), false, null);
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested && (ex is OperationCanceledException || timeout.IsCancellationRequested))
        {
            return (default, true, null);
        }
        catch (Exception ex) when (!cancellation.IsCancellationRequested && ex is System.IO.IOException or ObjectDisposedException or SocketException)
        {
            return (default, false, ProbeTransport.Describe(ex));
        }
    }

    private static IReadOnlyList<string> ImapCapabilities(IReadOnlyList<string> response)
    {
        foreach (string line in response)
        {
            if (line.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase))
            {
                return line.Substring("* CAPABILITY ".Length).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return Array.Empty<string>();
    }

    private static bool IsImapOk(string line, string tag) => line.StartsWith(tag + " OK", StringComparison.OrdinalIgnoreCase);

    /// <summary>An IMAP quoted string (RFC 3501): backslash and double quote escaped; control characters were refused before.</summary>
    private static string ImapQuoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private string NextTag() => "a" + (++_tag).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private string CurrentTag() => "a" + _tag.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private CancellationTokenSource Linked(CancellationToken cancellation)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        source.CancelAfter(_options.Timeout);
        return source;
    }

    private void Skip(string check, Stopwatch watch, string message) => Emit(check, new Finding(CheckStatus.Skipped, MapiHttpCause.None, message), watch, null);

    private void Emit(string check, Finding finding, Stopwatch watch, IEnumerable<KeyValuePair<string, object?>>? evidence) =>
        _rows.Add(new ExchangeClientProtocolResult(check, finding.Status, finding.Cause, Protocol, _target.Uri, _label, _target.Server, _target.Security,
            Math.Round(watch.Elapsed.TotalMilliseconds, 1), _options.SkipCertificateCheck, finding.Message, finding.Recommendation, evidence));

    private static IEnumerable<KeyValuePair<string, object?>> Evidence(params (string Key, object? Value)[] pairs) =>
        pairs.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, object?>(p.Key, p.Value));
}
