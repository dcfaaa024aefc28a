using System;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Lab;

/// <summary>
/// One lab PKI for the whole run: its root is trusted (current user) while the lab tests run and removed after,
/// so every lab test exercises real certificate validation.
/// </summary>
public sealed class LabFixture : IDisposable
{
    public LabFixture()
    {
        Certificates = LabCertificates.Create();
        Certificates.TrustRoot();
    }

    public LabCertificates Certificates { get; }

    public void Dispose() => Certificates.Dispose();
}

[CollectionDefinition("Lab")]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
}
