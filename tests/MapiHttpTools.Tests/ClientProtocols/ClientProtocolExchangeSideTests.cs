using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Exchange;
using Xunit;
using static MapiHttpTools.Tests.Exchange.Clixml;

namespace MapiHttpTools.Tests.ClientProtocols;

/// <summary>
/// The Exchange side of IMAP4/POP3 (issue 16) against stand-in cmdlets that return objects as a remote Exchange session
/// delivers them (LoginType, service status and start type, component state as deserialized enums): which calls are
/// made, and which cause and fixing command each fact gets.
/// </summary>
public sealed class ClientProtocolExchangeSideTests
{
    private const string StandIns = @"
$global:calls = [System.Collections.Generic.List[string]]::new()
function global:Get-ImapSettings { [CmdletBinding()] param([object]$Server) $calls.Add(""Get-ImapSettings -Server $Server""); $imap }
function global:Get-PopSettings { [CmdletBinding()] param([object]$Server) $calls.Add(""Get-PopSettings -Server $Server""); $pop }
function global:Get-ServerComponentState { [CmdletBinding()] param([object]$Identity, [string]$Component)
    $calls.Add(""Get-ServerComponentState -Identity $Identity -Component $Component""); $components[$Component] }
function global:Get-CASMailbox { [CmdletBinding()] param([object]$Identity) $calls.Add(""Get-CASMailbox -Identity $Identity""); $mailbox }
function global:Get-Service { [CmdletBinding()] param([string[]]$Name, [string[]]$ComputerName)
    $calls.Add(""Get-Service -Name $($Name -join ',') -ComputerName $ComputerName"")
    foreach ($n in $Name) { if ($services.ContainsKey($n)) { $services[$n] } else { Write-Error ""Cannot find any service with service name '$n'."" -Category ObjectNotFound } } }
";

    [Fact]
    public void Stopped_and_disabled_services_an_inactive_component_and_a_disabled_mailbox_each_get_their_fix()
    {
        using var session = new ModuleSession();
        session.Services().IsWindows = true;
        ScriptResult run = session.Invoke(StandIns + "Test-ExchangeClientProtocol -ComputerName EX01 -Mailbox alice@contoso.com -TargetAddress 127.0.0.2 -TimeoutSec 1", Variables());

        ExchangeClientProtocolResult[] rows = run.Objects<ExchangeClientProtocolResult>().Where(r => r.Address is null && r.Check != "Dns").ToArray();
        Assert.Equal(new[]
        {
            "Get-ImapSettings -Server EX01",
            "Get-Service -Name MSExchangeIMAP4,MSExchangeIMAP4BE -ComputerName EX01",
            "Get-ServerComponentState -Identity EX01 -Component ImapProxy",
            "Get-PopSettings -Server EX01",
            "Get-Service -Name MSExchangePOP3,MSExchangePOP3BE -ComputerName EX01",
            "Get-ServerComponentState -Identity EX01 -Component PopProxy",
            "Get-CASMailbox -Identity alice@contoso.com",
        }, Calls(session));

        ExchangeClientProtocolResult Row(ExchangeClientProtocol protocol, string check) => rows.Single(r => r.Protocol == protocol && r.Check == check);

        Assert.Equal((CheckStatus.Pass, MapiHttpCause.None), (Row(ExchangeClientProtocol.Imap4, "CertificateName").Status, Row(ExchangeClientProtocol.Imap4, "CertificateName").Cause));
        Assert.Equal(CheckStatus.Pass, Row(ExchangeClientProtocol.Imap4, "LoginType").Status);
        Assert.Equal(CheckStatus.Pass, Row(ExchangeClientProtocol.Imap4, "Service:MSExchangeIMAP4").Status);

        ExchangeClientProtocolResult imapBackEnd = Row(ExchangeClientProtocol.Imap4, "Service:MSExchangeIMAP4BE");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Service), (imapBackEnd.Status, imapBackEnd.Cause));
        Assert.Equal("MSExchangeIMAP4BE on EX01 is disabled (Stopped, start type Disabled): IMAP4 clients connect but cannot reach their mailboxes.", imapBackEnd.Message);
        Assert.Equal("Invoke-Command -ComputerName EX01 -ScriptBlock { Set-Service -Name MSExchangeIMAP4BE -StartupType Automatic; Start-Service -Name MSExchangeIMAP4BE }", imapBackEnd.Recommendation);

        ExchangeClientProtocolResult popFrontEnd = Row(ExchangeClientProtocol.Pop3, "Service:MSExchangePOP3");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Service), (popFrontEnd.Status, popFrontEnd.Cause));
        Assert.Equal("MSExchangePOP3 on EX01 is stopped (Stopped, start type Manual): POP3 clients cannot connect.", popFrontEnd.Message);

        ExchangeClientProtocolResult popBackEnd = Row(ExchangeClientProtocol.Pop3, "Service:MSExchangePOP3BE");
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Service), (popBackEnd.Status, popBackEnd.Cause));
        Assert.Equal("Invoke-Command -ComputerName EX01 -ScriptBlock { Set-Service -Name MSExchangePOP3BE -StartupType Automatic }", popBackEnd.Recommendation);

        Assert.Equal(CheckStatus.Pass, Row(ExchangeClientProtocol.Imap4, "Component:ImapProxy").Status);
        ExchangeClientProtocolResult popProxy = Row(ExchangeClientProtocol.Pop3, "Component:PopProxy");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.Service), (popProxy.Status, popProxy.Cause));
        Assert.StartsWith("Set-ServerComponentState -Identity EX01 -Component PopProxy -State Active -Requester HealthApi", popProxy.Recommendation, StringComparison.Ordinal);
        Assert.Equal("Inactive", popProxy.Evidence["State"]);

        ExchangeClientProtocolResult popCertificate = Row(ExchangeClientProtocol.Pop3, "CertificateName");
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Certificate), (popCertificate.Status, popCertificate.Cause));
        Assert.Equal("Set-PopSettings -Server EX01 -X509CertificateName mail.contoso.com; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-Service MSExchangePOP3, MSExchangePOP3BE }", popCertificate.Recommendation);

        ExchangeClientProtocolResult popLogin = Row(ExchangeClientProtocol.Pop3, "LoginType");
        Assert.Equal((CheckStatus.Warning, MapiHttpCause.Authentication), (popLogin.Status, popLogin.Cause));
        Assert.Equal("Set-PopSettings -Server EX01 -LoginType SecureLogin; Invoke-Command -ComputerName EX01 -ScriptBlock { Restart-Service MSExchangePOP3, MSExchangePOP3BE }", popLogin.Recommendation);

        Assert.Equal(CheckStatus.Pass, Row(ExchangeClientProtocol.Imap4, "Mailbox").Status);
        ExchangeClientProtocolResult popMailbox = Row(ExchangeClientProtocol.Pop3, "Mailbox");
        Assert.Equal((CheckStatus.Fail, MapiHttpCause.NotEnabled), (popMailbox.Status, popMailbox.Cause));
        Assert.Equal("Set-CASMailbox -Identity 'alice@contoso.com' -PopEnabled $true", popMailbox.Recommendation);
        Assert.Equal("alice@contoso.com", popMailbox.Target);
    }

    [Fact]
    public void Services_are_skipped_with_the_reason_off_windows_and_never_asked_for()
    {
        using var session = new ModuleSession();
        session.Services().IsWindows = false;
        ScriptResult run = session.Invoke(StandIns + "Test-ExchangeClientProtocol -ComputerName EX01 -Protocol Imap4 -TargetAddress 127.0.0.2 -TimeoutSec 1", Variables());

        ExchangeClientProtocolResult[] services = run.Objects<ExchangeClientProtocolResult>().Where(r => r.Check.StartsWith("Service:", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "Service:MSExchangeIMAP4", "Service:MSExchangeIMAP4BE" }, services.Select(r => r.Check));
        Assert.All(services, r => Assert.Equal(CheckStatus.Skipped, r.Status));
        Assert.Equal("MSExchangeIMAP4 not read: Windows services are read on Windows only (Get-Service); run this on the Exchange server or in Windows PowerShell on a Windows machine.", services[0].Message);
        Assert.DoesNotContain(Calls(session), c => c.StartsWith("Get-Service", StringComparison.Ordinal));
        Assert.DoesNotContain(Calls(session), c => c.StartsWith("Get-PopSettings", StringComparison.Ordinal));
    }

    [Fact]
    public void A_mailbox_without_the_exchange_cmdlets_is_one_clear_error()
    {
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-ExchangeClientProtocol -Uri imaps://127.0.0.2:1 -Mailbox alice -TimeoutSec 1");

        Assert.Equal(new[] { "ExchangeCmdletsNotFound,MapiHttpTools.Commands.TestExchangeClientProtocolCommand" }, run.ErrorIds);
    }

    [Theory]
    [InlineData("https://mail.contoso.com/", "UnsupportedScheme,MapiHttpTools.Commands.TestExchangeClientProtocolCommand")]
    [InlineData("not a url", "InvalidUri,MapiHttpTools.Commands.TestExchangeClientProtocolCommand")]
    public void A_url_that_is_not_imap_or_pop_is_refused_with_its_own_error(string uri, string errorId)
    {
        using var session = new ModuleSession();
        ScriptResult run = session.Invoke("Test-ExchangeClientProtocol -Uri $u -TimeoutSec 1", new Dictionary<string, object?> { ["u"] = uri });

        Assert.Equal(new[] { errorId }, run.ErrorIds);
        Assert.Equal(uri, run.Errors[0].TargetObject);
        Assert.Empty(run.Output);
    }

    private static string[] Calls(ModuleSession session) =>
        ((System.Collections.IEnumerable)session.Runspace.SessionStateProxy.GetVariable("calls")).Cast<object>().Select(o => o.ToString()!).ToArray();

    private static Dictionary<string, object?> Variables()
    {
        string[] settingsTypes = { "Microsoft.Exchange.Data.Directory.SystemConfiguration.Pop3AdConfiguration", "Microsoft.Exchange.Data.Directory.SystemConfiguration.PopImapAdConfiguration", "System.Object" };
        const string loginOptions = "Microsoft.Exchange.Data.Directory.SystemConfiguration.LoginOptions";
        const string connectionSettings = "Microsoft.Exchange.Data.ProtocolConnectionSettings";
        PSObject imap = Clixml.Object(settingsTypes, "IMAP4",
            S("Server", "EX01"), S("X509CertificateName", "mail.contoso.com"), Clixml.Enum("LoginType", loginOptions, "SecureLogin", 2),
            TextList("ExternalConnectionSettings", connectionSettings, new[] { "mail.contoso.com:993:SSL", "mail.contoso.com:143:TLS" }),
            TextList("InternalConnectionSettings", connectionSettings, new[] { "EX01.contoso.com:993:SSL" }));
        PSObject pop = Clixml.Object(settingsTypes, "POP3",
            S("Server", "EX01"), S("X509CertificateName", "EX01.contoso.com"), Clixml.Enum("LoginType", loginOptions, "PlainTextLogin", 0),
            TextList("ExternalConnectionSettings", connectionSettings, new[] { "mail.contoso.com:995:SSL" }),
            TextList("InternalConnectionSettings", connectionSettings, Array.Empty<string>()));

        PSObject Service(string name, string status, int statusValue, string startType, int startValue) => Clixml.Object(
            new[] { "System.ServiceProcess.ServiceController", "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object" }, "System.ServiceProcess.ServiceController",
            S("Name", name), S("MachineName", "EX01"),
            Clixml.Enum("Status", "System.ServiceProcess.ServiceControllerStatus", status, statusValue),
            Clixml.Enum("StartType", "System.ServiceProcess.ServiceStartMode", startType, startValue));

        PSObject Component(string component, string state, int value) => Clixml.Object(
            new[] { "Microsoft.Exchange.Data.Directory.Management.ServerComponentStatePresentationObject", "Microsoft.Exchange.Data.ConfigurableObject", "System.Object" },
            "Microsoft.Exchange.Data.Directory.Management.ServerComponentStatePresentationObject",
            S("ServerFqdn", "EX01.contoso.com"), S("Component", component), Clixml.Enum("State", "Microsoft.Exchange.Data.ServiceState", state, value));

        var services = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["MSExchangeIMAP4"] = Service("MSExchangeIMAP4", "Running", 4, "Automatic", 2),
            ["MSExchangeIMAP4BE"] = Service("MSExchangeIMAP4BE", "Stopped", 1, "Disabled", 4),
            ["MSExchangePOP3"] = Service("MSExchangePOP3", "Stopped", 1, "Manual", 3),
            ["MSExchangePOP3BE"] = Service("MSExchangePOP3BE", "Running", 4, "Manual", 3),
        };
        var components = new System.Collections.Hashtable(StringComparer.OrdinalIgnoreCase)
        {
            ["ImapProxy"] = Component("ImapProxy", "Active", 1),
            ["PopProxy"] = Component("PopProxy", "Inactive", 0),
        };
        PSObject mailbox = Clixml.Object(new[] { "Microsoft.Exchange.Data.Directory.Management.CASMailbox", "System.Object" }, "Alice",
            S("Identity", "contoso.com/Users/Alice"), B("ImapEnabled", true), B("PopEnabled", false));
        return new Dictionary<string, object?> { ["imap"] = imap, ["pop"] = pop, ["services"] = services, ["components"] = components, ["mailbox"] = mailbox };
    }
}
