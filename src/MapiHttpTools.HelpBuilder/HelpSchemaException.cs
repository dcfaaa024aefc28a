using System;

namespace MapiHttpTools.HelpBuilder;

/// <summary>
/// A help source that does not follow the schema: names the file, the 1-based line and what is wrong, so the
/// build error points the author at the exact place (MSBuild shows it as <c>file(line): error</c>).
/// </summary>
internal sealed class HelpSchemaException : Exception
{
    public HelpSchemaException(string file, int line, string reason)
        : base($"{file}({line}): {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public string File { get; }

    public int Line { get; }

    public string Reason { get; }
}
