using System;

namespace MapiHttpTools.Repair;

/// <summary>
/// Thrown by a stand-in IIS target factory (<see cref="Infrastructure.ModuleServices.IisRepairTargetFactory"/>) to say
/// IIS cannot be used for this server; the message becomes the Skipped reason, as live IIS's own reason would.
/// </summary>
internal sealed class IisUnavailableException : Exception
{
    public IisUnavailableException(string reason)
        : base(reason)
    {
    }
}
