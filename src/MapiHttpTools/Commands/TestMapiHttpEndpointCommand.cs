using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Infrastructure;
using MapiHttpTools.Probing;

namespace MapiHttpTools.Commands;

/// <summary>Which URL of a piped MAPI virtual directory to test.</summary>
public enum MapiUrlType
{
    Both,
    Internal,
    External,
}

/// <summary>
/// Tests the MAPI/HTTP path to one or more URLs hop by hop and says which cause breaks it (issue #3).
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "MapiHttpEndpoint", DefaultParameterSetName = VirtualDirectorySet)]
[OutputType(typeof(MapiHttpEndpointResult))]
public sealed class TestMapiHttpEndpointCommand : MapiHttpCmdletBase
{
    private const string UriSet = "Uri";
    private const string VirtualDirectorySet = "VirtualDirectory";

    private readonly List<ProbeTarget> _targets = new();
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);

    // System.Uri, not string: a [string] ValueFromPipeline parameter takes any piped object in the binder's
    // no-coercion pass, so a piped virtual directory would be stringified instead of bound by property name.
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = UriSet)]
    [ValidateNotNullOrEmpty]
    public Uri[] Uri { get; set; } = Array.Empty<Uri>();

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = VirtualDirectorySet)]
    [AllowNull]
    public object? InternalUrl { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = VirtualDirectorySet)]
    [AllowNull]
    public object? ExternalUrl { get; set; }

    [Parameter(ParameterSetName = VirtualDirectorySet)]
    public MapiUrlType UrlType { get; set; } = MapiUrlType.Both;

    // Mandatory so that a piped virtual directory always binds this set, even when its URLs are $null
    // (otherwise the binder falls back to coercing the whole object to a string for -Uri).
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = VirtualDirectorySet)]
    [ValidateNotNull]
    public object? Identity { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = VirtualDirectorySet)]
    [AllowNull]
    [AllowEmptyCollection]
    // object, not object[] (issue 11): binding to an array unwraps each deserialized enum to its number (2, 13), losing
    // the name that only the element's ToString carries; the value is read by name through ExchangeValues instead.
    public object? IISAuthenticationMethods { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowNull]
    public object? Server { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? TargetAddress { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExpectedAuthenticationMethods { get; set; }

    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    [Parameter]
    public SwitchParameter UseDefaultCredentials { get; set; }

    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSec { get; set; } = 15;

    [Parameter]
    [ValidateRange(0, 3650)]
    public int CertificateExpiryWarningDays { get; set; } = 30;

    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Send -Credential over plain http or to an unvalidated certificate (issue 20: off by default, as Invoke-WebRequest).</summary>
    [Parameter]
    public SwitchParameter AllowUnencryptedAuthentication { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 8;

    /// <summary>Write only Warning, Fail and Error results (issue 15).</summary>
    [Parameter]
    public SwitchParameter ProblemsOnly { get; set; }

    protected override void ProcessRecord()
    {
        string? server = TextOf(Server);
        if (ParameterSetName == UriSet)
        {
            foreach (Uri uri in Uri)
            {
                AddTarget(uri.OriginalString, uri.OriginalString, server, null, ExpectedFor(null));
            }

            return;
        }

        string? identity = TextOf(Identity);
        string? internalUrl = TextOf(InternalUrl);
        string? externalUrl = TextOf(ExternalUrl);
        (IReadOnlyList<string> schemes, string source) expected = ExpectedFor(IISAuthenticationMethods);
        var wanted = new List<(string Name, string? Url)>();
        if (UrlType != MapiUrlType.External)
        {
            wanted.Add(("InternalUrl", internalUrl));
        }

        if (UrlType != MapiUrlType.Internal)
        {
            wanted.Add(("ExternalUrl", externalUrl));
        }

        bool any = false;
        foreach ((string name, string? url) in wanted)
        {
            if (string.IsNullOrWhiteSpace(url))
            {
                if (UrlType != MapiUrlType.Both)
                {
                    WriteError(ErrorRecords.Create("NoUrlOnVirtualDirectory", ErrorCategory.ObjectNotFound, Identity ?? server,
                        $"The MAPI virtual directory '{identity ?? server ?? "(unnamed)"}' has no {name}. Set it with Set-MapiVirtualDirectory -Identity '{identity}' -{name} https://<namespace>/mapi, or test the other URL with -UrlType."));
                }

                continue;
            }

            any = true;
            AddTarget(url!, url!, server, identity, expected);
        }

        if (!any && UrlType == MapiUrlType.Both)
        {
            WriteError(ErrorRecords.Create("NoUrlOnVirtualDirectory", ErrorCategory.ObjectNotFound, Identity ?? server,
                $"The MAPI virtual directory '{identity ?? server ?? "(unnamed)"}' has neither an InternalUrl nor an ExternalUrl: Outlook is never offered MAPI/HTTP through it. Set them with Set-MapiVirtualDirectory -Identity '{identity}' -InternalUrl https://<namespace>/mapi."));
        }
    }

    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        var options = new ProbeOptions
        {
            TargetAddresses = TargetAddress,
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            CertificateExpiryWarningDays = CertificateExpiryWarningDays,
            SkipCertificateCheck = SkipCertificateCheck,
            Credential = Credential?.GetNetworkCredential(),
            UseDefaultCredentials = UseDefaultCredentials,
            AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            ThrottleLimit = ThrottleLimit,
            Resolver = Services.Resolver,
        };

        if (SkipCertificateCheck)
        {
            WriteWarning("-SkipCertificateCheck: server certificates are not validated for this probe; results say so in CertificateCheckSkipped.");
        }

        if (AllowUnencryptedAuthentication && (Credential is not null || UseDefaultCredentials))
        {
            WriteWarning("-AllowUnencryptedAuthentication: credentials may be sent over plain http or to a server whose certificate was not validated.");
        }

        var prober = new EndpointProber(options);
        const int activityId = 0x4D41;
        RunAsync(async (pipeline, cancellation) =>
        {
            await prober.ProbeAsync(
                _targets,
                ResultFilter.ProblemsOnly<MapiHttpEndpointResult>(pipeline.WriteObject, ProblemsOnly),
                (done, total) => pipeline.WriteProgress(new ProgressRecord(activityId, "Testing MAPI/HTTP endpoints", $"{done} of {total} addresses probed")
                {
                    PercentComplete = total == 0 ? 100 : done * 100 / total,
                    RecordType = done == total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                }),
                cancellation).ConfigureAwait(false);
        });
    }

    private void AddTarget(string text, object input, string? server, string? identity, (IReadOnlyList<string> Schemes, string Source) expected)
    {
        if (!System.Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            WriteError(ErrorRecords.Create("InvalidUri", ErrorCategory.InvalidArgument, input,
                $"'{text}' is not an absolute URL. Pass the MAPI URL as Outlook gets it, for example https://mail.contoso.com/mapi."));
            return;
        }

        if (uri.Scheme != System.Uri.UriSchemeHttps && uri.Scheme != System.Uri.UriSchemeHttp)
        {
            WriteError(ErrorRecords.Create("UnsupportedScheme", ErrorCategory.InvalidArgument, input,
                $"'{text}' uses the scheme '{uri.Scheme}'. MAPI/HTTP URLs are https (http is accepted only to show why it fails)."));
            return;
        }

        if (_seen.Add(uri.GetLeftPart(UriPartial.Authority)))
        {
            _targets.Add(new ProbeTarget(uri, server, identity, expected.Schemes, expected.Source));
        }
    }

    private (IReadOnlyList<string> Schemes, string Source) ExpectedFor(object? vdirMethods)
    {
        if (ExpectedAuthenticationMethods is { Length: > 0 })
        {
            return (AuthenticationSchemes.Normalize(ExpectedAuthenticationMethods.SelectMany(SplitList)), "-ExpectedAuthenticationMethods");
        }

        // Through the one Exchange adapter (issue 11): a deserialized enum is read by its name, never its number.
        string[] fromVdir = Exchange.ExchangeValues.StringsOf(vdirMethods).SelectMany(SplitList).ToArray();
        return fromVdir.Length > 0
            ? (AuthenticationSchemes.Normalize(fromVdir), "IISAuthenticationMethods of the virtual directory")
            : (AuthenticationSchemes.DefaultExpected, "the default, Negotiate and NTLM");
    }

    private static IEnumerable<string> SplitList(string text) =>
        text.Split(new[] { ',', ' ' }, StringSplitOptions.RemoveEmptyEntries);

    private static string? TextOf(object? value) => Exchange.ExchangeValues.TextOf(value);
}
