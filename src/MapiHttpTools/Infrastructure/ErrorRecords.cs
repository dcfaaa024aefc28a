using System;
using System.Management.Automation;

namespace MapiHttpTools.Infrastructure;

/// <summary>
/// Builds error records with the stable ids that scripts and tests rely on through FullyQualifiedErrorId.
/// Ids are a contract: rename one only with a changelog entry.
/// </summary>
internal static class ErrorRecords
{
    public static ErrorRecord Create(string errorId, ErrorCategory category, object? target, string message, Exception? inner = null)
    {
        var exception = inner is null
            ? new MapiHttpToolsException(message)
            : new MapiHttpToolsException(message, inner);
        return new ErrorRecord(exception, errorId, category, target);
    }
}

/// <summary>The exception behind the module's own error records.</summary>
public sealed class MapiHttpToolsException : Exception
{
    public MapiHttpToolsException(string message)
        : base(message)
    {
    }

    public MapiHttpToolsException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
