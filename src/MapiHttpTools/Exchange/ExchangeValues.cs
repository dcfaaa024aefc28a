using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace MapiHttpTools.Exchange;

/// <summary>
/// Reads Exchange objects as property bags, whatever they are: live Exchange types from a local snap-in,
/// Deserialized.* objects from a remote session or an Export-Clixml file, or snapshot entries. URLs may be
/// System.Uri or string, lists MultiValuedProperty, ArrayList or arrays, enums real enums or deserialized
/// numbers that carry their name in ToString. This is the one place that knows.
/// </summary>
internal static class ExchangeValues
{
    /// <summary>The property's value, or null when the object has no such property or its getter fails.</summary>
    public static object? Raw(PSObject obj, string name)
    {
        PSPropertyInfo? property = obj.Properties[name];
        if (property is null)
        {
            return null;
        }

        try
        {
            return property.Value;
        }
        catch (GetValueException)
        {
            return null;
        }
    }

    public static string? Text(PSObject obj, string name) => TextOf(Raw(obj, name));

    /// <summary>A scalar as text: Uri as written, enums by name (live or deserialized), objects by their ToString; blank is null.</summary>
    public static string? TextOf(object? value)
    {
        string? text = value switch
        {
            null => null,
            PSObject { BaseObject: Uri uri } => uri.OriginalString,
            PSObject { BaseObject: string s } => s,
            PSObject pso => BagText(pso),
            Uri uri => uri.OriginalString,
            string s => s,
            IFormattable formattable when value is not Enum => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };

        return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }

    /// <summary>
    /// A deserialized object (remote EMS, Import-Clixml) keeps the original's ToString text: for an ADObjectId that is the
    /// full identity ("EX01\mapi (Default Web Site)"); Name alone would drop the server. A bag made without that text
    /// (a [pscustomobject] standing in) prints as "@{...}": its Name is then the best identity there is.
    /// </summary>
    private static string BagText(PSObject bag)
    {
        string text = bag.ToString();
        return text.StartsWith("@{", StringComparison.Ordinal) && bag.Properties["Name"]?.Value is { } name ? name.ToString() ?? text : text;
    }

    public static bool? Bool(PSObject obj, string name) => BoolOf(Raw(obj, name));

    public static bool? BoolOf(object? value)
    {
        object? inner = value is PSObject pso ? pso.BaseObject : value;
        return inner switch
        {
            bool b => b,
            SwitchParameter sw => sw.IsPresent,
            string s when bool.TryParse(s.Trim(), out bool parsed) => parsed,
            _ => null,
        };
    }

    public static DateTime? UtcDate(PSObject obj, string name)
    {
        object? value = Raw(obj, name);
        object? inner = value is PSObject pso ? pso.BaseObject : value;
        return inner switch
        {
            DateTime dt => ToUtc(dt),
            DateTimeOffset dto => dto.UtcDateTime,
            string s when DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime parsed) => parsed,
            _ => null,
        };
    }

    public static DateTime ToUtc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>A multi-valued property as a list of names; a single value or "a, b" text becomes a list too.</summary>
    public static IReadOnlyList<string> Strings(PSObject obj, string name) => StringsOf(Raw(obj, name));

    public static IReadOnlyList<string> StringsOf(object? value)
    {
        var list = new List<string>();
        if (value is null)
        {
            return list;
        }

        object inner = value is PSObject pso ? pso.BaseObject : value;
        if (inner is string text)
        {
            foreach (string part in text.Split(','))
            {
                if (!string.IsNullOrWhiteSpace(part))
                {
                    list.Add(part.Trim());
                }
            }

            return list;
        }

        if (inner is IEnumerable sequence and not IDictionary)
        {
            foreach (object? item in sequence)
            {
                list.AddRange(StringsOf(item));
            }

            return list;
        }

        if (inner is Enum flags && flags.GetType().IsDefined(typeof(FlagsAttribute), false))
        {
            return StringsOf(flags.ToString());
        }

        string? single = TextOf(value);
        if (single is not null)
        {
            // A deserialized [Flags] enum carries "IMAP, POP, IIS, SMTP" in its ToString.
            list.AddRange(StringsOf(single));
        }

        return list;
    }

    public static byte[]? Bytes(PSObject obj, string name)
    {
        object? value = Raw(obj, name);
        object? inner = value is PSObject pso ? pso.BaseObject : value;
        switch (inner)
        {
            case byte[] bytes:
                return bytes;
            case string base64 when base64.Length > 0:
                try
                {
                    return Convert.FromBase64String(base64);
                }
                catch (FormatException)
                {
                    return null;
                }

            case IEnumerable sequence:
                var list = new List<byte>();
                foreach (object? item in sequence)
                {
                    object? b = item is PSObject p ? p.BaseObject : item;
                    if (b is not byte one)
                    {
                        return null;
                    }

                    list.Add(one);
                }

                return list.Count == 0 ? null : list.ToArray();
            default:
                return null;
        }
    }
}
