using System;
using System.Collections.Generic;

namespace MapiHttpTools;

/// <summary>The part of the Exchange configuration a configuration check looked at.</summary>
public enum ConfigurationArea
{
    Organization,
    VirtualDirectory,
    Certificate,
    Authentication,
    Namespace,
    ComponentState,
}

/// <summary>
/// One finding about the Exchange configuration (organisation, MAPI virtual directory, certificate, authentication,
/// namespace, server component state). <see cref="Identity"/> is the Exchange object the
/// <see cref="MapiHttpResult.Recommendation"/> acts on.
/// </summary>
public sealed class MapiHttpConfigurationResult : MapiHttpResult
{
    internal MapiHttpConfigurationResult(ConfigurationFinding finding)
        : base(finding.Check, finding.Status, finding.Cause, finding.Target, finding.Server, finding.Message, finding.Recommendation, finding.Evidence)
    {
        Area = finding.Area;
        Identity = finding.Identity;
        Property = finding.Property;
        Value = finding.Value;
        ExpectedValue = finding.ExpectedValue;
        Thumbprint = finding.Thumbprint;
        NotAfter = finding.NotAfter;
    }

    /// <summary>Organization, VirtualDirectory, Certificate, Authentication, Namespace or ComponentState.</summary>
    public ConfigurationArea Area { get; }

    /// <summary>The Exchange object the result is about, as its cmdlets take it: 'EX01\mapi (Default Web Site)', 'EX01', an auth server's name.</summary>
    public string? Identity { get; }

    /// <summary>The Exchange property that was examined (MapiHttpEnabled, InternalUrl, IISAuthenticationMethods, State, ...).</summary>
    public string? Property { get; }

    /// <summary>The property's value as found.</summary>
    public string? Value { get; }

    /// <summary>The value a working MAPI/HTTP configuration has, where there is one.</summary>
    public string? ExpectedValue { get; }

    /// <summary>The certificate the result is about, for certificate and Auth certificate checks.</summary>
    public string? Thumbprint { get; }

    /// <summary>That certificate's expiry (UTC).</summary>
    public DateTime? NotAfter { get; }
}

/// <summary>What a configuration check found, before it becomes a result.</summary>
internal sealed record ConfigurationFinding(string Check, ConfigurationArea Area, CheckStatus Status, MapiHttpCause Cause, string Message)
{
    public string? Target { get; init; }

    public string? Server { get; init; }

    public string? Identity { get; init; }

    public string? Recommendation { get; init; }

    public string? Property { get; init; }

    public string? Value { get; init; }

    public string? ExpectedValue { get; init; }

    public string? Thumbprint { get; init; }

    public DateTime? NotAfter { get; init; }

    public IReadOnlyList<KeyValuePair<string, object?>>? Evidence { get; init; }

    public MapiHttpConfigurationResult ToResult() => new(this);
}
