using System;
using System.Linq;
using MapiHttpTools.Probing;
using Xunit;

namespace MapiHttpTools.Tests.Endpoint;

/// <summary>
/// Issue 19: Exchange's IISAuthenticationMethods names (as Get-MapiVirtualDirectory shows them) and the schemes a real
/// WWW-Authenticate offers, both ways, every name; expected values are written out.
/// </summary>
public sealed class AuthenticationSchemeTests
{
    [Theory]
    [InlineData("Ntlm", new[] { "NTLM" })]
    [InlineData("NTLM", new[] { "NTLM" })]
    [InlineData("Negotiate", new[] { "Negotiate" })]
    [InlineData("Kerberos", new[] { "Negotiate" })]
    [InlineData("NegoEx", new[] { "Negotiate" })]
    [InlineData("WindowsIntegrated", new[] { "Negotiate", "NTLM" })]
    [InlineData("OAuth", new[] { "Bearer" })]
    [InlineData("Bearer", new[] { "Bearer" })]
    [InlineData("Basic", new[] { "Basic" })]
    [InlineData("LiveIdBasic", new[] { "Basic" })]
    [InlineData("Digest", new[] { "Digest" })]
    [InlineData(" ntlm ", new[] { "NTLM" })]
    [InlineData("  ", new string[0])]
    [InlineData("", new string[0])]
    [InlineData(" Adfs ", new[] { "Adfs" })]
    [InlineData("Certificate", new[] { "Certificate" })]
    public void Each_exchange_method_name_maps_to_its_http_schemes(string exchangeMethod, string[] expected) =>
        Assert.Equal(expected, AuthenticationSchemes.ToHttpSchemes(exchangeMethod).ToArray());

    [Theory]
    [InlineData("NTLM", "Ntlm")]
    [InlineData("ntlm", "Ntlm")]
    [InlineData("Negotiate", "Negotiate")]
    [InlineData("NEGOTIATE", "Negotiate")]
    [InlineData("Bearer", "OAuth")]
    [InlineData("bearer", "OAuth")]
    [InlineData("Basic", "Basic")]
    [InlineData("basic", "Basic")]
    [InlineData(" Digest ", "Digest")]
    [InlineData("Kerberos", "Kerberos")]
    public void Each_http_scheme_maps_back_to_the_exchange_method_name(string scheme, string expected) =>
        Assert.Equal(expected, AuthenticationSchemes.ToExchangeMethod(scheme));

    [Fact]
    public void Normalize_drops_duplicates_whatever_their_case_and_keeps_the_first_order()
    {
        // Get-MapiVirtualDirectory of Exchange 2019 with OAuth: IISAuthenticationMethods {Ntlm, OAuth, Negotiate}.
        Assert.Equal(new[] { "NTLM", "Bearer", "Negotiate" }, AuthenticationSchemes.Normalize(new[] { "Ntlm", "OAuth", "Negotiate", "Kerberos", "ntlm", "" }).ToArray());
        Assert.Equal(new[] { "Negotiate", "NTLM" }, AuthenticationSchemes.DefaultExpected.ToArray());
    }

    [Theory]
    // What IIS sends for /mapi with Windows authentication: two headers, one scheme each.
    [InlineData(new[] { "Negotiate", "NTLM" }, new[] { "Negotiate", "NTLM" })]
    // Lower case from a proxy is still the same scheme, named canonically.
    [InlineData(new[] { "negotiate", "ntlm", "bearer", "basic realm=\"x\"", "digest realm=\"x\"" }, new[] { "Negotiate", "NTLM", "Bearer", "Basic", "Digest" })]
    // Bearer with its parameters on one line: the parameters (with quoted commas and spaces) are not schemes.
    [InlineData(new[] { "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\", trusted_issuers=\"00000001@*\", token_types=\"app_asserted_user_v1 service_asserted_app_v1\", authorization_uri=\"https://login.windows.net/common/oauth2/authorize\"", "Negotiate", "NTLM" }, new[] { "Bearer", "Negotiate", "NTLM" })]
    // A quoted realm containing a comma and a space does not split the challenge.
    [InlineData(new[] { "Basic realm=\"mail, contoso lab\", NTLM" }, new[] { "Basic", "NTLM" })]
    // Empty pieces and a repeated scheme count once.
    [InlineData(new[] { "NTLM,, NTLM", " ", "" }, new[] { "NTLM" })]
    // A piece starting with '=' is not a parameter of the challenge before it.
    [InlineData(new[] { "NTLM, =x" }, new[] { "NTLM", "=x" })]
    // A parameter before any challenge has nothing to belong to: it is read as a challenge of its own.
    [InlineData(new[] { "realm=x, NTLM" }, new[] { "realm=x", "NTLM" })]
    // A token68 challenge ("Negotiate YII...=") keeps its scheme even though an '=' follows the space.
    [InlineData(new[] { "Negotiate oYIBBzCCAQOgAwoBAaKB7gSB6w==, NTLM" }, new[] { "Negotiate", "NTLM" })]
    [InlineData(new[] { "Custom a=1 b" }, new[] { "Custom" })]
    // A proxy writing no space after the comma: the parameter still belongs to Basic.
    [InlineData(new[] { "Negotiate, NTLM, Basic,realm=\"mail.contoso.lab\"" }, new[] { "Negotiate", "NTLM", "Basic" })]
    public void Offered_reads_the_scheme_of_each_challenge(string[] headers, string[] expected) =>
        Assert.Equal(expected, AuthenticationSchemes.Offered(headers).ToArray());

    [Fact]
    public void A_parameter_whose_value_holds_a_space_stays_with_its_challenge()
    {
        // "b=\"c d\"" has its '=' before the space: a parameter of Digest, not a scheme named b="c.
        Assert.Equal(new[] { "Digest" }, AuthenticationSchemes.Offered(new[] { "Digest realm=\"a\", b=\"c d\"" }).ToArray());
        Assert.Equal(new[] { "Digest", "d" }, AuthenticationSchemes.Offered(new[] { "Digest realm=\"a\", d e=f" }).ToArray());
    }
}
