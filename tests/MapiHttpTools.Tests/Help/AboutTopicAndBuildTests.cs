using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MapiHttpTools.HelpBuilder;
using MapiHttpTools.HelpBuilder.Markdown;
using Xunit;

namespace MapiHttpTools.Tests.Help;

/// <summary>About topics (markdown to the text Get-Help prints) and the whole build step over a folder.</summary>
public sealed class AboutTopicAndBuildTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "mht-help-" + Guid.NewGuid().ToString("N"));

    public AboutTopicAndBuildTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "src"));
        Directory.CreateDirectory(Path.Combine(_root, "out"));
    }

    private string Source => Path.Combine(_root, "src");

    private string Output => Path.Combine(_root, "out");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static AboutTopic ParseAbout(string markdown, string fileName = SampleHelp.AboutFileName) =>
        AboutTopic.Parse(MarkdownDocument.Parse(Path.Combine("/help/en-US", fileName), markdown));

    [Fact]
    public void About_topic_renders_as_PlatyPS_lays_it_out()
    {
        AboutTopic topic = ParseAbout(SampleHelp.About);
        string text = topic.Render();
        string[] lines = text.Split("\r\n");

        Assert.Equal("about_Sample.help.txt", topic.OutputFileName);
        Assert.Equal(new[] { "TOPIC", "    about_sample", string.Empty, "SHORT DESCRIPTION", "    Explains the Sample module.", string.Empty, "LONG DESCRIPTION" }, lines.Take(7).ToArray());
        Assert.Contains("Subtopic", lines);
        Assert.Contains("EXAMPLES", lines);
        Assert.Contains("KEYWORDS", lines);
        Assert.Contains("    - Sample", lines);
        Assert.EndsWith("    - Sample\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n\n", text.Replace("\r\n", "\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void About_prose_wraps_at_80_columns_without_losing_words_and_code_stays_verbatim()
    {
        string[] lines = ParseAbout(SampleHelp.About).Render().Split("\r\n");
        const string code = "    Get-Sample -Name 'a value long enough that this line of code is well over eighty characters wide' | Out-Null";

        Assert.All(lines.Where(l => l != code), l => Assert.True(l.Length <= 80, $"longer than 80: '{l}'"));
        Assert.Contains(code, lines);

        int start = Array.IndexOf(lines, "LONG DESCRIPTION") + 1;
        string[] paragraph = lines.Skip(start).TakeWhile(l => l.Length > 0).ToArray();
        Assert.True(paragraph.Length >= 2);
        Assert.All(paragraph, l => Assert.StartsWith("    ", l, StringComparison.Ordinal));
        Assert.Equal(
            "The Sample module does a great many things, and this sentence is deliberately long enough that it has to be wrapped at eighty columns, more than once.",
            string.Join(" ", paragraph.Select(l => l.Trim())));

        // A list item's continuation lines hang under its text, not under the dash.
        int item = Array.FindIndex(lines, l => l.StartsWith("    - A list item", StringComparison.Ordinal));
        Assert.StartsWith("      ", lines[item + 1], StringComparison.Ordinal);
        Assert.NotEqual('-', lines[item + 1].TrimStart()[0]);
    }

    [Theory]
    [InlineData("# SHORT DESCRIPTION", "## SHORT DESCRIPTION", "## SHORT DESCRIPTION", "'## SHORT DESCRIPTION' must be a level-1 heading: '# SHORT DESCRIPTION' (PlatyPS about template)")]
    [InlineData("## about_Sample", "## about_Other", "## about_Other", "the topic 'about_Other' must be in a file named 'about_Other.md'")]
    [InlineData("## about_Sample", "## About Sample", "## About Sample", "'## About Sample' is not an about topic name (about_Name, no spaces)")]
    [InlineData("# LONG DESCRIPTION\n", "# DETAILS\n", "## about_Sample", "the topic has no '# LONG DESCRIPTION' section")]
    [InlineData("Explains the Sample module.", "{{ Short Description Placeholder }}", "{{ Short", "PlatyPS placeholder left in: '{{ Short Description Placeholder }}'")]
    public void Malformed_about_topics_are_refused_with_the_line(string find, string replace, string lineMarker, string message)
    {
        string broken = SampleHelp.About.Replace(find, replace, StringComparison.Ordinal);

        HelpSchemaException error = Assert.Throws<HelpSchemaException>(() => ParseAbout(broken));

        Assert.Equal(message, error.Reason);
        Assert.Equal(SampleHelp.LineOf(broken, lineMarker), error.Line);
    }

    [Fact]
    public void Build_writes_one_MAML_file_per_external_help_file_and_one_text_file_per_topic()
    {
        File.WriteAllText(Path.Combine(Source, SampleHelp.FileName), SampleHelp.Command);
        File.WriteAllText(Path.Combine(Source, "Set-Sample.md"), SampleHelp.Command.Replace("Get-Sample", "Set-Sample", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(Source, SampleHelp.AboutFileName), SampleHelp.About);
        File.WriteAllText(Path.Combine(Output, "about_Removed.help.txt"), "an about topic whose source is gone");
        File.WriteAllText(Path.Combine(Output, "Removed.dll-Help.xml"), "<helpItems />");
        File.WriteAllText(Path.Combine(Output, "notes.txt"), "not ours");

        HelpBuildResult result = HelpBuild.Run(Source, Output);

        Assert.Empty(result.Errors);
        Assert.Equal(new[] { "Sample.dll-Help.xml", "about_Sample.help.txt" }, result.Written.Select(Path.GetFileName).ToArray());
        Assert.Equal(new[] { "Sample.dll-Help.xml", "about_Sample.help.txt", "notes.txt" }, Directory.GetFiles(Output).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray());
        string maml = File.ReadAllText(Path.Combine(Output, "Sample.dll-Help.xml"), Encoding.UTF8);
        Assert.Equal(new[] { "Get-Sample", "Set-Sample" }, Regex.Matches(maml, "<command:name>(.*?)</command:name>").Select(m => m.Groups[1].Value).ToArray());
        Assert.StartsWith("TOPIC\r\n    about_sample\r\n", File.ReadAllText(Path.Combine(Output, "about_Sample.help.txt"), Encoding.UTF8), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_with_a_malformed_file_writes_nothing_and_reports_every_bad_file()
    {
        File.WriteAllText(Path.Combine(Source, SampleHelp.FileName), SampleHelp.Command);
        string badCommand = Path.Combine(Source, "Set-Sample.md");
        File.WriteAllText(badCommand, SampleHelp.Command.Replace("Get-Sample", "Set-Sample", StringComparison.Ordinal).Replace("## SYNOPSIS\nGets samples.\n\n", string.Empty, StringComparison.Ordinal));
        string badAbout = Path.Combine(Source, SampleHelp.AboutFileName);
        File.WriteAllText(badAbout, SampleHelp.About.Replace("# SHORT DESCRIPTION", "## SHORT DESCRIPTION", StringComparison.Ordinal));
        string existing = Path.Combine(Output, "Sample.dll-Help.xml");
        File.WriteAllText(existing, "previous build");

        HelpBuildResult result = HelpBuild.Run(Source, Output);

        Assert.False(result.Succeeded);
        Assert.Empty(result.Written);
        Assert.Equal("previous build", File.ReadAllText(existing));
        Assert.Equal(new[] { badCommand, badAbout }.OrderBy(p => p, StringComparer.Ordinal), result.Errors.Select(e => e.File).OrderBy(p => p, StringComparer.Ordinal));
        Assert.Equal(
            $"{badCommand}(8): error HELP001: 'Set-Sample' has no '## SYNOPSIS' section",
            Program.FormatError(result.Errors.Single(e => e.File == badCommand)));
    }

    [Fact]
    public void Build_refuses_two_modules_in_one_help_file()
    {
        File.WriteAllText(Path.Combine(Source, SampleHelp.FileName), SampleHelp.Command);
        string other = Path.Combine(Source, "Set-Sample.md");
        File.WriteAllText(other, SampleHelp.Command.Replace("Get-Sample", "Set-Sample", StringComparison.Ordinal).Replace("Module Name: Sample", "Module Name: Other", StringComparison.Ordinal));

        HelpBuildResult result = HelpBuild.Run(Source, Output);

        HelpSchemaException error = Assert.Single(result.Errors);
        Assert.Equal(other, error.File);
        Assert.Equal("'Module Name: Other' differs from 'Sample' of Get-Sample.md, which goes into the same help file", error.Reason);
    }

    [Fact]
    public void Command_line_exit_codes_and_canonical_errors_are_what_the_MSBuild_Exec_relies_on()
    {
        File.WriteAllText(Path.Combine(Source, SampleHelp.FileName), SampleHelp.Command);
        File.WriteAllText(Path.Combine(Source, SampleHelp.AboutFileName), SampleHelp.About);

        (int ok, string okOutput) = RunBuilder("--source", Source, "--output", Output);
        Assert.Equal(0, ok);
        Assert.Contains($"MapiHttpTools.HelpBuilder: wrote {Path.Combine(Output, "Sample.dll-Help.xml")}", okOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Output, "about_Sample.help.txt")));

        string bad = Path.Combine(Source, "Set-Sample.md");
        File.WriteAllText(bad, SampleHelp.Command.Replace("Get-Sample", "Set-Sample", StringComparison.Ordinal).Replace("Aliases: f", "Alias: f", StringComparison.Ordinal));
        (int failed, string failedOutput) = RunBuilder("--source", Source, "--output", Output);
        Assert.Equal(1, failed);
        Assert.Matches(
            "^" + Regex.Escape($"{bad}({SampleHelp.LineOf(File.ReadAllText(bad), "Alias: f")}): error HELP001: parameter -Force: unknown yaml key 'Alias'"),
            failedOutput);

        (int usage, _) = RunBuilder("--source", Source);
        Assert.Equal(2, usage);
    }

    private static (int ExitCode, string Output) RunBuilder(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MapiHttpTools.HelpBuilder.dll"));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Fact]
    public void Build_of_a_missing_source_folder_fails()
    {
        HelpBuildResult result = HelpBuild.Run(Path.Combine(_root, "nothing"), Output);

        Assert.Equal("help source folder does not exist", Assert.Single(result.Errors).Reason);
    }
}
