namespace MapiHttpTools;

/// <summary>Outcome of one check. Order matters: worse outcomes sort later.</summary>
public enum CheckStatus
{
    Pass,
    Skipped,
    Warning,
    Fail,
    Error,
}

/// <summary>
/// The cause a finding points to (docs/design.md, "The five causes it must tell apart", plus
/// Certificate and Client). <see cref="None"/> means the check found nothing wrong.
/// </summary>
public enum MapiHttpCause
{
    None,
    VirtualDirectory,
    NotEnabled,
    Authentication,
    AppPool,
    Network,
    Certificate,
    Client,
}
