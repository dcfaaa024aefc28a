using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MapiHttpTools.Exchange;

/// <summary>One Exchange cmdlet call: the name and its parameters, in order. Switches have no value.</summary>
internal sealed class ExchangeCommand
{
    private readonly List<KeyValuePair<string, object?>> _parameters = new();

    public ExchangeCommand(string name) => Name = name;

    /// <summary>Marks a switch parameter in <see cref="Parameters"/>.</summary>
    public static readonly object SwitchPresent = new();

    public string Name { get; }

    public IReadOnlyList<KeyValuePair<string, object?>> Parameters => _parameters;

    public ExchangeCommand With(string name, object? value)
    {
        _parameters.Add(new KeyValuePair<string, object?>(name, value));
        return this;
    }

    public ExchangeCommand WithIfSet(string name, string? value) => value is null ? this : With(name, value);

    public ExchangeCommand Switch(string name)
    {
        _parameters.Add(new KeyValuePair<string, object?>(name, SwitchPresent));
        return this;
    }

    /// <summary>The call as an admin would type it, for messages and verbose output.</summary>
    public override string ToString() =>
        Name + string.Concat(_parameters.Select(p => " -" + p.Key + (ReferenceEquals(p.Value, SwitchPresent) ? string.Empty : " " + PowerShellText.Literal(p.Value))));
}

/// <summary>
/// The one place PowerShell text is written (issue 12: quoting was written four times): values as literals, so
/// recommendations, messages and -WhatIf targets are commands that run as shown.
/// </summary>
internal static class PowerShellText
{
    /// <summary>'text' with embedded single quotes (and their typographic look-alikes, which PowerShell also ends a string on) doubled.</summary>
    public static string Quote(string text) => "'" + Escape(text) + "'";

    /// <summary>The inside of a single-quoted string: quotes doubled, for text already placed between quotes.</summary>
    public static string Escape(string text)
    {
        var result = new StringBuilder(text.Length + 2);
        foreach (char c in text)
        {
            result.Append(c);
            if (c is '\'' or '\u2018' or '\u2019' or '\u201A' or '\u201B')
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    /// <summary>Always quotes text: 'EX02'.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "$null",
        bool b => b ? "$true" : "$false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s => Quote(s),
        IEnumerable<string> list => string.Join(",", list),
        _ => Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    /// <summary>One argument as an admin types it: $true/$false/$null, lists joined by commas, quoted only where needed (EX01, 'EX01\mapi (Default Web Site)').</summary>
    public static string Argument(object? value) => value switch
    {
        null => "$null",
        bool b => b ? "$true" : "$false",
        string s => Bare(s) ? s : Quote(s),
        Uri u => Bare(u.OriginalString) ? u.OriginalString : Quote(u.OriginalString),
        IEnumerable list => string.Join(",", list.Cast<object?>().Select(Argument)),
        _ => Argument(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    /// <summary>A command line: switches (true values of Confirm/ADPropertiesOnly-like switches) as -Name or -Name:$false.</summary>
    public static string CommandLine(string command, IEnumerable<(string Name, object? Value)> parameters)
    {
        var parts = new List<string> { command };
        foreach ((string name, object? value) in parameters)
        {
            parts.Add(value switch
            {
                bool b when name is "Confirm" or "ADPropertiesOnly" => b ? $"-{name}" : $"-{name}:$false",
                _ => $"-{name} {Argument(value)}",
            });
        }

        return string.Join(" ", parts);
    }

    private static bool Bare(string text) =>
        text.Length > 0 && text[0] != '-' && text.All(c => char.IsLetterOrDigit(c) || c is '.' || c is '-' || c is '_' || c is ':' || c is '/');
}
