using System;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// A test of what a computer without live IIS says (issue 19: no test that returns early and passes on some hosts):
/// it asserts the literal reason given on a computer that is not Windows, and on Windows it is reported as skipped.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "Shows the fallback of a computer that is not Windows; this one is.";
        }
    }
}
