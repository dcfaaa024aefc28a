using System;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Repair;

/// <summary>
/// Test seams of Repair-MapiVirtualDirectory. Both are null in production. Tests that set them must run in one
/// xunit collection (they are process-wide) and reset them to null when done.
/// <list type="bullet">
/// <item><see cref="IisTargetFactory"/>: given the server name, returns the IIS target to use instead of live IIS
/// (a recording stand-in). Return null with a reason through <see cref="IisUnavailable"/> to simulate a host without IIS.</item>
/// <item><see cref="Resolver"/>: resolves host names for the verification probe (the lab's names to loopback).</item>
/// </list>
/// </summary>
internal static class RepairSeams
{
    public static Func<string, IIisRepairTarget>? IisTargetFactory { get; set; }

    public static IHostResolver? Resolver { get; set; }

    /// <summary>Thrown by a stand-in factory to say IIS cannot be used for this server; the message becomes the Skipped reason.</summary>
    public sealed class IisUnavailable : Exception
    {
        public IisUnavailable(string reason)
            : base(reason)
        {
        }
    }
}
