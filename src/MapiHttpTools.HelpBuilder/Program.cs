using System;
using System.IO;

namespace MapiHttpTools.HelpBuilder;

/// <summary>
/// dotnet MapiHttpTools.HelpBuilder.dll --source &lt;en-US folder&gt; --output &lt;module folder&gt;/en-US
/// Errors are printed in MSBuild's canonical form ("file(line): error HELP001: ...") so a build that runs this
/// through Exec fails with the file and line of the problem.
/// </summary>
internal static class Program
{
    private const string ErrorCode = "HELP001";

    public static int Main(string[] args)
    {
        string? source = null;
        string? output = null;
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : string.Empty;
            switch (args[i])
            {
                case "--source":
                    source = value;
                    i++;
                    break;
                case "--output":
                    output = value;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"MapiHttpTools.HelpBuilder: error {ErrorCode}: unknown argument '{args[i]}'. Usage: --source <folder> --output <folder>");
                    return 2;
            }
        }

        if (string.IsNullOrEmpty(source) || string.IsNullOrEmpty(output))
        {
            Console.Error.WriteLine($"MapiHttpTools.HelpBuilder: error {ErrorCode}: usage: --source <folder of *.md help> --output <folder for MAML and about_*.help.txt>");
            return 2;
        }

        HelpBuildResult result = HelpBuild.Run(Path.GetFullPath(source), Path.GetFullPath(output));
        foreach (HelpSchemaException error in result.Errors)
        {
            Console.Out.WriteLine(FormatError(error));
        }

        if (!result.Succeeded)
        {
            return 1;
        }

        foreach (string file in result.Written)
        {
            Console.Out.WriteLine($"MapiHttpTools.HelpBuilder: wrote {file}");
        }

        return 0;
    }

    /// <summary>MSBuild's canonical error format, which Exec turns into a build error pointing at the file and line.</summary>
    internal static string FormatError(HelpSchemaException error)
    {
        string origin = error.Line > 0 ? $"{error.File}({error.Line})" : error.File;
        return $"{origin}: error {ErrorCode}: {error.Reason}";
    }
}
