using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using MapiHttpTools.Lab;

// Shows the module diagnosing the lab: each scenario is a real HTTPS front end on a loopback address, probed by
// Test-MapiHttpEndpoint in a real PowerShell engine, printed through the module's default table view.
var scenarios = new (string Title, LabOptions Options)[]
{
    ("Healthy front end", new LabOptions()),
    ("MAPI app pool stopped (OWA still works)", new LabOptions { Fault = LabFault.MapiAppPoolStopped }),
    ("Whole front end down", new LabOptions { Fault = LabFault.FrontEndDown }),
    ("/mapi missing in IIS", new LabOptions { Fault = LabFault.MapiMissing }),
    ("Negotiate missing on /mapi", new LabOptions { Fault = LabFault.NegotiateMissing }),
    ("Anonymous authentication left on", new LabOptions { Fault = LabFault.AnonymousAllowed }),
    ("Expired certificate", new LabOptions { Fault = LabFault.CertificateExpired }),
    ("Certificate for another name", new LabOptions { Fault = LabFault.CertificateWrongName }),
    ("Untrusted certificate (or TLS inspection)", new LabOptions { Fault = LabFault.CertificateUntrusted }),
    ("Firewall resets the connection", new LabOptions { Fault = LabFault.ConnectionReset }),
};

bool color = !Console.IsOutputRedirected;
int width = Console.IsOutputRedirected ? 140 : Math.Max(100, Console.WindowWidth);
using LabCertificates certificates = LabCertificates.Create();
Console.WriteLine($"Lab root CA trusted for this run (current user store), removed on exit: {certificates.RootCa.Thumbprint}");
certificates.TrustRoot();

using var session = new ModuleSession(Console.Out, width, ansi: color);
var verdicts = new List<string>();
foreach ((string title, LabOptions options) in scenarios)
{
    await using LabServer server = await LabServer.StartAsync(options, certificates);
    Console.WriteLine();
    Console.WriteLine(new string('=', Math.Min(width, 100)));
    Console.WriteLine($"{title}   (lab {options.ServerName} on {server.Address}:{server.Port}, fault {options.Fault})");
    Console.WriteLine($"PS> Test-MapiHttpEndpoint -Uri {server.MapiUri} -TargetAddress {server.Address} -TimeoutSec 5");
    ScriptResult run = session.Invoke(
        "$r = Test-MapiHttpEndpoint -Uri $u -TargetAddress $a -TimeoutSec 5; $r | Out-Default; $r",
        new() { ["u"] = server.MapiUri, ["a"] = server.Address.ToString() });
    // The demo imports the module like a user (through its manifest) and reads results as PowerShell objects.
    var worst = run.Output
        .Select(o => (Status: o.Properties["Status"].Value.ToString(), Cause: o.Properties["Cause"].Value.ToString(), Check: o.Properties["Check"].Value.ToString()))
        .FirstOrDefault(r => r.Status is "Fail" or "Warning");
    verdicts.Add($"{title,-45} -> {(worst.Status is null ? "healthy" : $"{worst.Status} {worst.Cause} at {worst.Check}")}");
}

Console.WriteLine();
Console.WriteLine("Verdicts (first finding per scenario):");
foreach (string verdict in verdicts)
{
    Console.WriteLine("  " + verdict);
}
