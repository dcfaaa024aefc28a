using System;
using System.IO;
using System.Linq;
using MapiHttpTools.Exchange;
using MapiHttpTools.Exchange.Builds;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>
/// Exchange build numbers with their product, CU and update (issue 15). The expected names are the ones
/// microsoft/CSS-Exchange's Shared/Get-ExchangeBuildVersionInformation.ps1 (commit 01bad118) gives those builds, read
/// there, not from the table under test.
/// </summary>
public sealed class ExchangeBuildTableTests
{
    private static ExchangeBuildTable Table => ExchangeBuildTable.Default;

    [Theory]
    [InlineData("15.1.2507.6", "Exchange 2016 CU23")]
    [InlineData("15.1.2507.39", "Exchange 2016 CU23 Apr24HU")]
    [InlineData("15.1.2507.75", "Exchange 2016 CU23 Sep26SUv2")]
    [InlineData("15.1.2375.37", "Exchange 2016 CU22 Nov22SU")]
    [InlineData("15.2.986.5", "Exchange 2019 CU11")]
    [InlineData("15.2.1118.7", "Exchange 2019 CU12")]
    [InlineData("15.2.1544.4", "Exchange 2019 CU14")]
    [InlineData("15.2.1544.11", "Exchange 2019 CU14 Apr24HU")]
    [InlineData("15.2.1544.14", "Exchange 2019 CU14 Nov24SUv2")]
    [InlineData("15.2.1748.10", "Exchange 2019 CU15")]
    [InlineData("15.2.1748.24", "Exchange 2019 CU15 Apr25HU")]
    [InlineData("15.2.2562.17", "Exchange SE RTM")]
    [InlineData("15.2.2562.20", "Exchange SE RTM Aug25SU")]
    [InlineData("15.2.2562.41", "Exchange SE RTM May26HU")]
    [InlineData("15.0.1497.48", "Exchange 2013 CU23 Mar23SU")]
    public void A_build_the_source_lists_is_named_as_the_source_names_it(string build, string expected)
    {
        ExchangeBuildInfo info = Table.Lookup(build);

        Assert.Equal(expected, info.Name);
        Assert.Equal(ExchangeBuildMatch.Exact, info.Match);
        Assert.Equal(build, info.BuildText);
    }

    [Fact]
    public void A_CU_release_build_the_source_also_lists_as_an_update_takes_the_update_name_as_the_source_does()
    {
        Assert.Equal("Exchange 2019 CU1 Feb19SU", Table.Lookup("15.2.330.5").Name);
        Assert.Equal("Exchange 2016 CU12 Feb19SU", Table.Lookup("15.1.1713.5").Name);
    }

    [Theory]
    [InlineData("Version 15.2 (Build 1544.14)")]
    [InlineData("15.02.1544.014")]
    [InlineData("15.2.1544.14")]
    [InlineData("  15.2.1544.14 ")]
    public void Every_form_Exchange_gives_a_build_in_reads_the_same(string text)
    {
        ExchangeBuildInfo info = Table.Lookup(text);

        Assert.Equal(("Exchange 2019", "CU14", "Nov24SUv2", "15.2.1544.14"), (info.Product, info.Cu, info.Update, info.BuildText));
        Assert.Equal(new DateTime(2024, 2, 13), info.CuReleased);
        Assert.Equal(text, info.Input);
    }

    [Theory]
    [InlineData("15.2.1544.12", "Exchange 2019 CU14 (a build newer than Apr24HU, not in the table dated 2026-12-05)")]
    [InlineData("Version 15.2 (Build 1544.5)", "Exchange 2019 CU14 (a build newer than the CU14 release, not in the table dated 2026-12-05)")]
    [InlineData("15.02.1748.060", "Exchange 2019 CU15 (a build newer than Sep26SUv2, not in the table dated 2026-12-05)")]
    [InlineData("15.2.2562.60", "Exchange SE RTM (a build newer than Sep26SUv2, not in the table dated 2026-12-05)")]
    [InlineData("15.1.2507.70", "Exchange 2016 CU23 (a build newer than Jun26SU, not in the table dated 2026-12-05)")]
    public void A_build_of_a_known_CU_the_table_does_not_list_names_the_CU_and_the_nearest_update_below_it(string text, string expected)
    {
        ExchangeBuildInfo info = Table.Lookup(text);

        Assert.Equal(expected, info.Name);
        Assert.Equal(ExchangeBuildMatch.WithinCu, info.Match);
        Assert.Null(info.Update);
    }

    [Theory]
    [InlineData("15.2.9999.1", "unknown build 15.2.9999.1 (the table, dated 2026-12-05, does not know it)")]
    [InlineData("15.2.2600.5", "unknown build 15.2.2600.5 (the table, dated 2026-12-05, does not know it)")]
    [InlineData("Version 15.3 (Build 100.1)", "unknown build 15.3.100.1 (the table, dated 2026-12-05, does not know it)")]
    [InlineData("14.3.513.0", "unknown build 14.3.513.0 (the table, dated 2026-12-05, does not know it)")]
    [InlineData("15.2.1544.2", "unknown build 15.2.1544.2 (the table, dated 2026-12-05, does not know it)")]
    public void A_build_beyond_the_table_or_before_a_CU_it_knows_is_an_unknown_build_with_the_table_date(string text, string expected)
    {
        ExchangeBuildInfo info = Table.Lookup(text);

        Assert.Equal(expected, info.Name);
        Assert.Equal((ExchangeBuildMatch.Unknown, (string?)null, (string?)null), (info.Match, info.Product, info.Cu));
    }

    [Theory]
    [InlineData("abc", "unknown build 'abc' (not an Exchange build number)")]
    [InlineData("15.2.1544", "unknown build '15.2.1544' (not an Exchange build number)")]
    [InlineData("0.20 (15.1.0.0)", "unknown build '0.20 (15.1.0.0)' (not an Exchange build number)")]
    [InlineData("Version 15.2 (Build 99999999999.5)", "unknown build 'Version 15.2 (Build 99999999999.5)' (not an Exchange build number)")]
    [InlineData("15.2.1544.14\u001b[2J", "unknown build '15.2.1544.14\\e[2J' (not an Exchange build number)")]
    [InlineData("", "unknown build (no version given)")]
    [InlineData(null, "unknown build (no version given)")]
    public void Text_that_is_no_build_number_is_a_clear_unknown_never_an_exception(string? text, string expected)
    {
        ExchangeBuildInfo info = Table.Lookup(text);

        Assert.Equal(expected, info.Name);
        Assert.Equal((ExchangeBuildMatch.NotABuild, (string?)null), (info.Match, info.BuildText));
        Assert.Null(ExchangeVersionText.Parse(text));
    }

    [Fact]
    public void Long_text_is_cut_in_the_name()
    {
        string name = Table.Lookup(new string('9', 500)).Name;

        Assert.StartsWith("unknown build '99999", name);
        Assert.Contains("more characters", name);
        Assert.True(name.Length < 140, name);
    }

    [Fact]
    public void The_shipped_table_names_its_source_and_date_and_holds_every_product_the_source_lists()
    {
        Assert.Equal("2026-12-05", Table.Dated);
        Assert.Equal("https://github.com/microsoft/CSS-Exchange/blob/01bad118924cbe49c50f6a5233bb04fc6010ddd2/Shared/Get-ExchangeBuildVersionInformation.ps1", Table.Source);
        Assert.Equal(
            new[] { "Exchange 2013 23", "Exchange 2016 23", "Exchange 2019 15", "Exchange SE 1" },
            Table.Rows.Where(r => r.Update is null).GroupBy(r => r.Product).Select(g => $"{g.Key} {g.Count()}").ToArray());
        // Each CU's updates in the source: 2019 CU14 has 16, CU15 12, SE RTM 11, 2016 CU23 28.
        Assert.Equal(16, Table.Rows.Count(r => r.Product == "Exchange 2019" && r.Cu == "CU14" && r.Update is not null));
        Assert.Equal(12, Table.Rows.Count(r => r.Product == "Exchange 2019" && r.Cu == "CU15" && r.Update is not null));
        Assert.Equal(11, Table.Rows.Count(r => r.Product == "Exchange SE" && r.Update is not null));
        Assert.Equal(28, Table.Rows.Count(r => r.Product == "Exchange 2016" && r.Cu == "CU23" && r.Update is not null));
    }

    [Fact]
    public void Every_update_shares_its_CU_build_and_comes_at_or_after_the_CU_release()
    {
        foreach (ExchangeBuildRow update in Table.Rows.Where(r => r.Update is not null))
        {
            ExchangeBuildRow cu = Assert.Single(Table.Rows, r => r.Update is null && r.Product == update.Product && r.Cu == update.Cu);
            Assert.Equal((cu.Build.Major, cu.Build.Minor, cu.Build.Build), (update.Build.Major, update.Build.Minor, update.Build.Build));
            Assert.True(update.Build.Revision >= cu.Build.Revision, $"{update.Product} {update.Cu} {update.Update}");
            Assert.Null(update.Released);
        }

        Assert.All(Table.Rows.Where(r => r.Update is null), r => Assert.NotNull(r.Released));
    }

    [Theory]
    [InlineData("# Dated: 2026-12-05\n# Source: x\nProduct,CU,Update,Build,Released\n", "Build table line 3: the header must be")]
    [InlineData("# Dated: 2026-12-05\n# Source: x\nProduct\tCU\tUpdate\tBuild\tReleased\nExchange 2019\tCU14\t\t15.2.1544\t\n", "Build table line 4: '15.2.1544' is not a four-part build number.")]
    [InlineData("# Dated: 2026-12-05\n# Source: x\nProduct\tCU\tUpdate\tBuild\tReleased\nExchange 2019\tCU14\t\t15.2.1544.4\t02/13/2024\n", "Build table line 4: '02/13/2024' is not a yyyy-MM-dd date.")]
    [InlineData("# Dated: 2026-12-05\n# Source: x\nProduct\tCU\tUpdate\tBuild\tReleased\nExchange 2019\tCU14\t15.2.1544.4\n", "Build table line 4: a row has five tab-separated fields")]
    [InlineData("# Source: x\nProduct\tCU\tUpdate\tBuild\tReleased\nExchange 2019\tCU14\t\t15.2.1544.4\t2024-02-13\n", "The build table needs '# Dated:'")]
    public void A_malformed_table_is_refused_naming_the_line(string text, string expected)
    {
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ExchangeBuildTable.Parse(text));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void The_real_E19_export_is_Exchange_2019_CU11()
    {
        // tests/.../css-exchange/Exchange/GetExchangeServer.xml: AdminDisplayVersion "Version 15.2 (Build 986.5)".
        ExchangeServerFacts server = ExchangeFactReader.ReadServer(ExchangeObjects.Fixture("GetExchangeServer.xml")[0]);

        Assert.Equal(("15.2.986.5", "Exchange 2019 CU11", ExchangeBuildMatch.Exact), (server.Release.BuildText, server.Release.Name, server.Release.Match));
        Assert.Equal(new DateTime(2021, 9, 28), server.Release.CuReleased);
    }
}
