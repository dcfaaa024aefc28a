using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>Bad input to Test-MapiHttpEndpoint: a clear error with a stable id, the input as target, nothing probed.</summary>
public sealed class EndpointInputTests
{
    [Theory]
    [InlineData("notaurl", "InvalidUri")]
    [InlineData("/mapi", "InvalidUri")]
    [InlineData("ftp://mail.contoso.lab/mapi", "UnsupportedScheme")]
    public void Bad_uri_gives_a_specific_error_and_no_result(string uri, string errorId)
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Test-MapiHttpEndpoint -Uri $u", new() { ["u"] = uri });

        Assert.Empty(result.Output);
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal($"{errorId},MapiHttpTools.Commands.TestMapiHttpEndpointCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(uri, error.TargetObject);
        Assert.Contains(uri, error.Exception.Message);
    }

    [Fact]
    public void One_bad_uri_does_not_stop_the_others()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("'notaurl', 'https://127.0.0.1:1/mapi' | Test-MapiHttpEndpoint -TimeoutSec 2");

        Assert.Equal(new[] { "InvalidUri,MapiHttpTools.Commands.TestMapiHttpEndpointCommand" }, result.ErrorIds.ToArray());
        MapiHttpEndpointResult tcp = result.Objects<MapiHttpEndpointResult>().Single(r => r.Check == "TcpConnect");
        Assert.Equal(CheckStatus.Fail, tcp.Status);
        Assert.Equal(MapiHttpCause.Network, tcp.Cause);
        Assert.Contains("refused", tcp.Message);

        // Every later hop is accounted for: Skipped with the reason, none silently missing.
        MapiHttpEndpointResult[] later = result.Objects<MapiHttpEndpointResult>().SkipWhile(r => r.Check != "TcpConnect").Skip(1).ToArray();
        Assert.Equal(new[] { "Tls", "HealthCheck", "EmsmdbAnonymous", "NspiAnonymous", "EmsmdbPing", "NspiPing" }, later.Select(r => r.Check).ToArray());
        Assert.All(later, r => Assert.Equal((CheckStatus.Skipped, "Not attempted: the TCP connection failed."), (r.Status, r.Message)));
    }

    [Fact]
    public void Unresolvable_host_fails_the_dns_step_with_cause_network()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Test-MapiHttpEndpoint -Uri https://nosuchhost.invalid/mapi -TimeoutSec 5");

        Assert.Empty(result.Errors);
        MapiHttpEndpointResult dns = Assert.Single(result.Objects<MapiHttpEndpointResult>());
        Assert.Equal("Dns", dns.Check);
        Assert.Equal(CheckStatus.Fail, dns.Status);
        Assert.Equal(MapiHttpCause.Network, dns.Cause);
        Assert.Contains("nosuchhost.invalid", dns.Message);
    }

    [Fact]
    public void Vdir_without_urls_is_reported_with_its_identity()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke(
            "[pscustomobject]@{ Identity = 'EX01\\mapi (Default Web Site)'; Server = 'EX01'; InternalUrl = $null; ExternalUrl = $null; IISAuthenticationMethods = @('Ntlm','OAuth','Negotiate') } | Test-MapiHttpEndpoint");

        Assert.Empty(result.Output);
        ErrorRecord error = Assert.Single(result.Errors);
        Assert.Equal("NoUrlOnVirtualDirectory,MapiHttpTools.Commands.TestMapiHttpEndpointCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("EX01\\mapi (Default Web Site)", error.Exception.Message);
    }

    [Fact]
    public void Parameter_validation_rejects_out_of_range_values()
    {
        using var session = new ModuleSession();
        ScriptResult result = session.Invoke("Test-MapiHttpEndpoint -Uri https://mail.contoso.lab/mapi -TimeoutSec 0");

        Assert.Empty(result.Output);
        Assert.Equal(new[] { "ParameterArgumentValidationError,MapiHttpTools.Commands.TestMapiHttpEndpointCommand" }, result.ErrorIds.ToArray());
    }
}
