using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Xml.Linq;
using MapiHttpTools.Lab;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>Get-MapiAppPoolHealth through the imported module, as an admin runs it.</summary>
public sealed class GetMapiAppPoolHealthCommandTests : IDisposable
{
    private const string Command = "MapiHttpTools.Commands.GetMapiAppPoolHealthCommand";
    private readonly IisFixture _fixture = new();
    private readonly ModuleSession _session = new();

    public void Dispose()
    {
        _session.Dispose();
        _fixture.Dispose();
    }

    [Fact]
    public void Offline_the_real_server_gives_six_results_and_only_Extended_Protection_is_off()
    {
        ScriptResult result = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path", Vars(("path", IisFixture.ConfigPath)));

        Assert.Empty(result.Errors);
        var results = result.Objects<MapiAppPoolHealthResult>().ToArray();
        Assert.Equal(6, results.Length);
        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Pass, CheckStatus.Pass, CheckStatus.Warning, CheckStatus.Warning, CheckStatus.Warning }, results.Select(r => r.Status));
        Assert.Equal(new[] { "AppPool", "AppPool", "AppPool", "Application", "Application", "Application" }, results.Select(r => r.Kind.ToString()));
        Assert.All(results.Skip(3), r => Assert.Equal("ExtendedProtection", r.Findings[0].Check));
        Assert.All(results, r => Assert.Equal(IisFixture.ConfigPath, r.Source));

        ScriptResult failing = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path | Where-Object Status -ne Pass | ForEach-Object Name", Vars(("path", IisFixture.ConfigPath)));
        Assert.Equal(new[] { "Default Web Site/mapi", "Exchange Back End/mapi/emsmdb", "Exchange Back End/mapi/nspi" }, failing.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void A_relative_path_is_resolved_against_the_PowerShell_location()
    {
        string path = _fixture.Variant(d => IisFixture.Pool(d, MapiIisBaseline.FrontEndPool).SetAttributeValue("autoStart", "false"));

        ScriptResult result = _session.Invoke("$null = $ExecutionContext.SessionState.Path.SetLocation($folder); Get-MapiAppPoolHealth -ConfigurationPath .\\applicationHost.config", Vars(("folder", Path.GetDirectoryName(path))));
        Assert.True(result.Errors.Count == 0, string.Join("; ", result.Errors.Select(e => e.ToString())));

        MapiAppPoolHealthResult front = result.Objects<MapiAppPoolHealthResult>().First();
        Assert.Equal(CheckStatus.Warning, front.Status);
        Assert.Equal("Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name autoStart -Value $true", front.Recommendation);
        Assert.Equal(path, front.Source);
    }

    [Fact]
    public void Offline_events_give_crash_counts_and_the_server_name()
    {
        DateTime now = DateTime.UtcNow;
        string events = _fixture.Events(new[]
        {
            IisFixture.Event(5011, now.AddHours(-2), IisFixture.WasCrash(MapiIisBaseline.FrontEndPool)),
            IisFixture.Event(5011, now.AddHours(-30), IisFixture.WasCrash(MapiIisBaseline.FrontEndPool)),
            IisFixture.Event(5002, now.AddHours(-40), IisFixture.WasDisable(MapiIisBaseline.MailboxPool)),
        });

        var day = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path -EventPath $events", Vars(("path", IisFixture.ConfigPath), ("events", events)))
            .Objects<MapiAppPoolHealthResult>().ToArray();
        var twoDays = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path -EventPath $events -Hours 48", Vars(("path", IisFixture.ConfigPath), ("events", events)))
            .Objects<MapiAppPoolHealthResult>().ToArray();

        Assert.Equal(1, day[0].CrashCount);
        Assert.Equal(CheckStatus.Warning, day[0].Status);
        Assert.Equal(0, day[1].DisableCount);
        Assert.Equal(CheckStatus.Pass, day[1].Status);
        Assert.Equal(2, twoDays[0].CrashCount);
        Assert.Equal(1, twoDays[1].DisableCount);
        Assert.Equal(CheckStatus.Fail, twoDays[1].Status);
        Assert.Equal(MapiHttpCause.AppPool, twoDays[1].Cause);
        Assert.All(day, r => Assert.Equal("EX01.contoso.com", r.Server));
        Assert.Null(day[3].CrashCount); // applications carry no event counts
    }

    [Fact]
    public void The_unparseable_fixture_is_a_terminating_ConfigurationFileInvalid_naming_file_line_and_position()
    {
        ScriptResult result = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path", Vars(("path", IisFixture.BadConfigPath)));

        ErrorRecord error = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path", ("path", IisFixture.BadConfigPath));
        Assert.Equal(error.FullyQualifiedErrorId, Assert.Single(result.ErrorIds));
        Assert.Equal($"ConfigurationFileInvalid,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(IisFixture.BadConfigPath, error.TargetObject);
        Assert.StartsWith($"'{IisFixture.BadConfigPath}' is not a valid IIS applicationHost.config: line 128, position 7: ", error.Exception.Message);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Missing_and_invalid_input_files_have_their_own_error_ids()
    {
        string missing = Path.Combine(_fixture.Folder, "nowhere", "applicationHost.config");
        string notEvents = _fixture.Text("<not-clixml/>", "events.xml");

        ErrorRecord config = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path", ("path", missing));
        ErrorRecord events = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path -EventPath $events", ("path", IisFixture.ConfigPath), ("events", Path.Combine(_fixture.Folder, "none.xml")));
        ErrorRecord invalid = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path -EventPath $events", ("path", IisFixture.ConfigPath), ("events", notEvents));

        Assert.Equal($"ConfigurationFileNotFound,{Command}", config.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, config.CategoryInfo.Category);
        Assert.Equal(missing, config.TargetObject);
        Assert.Equal($"The IIS configuration file '{missing}' does not exist.", config.Exception.Message);
        Assert.Equal($"EventFileNotFound,{Command}", events.FullyQualifiedErrorId);
        Assert.Equal($"EventFileInvalid,{Command}", invalid.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, invalid.CategoryInfo.Category);
        Assert.Contains(notEvents, invalid.Exception.Message);
    }

    [UnixFact]
    public void Live_where_IIS_cannot_be_read_says_so_and_points_to_ConfigurationPath()
    {
        ScriptResult local = _session.Invoke("Get-MapiAppPoolHealth");
        ErrorRecord error = Terminating("Get-MapiAppPoolHealth");
        // Issue 17: a server name (here from the pipeline) means PowerShell remoting; WinRM is not on this host, so
        // the server is one connection error with the server as target, not a local IIS error.
        ScriptResult remote = _session.Invoke("[pscustomobject]@{ Server = 'EX01' } | Get-MapiAppPoolHealth");

        Assert.Equal($"IisNotAvailable,{Command}", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotInstalled, error.CategoryInfo.Category);
        Assert.Equal(
            "IIS cannot be read live here: IIS can only be read live on Windows; this is Unix. Run Get-MapiAppPoolHealth in a shell on the Exchange server or through remoting " +
            "(-ComputerName, -HostName or -Session), or analyse a copy of its configuration with -ConfigurationPath <path to applicationHost.config> " +
            "(%windir%\\System32\\inetsrv\\config\\applicationHost.config) and, optionally, -EventPath.",
            error.Exception.Message);
        Assert.Equal(new[] { $"RemoteConnectionFailed,{Command}" }, remote.ErrorIds);
        Assert.Equal("EX01", remote.Errors.Single().TargetObject);
        Assert.Equal(ErrorCategory.ConnectionError, remote.Errors.Single().CategoryInfo.Category);
        Assert.StartsWith("Could not run Get-MapiAppPoolHealth on EX01: ", remote.Errors.Single().Exception.Message);
        Assert.Empty(local.Output);
        Assert.Equal(new[] { $"IisNotAvailable,{Command}" }, local.ErrorIds);
    }

    [Fact]
    public void Parameter_sets_and_validation()
    {
        ErrorRecord relative = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path -MapiUrl 'mail.contoso.com'", ("path", IisFixture.ConfigPath));
        ErrorRecord both = Terminating("Get-MapiAppPoolHealth -ComputerName EX01 -HostName ex01.contoso.com -ConfigurationPath $path", ("path", IisFixture.ConfigPath));
        ErrorRecord hours = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path -Hours 0", ("path", IisFixture.ConfigPath));

        Assert.Equal($"MapiUrlNotAbsolute,{Command}", relative.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, relative.CategoryInfo.Category);
        Assert.Equal($"RemotingTargetsAmbiguous,{Command}", both.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, both.CategoryInfo.Category);
        Assert.Equal($"ParameterArgumentValidationError,{Command}", hours.FullyQualifiedErrorId);

        ScriptResult url = _session.Invoke(
            "Get-MapiAppPoolHealth -ConfigurationPath $path -MapiUrl https://mail.contoso.com/mapi | Where-Object Name -eq 'Default Web Site/mapi'",
            Vars(("path", IisFixture.ConfigPath)));
        Assert.Equal("'Default Web Site' listens for https on port 443 for mail.contoso.com (binding :443:).",
            url.Objects<MapiAppPoolHealthResult>().Single().Findings.Single(f => f.Check == "Binding").Message);
    }

    [Fact]
    public void The_default_view_is_a_table_an_admin_can_read()
    {
        string path = _fixture.Variant(d => IisFixture.Application(d, "Default Web Site", "/mapi").SetAttributeValue("applicationPool", "MSExchangeOWAAppPool"));

        _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path | Out-Default", Vars(("path", path)));
        string plain = System.Text.RegularExpressions.Regex.Replace(_session.Host.Output, "\u001b\\[[0-9;]*m", string.Empty);
        string[] lines = plain.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();

        Assert.Contains("Status  Cause            Name                             State   Message", lines);
        // Wrapped between words (issue 11), not cut at the column edge as "not checke" / "d: RuntimeState".
        Assert.Contains("Pass    None             MSExchangeMapiFrontEndAppPool            Matches the known-good MAPI configuration; not", lines);
        Assert.Contains("                                                                  checked: RuntimeState, Events.", lines);
        Assert.Contains("Fail    VirtualDirectory Default Web Site/mapi                    Default Web Site/mapi runs in 'MSExchangeOWAAppPool',", lines);
        Assert.Contains("Warning None             Exchange Back End/mapi/emsmdb            Extended Protection is None at Exchange Back", lines);
        Assert.Contains("                                                                  End/mapi/emsmdb, not Require: hardening, not an", lines);
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));
    }

    [Fact]
    public void Results_carry_what_the_repair_cmdlet_binds_by_property_name()
    {
        ScriptResult result = _session.Invoke(
            "Get-MapiAppPoolHealth -ConfigurationPath $path -EventPath $events | Where-Object Kind -eq AppPool | ForEach-Object { '{0}|{1}|{2}' -f $_.Server, $_.Name, $_.Cause }",
            Vars(("path", IisFixture.ConfigPath), ("events", _fixture.Events(new[] { IisFixture.Event(5002, DateTime.UtcNow.AddHours(-1), IisFixture.WasDisable(MapiIisBaseline.FrontEndPool)) }))));

        Assert.Equal(
            new[] { "EX01.contoso.com|MSExchangeMapiFrontEndAppPool|AppPool", "EX01.contoso.com|MSExchangeMapiMailboxAppPool|None", "EX01.contoso.com|MSExchangeMapiAddressBookAppPool|None" },
            result.Output.Select(o => o.BaseObject));
    }

    /// <summary>Runs the script inside try/catch: only a terminating error is caught and returned.</summary>
    private ErrorRecord Terminating(string script, params (string Name, object? Value)[] values)
    {
        ScriptResult result = _session.Invoke($"try {{ {script} }} catch {{ $_ }}", Vars(values));
        Assert.Empty(result.Errors);
        return Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
    }

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);
}
