using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using MapiHttpTools.ClientState;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.ClientState;

/// <summary>
/// Issue 20: hostile .reg exports and cached Autodiscover XML, generated here. Parsing is linear, bad values are one
/// error each with the line, text from the files is escaped and cut, non-regular files are refused, Stop acts.
/// </summary>
public sealed class HostileClientInputTests : IDisposable
{
    private const string Command = "MapiHttpTools.Commands.GetMapiHttpClientStateCommand";
    private const string Header = "Windows Registry Editor Version 5.00\r\n\r\n";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void One_deep_key_with_many_values_is_read_in_full()
    {
        // Before: every value resolved the key's path again, so this shape took minutes (250 s for 789 KB).
        string key = @"HKEY_CURRENT_USER\" + string.Join(@"\", Enumerable.Repeat("k", 20000));
        var text = new StringBuilder(Header).Append('[').Append(key).Append("]\r\n");
        for (int i = 0; i < 20000; i++)
        {
            text.Append("\"v").Append(i).Append("\"=dword:00000001\r\n");
        }

        string path = ClientStateFixtures.WriteReg(_temp, "deep.reg", text.ToString());
        var registry = new InMemoryRegistry();
        var problems = new List<RegistryExportException>();

        Assert.Equal("UTF-16LE", RegFileParser.Load(path, registry, CancellationToken.None, problems.Add));

        Assert.Empty(problems);
        Assert.Equal(20000, registry.GetValuesAt(key).Count);
        Assert.Equal(1u, registry.GetValueAt(key, "v19999")!.Data);
    }

    [Fact]
    public void Hostile_values_are_one_error_each_with_the_line_and_the_good_lines_still_count()
    {
        string huge = new string('A', 400000);
        string path = ClientStateFixtures.WriteReg(_temp, "hostile.reg", Header +
            "[HKEY_CURRENT_USER\\Software\\Microsoft\\Exchange]\r\n" +
            "\"Nine\"=dword:123456789\r\n" +                                  // line 4: nine hex digits (issue 19)
            "\"Big\"=dword:FFFFFFFFFFFFFFFFFFFFFFFF\r\n" +                    // line 5
            "\"Q\"=hex(b):01,02,03,04,05,06,07,08,09\r\n" +                   // line 6: nine bytes for a QWORD
            "\"Type\"=hex(fffffffff):00\r\n" +                                // line 7: type number too long
            "\"Bad\u001b]0;owned\u0007\"=hex:zz\r\n" +                        // line 8: ESC/BEL in the name
            "\"Long\"=" + huge + "\r\n" +                                     // line 9: 400,000 characters of junk
            "[HKEY_NOWHERE\\\u001b[2J]\r\n" +                                 // line 10: no hive, ESC in the key
            "\"Skipped\"=dword:00000001\r\n" +                                // line 11: a value of the refused key
            "[HKEY_CURRENT_USER\\Software\\Microsoft\\Exchange]\r\n" +
            "\"MapiHttpDisabled\"=dword:00000001\r\n");
        using var session = new ModuleSession();

        ScriptResult run = session.Invoke("Get-MapiHttpClientState -RegistryExportPath $path", new() { ["path"] = path });

        Assert.Equal(new[] { 4, 5, 6, 7, 8, 9, 10 }, run.Errors.Select(e => LineOf(e.Exception.Message)));
        Assert.All(run.Errors, e =>
        {
            Assert.Equal("RegistryExportInvalid," + Command, e.FullyQualifiedErrorId);
            Assert.Equal(path, e.TargetObject);
            Assert.DoesNotContain('\u001b', e.Exception.Message);
            Assert.DoesNotContain('\u0007', e.Exception.Message);
            Assert.True(e.Exception.Message.Length < 600, e.Exception.Message.Length.ToString());
        });
        Assert.Contains(@"'Bad\e]0;owned\a'", run.Errors[4].Exception.Message, StringComparison.Ordinal);
        Assert.Contains(@"HKEY_NOWHERE\\e[2J", run.Errors[6].Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1L, Assert.Single(run.Objects<MapiHttpClientStateResult>()).MapiHttpDisabled);
    }

    [Fact]
    public void Fifty_bad_lines_are_reported_one_by_one_and_the_rest_counted()
    {
        var text = new StringBuilder(Header).Append("[HKEY_CURRENT_USER\\Software]\r\n");
        for (int i = 0; i < 300; i++)
        {
            text.Append("\"v\"=dword:1x\r\n");
        }

        string path = ClientStateFixtures.WriteReg(_temp, "many-bad.reg", text.ToString());
        var problems = new List<RegistryExportException>();
        RegFileParser.Load(path, new InMemoryRegistry(), CancellationToken.None, problems.Add);

        Assert.Equal(51, problems.Count);
        Assert.Equal(4, problems[0].LineNumber);
        Assert.Equal(53, problems[49].LineNumber);
        Assert.Equal(0, problems[50].LineNumber);
        Assert.Contains("250 more bad lines were skipped", problems[50].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_a_device_and_a_FIFO_are_refused_as_not_regular_files()
    {
        string folder = _temp.Combine("a folder.reg");
        Directory.CreateDirectory(folder);
        var paths = new List<string> { folder };
        if (File.Exists("/dev/zero"))
        {
            paths.Add("/dev/zero");
        }

        if (!OperatingSystem.IsWindows())
        {
            paths.Add(Fifo("export.reg"));
        }

        using var session = new ModuleSession();
        foreach (string path in paths)
        {
            ErrorRecord error = GetMapiHttpClientStateTests.Terminating(session, "Get-MapiHttpClientState -RegistryExportPath $path", new() { ["path"] = path }, out _)!;
            Assert.Equal("InputFileNotRegular," + Command, error.FullyQualifiedErrorId);
            Assert.Equal(path, error.TargetObject);
        }

        Assert.Equal(OperatingSystem.IsWindows() ? 1 : 3, paths.Count);
    }

    [Fact]
    public void An_export_over_the_documented_limit_is_refused_before_it_is_read()
    {
        string big = _temp.Combine("big.reg");
        using (var file = new FileStream(big, FileMode.CreateNew))
        {
            file.SetLength((256L * 1024 * 1024) + 1);
        }

        using var session = new ModuleSession();
        ErrorRecord error = GetMapiHttpClientStateTests.Terminating(session, "Get-MapiHttpClientState -RegistryExportPath $path", new() { ["path"] = big }, out _)!;

        Assert.Equal("InputFileTooLarge," + Command, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
    }

    [Fact]
    public void Stop_ends_the_run_on_a_large_export()
    {
        var text = new StringBuilder(Header);
        for (int i = 0; i < 200000; i++)
        {
            text.Append("[HKEY_CURRENT_USER\\Software\\K").Append(i).Append("]\r\n\"V\"=\"value\"\r\n");
        }

        string path = ClientStateFixtures.WriteReg(_temp, "large.reg", text.ToString());
        using var session = new ModuleSession();
        using PowerShell shell = session.Prepare("Get-MapiHttpClientState -RegistryExportPath $path", new() { ["path"] = path });

        IAsyncResult running = shell.BeginInvoke();
        shell.Stop();

        Assert.True(running.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(60)));
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
    }

    [Fact]
    public void Cached_Autodiscover_XML_that_is_hostile_is_escaped_bounded_or_refused()
    {
        string outlook = _temp.Combine("Outlook");
        Directory.CreateDirectory(outlook);
        File.WriteAllText(Path.Combine(outlook, "a - Autodiscover.xml"),
            "<?xml version=\"1.0\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response>" +
            "<Error><ErrorCode>600</ErrorCode><Message>&#x9;bad" + new string('x', 5000) + "</Message></Error></Response></Autodiscover>");
        File.WriteAllText(Path.Combine(outlook, "b - Autodiscover.xml"), "<Autodiscover>" + string.Concat(Enumerable.Repeat("<a>", 100000)));
        if (!OperatingSystem.IsWindows())
        {
            File.Move(Fifo("fifo.xml"), Path.Combine(outlook, "c - Autodiscover.xml"));
        }

        string user = ClientStateFixtures.Reg("good-hkcu.reg");
        using var session = new ModuleSession();
        MapiHttpClientStateResult result = session.Invoke("Get-MapiHttpClientState -RegistryExportPath $user -AutodiscoverCachePath $cache", new() { ["user"] = user, ["cache"] = outlook })
            .Objects<MapiHttpClientStateResult>().Single();

        MapiHttpCachedAutodiscover error = result.CachedAutodiscover.Single(c => c.FileName == "a - Autodiscover.xml");
        Assert.Equal("600", error.ErrorCode);
        Assert.StartsWith("bad" + new string('x', 253) + "… (", error.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(result.Findings, f => f.Message.Contains("Autodiscover error 600", StringComparison.Ordinal) && f.Message.Length < 1100);

        MapiHttpCachedAutodiscover deep = result.CachedAutodiscover.Single(c => c.FileName == "b - Autodiscover.xml");
        Assert.Contains("nested more than 64 deep", deep.ParseError, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.StartsWith("InputFileNotRegular: ", result.CachedAutodiscover.Single(c => c.FileName == "c - Autodiscover.xml").ParseError, StringComparison.Ordinal);
        }
    }

    private string Fifo(string name)
    {
        string path = _temp.Combine(name);
        using Process mkfifo = Process.Start("mkfifo", $"\"{path}\"");
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }

    private static int LineOf(string message)
    {
        int at = message.IndexOf(", line ", StringComparison.Ordinal);
        Assert.True(at >= 0, message);
        int end = message.IndexOf(':', at);
        return int.Parse(message.Substring(at + 7, end - at - 7), System.Globalization.CultureInfo.InvariantCulture);
    }
}
