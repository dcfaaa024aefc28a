using System;

namespace MapiHttpTools;

/// <summary>
/// -ProblemsOnly of Test-MapiHttpEndpoint and Invoke-MapiHttpDiagnostic (issue 15): only Warning, Fail and Error.
/// Skipped is not a problem: "Where-Object Status -ne Pass" kept two "PING not attempted" rows per address.
/// </summary>
internal static class ResultFilter
{
    public static bool IsProblem(MapiHttpResult result) => result.Status is CheckStatus.Warning or CheckStatus.Fail or CheckStatus.Error;

    /// <summary><paramref name="write"/> itself, or one that passes on only the problems.</summary>
    public static Action<T> ProblemsOnly<T>(Action<object> write, bool problemsOnly)
        where T : MapiHttpResult =>
        problemsOnly ? result => { if (IsProblem(result)) { write(result); } } : result => write(result);
}
