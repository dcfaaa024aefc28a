using System;
using System.Management.Automation;

namespace MapiHttpTools.Commands;

/// <summary>
/// Tests the MAPI/HTTP path (DNS, TCP, TLS, health check, anonymous and authenticated endpoint requests) to one or
/// more URLs, per address. This file carries the parameter surface that en-US/Test-MapiHttpEndpoint.md documents;
/// the probing itself lives in the endpoint engine.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MapiHttpEndpoint", DefaultParameterSetName = UriSet)]
[OutputType(typeof(MapiHttpEndpointResult))]
public sealed class TestMapiHttpEndpointCommand : MapiHttpCmdletBase
{
    private const string UriSet = "Uri";
    private const string VirtualDirectorySet = "VirtualDirectory";

    /// <summary>The MAPI virtual directory URLs to test.</summary>
    [Parameter(ParameterSetName = UriSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public Uri[] Uri { get; set; } = Array.Empty<Uri>();

    /// <summary>InternalUrl of a piped MAPI virtual directory (live or deserialized).</summary>
    [Parameter(ParameterSetName = VirtualDirectorySet, ValueFromPipelineByPropertyName = true)]
    public object? InternalUrl { get; set; }

    /// <summary>ExternalUrl of a piped MAPI virtual directory (live or deserialized).</summary>
    [Parameter(ParameterSetName = VirtualDirectorySet, ValueFromPipelineByPropertyName = true)]
    public object? ExternalUrl { get; set; }

    /// <summary>Which of the virtual directory's URLs to test.</summary>
    [Parameter(ParameterSetName = VirtualDirectorySet)]
    [ValidateSet("Internal", "External", "Both")]
    public string UrlType { get; set; } = "Both";

    /// <summary>Identity of the piped virtual directory, carried into the results.</summary>
    [Parameter(ParameterSetName = VirtualDirectorySet, ValueFromPipelineByPropertyName = true)]
    public object? Identity { get; set; }

    /// <summary>IISAuthenticationMethods of the piped virtual directory: the methods the endpoints are expected to offer.</summary>
    [Parameter(ParameterSetName = VirtualDirectorySet, ValueFromPipelineByPropertyName = true)]
    public object[]? IISAuthenticationMethods { get; set; }

    /// <summary>The Exchange server the URL belongs to, carried into the results.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public object? Server { get; set; }

    /// <summary>Connect to these addresses instead of the ones the URL host resolves to (SNI and Host stay the URL host).</summary>
    [Parameter]
    public string[]? TargetAddress { get; set; }

    /// <summary>The authentication methods the anonymous 401 must offer.</summary>
    [Parameter]
    public string[]? ExpectedAuthenticationMethods { get; set; }

    /// <summary>Credentials for the authenticated PING to emsmdb and nspi.</summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Authenticate the PING as the current Windows user.</summary>
    [Parameter]
    public SwitchParameter UseDefaultCredentials { get; set; }

    /// <summary>Timeout of each request, in seconds.</summary>
    [Parameter]
    public int TimeoutSec { get; set; } = 15;

    /// <summary>A certificate that expires within this many days is a warning.</summary>
    [Parameter]
    public int CertificateExpiryWarningDays { get; set; } = 30;

    /// <summary>Turn certificate validation off; the results say that it was.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>How many probes run at the same time.</summary>
    [Parameter]
    public int ThrottleLimit { get; set; } = 8;
}
