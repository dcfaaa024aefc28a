using System.Runtime.CompilerServices;

namespace MapiHttpTools.Logs;

/// <summary>
/// MethodImplOptions.AggressiveOptimization (512), which the net472 reference assemblies do not name. On
/// .NET (PowerShell 7) it compiles the per-line methods fully optimized at once instead of starting them in
/// tier-0 code, which otherwise runs for the first seconds of a read; .NET Framework ignores it.
/// </summary>
internal static class Hot
{
    public const MethodImplOptions Path = (MethodImplOptions)512;
}
