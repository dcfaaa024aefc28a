using System;
using System.Collections.Generic;
using System.Linq;
using MapiHttpTools.Iis;
using Xunit;

namespace MapiHttpTools.Tests.Iis;

/// <summary>
/// The judgement functions alone (issue 12): literal facts in, findings out; no IIS, no file, no PowerShell. The pool
/// baseline is tested as the table it is: one row per rule, each deviating from a known-good pool in one value.
/// </summary>
public sealed class MapiIisJudgementTests
{
    private const string Name = "MSExchangeMapiMailboxAppPool";
    private const string PoolPath = "IIS:\\AppPools\\MSExchangeMapiMailboxAppPool";

    private static readonly AppPoolConfig Good = new(
        Name, AutoStart: true, ManagedRuntimeVersion: "v4.0", ManagedPipelineMode: "Integrated", IdentityType: "LocalSystem", UserName: null,
        IdleTimeout: TimeSpan.Zero, PeriodicRestartTime: TimeSpan.Zero, PeriodicRestartMemory: 0, PeriodicRestartPrivateMemory: 0, PeriodicRestartRequests: 0,
        PeriodicRestartSchedule: Array.Empty<TimeSpan>(), RapidFailProtection: false, QueueLength: 1000, ClrConfigFile: null);

    public static IEnumerable<object[]> Deviations()
    {
        yield return Row("AutoStart", Good with { AutoStart = false }, "Warning",
            "MSExchangeMapiMailboxAppPool has autoStart false: after an IIS reset or a reboot it stays stopped and MAPI requests get 503.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name autoStart -Value $true");
        yield return Row("ManagedRuntimeVersion", Good with { ManagedRuntimeVersion = "v2.0" }, "Fail",
            "MSExchangeMapiMailboxAppPool has managedRuntimeVersion 'v2.0', not v4.0: the Exchange MAPI application cannot load.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name managedRuntimeVersion -Value v4.0");
        yield return Row("ManagedPipelineMode", Good with { ManagedPipelineMode = "Classic" }, "Fail",
            "MSExchangeMapiMailboxAppPool uses the Classic pipeline, not Integrated: the Exchange modules of /mapi do not run.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name managedPipelineMode -Value Integrated");
        yield return Row("Identity", Good with { IdentityType = "SpecificUser", UserName = "CONTOSO\\svc" }, "Fail",
            "MSExchangeMapiMailboxAppPool runs as SpecificUser (CONTOSO\\svc), not LocalSystem: Exchange's MAPI code lacks the rights it needs.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name processModel.identityType -Value LocalSystem");
        yield return Row("IdleTimeout", Good with { IdleTimeout = TimeSpan.FromMinutes(20) }, "Warning",
            "MSExchangeMapiMailboxAppPool shuts its worker process down after 00:20:00 without requests: the next Outlook connection waits for a cold start.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name processModel.idleTimeout -Value ([TimeSpan]::Zero)");
        yield return Row("PeriodicRestart", Good with { PeriodicRestartTime = TimeSpan.Parse("1.05:00:00", System.Globalization.CultureInfo.InvariantCulture) }, "Warning",
            "MSExchangeMapiMailboxAppPool recycles every 1.05:00:00 (time): each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name recycling.periodicRestart.time -Value ([TimeSpan]::Zero)");
        yield return Row("PeriodicRestart", Good with { PeriodicRestartSchedule = new[] { new TimeSpan(3, 0, 0) } }, "Warning",
            "MSExchangeMapiMailboxAppPool recycles at 03:00:00 (schedule): each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            "Clear-WebConfiguration -PSPath IIS:\\ -Filter \"/system.applicationHost/applicationPools/add[@name='MSExchangeMapiMailboxAppPool']/recycling/periodicRestart/schedule\"");

        // Issue 19: a memory limit recycles the pool too (docs/design.md: no periodic restart condition at all).
        yield return Row("PeriodicRestart", Good with { PeriodicRestartPrivateMemory = 1048576 }, "Warning",
            "MSExchangeMapiMailboxAppPool recycles at 1048576 KB private memory (privateMemory): each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name recycling.periodicRestart.privateMemory -Value 0");
        yield return Row("PeriodicRestart", Good with { PeriodicRestartMemory = 4194304 }, "Warning",
            "MSExchangeMapiMailboxAppPool recycles at 4194304 KB virtual memory (memory): each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name recycling.periodicRestart.memory -Value 0");
        yield return Row("PeriodicRestart", Good with { PeriodicRestartRequests = 100000 }, "Warning",
            "MSExchangeMapiMailboxAppPool recycles after 100000 requests (requests): each recycle drops Outlook's MAPI sessions and gives periodic 503s.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name recycling.periodicRestart.requests -Value 0");
        yield return Row("RapidFailProtection", Good with { RapidFailProtection = true }, "Warning",
            "MSExchangeMapiMailboxAppPool has rapid-fail protection on: a few worker process crashes disable the pool and MAPI answers 503 until someone starts it.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name failure.rapidFailProtection -Value $false");
        yield return Row("QueueLength", Good with { QueueLength = 100 }, "Warning",
            "MSExchangeMapiMailboxAppPool queues only 100 requests (Exchange sets 1000): under load HTTP.sys answers 503 Queue Full.",
            $"Set-ItemProperty -Path '{PoolPath}' -Name queueLength -Value 1000");

        static object[] Row(string check, AppPoolConfig pool, string status, string message, string fix) => new object[] { check, pool, status, message, fix };
    }

    [Fact]
    public void A_known_good_pool_passes_every_rule_of_the_table()
    {
        MapiAppPoolFinding[] findings = MapiPoolJudgement.Settings(Good).ToArray();

        Assert.Equal(new[] { "AutoStart", "ManagedRuntimeVersion", "ManagedPipelineMode", "Identity", "IdleTimeout", "PeriodicRestart", "RapidFailProtection", "QueueLength" }, findings.Select(f => f.Check));
        Assert.All(findings, f => Assert.Equal(CheckStatus.Pass, f.Status));
        Assert.Equal("MSExchangeMapiMailboxAppPool has no periodic restart (time 00:00:00, no schedule, no memory or request limit).", findings[5].Message);
    }

    [Theory]
    [MemberData(nameof(Deviations))]
    public void Each_deviation_from_the_baseline_is_one_finding_with_its_fix(string check, object pool, string status, string message, string fix)
    {
        MapiAppPoolFinding[] problems = MapiPoolJudgement.Settings((AppPoolConfig)pool).Where(f => f.Status != CheckStatus.Pass).ToArray();

        MapiAppPoolFinding finding = Assert.Single(problems);
        Assert.Equal(check, finding.Check);
        Assert.Equal(status, finding.Status.ToString());
        Assert.Equal(MapiHttpCause.AppPool, finding.Cause);
        Assert.Equal(message, finding.Message);
        Assert.Equal(fix, finding.Recommendation);
    }

    [Fact]
    public void A_pool_judged_from_facts_reports_its_events_with_control_characters_made_visible()
    {
        var end = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc);
        var read = new EventReadResult(Array.Empty<EventFacts>(), end.AddHours(-24), end, null);
        var crash = new EventFacts(5011, MapiPoolEvents.WasProvider, "System", end.AddHours(-1),
            "A process serving application pool 'MSExchangeMapiMailboxAppPool' crashed\u001b]0;owned\u0007\r\nsecond line", "EX01", Array.Empty<string>());
        var facts = new MapiPoolFacts(new MapiPoolDefinition(Name, "/mapi/emsmdb"), "test", Good, RuntimeFacts.Unknown("offline"),
            new MapiPoolEventFacts(read, "events.xml", null, TimeSpan.FromHours(24), new[] { crash }));

        MapiAppPoolHealthResult result = MapiPoolJudgement.Judge(facts, new MapiIisJudgementContext("EX01", null));

        Assert.Equal(CheckStatus.Warning, result.Status);
        Assert.Equal(MapiHttpCause.AppPool, result.Cause);
        Assert.Equal(1, result.CrashCount);
        Assert.Equal("A process serving application pool 'MSExchangeMapiMailboxAppPool' crashed\\e]0;owned\\a second line", result.LatestEventMessage);
        Assert.DoesNotContain('\u001b', result.Message);
        Assert.DoesNotContain('\u0007', (string)result.Evidence["LatestEventMessage"]!);
    }

    [Fact]
    public void Extended_Protection_not_configured_is_hardening_with_Microsofts_procedure()
    {
        MapiAppPoolFinding none = MapiApplicationJudgement.ExtendedProtection("Default Web Site/mapi", "None");
        MapiAppPoolFinding require = MapiApplicationJudgement.ExtendedProtection("Default Web Site/mapi", "Require");

        Assert.Equal((CheckStatus.Warning, MapiHttpCause.None), (none.Status, none.Cause));
        Assert.Equal("Extended Protection is None at Default Web Site/mapi, not Require: hardening, not an outage cause.", none.Message);
        Assert.Equal(
            "Enable Extended Protection server-wide with Microsoft's ExchangeExtendedProtectionManagement.ps1 (https://microsoft.github.io/CSS-Exchange/Security/ExchangeExtendedProtectionManagement/) " +
            "once its prerequisites hold: a supported Exchange build with a current Security Update, the same TLS configuration on every Exchange server, " +
            "and no SSL offloading or TLS-terminating load balancer in front of the virtual directories; " +
            "check first with .\\ExchangeExtendedProtectionManagement.ps1 -PrerequisitesCheckOnly",
            none.Recommendation);
        Assert.Equal(CheckStatus.Pass, require.Status);
    }
}
