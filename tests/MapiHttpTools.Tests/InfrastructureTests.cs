using MapiHttpTools.Infrastructure;
using MapiHttpTools.Lab;
using MapiHttpTools.Probing;
using MapiHttpTools.Tests.Exchange;
using Xunit;

namespace MapiHttpTools.Tests;

public sealed class InfrastructureTests
{
    [Fact]
    public void Each_runspace_has_its_own_services()
    {
        using var first = new ModuleSession(importModule: false);
        using var second = new ModuleSession(importModule: false);
        var standIn = new LabResolver();

        first.Services().HostResolver = standIn;

        Assert.Same(standIn, first.Services().Resolver);
        Assert.Null(second.Services().HostResolver);
        Assert.Same(DnsHostResolver.Instance, second.Services().Resolver);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("\u001b]0;pwned\u0007", "\\e]0;pwned\\a")]
    [InlineData("a\u001b[2Jb", "a\\e[2Jb")]
    [InlineData("line1\r\nline2\tx", "line1\\r\\nline2\\tx")]
    [InlineData("c1\u009b31m", "c1\\u009b31m")]
    [InlineData("del\u007f", "del\\u007f")]
    [InlineData(null, "")]
    public void Control_characters_from_data_are_made_visible(string? input, string expected)
    {
        Assert.Equal(expected, DisplayText.Safe(input));
    }

    [Fact]
    public void Long_hostile_input_is_cut_and_says_how_much_was_left_out()
    {
        string safe = DisplayText.Safe(new string('x', 431_099));

        Assert.Equal(new string('x', 256) + "… (430843 more characters)", safe);
    }
}

public sealed class InputFileTests : System.IDisposable
{
    private readonly string _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "MapiHttpTools.InputFile." + System.Guid.NewGuid().ToString("N"));

    public InputFileTests() => System.IO.Directory.CreateDirectory(_folder);

    public void Dispose() => System.IO.Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_folder_is_refused_as_not_a_regular_file()
    {
        InputFileException ex = Assert.Throws<InputFileException>(() => InputFile.Check(_folder, "a snapshot", 1024));

        Assert.Equal(("InputFileNotRegular", System.Management.Automation.ErrorCategory.InvalidArgument, (object)_folder), (ex.ErrorId, ex.Category, ex.Target));
    }

    [Fact]
    public void A_device_is_refused_without_being_read()
    {
        if (System.OperatingSystem.IsWindows())
        {
            return; // /dev/zero is the Linux case; Windows has no device files under a path.
        }

        InputFileException ex = Assert.Throws<InputFileException>(() => InputFile.OpenRead("/dev/zero", "a .reg export", 1024));

        Assert.Equal("InputFileNotRegular", ex.ErrorId);
        Assert.Equal("'/dev/zero' is empty or is not a regular file (a device or a pipe): it cannot be a .reg export.", ex.Message);
    }

    [Fact]
    public void A_file_over_the_limit_is_refused_with_both_sizes()
    {
        string path = System.IO.Path.Combine(_folder, "big.xml");
        System.IO.File.WriteAllBytes(path, new byte[3 * 1024 * 1024]);

        InputFileException ex = Assert.Throws<InputFileException>(() => InputFile.Check(path, "a snapshot", 2 * 1024 * 1024));

        Assert.Equal(("InputFileTooLarge", System.Management.Automation.ErrorCategory.LimitsExceeded), (ex.ErrorId, ex.Category));
        Assert.Equal($"'{path}' is 3 MB, more than the 2 MB that a snapshot may be: this is not a file the module wrote or Exchange exports at that size.", ex.Message);
    }

    [Fact]
    public void A_file_within_the_limit_is_read_whole()
    {
        string path = System.IO.Path.Combine(_folder, "small.reg");
        System.IO.File.WriteAllText(path, "Windows Registry Editor Version 5.00");

        using var reader = new System.IO.StreamReader(InputFile.OpenRead(path, "a .reg export", 1024));

        Assert.Equal("Windows Registry Editor Version 5.00", reader.ReadToEnd());
    }
}

public sealed class TableTextTests
{
    [Theory]
    [InlineData("MapiHttpDisabled is 1: Outlook does not ask Autodiscover", 20, "MapiHttpDisabled is\n1: Outlook does not\nask Autodiscover")]
    [InlineData("short", 20, "short")]
    [InlineData("MSExchangeMapiFrontEndAppPool is stopped", 12, "MSExchangeMa\npiFrontEndAp\npPool is\nstopped")]
    [InlineData("two\nparagraphs here", 40, "two\nparagraphs here")]
    public void Messages_wrap_between_words_and_only_an_overlong_word_is_cut(string text, int width, string expected)
    {
        Assert.Equal(expected, MapiHttpTools.TableText.WrapWords(text, width));
    }

    [Fact]
    public void Without_a_console_the_column_is_what_120_columns_leave()
    {
        // 120 - 64 fixed columns - 1 spare = 55 characters a line (the endpoint table).
        string wrapped = MapiHttpTools.TableText.Wrap(new string('a', 50) + " " + new string('b', 10), null, 64);

        Assert.Equal(new string('a', 50) + "\n" + new string('b', 10), wrapped);
    }

    [Fact]
    public void Evidence_lines_are_key_equals_value_with_data_made_safe_for_the_console()
    {
        // Issue 15: the list views' Evidence. A value from a server (a header with an ESC and a line break) must not
        // reach the console raw nor break the "key = value" line.
        var evidence = new System.Collections.Specialized.OrderedDictionary
        {
            ["X-ServerApplication"] = "Exchange/15.02.1544.014\u001b[2J\nInjected = yes",
            ["Methods"] = new[] { "Ntlm", "OAuth" },
            ["StatusCode"] = 401,
            ["Server"] = null,
            ["When"] = new System.DateTime(2026, 12, 5, 0, 15, 0, System.DateTimeKind.Utc),
        };

        string lines = MapiHttpTools.TableText.EvidenceLines(System.Management.Automation.PSObject.AsPSObject(evidence));

        Assert.Equal(
            "X-ServerApplication = Exchange/15.02.1544.014\\e[2J\\nInjected = yes\n" +
            "Methods = Ntlm, OAuth\nStatusCode = 401\nServer = $null\nWhen = 2026-12-05 00:15:00Z",
            lines);
        Assert.Equal(string.Empty, MapiHttpTools.TableText.EvidenceLines(null));
    }
}
