using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace MapiHttpTools.Lab;

/// <summary>
/// A PowerShell host whose UI writes lines to a TextWriter (the console, or a buffer in tests). Out-Default
/// sends objects through the formatting engine to this host, so what it prints is exactly the table an admin
/// sees in a shell of the same width.
/// </summary>
public sealed class LineHost : PSHost
{
    private readonly LineHostUserInterface _ui;
    private readonly Guid _id = Guid.NewGuid();

    /// <param name="ansi">Keep colour escape sequences (a real terminal); tests leave it off and see plain text.</param>
    public LineHost(System.IO.TextWriter writer, int width = 120, bool ansi = false)
    {
        _ui = new LineHostUserInterface(writer, width, ansi);
    }

    /// <summary>Everything written to the host so far (also mirrored to the writer).</summary>
    public string Output => _ui.Captured.ToString();

    public void ClearOutput() => _ui.Captured.Clear();

    /// <summary>Answers to confirmation prompts (the index of the choice), taken in order; with none queued a prompt fails.</summary>
    public Queue<int> Choices => _ui.Choices;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override Guid InstanceId => _id;

    public override string Name => "MapiHttpTools.LineHost";

    public override PSHostUserInterface UI => _ui;

    public override Version Version => new(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode)
    {
    }

    private sealed class LineHostUserInterface : PSHostUserInterface
    {
        private static readonly System.Text.RegularExpressions.Regex Escapes = new("\x1b\\[[0-9;?]*[A-Za-z]", System.Text.RegularExpressions.RegexOptions.Compiled);
        private readonly System.IO.TextWriter _writer;
        private readonly LineRawUserInterface _raw;
        private readonly bool _ansi;

        public LineHostUserInterface(System.IO.TextWriter writer, int width, bool ansi)
        {
            _writer = writer;
            _raw = new LineRawUserInterface(width);
            _ansi = ansi;
        }

        public override bool SupportsVirtualTerminal => _ansi;

        public StringBuilder Captured { get; } = new();

        public Queue<int> Choices { get; } = new();

        public override PSHostRawUserInterface RawUI => _raw;

        public override void Write(string value) => Emit(value);

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Emit(value);

        public override void WriteLine(string value) => Emit(value + Environment.NewLine);

        public override void WriteErrorLine(string value) => Emit("ERROR: " + value + Environment.NewLine);

        public override void WriteDebugLine(string message) => Emit("DEBUG: " + message + Environment.NewLine);

        public override void WriteVerboseLine(string message) => Emit("VERBOSE: " + message + Environment.NewLine);

        public override void WriteWarningLine(string message) => Emit("WARNING: " + message + Environment.NewLine);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override string ReadLine() => throw new NotSupportedException("The lab host is not interactive.");

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("The lab host is not interactive.");

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("The lab host is not interactive.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) =>
            throw new NotSupportedException("The lab host is not interactive.");

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            throw new NotSupportedException("The lab host is not interactive.");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            if (Choices.Count == 0)
            {
                throw new NotSupportedException("The lab host is not interactive.");
            }

            Emit(caption + Environment.NewLine + message + Environment.NewLine);
            return Choices.Dequeue();
        }

        private void Emit(string text)
        {
            if (!_ansi)
            {
                text = Escapes.Replace(text, string.Empty);
            }

            lock (Captured)
            {
                Captured.Append(text);
                _writer.Write(text);
            }
        }
    }

    private sealed class LineRawUserInterface : PSHostRawUserInterface
    {
        private readonly int _width;

        public LineRawUserInterface(int width) => _width = width;

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get => new(_width, 9999); set { } }

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; }

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => new(_width, 50);

        public override Size MaxWindowSize => new(_width, 50);

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get => new(_width, 50); set { } }

        public override string WindowTitle { get; set; } = string.Empty;

        public override void FlushInputBuffer()
        {
        }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill)
        {
        }

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents)
        {
        }

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill)
        {
        }
    }
}
