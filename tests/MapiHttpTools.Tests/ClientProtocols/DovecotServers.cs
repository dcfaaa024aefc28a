using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using MapiHttpTools.Lab;
using MapiHttpTools.Tests.Lab;

namespace MapiHttpTools.Tests.ClientProtocols;

/// <summary>One Dovecot configuration the IMAP4/POP3 tests need (issue 16), and the ports it was given.</summary>
public sealed record DovecotInstance(string Name, int Imap, int Imaps, int Pop3, int Pop3s);

/// <summary>
/// Real Dovecot servers on 127.0.0.2 high ports for the IMAP4/POP3 probe (issue 16): each fault is a real configuration
/// under this fixture's temp folder (base_dir, state_dir, logs, the lab certificates as PEM, a passwd-file user),
/// started with "dovecot -F -c conf" and killed with its process tree afterwards. No system service is touched.
/// Dovecot comes from tests/setup/test-servers.sh (apt, when missing), which this fixture runs once if needed.
/// </summary>
public sealed class DovecotServers : IDisposable
{
    public const string User = "alice@contoso.lab";
    public const string Password = "Imap-Secret-42";

    /// <summary>
    /// Where the servers listen. Not 127.0.0.1: Dovecot treats a connection whose remote and local address are equal as
    /// secured (no plain-text rules apply), and the probe connects from 127.0.0.1.
    /// </summary>
    public const string Address = "127.0.0.2";

    private readonly object _gate = new();
    private readonly List<Process> _processes = new();
    private readonly string _root;
    private Dictionary<string, DovecotInstance>? _instances;

    public DovecotServers()
    {
        _root = Path.Combine(Path.GetTempPath(), "mht-dovecot-" + Guid.NewGuid().ToString("N").Substring(0, 8));
    }

    public static string DovecotPath => new[] { "/usr/sbin/dovecot", "/usr/bin/dovecot" }.FirstOrDefault(File.Exists) ?? "dovecot";

    /// <summary>The running instances by name; started on first use with the lab PKI of <paramref name="lab"/>.</summary>
    public IReadOnlyDictionary<string, DovecotInstance> Start(LabFixture lab)
    {
        lock (_gate)
        {
            if (_instances is not null)
            {
                return _instances;
            }

            EnsureInstalled();
            Directory.CreateDirectory(_root);
            Chmod(_root, "755");
            File.WriteAllText(Path.Combine(_root, "passwd"), $"{User}:{{PLAIN}}{Password}\n");
            LabCertificates certs = lab.Certificates;
            var instances = new Dictionary<string, DovecotInstance>
            {
                // The healthy front end: all four ports, plain text only inside TLS (Exchange's LoginType SecureLogin).
                ["good"] = Launch("good", certs.Valid, ssl: true, plainTextBeforeTls: false, imap: true, pop3: true),

                // A certificate for another name; POP3 is not configured at all, so its port is closed (a stopped service).
                ["wrongname"] = Launch("wrongname", certs.WrongName, ssl: true, plainTextBeforeTls: false, imap: true, pop3: false),
                ["expired"] = Launch("expired", certs.Expired, ssl: true, plainTextBeforeTls: false, imap: true, pop3: true),

                // LoginType PlainTextLogin: passwords accepted before STARTTLS.
                ["plaintext"] = Launch("plaintext", certs.Valid, ssl: true, plainTextBeforeTls: true, imap: true, pop3: true),

                // Plain-text login disabled and no TLS at all: no client can log in on 143/110.
                ["notls"] = Launch("notls", null, ssl: false, plainTextBeforeTls: false, imap: true, pop3: true),
            };
            foreach (DovecotInstance instance in instances.Values)
            {
                WaitListening(instance);
            }

            _instances = instances;
            return instances;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (Process process in _processes)
            {
                try
                {
                    if (!process.HasExited)
                    {
                        process.Kill(entireProcessTree: true);
                        process.WaitForExit(5000);
                    }
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }

                process.Dispose();
            }

            _processes.Clear();
            try
            {
                Directory.Delete(_root, true);
            }
            catch (IOException)
            {
                // A login process may still hold a socket file for a moment; the temp folder is the OS's to clean.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>A port on <see cref="Address"/> nothing listens on (taken from the OS, then released).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Parse(Address), 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static void EnsureInstalled()
    {
        if (File.Exists(DovecotPath))
        {
            return;
        }

        string script = Path.Combine(ModuleSession.RepoRoot, "tests", "setup", "test-servers.sh");
        using Process setup = Process.Start(new ProcessStartInfo("sh", script) { UseShellExecute = false })!;
        setup.WaitForExit();
        if (!File.Exists(DovecotPath))
        {
            throw new InvalidOperationException($"Dovecot is not installed and {script} could not install it (dovecot-imapd, dovecot-pop3d from apt): the IMAP4/POP3 tests need it.");
        }
    }

    private DovecotInstance Launch(string name, X509Certificate2? certificate, bool ssl, bool plainTextBeforeTls, bool imap, bool pop3)
    {
        var instance = new DovecotInstance(name, FreePort(), FreePort(), FreePort(), FreePort());
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(dir, "run"));
        Directory.CreateDirectory(Path.Combine(dir, "state"));
        Directory.CreateDirectory(Path.Combine(dir, "mail"));
        Chmod(dir, "755");
        Chmod(Path.Combine(dir, "mail"), "777");
        bool root = Environment.UserName == "root";
        string internalUser = root ? "dovecot" : Environment.UserName;
        string loginUser = root ? "dovenull" : Environment.UserName;
        var conf = new StringBuilder();
        conf.AppendLine($"instance_name = mht-{name}-{Path.GetFileName(_root)}");
        conf.AppendLine($"base_dir = {dir}/run");
        conf.AppendLine($"state_dir = {dir}/state");
        conf.AppendLine($"log_path = {dir}/dovecot.log");
        conf.AppendLine($"default_internal_user = {internalUser}");
        conf.AppendLine($"default_login_user = {loginUser}");
        conf.AppendLine("first_valid_uid = 1");
        conf.AppendLine("first_valid_gid = 1");
        conf.AppendLine($"protocols = {(imap ? "imap" : string.Empty)} {(pop3 ? "pop3" : string.Empty)}".TrimEnd());
        conf.AppendLine($"listen = {Address}");
        conf.AppendLine($"disable_plaintext_auth = {(plainTextBeforeTls ? "no" : "yes")}");
        conf.AppendLine("auth_mechanisms = plain login");
        if (ssl && certificate is not null)
        {
            File.WriteAllText(Path.Combine(dir, "cert.pem"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "key.pem"), certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
            conf.AppendLine("ssl = yes");
            conf.AppendLine($"ssl_cert = <{dir}/cert.pem");
            conf.AppendLine($"ssl_key = <{dir}/key.pem");
        }
        else
        {
            conf.AppendLine("ssl = no");
        }

        conf.AppendLine($"passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN {_root}/passwd\n}}");
        conf.AppendLine($"userdb {{\n  driver = static\n  args = uid={internalUser} gid={internalUser} home={dir}/mail/%n\n}}");
        conf.AppendLine($"mail_location = maildir:{dir}/mail/%n/Maildir");
        conf.AppendLine("service imap-login {");
        conf.AppendLine($"  inet_listener imap {{\n    address = {Address}\n    port = {(imap ? instance.Imap : 0)}\n  }}");
        conf.AppendLine($"  inet_listener imaps {{\n    address = {Address}\n    port = {(imap && ssl ? instance.Imaps : 0)}\n    ssl = yes\n  }}");
        conf.AppendLine("}");
        conf.AppendLine("service pop3-login {");
        conf.AppendLine($"  inet_listener pop3 {{\n    address = {Address}\n    port = {(pop3 ? instance.Pop3 : 0)}\n  }}");
        conf.AppendLine($"  inet_listener pop3s {{\n    address = {Address}\n    port = {(pop3 && ssl ? instance.Pop3s : 0)}\n    ssl = yes\n  }}");
        conf.AppendLine("}");
        string confPath = Path.Combine(dir, "dovecot.conf");
        File.WriteAllText(confPath, conf.ToString());
        var process = Process.Start(new ProcessStartInfo(DovecotPath)
        {
            ArgumentList = { "-F", "-c", confPath },
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return instance;
    }

    private void WaitListening(DovecotInstance instance)
    {
        int port = instance.Name == "wrongname" || instance.Name == "notls" ? instance.Imap : instance.Pop3s;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Parse(Address), port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                Thread.Sleep(50);
            }
            catch (SocketException)
            {
                string log = Path.Combine(_root, instance.Name, "dovecot.log");
                throw new InvalidOperationException($"Dovecot '{instance.Name}' did not listen on {port} within 15 s. Log: {(File.Exists(log) ? File.ReadAllText(log) : "(none)")}");
            }
        }
    }

    private static void Chmod(string path, string mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Convert.ToInt32(mode, 8) switch
            {
                0x1ED => UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                _ => (UnixFileMode)0x1FF,
            });
        }
    }
}
