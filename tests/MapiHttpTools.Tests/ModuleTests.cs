using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests;

/// <summary>The module as a user meets it: import through the manifest, what it exports, what it declares.</summary>
public sealed class ModuleTests
{
    [Fact]
    public void Manifest_is_complete_and_exports_cmdlets_explicitly()
    {
        Hashtable manifest = ReadManifest();

        Assert.Equal("MapiHttpTools.dll", manifest["RootModule"]);
        Assert.Equal("5.1", manifest["PowerShellVersion"]);
        Assert.Equal(new object[] { "Desktop", "Core" }, (object[])manifest["CompatiblePSEditions"]!);
        Assert.Matches(@"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", (string)manifest["GUID"]!);
        Assert.DoesNotContain("*", ((object[])manifest["CmdletsToExport"]!).Cast<string>());
        var tags = (object[])((Hashtable)((Hashtable)manifest["PrivateData"]!)["PSData"]!)["Tags"]!;
        Assert.Contains("Exchange", tags.Cast<string>());
    }

    [Fact]
    public void Import_exports_exactly_the_manifest_cmdlets_and_each_declares_its_output_type()
    {
        using var session = new ModuleSession();
        ScriptResult exported = session.Invoke("Get-Command -Module MapiHttpTools");
        var declaredNames = ((object[])ReadManifest()["CmdletsToExport"]!).Cast<string>().OrderBy(n => n).ToArray();
        var approved = new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle), typeof(VerbsOther), typeof(VerbsSecurity) }
            .SelectMany(t => t.GetFields()).Select(f => (string)f.GetValue(null)!).ToHashSet();
        var commands = exported.Objects<CmdletInfo>().ToArray();

        Assert.Equal(declaredNames, commands.Select(c => c.Name).OrderBy(n => n).ToArray());
        foreach (CmdletInfo command in commands)
        {
            Assert.True(command.OutputType.Count > 0, $"{command.Name} has no [OutputType]");
            Assert.True(approved.Contains(command.Verb), $"{command.Name} uses an unapproved verb");
        }
    }

    internal static Hashtable ReadManifest()
    {
        ScriptBlockAst ast = Parser.ParseFile(ModuleSession.ModuleManifest, out _, out ParseError[] errors);
        Assert.Empty(errors);
        return (Hashtable)((HashtableAst)ast.Find(a => a is HashtableAst, false)!).SafeGetValue();
    }

    [Fact]
    public void Every_ps1_file_in_the_repository_parses()
    {
        string[] scripts = Directory.EnumerateFiles(ModuleSession.RepoRoot, "*.ps*1", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") &&
                        !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") &&
                        !p.Contains($"{Path.DirectorySeparatorChar}out{Path.DirectorySeparatorChar}") &&
                        (p.EndsWith(".ps1") || p.EndsWith(".psm1") || p.EndsWith(".psd1")))
            .ToArray();

        Assert.Contains(scripts, p => p.EndsWith("build.ps1"));
        foreach (string script in scripts)
        {
            Parser.ParseFile(script, out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, $"{script}: {string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber} {e.Message}"))}");
        }
    }
}
