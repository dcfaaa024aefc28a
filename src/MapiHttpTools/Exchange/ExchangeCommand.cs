using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

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

/// <summary>Writes values as PowerShell literals, so recommendations and messages are commands that run as shown.</summary>
internal static class PowerShellText
{
    /// <summary>'text' with embedded quotes doubled.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

    public static string Literal(object? value) => value switch
    {
        null => "$null",
        bool b => b ? "$true" : "$false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s => Quote(s),
        IEnumerable<string> list => string.Join(",", list),
        _ => Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };
}
