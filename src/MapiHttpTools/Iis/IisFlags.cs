using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace MapiHttpTools.Iis;

/// <summary>
/// The IIS schema's enum and flag values that Microsoft.Web.Administration hands back as numbers
/// (system.webServer/security/access sslFlags, extendedProtection tokenChecking and flags).
/// </summary>
internal static class IisFlags
{
    private static readonly (string Name, int Value)[] SslFlagValues =
    {
        ("Ssl", 8),
        ("SslNegotiateCert", 32),
        ("SslRequireCert", 64),
        ("SslMapCert", 128),
        ("Ssl128", 256),
    };

    private static readonly (string Name, int Value)[] TokenCheckingValues =
    {
        ("None", 0),
        ("Allow", 1),
        ("Require", 2),
    };

    private static readonly (string Name, int Value)[] ExtendedProtectionFlagValues =
    {
        ("Proxy", 1),
        ("NoServiceNameCheck", 2),
        ("AllowDotlessSpn", 4),
        ("ProxyCohosting", 32),
    };

    /// <summary>Parses "Ssl, Ssl128" (or a number) into the flag value; null when a name is not an IIS sslFlags name.</summary>
    public static int? ParseSslFlags(string? text) => ParseFlags(text, SslFlagValues);

    /// <summary>Formats sslFlags the way IIS writes them: "None" or "Ssl, Ssl128".</summary>
    public static string FormatSslFlags(int value) => FormatFlags(value, SslFlagValues);

    /// <summary>Normalizes any sslFlags text to the IIS spelling and order; unknown text is returned as written.</summary>
    public static string NormalizeSslFlags(string? text) =>
        ParseSslFlags(text) is int value ? FormatSslFlags(value) : (text ?? "None");

    public static string NormalizeExtendedProtectionFlags(string? text) =>
        ParseFlags(text, ExtendedProtectionFlagValues) is int value ? FormatFlags(value, ExtendedProtectionFlagValues) : (text ?? "None");

    public static string FormatExtendedProtectionFlags(int value) => FormatFlags(value, ExtendedProtectionFlagValues);

    /// <summary>"None", "Allow" or "Require" from a name or the schema's number; unknown text is returned as written.</summary>
    public static string NormalizeTokenChecking(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "None";
        }

        string trimmed = text!.Trim();
        foreach ((string name, int value) in TokenCheckingValues)
        {
            if (string.Equals(name, trimmed, StringComparison.OrdinalIgnoreCase) ||
                trimmed == value.ToString(CultureInfo.InvariantCulture))
            {
                return name;
            }
        }

        return trimmed;
    }

    /// <summary>The flag names set in <paramref name="value"/>.</summary>
    public static IReadOnlyList<string> SslFlagNames(int value) =>
        SslFlagValues.Where(f => (value & f.Value) == f.Value).Select(f => f.Name).ToArray();

    private static int? ParseFlags(string? text, (string Name, int Value)[] table)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return 0;
        }

        if (int.TryParse(text!.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int number))
        {
            return number;
        }

        int result = 0;
        foreach (string part in text.Split(','))
        {
            string name = part.Trim();
            if (name.Length == 0 || string.Equals(name, "None", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            int index = Array.FindIndex(table, f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                return null;
            }

            result |= table[index].Value;
        }

        return result;
    }

    private static string FormatFlags(int value, (string Name, int Value)[] table)
    {
        string[] names = table.Where(f => (value & f.Value) == f.Value).Select(f => f.Name).ToArray();
        return names.Length == 0 ? "None" : string.Join(", ", names);
    }
}
