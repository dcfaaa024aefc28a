using System.Collections.Generic;

namespace MapiHttpTools.Lab;

/// <summary>
/// One HTTP request as the lab front end received it, for wire assertions.
/// <paramref name="QueryString"/> includes the leading '?' (empty when there is none);
/// <paramref name="Headers"/> is case-insensitive, repeated headers joined with ", ";
/// <paramref name="SniHostName"/> is the TLS server name the client sent (null when it sent none).
/// </summary>
public sealed record LabRequest(
    string Method,
    string Path,
    string QueryString,
    string? Host,
    string? SniHostName,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body);
