using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Xml.Linq;
using MapiHttpTools.Iis;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// Issue 20: hostile applicationHost.config and event files. Each input is generated here and the outcome asserted;
/// with linear parsing these run in a second or two (before: 51 s for 40,000 pools, past 400 s for deep nesting).
/// </summary>
public sealed class HostileIisInputTests : IDisposable
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
    public void Forty_thousand_pools_are_read_and_the_MAPI_pools_still_judged()
    {
        string path = _fixture.Variant(d =>
        {
            XElement pools = d.Root!.Element("system.applicationHost")!.Element("applicationPools")!;
            for (int i = 0; i < 40000; i++)
            {
                pools.Add(new XElement("add", new XAttribute("name", "Pool" + i), new XAttribute("queueLength", "1000")));
            }
        });

        ScriptResult result = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path", Vars(("path", path)));

        Assert.Empty(result.Errors);
        MapiAppPoolHealthResult[] results = result.Objects<MapiAppPoolHealthResult>().ToArray();
        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Pass, CheckStatus.Pass, CheckStatus.Warning, CheckStatus.Warning, CheckStatus.Warning }, results.Select(r => r.Status));
    }

    [Fact]
    public void A_recycling_schedule_of_thousands_of_adds_and_removes_keeps_what_is_left()
    {
        string path = _fixture.Variant(d =>
        {
            XElement pool = IisFixture.Pool(d, MapiIisBaseline.FrontEndPool);
            var schedule = new XElement("schedule");
            for (int i = 1; i <= 20000; i++)
            {
                schedule.Add(new XElement("add", new XAttribute("value", TimeSpan.FromSeconds(i).ToString("c"))));
            }

            for (int i = 2; i <= 20000; i++)
            {
                schedule.Add(new XElement("remove", new XAttribute("value", TimeSpan.FromSeconds(i).ToString("c"))));
            }

            XElement recycling = pool.Element("recycling") ?? new XElement("recycling");
            if (recycling.Parent is null)
            {
                pool.Add(recycling);
            }

            XElement periodic = recycling.Element("periodicRestart") ?? new XElement("periodicRestart");
            if (periodic.Parent is null)
            {
                recycling.Add(periodic);
            }

            periodic.Add(schedule);
        });

        MapiAppPoolHealthResult front = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path", Vars(("path", path))).Objects<MapiAppPoolHealthResult>().First();

        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, front.PeriodicRestartSchedule);
        Assert.Equal(CheckStatus.Warning, front.Status);
    }

    [Fact]
    public void Elements_nested_half_a_million_deep_are_refused_at_the_bound_with_the_line()
    {
        var text = new StringBuilder("<configuration>\n");
        text.Insert(text.Length, "<a>", 500000);
        string path = _fixture.Text(text.ToString(), "applicationHost.config");

        ErrorRecord error = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path", ("path", path));

        Assert.Equal("ConfigurationFileInvalid," + Command, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("line 2, position ", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("elements are nested more than 64 deep", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Stop_ends_the_run_on_a_large_configuration()
    {
        string path = _fixture.Variant(d =>
        {
            XElement pools = d.Root!.Element("system.applicationHost")!.Element("applicationPools")!;
            for (int i = 0; i < 60000; i++)
            {
                pools.Add(new XElement("add", new XAttribute("name", "Pool" + i), new XAttribute("queueLength", "1000"), new XAttribute("managedRuntimeVersion", "v4.0")));
            }
        });

        using PowerShell shell = _session.Prepare("Get-MapiAppPoolHealth -ConfigurationPath $path", Vars(("path", path)));
        IAsyncResult running = shell.BeginInvoke();
        shell.Stop();

        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)));
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void A_folder_a_device_and_a_FIFO_are_refused_as_not_regular_files()
    {
        string folder = Path.Combine(_fixture.Folder, "a folder");
        Directory.CreateDirectory(folder);
        var paths = new List<string> { folder };
        if (File.Exists("/dev/zero"))
        {
            paths.Add("/dev/zero");
        }

        if (!OperatingSystem.IsWindows())
        {
            string fifo = Path.Combine(_fixture.Folder, "config.fifo");
            using (Process mkfifo = Process.Start("mkfifo", fifo))
            {
                mkfifo.WaitForExit();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            paths.Add(fifo);
        }

        foreach (string path in paths)
        {
            ErrorRecord config = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path", ("path", path));
            Assert.Equal("InputFileNotRegular," + Command, config.FullyQualifiedErrorId);
            Assert.Equal(path, config.TargetObject);

            ErrorRecord events = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $config -EventPath $path", ("config", IisFixture.ConfigPath), ("path", path));
            Assert.Equal("InputFileNotRegular," + Command, events.FullyQualifiedErrorId);
        }

        Assert.Equal(OperatingSystem.IsWindows() ? 1 : 3, paths.Count);
    }

    [Fact]
    public void Files_over_the_documented_limits_are_refused_before_they_are_read()
    {
        string big = Path.Combine(_fixture.Folder, "big.config");
        using (var file = new FileStream(big, FileMode.CreateNew))
        {
            file.SetLength((32L * 1024 * 1024) + 1);
        }

        ErrorRecord config = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path", ("path", big));
        Assert.Equal("InputFileTooLarge," + Command, config.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, config.CategoryInfo.Category);

        string events = Path.Combine(_fixture.Folder, "events.xml");
        using (var file = new FileStream(events, FileMode.CreateNew))
        {
            file.SetLength((64L * 1024 * 1024) + 1);
        }

        ErrorRecord eventError = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $config -EventPath $path", ("config", IisFixture.ConfigPath), ("path", events));
        Assert.Equal("InputFileTooLarge," + Command, eventError.FullyQualifiedErrorId);
    }

    [Fact]
    public void Control_characters_and_huge_values_from_the_file_are_escaped_and_cut_in_the_error()
    {
        string escape = _fixture.Text(File.ReadAllText(IisFixture.ConfigPath).Replace("<configuration>", "<configuration>\u001b]0;owned\u0007", StringComparison.Ordinal), "applicationHost.config");
        ErrorRecord first = Terminating("Get-MapiAppPoolHealth -ConfigurationPath $path", ("path", escape));
        Assert.Equal("ConfigurationFileInvalid," + Command, first.FullyQualifiedErrorId);
        Assert.DoesNotContain('\u001b', first.Exception.Message);
        Assert.DoesNotContain('\u0007', first.Exception.Message);

        // A bad value is one non-terminating error with its line; its pool is an Error result and the rest is judged.
        string huge = _fixture.Variant(d => IisFixture.Pool(d, MapiIisBaseline.MailboxPool).SetAttributeValue("queueLength", new string('9', 400000)));
        int line = File.ReadAllLines(huge).Select((text, i) => (text, i)).First(x => x.text.Contains("99999999", StringComparison.Ordinal)).i + 1;
        ScriptResult run = _session.Invoke("Get-MapiAppPoolHealth -ConfigurationPath $path", Vars(("path", huge)));

        ErrorRecord second = Assert.Single(run.Errors);
        Assert.Equal("ConfigurationValueInvalid," + Command, second.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, second.CategoryInfo.Category);
        Assert.Equal(huge, second.TargetObject);
        Assert.Contains($"line {line}, position ", second.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("add/@queueLength is '9999", second.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("(399744 more characters)", second.Exception.Message, StringComparison.Ordinal);
        Assert.True(second.Exception.Message.Length < 1000, second.Exception.Message.Length.ToString());

        MapiAppPoolHealthResult[] results = run.Objects<MapiAppPoolHealthResult>().ToArray();
        Assert.Equal(new[] { CheckStatus.Pass, CheckStatus.Error, CheckStatus.Pass, CheckStatus.Warning, CheckStatus.Warning, CheckStatus.Warning }, results.Select(r => r.Status));
        Assert.Equal("Configuration", results[1].Findings[0].Check);
        Assert.StartsWith("The configuration of MSExchangeMapiMailboxAppPool could not be read: ", results[1].Message, StringComparison.Ordinal);
    }

    private ErrorRecord Terminating(string script, params (string Name, object? Value)[] values)
    {
        ScriptResult result = _session.Invoke($"try {{ {script} }} catch {{ $_ }}", Vars(values));
        Assert.Empty(result.Errors);
        return Assert.IsType<ErrorRecord>(Assert.Single(result.Output).BaseObject);
    }

    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value);
}
