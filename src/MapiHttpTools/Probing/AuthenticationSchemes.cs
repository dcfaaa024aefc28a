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

    /// <summary>
    /// The Exchange method name (Set-MapiVirtualDirectory -IISAuthenticationMethods) for a WWW-Authenticate scheme:
    /// the inverse of <see cref="ToHttpSchemes"/> (Bearer is OAuth, NTLM is Ntlm); unknown schemes keep their name.
    /// </summary>
    public static string ToExchangeMethod(string scheme) => scheme.Trim().ToUpperInvariant() switch
    {
        "NTLM" => "Ntlm",
        "NEGOTIATE" => "Negotiate",
        "BEARER" => "OAuth",
        "BASIC" => "Basic",
        _ => scheme.Trim(),
    };

    public static IReadOnlyList<string> Normalize(IEnumerable<string> exchangeOrHttpNames) =>
        exchangeOrHttpNames.SelectMany(ToHttpSchemes).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>The scheme token of each WWW-Authenticate value ("Basic realm=..." → "Basic"; "NTLM" → "NTLM").</summary>
    /// <remarks><see cref="SplitChallenges"/> yields trimmed, non-empty challenges only.</remarks>
    public static IReadOnlyList<string> Offered(IEnumerable<string> wwwAuthenticateValues) =>
        wwwAuthenticateValues
            .SelectMany(SplitChallenges)
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

    // Several challenges may share one header line ("Negotiate, NTLM"). Split on commas outside quotes; a piece
    // whose first '=' comes before any space ("token_types=\"a b\"") is a parameter of the challenge before it.
    private static IEnumerable<string> SplitChallenges(string value)
    {
        var pieces = new List<string>();
        var current = new System.Text.StringBuilder();
        bool quoted = false;
        foreach (char c in value)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }

            if (c == ',' && !quoted)
            {
                pieces.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        pieces.Add(current.ToString());

        var challenges = new List<string>();
        foreach (string piece in pieces)
        {
            string trimmed = piece.Trim();
            int equals = trimmed.IndexOf('=');
            int space = trimmed.IndexOf(' ');
            bool isParameter = equals > 0 && (space < 0 || equals < space);
            if (isParameter && challenges.Count > 0)
            {
                challenges[challenges.Count - 1] += ", " + trimmed;
            }
            else if (trimmed.Length > 0)
            {
                challenges.Add(trimmed);
            }
        }

        return challenges;
    }
}
