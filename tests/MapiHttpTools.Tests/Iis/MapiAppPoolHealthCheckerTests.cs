using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Xml.Linq;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// The comparison with the known-good configuration: the real Exchange 2019 file, then one derived variant per
/// failure the issue names, each asserting status, cause, check, the exact command and the evidence.
/// </summary>
public sealed class MapiAppPoolHealthCheckerTests : IDisposable
{
    private const string FrontEnd = "MSExchangeMapiFrontEndAppPool";
    private const string Mailbox = "MSExchangeMapiMailboxAppPool";
    private const string AddressBook = "MSExchangeMapiAddressBookAppPool";
    private const string FrontEndApp = "Default Web Site/mapi";
    private readonly IisFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void The_real_Exchange_2019_server_passes_everything_but_Extended_Protection_which_it_never_had()
    {
        var results = Run(IisFixture.ConfigPath);

        Assert.Equal(new[] { FrontEnd, Mailbox, AddressBook, FrontEndApp, "Exchange Back End/mapi/emsmdb", "Exchange Back End/mapi/nspi" }, results.Select(r => r.Name));
        Assert.All(results, r => Assert.Null(r.Server));
        foreach (MapiAppPoolHealthResult pool in results.Take(3))
        {
            Assert.Equal(MapiIisObjectKind.AppPool, pool.Kind);
            Assert.Equal(CheckStatus.Pass, pool.Status);
            Assert.Equal(MapiHttpCause.None, pool.Cause);
            Assert.Equal("MapiAppPool", pool.Check);
            Assert.Null(pool.Recommendation);
            Assert.Null(pool.State);
            Assert.Null(pool.WorkerProcesses);
            Assert.Equal("Matches the known-good MAPI configuration; not checked: RuntimeState, Events.", pool.Message);
            Assert.Equal(new[] { "RuntimeState", "Events" }, pool.Findings.Where(f => f.Status == CheckStatus.Skipped).Select(f => f.Check));
            Assert.Contains("not in a configuration file", pool.Findings.Single(f => f.Check == "RuntimeState").Message);
            Assert.Equal(TimeSpan.Zero, pool.Evidence["recycling.periodicRestart.time"]);
            Assert.Equal("LocalSystem", pool.Evidence["processModel.identityType"]);
            Assert.Equal(false, pool.Evidence["failure.rapidFailProtection"]);
            Assert.Equal(1000L, pool.QueueLength);
        }

        // Every application matches, except that this real server has no Extended Protection on /mapi (tokenChecking None)
        // where the design expects Require: a hardening Warning, not an outage.
        foreach (MapiAppPoolHealthResult application in results.Skip(3))
        {
            Assert.Equal(MapiIisObjectKind.Application, application.Kind);
            Assert.Equal(CheckStatus.Warning, application.Status);
            // Issue 11: hardening, not an outage cause, so the verdict never ranks it above a real failure.
            Assert.Equal(MapiHttpCause.None, application.Cause);
            Assert.Equal(new[] { "ExtendedProtection" }, application.Findings.Where(f => f.Status > CheckStatus.Skipped).Select(f => f.Check));
            Assert.Equal("None", application.ExtendedProtection);
            Assert.Equal($"Extended Protection is None at {application.Name}, not Require: hardening, not an outage cause.", application.Message);

            // Microsoft's server-wide procedure and its prerequisites; never a per-location tokenChecking edit.
            Assert.StartsWith("Enable Extended Protection server-wide with Microsoft's ExchangeExtendedProtectionManagement.ps1", application.Recommendation);
            Assert.Contains("no SSL offloading or TLS-terminating load balancer", application.Recommendation);
            Assert.Contains("the same TLS configuration on every Exchange server", application.Recommendation);
            Assert.EndsWith(@".\ExchangeExtendedProtectionManagement.ps1 -PrerequisitesCheckOnly", application.Recommendation);
            Assert.DoesNotContain("tokenChecking", application.Recommendation, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Set-WebConfigurationProperty", application.Recommendation, StringComparison.Ordinal);
            Assert.True(application.WindowsAuthentication);
            Assert.False(application.AnonymousAuthentication);
        }

        MapiAppPoolHealthResult front = results[3];
        Assert.Equal("Ssl, Ssl128", front.SslFlags);
        Assert.Equal("MSExchangeMapiFrontEndAppPool", front.ApplicationPool);
        Assert.Equal("12FD38FA8F58C8A74B3039962882DEFE4199D453", front.Evidence["CertificateHash"]); // GetWebBinding.xml beside the fixture
        Assert.Equal(":443:", front.Evidence["MatchingBinding"]);
        Assert.Equal("Ssl", results[4].SslFlags);
        Assert.Equal("*:444:", results[5].Evidence["MatchingBinding"]);
    }

    [Fact]
    public void Without_the_binding_snapshot_the_certificate_is_skipped_with_the_reason()
    {
        MapiAppPoolHealthResult front = Run(_fixture.Variant()).Single(r => r.Name == FrontEndApp);

        MapiAppPoolFinding certificate = front.Findings.Single(f => f.Check == "Certificate");
        Assert.Equal(CheckStatus.Skipped, certificate.Status);
        Assert.Contains("kept by HTTP.sys, not in applicationHost.config", certificate.Message);
        Assert.Equal(CheckStatus.Warning, front.Status); // still only Extended Protection
    }

    [Fact]
    public void A_stopped_pool_fails_with_Start_WebAppPool()
    {
        var source = new RuntimeOverride(IisFixture.Load(IisFixture.ConfigPath))
        {
            Pools = { [FrontEnd] = new RuntimeFacts(true, "Stopped", Array.Empty<WorkerProcessFacts>(), null) },
        };

        MapiAppPoolHealthResult pool = Run(source).First();

        Assert.Equal(CheckStatus.Fail, pool.Status);
        Assert.Equal(MapiHttpCause.AppPool, pool.Cause);
        Assert.Equal("Stopped", pool.State);
        Assert.Empty(pool.WorkerProcesses!);
        Assert.Equal("RuntimeState", pool.Findings[0].Check);
        Assert.Equal("Start-WebAppPool -Name MSExchangeMapiFrontEndAppPool", pool.Recommendation);
        Assert.StartsWith("MSExchangeMapiFrontEndAppPool is Stopped: every MAPI request it serves gets 503", pool.Message);
        Assert.Equal("EX01", pool.Server);
    }

    [Fact]
    public void A_started_pool_lists_its_worker_processes_and_a_failed_state_read_is_an_Error()
    {
        var started = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Local);
        var source = new RuntimeOverride(IisFixture.Load(IisFixture.ConfigPath))
        {
            Pools =
            {
                [FrontEnd] = new RuntimeFacts(true, "Started", new[] { new WorkerProcessFacts(4242, "Running", started) }, null),
                [Mailbox] = RuntimeFacts.ReadFailed("access denied"),
            },
            Sites = { ["Default Web Site"] = new RuntimeFacts(true, "Stopped", null, null) },
        };

        var results = Run(source);

        MapiAppPoolHealthResult front = results[0];
        Assert.Equal(CheckStatus.Pass, front.Status);
        Assert.Equal("Started", front.State);
        Assert.Equal(4242, Assert.Single(front.WorkerProcesses!).ProcessId);
        Assert.Equal(started, front.WorkerProcesses![0].StartTime);
        Assert.Equal("4242 (since 2024-05-06 07:08:09)", front.Evidence["WorkerProcesses"]);
        Assert.Equal("MSExchangeMapiFrontEndAppPool is Started; worker process 4242 (since 2024-05-06 07:08:09).", front.Findings.Single(f => f.Check == "RuntimeState").Message);

        MapiAppPoolHealthResult mailbox = results[1];
        Assert.Equal(CheckStatus.Error, mailbox.Status);
        Assert.Equal("The runtime state of MSExchangeMapiMailboxAppPool could not be read: access denied", mailbox.Findings[0].Message);

        // A stopped site is said plainly: the whole front end is down, not the MAPI handler.
        MapiAppPoolHealthResult application = results[3];
        Assert.Equal(CheckStatus.Fail, application.Status);
        Assert.Equal("Stopped", application.State);
        Assert.Contains("every protocol on this front end fails, not a MAPI/HTTP handler problem", application.Message);
        Assert.StartsWith("Start-Website -Name 'Default Web Site'", application.Recommendation);
    }

    [Fact]
    public void A_missing_pool_fails_with_the_appcmd_that_recreates_it()
    {
        string path = _fixture.Variant(d => IisFixture.Pool(d, AddressBook).Remove());

        MapiAppPoolHealthResult pool = Run(path).Single(r => r.Name == AddressBook);

        Assert.Equal(CheckStatus.Fail, pool.Status);
        Assert.Equal(MapiHttpCause.AppPool, pool.Cause);
        Assert.Equal(false, pool.Evidence["Exists"]);
        Assert.Null(pool.ManagedRuntimeVersion);
        Assert.Equal("The application pool MSExchangeMapiAddressBookAppPool does not exist: Exchange Back End/mapi/nspi (address book) has no pool to run in and answers 503.", pool.Message);
        Assert.Equal(
            "& \"$env:windir\\system32\\inetsrv\\appcmd.exe\" add apppool /name:MSExchangeMapiAddressBookAppPool /managedRuntimeVersion:v4.0 /managedPipelineMode:Integrated /autoStart:true /queueLength:1000 " +
            "/processModel.identityType:LocalSystem /processModel.idleTimeout:00:00:00 /recycling.periodicRestart.time:00:00:00 /failure.rapidFailProtection:false",
            pool.Recommendation);
    }

    [Fact]
    public void A_recycle_schedule_is_a_periodic_restart_finding()
    {
        string path = _fixture.Variant(d => IisFixture.Pool(d, Mailbox).Element("recycling")!.Element("periodicRestart")!
            .Add(new XElement("schedule", new XElement("add", new XAttribute("value", "03:00:00")), new XElement("add", new XAttribute("value", "15:00:00")))));

        MapiAppPoolHealthResult pool = Run(path).Single(r => r.Name == Mailbox);

        Assert.Equal(CheckStatus.Warning, pool.Status);
        Assert.Equal(MapiHttpCause.AppPool, pool.Cause);
        MapiAppPoolFinding finding = pool.Findings[0];
        Assert.Equal("PeriodicRestart", finding.Check);
        Assert.Equal("MSExchangeMapiMailboxAppPool recycles at 03:00:00, 15:00:00 (schedule): each recycle drops Outlook's MAPI sessions and gives periodic 503s.", finding.Message);
        Assert.Equal("Clear-WebConfiguration -PSPath IIS:\\ -Filter \"/system.applicationHost/applicationPools/add[@name='MSExchangeMapiMailboxAppPool']/recycling/periodicRestart/schedule\"", pool.Recommendation);
        Assert.Equal("03:00:00, 15:00:00", pool.Evidence["recycling.periodicRestart.schedule"]);
        Assert.Equal(new[] { TimeSpan.FromHours(3), TimeSpan.FromHours(15) }, pool.PeriodicRestartSchedule);
    }

    [Fact]
    public void The_IIS_default_recycle_every_29_hours_and_memory_and_request_limits_are_findings_with_one_command_each()
    {
        string path = _fixture.Variant(d =>
        {
            XElement restart = IisFixture.Pool(d, FrontEnd).Element("recycling")!.Element("periodicRestart")!;
            restart.Attribute("time")!.Remove(); // the schema default 1.05:00:00 applies
            restart.SetAttributeValue("privateMemory", "4194304");
            restart.SetAttributeValue("requests", "100000");
        });

        MapiAppPoolHealthResult pool = Run(path)[0];

        Assert.Equal(CheckStatus.Warning, pool.Status);
        Assert.Equal(new TimeSpan(1, 5, 0, 0), pool.PeriodicRestartTime);
        Assert.Equal("MSExchangeMapiFrontEndAppPool recycles every 1.05:00:00 (time), at 4194304 KB private memory (privateMemory), after 100000 requests (requests): each recycle drops Outlook's MAPI sessions and gives periodic 503s.", pool.Message);
        Assert.Equal(
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name recycling.periodicRestart.time -Value ([TimeSpan]::Zero); " +
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name recycling.periodicRestart.privateMemory -Value 0; " +
            "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name recycling.periodicRestart.requests -Value 0",
            pool.Recommendation);
    }

    [Theory]
    [InlineData("managedRuntimeVersion", "v2.0", "ManagedRuntimeVersion", CheckStatus.Fail, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name managedRuntimeVersion -Value v4.0")]
    [InlineData("managedPipelineMode", "Classic", "ManagedPipelineMode", CheckStatus.Fail, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name managedPipelineMode -Value Integrated")]
    [InlineData("autoStart", "false", "AutoStart", CheckStatus.Warning, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name autoStart -Value $true")]
    [InlineData("queueLength", "100", "QueueLength", CheckStatus.Warning, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name queueLength -Value 1000")]
    [InlineData("processModel/identityType", "NetworkService", "Identity", CheckStatus.Fail, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name processModel.identityType -Value LocalSystem")]
    [InlineData("processModel/idleTimeout", "00:20:00", "IdleTimeout", CheckStatus.Warning, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name processModel.idleTimeout -Value ([TimeSpan]::Zero)")]
    [InlineData("failure/rapidFailProtection", "true", "RapidFailProtection", CheckStatus.Warning, "Set-ItemProperty -Path 'IIS:\\AppPools\\MSExchangeMapiFrontEndAppPool' -Name failure.rapidFailProtection -Value $false")]
    public void Each_pool_setting_off_the_known_good_value_is_a_finding_with_its_command(string attribute, string value, string check, CheckStatus status, string command)
    {
        string path = _fixture.Variant(d =>
        {
            XElement element = IisFixture.Pool(d, FrontEnd);
            string[] parts = attribute.Split('/');
            foreach (string part in parts.Take(parts.Length - 1))
            {
                element = element.Element(part)!;
            }

            element.SetAttributeValue(parts.Last(), value);
        });

        MapiAppPoolHealthResult pool = Run(path)[0];

        Assert.Equal(status, pool.Status);
        Assert.Equal(MapiHttpCause.AppPool, pool.Cause);
        Assert.Equal(check, pool.Findings[0].Check);
        Assert.Equal(command, pool.Recommendation);
        Assert.Single(pool.Findings, f => f.Status > CheckStatus.Skipped);
    }

    [Fact]
    public void A_wrong_physical_path_fails_with_the_path_of_this_server()
    {
        string path = _fixture.Variant(d => IisFixture.Application(d, "Default Web Site", "/mapi").Element("virtualDirectory")!
            .SetAttributeValue("physicalPath", @"C:\inetpub\wwwroot\mapi"));

        MapiAppPoolHealthResult application = Run(path).Single(r => r.Name == FrontEndApp);

        Assert.Equal(CheckStatus.Fail, application.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, application.Cause);
        Assert.Equal("PhysicalPath", application.Findings[0].Check);
        Assert.Equal(@"C:\inetpub\wwwroot\mapi", application.PhysicalPath);
        Assert.Equal(@"C:\inetpub\wwwroot\mapi", application.Findings[0].Actual);
        Assert.StartsWith(@"Default Web Site/mapi points to 'C:\inetpub\wwwroot\mapi', not the Exchange folder ...\FrontEnd\HttpProxy\mapi", application.Message);
        Assert.EndsWith("IIS serves the wrong (or no) MAPI handler. (+1 more: ExtendedProtection)", application.Message);
        Assert.StartsWith(
            @"Set-ItemProperty -Path 'IIS:\Sites\Default Web Site\mapi' -Name physicalPath -Value 'C:\Program Files\Microsoft\Exchange Server\V15\FrontEnd\HttpProxy\mapi'",
            application.Recommendation);
    }

    [Fact]
    public void The_wrong_pool_for_mapi_fails_with_the_command_that_sets_the_right_one()
    {
        string path = _fixture.Variant(d => IisFixture.Application(d, "Default Web Site", "/mapi").SetAttributeValue("applicationPool", "MSExchangeOWAAppPool"));

        MapiAppPoolHealthResult application = Run(path).Single(r => r.Name == FrontEndApp);

        Assert.Equal(CheckStatus.Fail, application.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, application.Cause);
        Assert.Equal("ApplicationPool", application.Findings[0].Check);
        Assert.Equal("MSExchangeOWAAppPool", application.ApplicationPool);
        Assert.Equal("MSExchangeOWAAppPool", application.Evidence["applicationPool"]);
        Assert.StartsWith(@"Set-ItemProperty -Path 'IIS:\Sites\Default Web Site\mapi' -Name applicationPool -Value MSExchangeMapiFrontEndAppPool", application.Recommendation);
    }

    [Fact]
    public void A_missing_application_fails_with_New_WebApplication()
    {
        string path = _fixture.Variant(d => IisFixture.Application(d, "Exchange Back End", "/mapi/nspi").Remove());

        MapiAppPoolHealthResult application = Run(path).Single(r => r.Name == "Exchange Back End/mapi/nspi");

        Assert.Equal(CheckStatus.Fail, application.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, application.Cause);
        Assert.Equal("The application Exchange Back End/mapi/nspi does not exist in IIS: requests to /mapi/nspi get 404.", application.Message);
        Assert.Equal(
            @"New-WebApplication -Site 'Exchange Back End' -Name 'mapi/nspi' -PhysicalPath 'C:\Program Files\Microsoft\Exchange Server\V15\ClientAccess\mapi\nspi' -ApplicationPool MSExchangeMapiAddressBookAppPool",
            application.Recommendation);
        Assert.Single(application.Findings);
    }

    [Fact]
    public void Anonymous_authentication_on_fails_with_the_command_that_turns_it_off()
    {
        string path = _fixture.Variant(d => IisFixture.Authentication(d, FrontEndApp, "anonymousAuthentication").SetAttributeValue("enabled", "true"));

        MapiAppPoolHealthResult application = Run(path).Single(r => r.Name == FrontEndApp);

        Assert.Equal(CheckStatus.Fail, application.Status);
        Assert.Equal(MapiHttpCause.Authentication, application.Cause);
        Assert.Equal("AnonymousAuthentication", application.Findings[0].Check);
        Assert.True(application.AnonymousAuthentication);
        Assert.Equal(true, application.Evidence["anonymousAuthentication"]);
        Assert.StartsWith(
            "Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/authentication/anonymousAuthentication -Name enabled -Value $false; ",
            application.Recommendation);
    }

    [Fact]
    public void Windows_authentication_off_on_the_back_end_fails_with_the_command_that_turns_it_on()
    {
        string path = _fixture.Variant(d => IisFixture.Authentication(d, "Exchange Back End/mapi/emsmdb", "windowsAuthentication").SetAttributeValue("enabled", "false"));

        var results = Run(path);
        MapiAppPoolHealthResult emsmdb = results.Single(r => r.Name == "Exchange Back End/mapi/emsmdb");

        Assert.Equal(CheckStatus.Fail, emsmdb.Status);
        Assert.Equal(MapiHttpCause.Authentication, emsmdb.Cause);
        Assert.Equal("WindowsAuthentication", emsmdb.Findings[0].Check);
        Assert.False(emsmdb.WindowsAuthentication);
        Assert.StartsWith(
            "Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Exchange Back End/mapi/emsmdb' -Filter system.webServer/security/authentication/windowsAuthentication -Name enabled -Value $true",
            emsmdb.Recommendation);
        Assert.Equal(CheckStatus.Warning, results.Single(r => r.Name == "Exchange Back End/mapi/nspi").Status); // untouched
    }

    [Fact]
    public void Basic_authentication_and_weaker_sslFlags_are_findings()
    {
        string path = _fixture.Variant(d =>
        {
            IisFixture.Authentication(d, FrontEndApp, "basicAuthentication").SetAttributeValue("enabled", "true");
            IisFixture.Location(d, FrontEndApp).Element("system.webServer")!.Element("security")!.Element("access")!.SetAttributeValue("sslFlags", "None");
            IisFixture.Location(d, "Exchange Back End/mapi/nspi").Element("system.webServer")!.Element("security")!.Element("access")!.SetAttributeValue("sslFlags", "Ssl, SslRequireCert");
        });

        var results = Run(path);
        MapiAppPoolHealthResult front = results.Single(r => r.Name == FrontEndApp);
        MapiAppPoolHealthResult nspi = results.Single(r => r.Name == "Exchange Back End/mapi/nspi");

        MapiAppPoolFinding ssl = front.Findings.Single(f => f.Check == "SslFlags");
        Assert.Equal(CheckStatus.Fail, ssl.Status);
        Assert.Equal("Default Web Site/mapi has sslFlags 'None', not 'Ssl, Ssl128': SSL is not required, so MAPI is served over plain HTTP.", ssl.Message);
        Assert.Equal("Set-WebConfigurationProperty -PSPath IIS:\\ -Location 'Default Web Site/mapi' -Filter system.webServer/security/access -Name sslFlags -Value 'Ssl,Ssl128'", ssl.Recommendation);
        Assert.Equal(CheckStatus.Warning, front.Findings.Single(f => f.Check == "BasicAuthentication").Status);
        Assert.Contains("a client certificate is required", nspi.Findings.Single(f => f.Check == "SslFlags").Message);
        Assert.Equal(CheckStatus.Fail, nspi.Status);
    }

    [Fact]
    public void Bindings_must_cover_the_MAPI_host_on_443_and_carry_a_certificate()
    {
        string noCertificate = _fixture.Variant(withBindingSnapshot: true);
        string snapshot = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(noCertificate)!, ApplicationHostConfigFile.BindingSnapshotFileName);
        System.IO.File.WriteAllText(snapshot, System.IO.File.ReadAllText(snapshot).Replace("12FD38FA8F58C8A74B3039962882DEFE4199D453", string.Empty));

        var results = Run(noCertificate, mapiUrl: new Uri("https://mail.contoso.com/mapi"));
        MapiAppPoolHealthResult front = results.Single(r => r.Name == FrontEndApp);
        MapiAppPoolHealthResult emsmdb = results.Single(r => r.Name == "Exchange Back End/mapi/emsmdb");

        Assert.Equal(CheckStatus.Fail, front.Status);
        Assert.Equal(MapiHttpCause.Certificate, front.Cause);
        Assert.Equal("The binding :443: of 'Default Web Site' has no certificate: the TLS handshake for /mapi fails.", front.Findings[0].Message);
        Assert.StartsWith("Get-ExchangeCertificate -Server $env:COMPUTERNAME -DomainName mail.contoso.com | Where-Object NotAfter -gt (Get-Date) | Select-Object -First 1 | Enable-ExchangeCertificate -Services IIS", front.Recommendation);
        Assert.Equal(MapiHttpCause.Certificate, emsmdb.Cause);
        Assert.StartsWith("(Get-WebBinding -Name 'Exchange Back End' -Protocol https -Port 444).AddSslCertificate(", emsmdb.Recommendation);

        // Only host-specific bindings for another name: the MAPI host is not served on 443.
        string otherHost = _fixture.Variant(d =>
        {
            foreach (XElement binding in IisFixture.Site(d, "Default Web Site").Element("bindings")!.Elements("binding").Where(b => (string?)b.Attribute("protocol") == "https"))
            {
                binding.SetAttributeValue("bindingInformation", "*:443:owa.contoso.com");
            }
        });
        MapiAppPoolHealthResult unbound = Run(otherHost, mapiUrl: new Uri("https://mail.contoso.com/mapi")).Single(r => r.Name == FrontEndApp);
        Assert.Equal(CheckStatus.Fail, unbound.Status);
        Assert.Equal(MapiHttpCause.VirtualDirectory, unbound.Cause);
        Assert.Equal("Binding", unbound.Findings[0].Check);
        Assert.Equal("'Default Web Site' has no binding for https on port 443 for mail.contoso.com: /mapi cannot be reached over HTTPS there.", unbound.Findings[0].Message);
        Assert.StartsWith("New-WebBinding -Name 'Default Web Site' -Protocol https -Port 443 -IPAddress '*'", unbound.Recommendation);

        // Without -MapiUrl any host on 443 will do.
        Assert.Equal(CheckStatus.Pass, Run(otherHost).Single(r => r.Name == FrontEndApp).Findings.Single(f => f.Check == "Binding").Status);
    }

    [Fact]
    public void Events_are_counted_per_pool_within_the_window_with_the_latest_message()
    {
        DateTime now = DateTime.UtcNow;
        string events = _fixture.Events(new[]
        {
            IisFixture.Event(5011, now.AddHours(-3), IisFixture.WasCrash(FrontEnd), insertionStrings: new[] { FrontEnd, "4242" }),
            IisFixture.Event(5011, now.AddHours(-2), IisFixture.WasCrash(FrontEnd), insertionStrings: new[] { FrontEnd, "4343" }),
            IisFixture.Event(5013, now.AddHours(-1), $"A process serving application pool '{FrontEnd}' exceeded time limits during shut down. The process id was '4444'."),
            IisFixture.Event(5002, now.AddMinutes(-30), IisFixture.WasDisable(Mailbox)),
            IisFixture.Event(5074, now.AddHours(-5), IisFixture.WasRecycle(AddressBook)),
            IisFixture.Event(5074, now.AddHours(-4), IisFixture.WasRecycle(AddressBook)),
            IisFixture.Event(1053, now.AddHours(-6), "MAPI over HTTP request failed.", provider: "MSExchange MAPI AddressBook", log: "Application"),
            IisFixture.Event(5011, now.AddHours(-1), IisFixture.WasCrash("MSExchangeOWAAppPool")), // another pool
            IisFixture.Event(5011, now.AddHours(-30), IisFixture.WasCrash(FrontEnd)), // before the window
            IisFixture.Event(1053, now.AddHours(-1), "Something failed.", provider: "MSExchange Something Else", log: "Application"), // names no pool
        });

        var checker = Checker(IisFixture.Load(IisFixture.ConfigPath), ClixmlEventSource.Load(events, CancellationToken.None));
        var results = checker.Run(CancellationToken.None);
        MapiAppPoolHealthResult front = results[0];
        MapiAppPoolHealthResult mailbox = results[1];
        MapiAppPoolHealthResult addressBook = results[2];

        Assert.Equal(3, front.CrashCount);
        Assert.Equal(0, front.DisableCount);
        Assert.Equal(CheckStatus.Warning, front.Status);
        Assert.Equal(MapiHttpCause.AppPool, front.Cause);
        Assert.Equal($"A process serving application pool '{FrontEnd}' exceeded time limits during shut down. The process id was '4444'.", front.LatestEventMessage);
        Assert.Equal(5013, front.Evidence["LatestEventId"]);
        Assert.StartsWith("MSExchangeMapiFrontEndAppPool in the last 24 h: 3 worker process failures (5011/5013); latest ", front.Message);
        Assert.Equal(
            "Get-WinEvent -ComputerName EX01.contoso.com -FilterHashtable @{LogName='System'; ProviderName='Microsoft-Windows-WAS'; StartTime=(Get-Date).AddHours(-24)} | Where-Object Message -like '*MSExchangeMapiFrontEndAppPool*' | Format-List TimeCreated, Id, Message",
            front.Recommendation);

        Assert.Equal(1, mailbox.DisableCount);
        Assert.Equal(CheckStatus.Fail, mailbox.Status);
        Assert.Equal(MapiHttpCause.AppPool, mailbox.Cause);
        Assert.StartsWith("Start-WebAppPool -Name MSExchangeMapiMailboxAppPool; Get-WinEvent", mailbox.Recommendation);

        Assert.Equal(2, addressBook.RecycleCount);
        Assert.Equal(1, addressBook.FailureEventCount);
        Assert.Equal(0, addressBook.CrashCount);
        Assert.Equal(CheckStatus.Warning, addressBook.Status);

        Assert.Equal(1, checker.UnattributedEventCount);
        Assert.All(results, r => Assert.Equal("EX01.contoso.com", r.Server)); // the events' machine, the file naming none
    }

    [Fact]
    public void The_offline_window_ends_when_the_events_were_exported()
    {
        DateTime exported = DateTime.UtcNow.AddDays(-10);
        string events = _fixture.Events(new[]
        {
            IisFixture.Event(5011, exported.AddHours(-2), IisFixture.WasCrash(FrontEnd)),
            IisFixture.Event(5011, exported.AddHours(-30), IisFixture.WasCrash(FrontEnd)),
        }, exported);
        ClixmlEventSource source = ClixmlEventSource.Load(events, CancellationToken.None);

        Assert.Equal(1, Checker(IisFixture.Load(IisFixture.ConfigPath), source).Run(CancellationToken.None)[0].CrashCount);
        Assert.Equal(2, Checker(IisFixture.Load(IisFixture.ConfigPath), source, hours: 48).Run(CancellationToken.None)[0].CrashCount);
        Assert.Equal(
            "No crash, disable or recycle of MSExchangeMapiMailboxAppPool in the last 24 h (" +
            $"{exported.AddHours(-24).ToLocalTime():yyyy-MM-dd HH:mm} to {exported.ToLocalTime():yyyy-MM-dd HH:mm}).",
            Checker(IisFixture.Load(IisFixture.ConfigPath), source).Run(CancellationToken.None)[1].Findings.Single(f => f.Check == "Events").Message);
    }

    [Fact]
    public void Live_event_queries_filter_ids_and_time_in_the_event_log_service()
    {
        Assert.Equal(
            "*[System[Provider[@Name='Microsoft-Windows-WAS'] and (EventID=5002 or EventID=5009 or EventID=5010 or EventID=5011 or EventID=5012 or EventID=5013 or " +
            "EventID=5074 or EventID=5075 or EventID=5076 or EventID=5077 or EventID=5117 or EventID=5186) and TimeCreated[timediff(@SystemTime) <= 86400000]]]",
            LiveEventLogSource.SystemQuery(TimeSpan.FromHours(24)));
        Assert.Equal("*[System[(EventID=1053) and TimeCreated[timediff(@SystemTime) <= 7200000]]]", LiveEventLogSource.ApplicationQuery(TimeSpan.FromHours(2)));
    }

    private static MapiAppPoolHealthChecker Checker(IIisConfigurationSource iis, IEventSource? events, int hours = 24, Uri? mapiUrl = null) =>
        new(iis, events, events is null ? "no events in this test" : null, TimeSpan.FromHours(hours), mapiUrl, server: null);

    private static IReadOnlyList<MapiAppPoolHealthResult> Run(string path, Uri? mapiUrl = null) =>
        Checker(IisFixture.Load(path), null, mapiUrl: mapiUrl).Run(CancellationToken.None);

    private static IReadOnlyList<MapiAppPoolHealthResult> Run(IIisConfigurationSource source) =>
        new MapiAppPoolHealthChecker(source, null, "no events in this test", TimeSpan.FromHours(24), null, "EX01").Run(CancellationToken.None);

    /// <summary>The real file's configuration with runtime facts as a live server would report them.</summary>
    private sealed class RuntimeOverride : IIisConfigurationSource
    {
        private readonly IIisConfigurationSource _inner;

        public RuntimeOverride(IIisConfigurationSource inner) => _inner = inner;

        public Dictionary<string, RuntimeFacts> Pools { get; } = new();

        public Dictionary<string, RuntimeFacts> Sites { get; } = new();

        public string Description => "test runtime";

        public string? MachineName => "EX01";

        public AppPoolConfig? GetApplicationPool(string name) => _inner.GetApplicationPool(name);

        public ApplicationConfig? GetApplication(string siteName, string applicationPath) => _inner.GetApplication(siteName, applicationPath);

        public IReadOnlyList<ApplicationConfig> GetApplications() => _inner.GetApplications();

        public SiteConfig? GetSite(string siteName) => _inner.GetSite(siteName);

        public LocationSecurity GetSecurity(string locationPath) => _inner.GetSecurity(locationPath);

        public RuntimeFacts GetApplicationPoolRuntime(string name) =>
            Pools.TryGetValue(name, out RuntimeFacts? facts) ? facts : new RuntimeFacts(true, "Started", Array.Empty<WorkerProcessFacts>(), null);

        public RuntimeFacts GetSiteRuntime(string siteName) =>
            Sites.TryGetValue(siteName, out RuntimeFacts? facts) ? facts : new RuntimeFacts(true, "Started", null, null);
    }
}
