using System;
using System.Collections.Generic;
using System.Linq;

namespace MapiHttpTools.Probing;

/// <summary>
/// Maps Exchange's IISAuthenticationMethods names to the HTTP schemes a 401 offers in WWW-Authenticate, and back.
/// Exchange names: Ntlm, Negotiate, OAuth, Basic, Kerberos, WindowsIntegrated, ... (Set-MapiVirtualDirectory).
/// </summary>
internal static class AuthenticationSchemes
{
    public static readonly IReadOnlyList<string> DefaultExpected = new[] { "Negotiate", "NTLM" };

    /// <summary>HTTP scheme(s) for one Exchange method name; unknown names map to themselves.</summary>
    public static IEnumerable<string> ToHttpSchemes(string exchangeMethod)
    {
        switch (exchangeMethod.Trim().ToUpperInvariant())
        {
            case "NTLM":
                return new[] { "NTLM" };
            case "NEGOTIATE":
            case "KERBEROS":
            case "NEGOEX":
                return new[] { "Negotiate" };
            case "WINDOWSINTEGRATED":
                return new[] { "Negotiate", "NTLM" };
            case "OAUTH":
            case "BEARER":
                return new[] { "Bearer" };
            case "BASIC":
            case "LIVEIDBASIC":
                return new[] { "Basic" };
            case "DIGEST":
                return new[] { "Digest" };
            case "":
                return Array.Empty<string>();
            default:
                return new[] { exchangeMethod.Trim() };
        }
    }

    public static IReadOnlyList<string> Normalize(IEnumerable<string> exchangeOrHttpNames) =>
        exchangeOrHttpNames.SelectMany(ToHttpSchemes).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>The scheme token of each WWW-Authenticate value ("Basic realm=..." → "Basic"; "NTLM" → "NTLM").</summary>
    public static IReadOnlyList<string> Offered(IEnumerable<string> wwwAuthenticateValues) =>
        wwwAuthenticateValues
            .SelectMany(SplitChallenges)
            .Select(v => v.Trim())
            .Where(v => v.Length > 0)
            .Select(v => v.Split(new[] { ' ', ',' }, 2)[0])
            .Select(CanonicalScheme)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();

    private static string CanonicalScheme(string scheme) =>
        scheme.ToUpperInvariant() switch
        {
            "NTLM" => "NTLM",
            "NEGOTIATE" => "Negotiate",
            "BEARER" => "Bearer",
            "BASIC" => "Basic",
            "DIGEST" => "Digest",
            _ => scheme,
        };

    // Several challenges may share one header line ("Negotiate, NTLM"); parameters after a scheme contain '='.
    private static IEnumerable<string> SplitChallenges(string value)
    {
        var parts = new List<string>();
        foreach (string piece in value.Split(','))
        {
            string trimmed = piece.Trim();
            bool isParameter = parts.Count > 0 && (trimmed.IndexOf('=') > 0 && trimmed.IndexOf(' ') < 0 || trimmed.Length == 0);
            if (isParameter)
            {
                parts[parts.Count - 1] += "," + piece;
            }
            else
            {
                parts.Add(trimmed);
            }
        }

        return parts;
    }
}
