using System;

namespace MapiHttpTools.Iis;

/// <summary>An applicationHost.config (or a snapshot file beside it) that cannot be read as IIS configuration.</summary>
internal sealed class IisConfigurationException : Exception
{
    public IisConfigurationException(string path, int line, int position, string reason, Exception? inner = null)
        : base(Describe(path, line, position, reason), inner)
    {
        Path = path;
        Line = line;
        Position = position;
        Reason = reason;
    }

    public string Path { get; }

    /// <summary>1-based line, or 0 when the problem has no position (the file as a whole).</summary>
    public int Line { get; }

    public int Position { get; }

    public string Reason { get; }

    private static string Describe(string path, int line, int position, string reason) =>
        line > 0
            ? $"'{MapiHttpTools.Infrastructure.DisplayText.Safe(path)}' is not a valid IIS applicationHost.config: line {line}, position {position}: {MapiHttpTools.Infrastructure.DisplayText.Safe(reason, 512)}"
            : $"'{MapiHttpTools.Infrastructure.DisplayText.Safe(path)}' is not a valid IIS applicationHost.config: {MapiHttpTools.Infrastructure.DisplayText.Safe(reason, 512)}";
}
