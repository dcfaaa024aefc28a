using System.Collections.Generic;
using System.Management.Automation;

namespace MapiHttpTools.Infrastructure.Clixml;

/// <summary>
/// One CLIXML object read as data: a property bag with NoteProperties, type names prefixed "Deserialized." (as
/// Import-Clixml gives them) and the original's ToString text, which is how Exchange's enums and identities carry
/// their names ("Ntlm", "EX01\mapi (Default Web Site)"). The base object is the list, dictionary or primitive the
/// object wrapped (an enum keeps its number), or an empty PSCustomObject.
/// </summary>
/// <remarks>
/// The ToString text is returned both by the .NET override and by an instance "ToString" code method, which
/// PowerShell's own string conversion consults before the session's type table: a ScriptMethod ToString registered
/// for the type name never runs for a file's object (issue 20).
/// </remarks>
public sealed class ClixmlObject : PSObject
{
    private static readonly PSCodeMethod ToStringMethod = new("ToString", typeof(ClixmlObject).GetMethod(nameof(ToStringOf))!);

    private readonly string? _text;

    internal ClixmlObject(object? baseObject, IReadOnlyList<string> typeNames, string? text)
        : base(baseObject ?? new PSObject().BaseObject)
    {
        _text = text;
        TypeNames.Clear();
        // The reader passes the names already prefixed "Deserialized." and shares one array per TN, so a large file
        // does not hold a copy of every type name per object.
        foreach (string name in typeNames)
        {
            TypeNames.Add(name);
        }

        Members.Add(ToStringMethod);
    }

    /// <summary>The original object's ToString, as the file recorded it (null when it recorded none).</summary>
    public string? OriginalText => _text;

    /// <summary>Target of the instance ToString code method.</summary>
    public static string ToStringOf(PSObject instance) => instance is ClixmlObject obj ? obj.Text() : instance.BaseObject?.ToString() ?? string.Empty;

    public override string ToString() => Text();

    /// <summary>Adds a property; the reader has already dropped repeated names (the first one counts).</summary>
    internal void AddNote(string name, object? value) => Properties.Add(new PSNoteProperty(name, value), preValidated: true);

    private string Text()
    {
        if (_text is not null)
        {
            return _text;
        }

        return BaseObject is PSCustomObject ? string.Empty : BaseObject?.ToString() ?? string.Empty;
    }
}
