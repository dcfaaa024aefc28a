using MapiHttpTools.Infrastructure;
using MapiHttpTools.Lab;

namespace MapiHttpTools.Tests;

/// <summary>Each test session's own module services (stand-ins for DNS, IIS, the registry), never shared with another test.</summary>
internal static class ModuleSessionServices
{
    public static ModuleServices Services(this ModuleSession session) => ModuleServices.For(session.Runspace);
}
