using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using MapiHttpTools.HelpBuilder.Markdown;
using MapiHttpTools.HelpBuilder.Model;

namespace MapiHttpTools.HelpBuilder;

/// <summary>
/// Converts a help source folder (en-US/*.md) into the files Get-Help reads: one MAML file per
/// 'external help file' named in the cmdlet files' front matter, and one about_*.help.txt per about topic.
/// Every file is checked first; if any is malformed nothing is written and all problems are reported.
/// </summary>
internal static class HelpBuild
{
    public static HelpBuildResult Run(string sourceDirectory, string outputDirectory)
    {
        var errors = new List<HelpSchemaException>();
        if (!Directory.Exists(sourceDirectory))
        {
            errors.Add(new HelpSchemaException(sourceDirectory, 0, "help source folder does not exist"));
            return new HelpBuildResult(Array.Empty<string>(), errors);
        }

        var commands = new List<CommandHelp>();
        var topics = new List<AboutTopic>();
        foreach (string file in Directory.EnumerateFiles(sourceDirectory, "*.md", SearchOption.TopDirectoryOnly).OrderBy(f => f, StringComparer.Ordinal))
        {
            try
            {
                MarkdownDocument document = MarkdownDocument.Parse(file, File.ReadAllText(file, Encoding.UTF8));
                if (Path.GetFileName(file).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                {
                    topics.Add(AboutTopic.Parse(document));
                }
                else
                {
                    commands.Add(CommandHelpParser.Parse(document));
                }
            }
            catch (HelpSchemaException ex)
            {
                errors.Add(ex);
            }
        }

        foreach (IGrouping<string, CommandHelp> group in commands.GroupBy(c => c.ExternalHelpFile, StringComparer.OrdinalIgnoreCase))
        {
            string module = group.First().ModuleName;
            foreach (CommandHelp other in group.Where(c => !string.Equals(c.ModuleName, module, StringComparison.Ordinal)))
            {
                errors.Add(new HelpSchemaException(other.SourcePath, 1, $"'Module Name: {other.ModuleName}' differs from '{module}' of {Path.GetFileName(group.First().SourcePath)}, which goes into the same help file"));
            }
        }

        if (errors.Count > 0)
        {
            return new HelpBuildResult(Array.Empty<string>(), errors);
        }

        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        foreach (IGrouping<string, CommandHelp> group in commands.GroupBy(c => c.ExternalHelpFile, StringComparer.OrdinalIgnoreCase))
        {
            string target = Path.Combine(outputDirectory, group.First().ExternalHelpFile);
            File.WriteAllBytes(target, MamlWriter.ToBytes(MamlWriter.ToDocument(group.OrderBy(c => c.Name, StringComparer.Ordinal))));
            written.Add(target);
        }

        foreach (AboutTopic topic in topics)
        {
            string target = Path.Combine(outputDirectory, topic.OutputFileName);
            File.WriteAllText(target, topic.Render(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
            written.Add(target);
        }

        // A help source that was removed or renamed must not leave its old output behind in the module folder.
        var keep = new HashSet<string>(written.Select(Path.GetFileName)!, StringComparer.OrdinalIgnoreCase);
        foreach (string stale in Directory.EnumerateFiles(outputDirectory, "*-Help.xml").Concat(Directory.EnumerateFiles(outputDirectory, "about_*.help.txt")).ToList())
        {
            if (!keep.Contains(Path.GetFileName(stale)))
            {
                File.Delete(stale);
            }
        }

        return new HelpBuildResult(written, errors);
    }
}

internal sealed record HelpBuildResult(IReadOnlyList<string> Written, IReadOnlyList<HelpSchemaException> Errors)
{
    public bool Succeeded => Errors.Count == 0;
}
