using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Exchange;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Repair;
using Xunit;

namespace MapiHttpTools.Tests.Exchange;

/// <summary>Issue 12: one gateway to Exchange: one presence test, one "no Exchange here" message, one quoting helper.</summary>
public sealed class GatewayTests
{
    private const string Head = "The Exchange cmdlets this command needs (";
    private const string Connect = "Run it in the Exchange Management Shell, or connect a remote Exchange session first ($s = New-PSSession -ConfigurationName Microsoft.Exchange " +
        "-ConnectionUri http://<server>/PowerShell/ -Authentication Kerberos; Import-PSSession $s -DisableNameChecking).";

    [Fact]
    public void Reading_and_repairing_without_Exchange_give_the_one_message()
    {
        using var session = new ModuleSession();
        using var repair = new RepairSession(standIns: false);

        ErrorRecord read = Assert.Single(session.InvokeCatching("Get-MapiHttpMailboxState").Errors);
        ErrorRecord write = repair.Terminating("-Server EX01 -EnableOrganization -Confirm:$false");

        Assert.StartsWith("ExchangeCmdletsNotFound,", read.FullyQualifiedErrorId);
        Assert.StartsWith("ExchangeCmdletsNotFound,", write.FullyQualifiedErrorId);
        Assert.Equal(Head + "Get-OrganizationConfig, Get-CASMailbox) are not in this session. " + Connect + " Or analyse an exported snapshot with -SnapshotPath.", read.Exception.Message);
        Assert.StartsWith(Head, write.Exception.Message);
        Assert.Equal(("Get-OrganizationConfig, Get-CASMailbox", ErrorCategory.ObjectNotFound), (read.TargetObject, read.CategoryInfo.Category));
        Assert.EndsWith(Connect + " Nothing was changed.", write.Exception.Message);
    }

    [Fact]
    public void One_quoting_helper_doubles_every_quote_PowerShell_ends_a_string_on()
    {
        string quoted = PowerShellText.Quote("O'Brien ‘x’ ‚y‛");
        Assert.Equal("'O''Brien ‘‘x’’ ‚‚y‛‛'", quoted);
        var ast = System.Management.Automation.Language.Parser.ParseInput(quoted, out _, out var errors);
        Assert.Empty(errors);
        Assert.Equal("O'Brien ‘x’ ‚y‛", ((System.Management.Automation.Language.StringConstantExpressionAst)ast.Find(a => a is System.Management.Automation.Language.StringConstantExpressionAst, true)!).Value);
        Assert.Equal(@"'EX01\mapi (Default Web Site)'", PowerShellText.Argument(@"EX01\mapi (Default Web Site)"));
        Assert.Equal("EX01", PowerShellText.Argument("EX01"));
        Assert.Equal("'-Confirm'", PowerShellText.Argument("-Confirm"));
        Assert.Equal("Ntlm,OAuth,Negotiate", PowerShellText.Argument(new[] { "Ntlm", "OAuth", "Negotiate" }));
        Assert.Equal("Remove-MapiVirtualDirectory -Identity 'EX01\\mapi (Default Web Site)' -Confirm:$false",
            PowerShellText.CommandLine("Remove-MapiVirtualDirectory", new (string, object?)[] { ("Identity", @"EX01\mapi (Default Web Site)"), ("Confirm", false) }));
    }
}
