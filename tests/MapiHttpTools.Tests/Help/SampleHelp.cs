using System;

namespace MapiHttpTools.Tests.Help;

/// <summary>
/// A complete cmdlet help file in the PlatyPS schema, small enough to assert every element it turns into:
/// two parameter sets, a switch, aliases, accepted values, a parameter with one yaml block per set,
/// a list in the description, two examples, inputs, outputs, notes and links.
/// </summary>
internal static class SampleHelp
{
    public const string FileName = "Get-Sample.md";

    public const string Command = """
        ---
        external help file: Sample.dll-Help.xml
        Module Name: Sample
        online version:
        schema: 2.0.0
        ---

        # Get-Sample

        ## SYNOPSIS
        Gets samples.

        ## SYNTAX

        ### ByName (Default)
        ```
        Get-Sample [-Name] <String[]> [[-Path] <String>] [-Kind <String>] [-Force] [<CommonParameters>]
        ```

        ### ById
        ```
        Get-Sample -Id <Int32> -Path <String> [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The first line
        continues here.

        - item one
        - item two

        Second paragraph with [a link](https://example.com/a), a [relative link](Get-Other.md) and **bold** text.

        ## EXAMPLES

        ### Example 1: Get one sample
        ```powershell
        Get-Sample -Name a |
            Where-Object Kind -eq 'Small'
        ```

        Gets the sample named a.
        Second line of the remarks.

        Another remarks paragraph.

        ### Example 2
        ```powershell
        Get-Sample -Id 1 -Path x
        ```

        ## PARAMETERS

        ### -Force
        Forces it.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases: f

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Id
        The id.

        ```yaml
        Type: Int32
        Parameter Sets: ById
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -Kind
        The kind.

        ```yaml
        Type: String
        Parameter Sets: ByName
        Aliases:
        Accepted values: Small, Large

        Required: False
        Position: Named
        Default value: Small
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Name
        The name.

        ```yaml
        Type: String[]
        Parameter Sets: ByName
        Aliases: SampleName, N

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByPropertyName, ByValue)
        Accept wildcard characters: True
        ```

        ### -Path
        The path.

        ```yaml
        Type: String
        Parameter Sets: ByName
        Aliases:

        Required: False
        Position: 1
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ```yaml
        Type: String
        Parameter Sets: ById
        Aliases:

        Required: True
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).

        ## INPUTS

        ### System.String[]
        Names.

        ## OUTPUTS

        ### Sample.Result
        One per sample.

        ## NOTES
        A note.

        ## RELATED LINKS

        [Online docs](https://example.com/get-sample)
        [about_Sample]()
        """;

    public const string AboutFileName = "about_Sample.md";

    public const string About = """
        ---
        Module Name: Sample
        ---

        # Sample

        ## about_Sample

        # SHORT DESCRIPTION
        Explains the Sample module.

        # LONG DESCRIPTION
        The Sample module does a great many things, and this sentence is deliberately long enough that it has to be wrapped at eighty columns, more than once.

        ## Subtopic

        - A list item that is also long enough to need a second line when it is rendered at eighty columns.
        - A short item.

        ```powershell
        Get-Sample -Name 'a value long enough that this line of code is well over eighty characters wide' | Out-Null
        ```

        # EXAMPLES
        Run Get-Sample.

        # KEYWORDS
        - Sample
        """;

    /// <summary>The 1-based number of the first line of <paramref name="text"/> that contains <paramref name="marker"/>.</summary>
    public static int LineOf(string text, string marker)
    {
        string[] lines = text.Replace("\r\n", "\n").Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(marker, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        throw new ArgumentException($"'{marker}' is not in the text.", nameof(marker));
    }
}
