using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Threading.Tasks;
using MapiHttpTools.Lab;

// Starts one lab front end per --fault on one lab PKI and prints, one line each:
//   ROOTCA <path of the lab root CA, DER>      (the caller trusts it for the run and removes it afterwards)
//   LAB <fault> <address> <port> <mapi url>
//   READY
//   REQUEST <fault> <method> <path>            (each HTTP request a front end answered or holds, as it arrives)
// then stays up until stdin closes (or the process is killed). The root's private key never leaves this process.
// Arguments: [--fault <LabFault>]... [--address <loopback address>] [--port <n>] [--slow-delay-ms <n>] [--auth <methods>]
// --auth takes the IISAuthenticationMethods the front ends offer, comma-separated (default Negotiate,NTLM; a real
// Exchange default vdir is Ntlm,OAuth,Negotiate, which offers Bearer as well).
var faults = new List<LabFault>();
IPAddress address = IPAddress.Loopback;
int port = 0;
TimeSpan slowDelay = TimeSpan.FromSeconds(3);
string[]? authentication = null;
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw Usage($"{args[i]} needs a value");
    switch (args[i].ToLowerInvariant())
    {
        case "--fault":
            faults.Add(Enum.TryParse(value, ignoreCase: true, out LabFault fault) ? fault : throw Usage($"unknown fault '{value}' (one of {string.Join(", ", Enum.GetNames<LabFault>())})"));
            break;
        case "--address":
            address = IPAddress.Parse(value);
            break;
        case "--port":
            port = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--slow-delay-ms":
            slowDelay = TimeSpan.FromMilliseconds(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
            break;
        case "--auth":
            authentication = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            break;
        default:
            throw Usage($"unknown argument '{args[i]}'");
    }

    i++;
}

if (faults.Count == 0)
{
    faults.Add(LabFault.None);
}

using LabCertificates certificates = LabCertificates.Create();
string folder = Directory.CreateTempSubdirectory("mapihttp-labhost-").FullName;
try
{
    string rootPath = Path.Combine(folder, "lab-root.cer");
    await File.WriteAllBytesAsync(rootPath, certificates.RootCa.RawData);
    Console.WriteLine($"ROOTCA {rootPath}");
    var servers = new List<LabServer>();
    try
    {
        foreach (LabFault fault in faults)
        {
            // Several faults on one port would collide: only the first takes the requested port.
            var options = new LabOptions
            {
                Fault = fault,
                ListenAddress = address,
                Port = servers.Count == 0 ? port : 0,
                SlowDelay = slowDelay,
                AuthenticationMethods = authentication ?? new LabOptions().AuthenticationMethods,
            };
            LabServer server = await LabServer.StartAsync(options, certificates);
            servers.Add(server);
            Console.WriteLine($"LAB {fault} {server.Address} {server.Port} {server.MapiUri}");
        }

        Console.WriteLine("READY");
        Console.Out.Flush();

        // Tells the caller when a request has arrived (a Ctrl+C test stops the probe only once it waits on a hanging server).
        using var stop = new System.Threading.CancellationTokenSource();
        Task reporter = ReportRequestsAsync(servers, stop.Token);

        // Up until the caller closes stdin (or kills the process).
        while (await Console.In.ReadLineAsync() is not null)
        {
        }

        await stop.CancelAsync();
        await reporter;
    }
    finally
    {
        foreach (LabServer server in servers)
        {
            await server.DisposeAsync();
        }
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static async Task ReportRequestsAsync(List<LabServer> servers, System.Threading.CancellationToken stop)
{
    int[] seen = new int[servers.Count];
    while (!stop.IsCancellationRequested)
    {
        for (int s = 0; s < servers.Count; s++)
        {
            IReadOnlyList<LabRequest> requests = servers[s].Requests;
            for (; seen[s] < requests.Count; seen[s]++)
            {
                Console.WriteLine($"REQUEST {servers[s].Options.Fault} {requests[seen[s]].Method} {requests[seen[s]].Path}");
            }
        }

        Console.Out.Flush();
        try
        {
            await Task.Delay(50, stop);
        }
        catch (OperationCanceledException)
        {
            return;
        }
    }
}

static ArgumentException Usage(string problem) =>
    new($"MapiHttpTools.LabHost: {problem}. Usage: [--fault <fault>]... [--address <loopback address>] [--port <n>] [--slow-delay-ms <n>] [--auth <methods>]");
