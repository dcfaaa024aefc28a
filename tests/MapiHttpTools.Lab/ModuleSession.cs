using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace MapiHttpTools.Lab;

/// <summary>
/// A real PowerShell engine with the built module imported through its manifest, as a user would have it.
/// Only the engine's core cmdlets exist here (no Utility/Management modules).
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly Runspace _runspace;

    public ModuleSession(TextWriter? hostWriter = null, int width = 120, bool importModule = true, bool ansi = false)
    {
        Host = new LineHost(hostWriter ?? TextWriter.Null, width, ansi);
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows())
        {
            state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        }

        _runspace = RunspaceFactory.CreateRunspace(Host, state);
        _runspace.Open();
        // Tests compare the screen as text: no colour escape sequences (PSStyle is one per process).
        PSStyle.Instance.OutputRendering = ansi ? OutputRendering.Host : OutputRendering.PlainText;

        if (importModule)
        {
            Invoke("Import-Module -Name $manifest -ErrorAction Stop", new Dictionary<string, object?> { ["manifest"] = ModuleManifest });
        }
    }

    public LineHost Host { get; }

    public Runspace Runspace => _runspace;

    /// <summary>The repository root (the folder holding MapiHttpTools.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The manifest the tests import: the one laid out beside the running test assembly's own MapiHttpTools.dll when
    /// there is one (the xunit project does that, so a mutation run imports the mutated DLL: issue 19), else the
    /// built module folder (out/MapiHttpTools).
    /// </summary>
    public static string ModuleManifest { get; } = FindModuleManifest();

    private static string FindModuleManifest()
    {
        string besideTests = Path.Combine(AppContext.BaseDirectory, "MapiHttpTools.psd1");
        if (File.Exists(besideTests) && File.Exists(Path.Combine(AppContext.BaseDirectory, "MapiHttpTools.dll")))
        {
            return besideTests;
        }

        return Path.Combine(RepoRoot, "out", "MapiHttpTools", "MapiHttpTools.psd1");
    }

    /// <summary>Runs a script; variables are set in the session first. Terminating errors throw.</summary>
    public ScriptResult Invoke(string script, Dictionary<string, object?>? variables = null)
    {
        using PowerShell shell = Prepare(script, variables);
        Collection<PSObject> output = shell.Invoke();
        return new ScriptResult(output, shell.Streams.Error.ToList(), shell.Streams.Warning.Select(w => w.Message).ToList(), shell.Streams.Verbose.Select(v => v.Message).ToList(), null);
    }

    /// <summary>Runs a script and returns a terminating error as a result instead of throwing.</summary>
    public ScriptResult InvokeCatching(string script, Dictionary<string, object?>? variables = null)
    {
        using PowerShell shell = Prepare(script, variables);
        try
        {
            Collection<PSObject> output = shell.Invoke();
            return new ScriptResult(output, shell.Streams.Error.ToList(), shell.Streams.Warning.Select(w => w.Message).ToList(), shell.Streams.Verbose.Select(v => v.Message).ToList(), null);
        }
        catch (RuntimeException ex)
        {
            return new ScriptResult(new Collection<PSObject>(), shell.Streams.Error.ToList(), shell.Streams.Warning.Select(w => w.Message).ToList(), shell.Streams.Verbose.Select(v => v.Message).ToList(), ex.ErrorRecord);
        }
    }

    /// <summary>A PowerShell instance bound to this session, for tests that need Stop() or async invocation.</summary>
    public PowerShell Prepare(string script, Dictionary<string, object?>? variables = null)
    {
        if (variables is not null)
        {
            foreach (KeyValuePair<string, object?> pair in variables)
            {
                _runspace.SessionStateProxy.SetVariable(pair.Key, pair.Value);
            }
        }

        PowerShell shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        return shell;
    }

    public void Dispose() => _runspace.Dispose();

    private static string FindRepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir, "MapiHttpTools.sln")))
            {
                return dir;
            }

            dir = Path.GetDirectoryName(dir);
        }

        throw new InvalidOperationException("MapiHttpTools.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>What a script produced: output, non-terminating errors, warnings and any terminating error.</summary>
public sealed record ScriptResult(
    Collection<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    ErrorRecord? TerminatingError)
{
    /// <summary>The base objects of the output, cast.</summary>
    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>FullyQualifiedErrorId of every error, terminating one last.</summary>
    public IEnumerable<string> ErrorIds =>
        Errors.Select(e => e.FullyQualifiedErrorId).Concat(TerminatingError is null ? Array.Empty<string>() : new[] { TerminatingError.FullyQualifiedErrorId });
}
