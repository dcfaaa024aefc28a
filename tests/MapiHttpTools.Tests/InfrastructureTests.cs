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
