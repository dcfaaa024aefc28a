using System;
using MapiHttpTools.Lab;
using Xunit;

namespace MapiHttpTools.Tests.Lab;

/// <summary>
/// One lab PKI per test run: created once, its root trusted once (CurrentUser Root store) and untrusted
/// again when the collection is done. Every class that starts a <see cref="LabServer"/> joins
/// <c>[Collection("Lab")]</c> and takes this fixture in its constructor.
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
