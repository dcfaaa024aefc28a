using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Logs;

/// <summary>
/// Tells the log kind from its header: the <c>#Fields:</c> directive (Exchange CSV logs and IIS W3C logs) or a
/// plain first-line header. Detection is by column names, so column order and added columns do not matter.
/// </summary>
internal static class LogFormatDetector
{
    /// <summary>The kinds this module reads, for messages.</summary>
    public const string KnownKinds = "HttpProxy (Logging\\HttpProxy\\Mapi), MapiHttp Mailbox (Logging\\MapiHttp\\Mailbox), MAPI Client Access (Logging\\MAPI Client Access) or IIS W3C (inetpub\\logs\\LogFiles\\W3SVCn)";

    /// <summary>Splits a header ("DateTime,RequestId,..." or "date time s-ip ...") into column names.</summary>
    public static string[] SplitHeader(string header, out byte separator)
    {
        separator = header.IndexOf(',') >= 0 ? (byte)',' : (byte)' ';
        char split = (char)separator;
        return header.Split(split).Select(c => c.Trim().Trim('"').Trim()).ToArray();
    }

    /// <summary>The schema for <paramref name="columns"/>, or null with the reason in <paramref name="reason"/>.</summary>
    public static LogSchema? Detect(string[] columns, byte separator, string? logType, string? software, out string? reason)
    {
        var names = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
        MapiHttpLogKind? kind = null;
        if (separator == (byte)' ' && names.Contains("cs-uri-stem") && names.Contains("sc-status"))
        {
            if (!names.Contains("date") || !names.Contains("time"))
            {
                reason = "it is an IIS W3C log without the 'date' and 'time' fields; enable them in the site's logging fields";
                return null;
            }

            kind = MapiHttpLogKind.Iis;
        }
        else if (separator == (byte)',' && Has(names, "DateTime", "HttpStatus", "UrlStem", "TargetServer"))
        {
            kind = MapiHttpLogKind.HttpProxy;
        }
        else if (separator == (byte)',' && Has(names, "DateTime", "HttpStatusCode", "RequestType") &&
                 (names.Contains("MapiRequestId") || names.Contains("AuthenticatedUserEmail")))
        {
            kind = MapiHttpLogKind.MapiHttpMailbox;
        }
        else if (separator == (byte)',' && Has(names, "date-time", "client-name", "rpc-status", "operation"))
        {
            kind = MapiHttpLogKind.MapiClientAccess;
        }

        if (kind is null)
        {
            string shown = string.Join(separator == (byte)',' ? "," : " ", columns.Take(6)) + (columns.Length > 6 ? ",..." : string.Empty);
            reason = (logType is null ? "its header" : $"it is a '{logType}' log whose header") +
                     $" ({shown}) is not one this module reads: {KnownKinds}";
            return null;
        }

        reason = null;
        return new LogSchema(kind.Value, columns, separator, logType, software);
    }

    private static bool Has(HashSet<string> names, params string[] required) => required.All(names.Contains);
}
