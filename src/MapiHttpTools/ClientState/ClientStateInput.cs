using System.Collections;
using System.Linq;
using System.Management.Automation;

namespace MapiHttpTools.ClientState;

/// <summary>
/// Reads a client state piped into Repair-MapiHttpClientState whether it is the live object or the property bag that
/// remoting delivers (Deserialized.MapiHttpTools.MapiHttpClientStateResult, issue 17): both must be refused alike
/// when they were read from a .reg export, and both bind ComputerName, UserSid and AutodiscoverCachePath by name.
/// </summary>
internal static class ClientStateInput
{
    private const string DeserializedTypeName = "Deserialized.MapiHttpTools.MapiHttpClientStateResult";

    /// <summary>True when <paramref name="input"/> is a client state read from .reg files; <paramref name="exports"/> names them.</summary>
    public static bool IsFromRegistryExport(PSObject input, out string exports)
    {
        exports = string.Empty;
        if (input.BaseObject is MapiHttpClientStateResult live)
        {
            exports = string.Join(", ", live.RegistryExportPath);
            return live.Source == "RegistryExport";
        }

        if (!input.TypeNames.Contains(DeserializedTypeName) || input.Properties["Source"]?.Value?.ToString() != "RegistryExport")
        {
            return false;
        }

        object? paths = input.Properties["RegistryExportPath"]?.Value;
        paths = paths is PSObject bag ? bag.BaseObject : paths;
        exports = paths is IEnumerable many and not string ? string.Join(", ", many.Cast<object?>().Select(p => p?.ToString())) : paths?.ToString() ?? string.Empty;
        return true;
    }
}
