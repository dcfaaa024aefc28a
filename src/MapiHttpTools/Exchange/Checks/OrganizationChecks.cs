namespace MapiHttpTools.Exchange.Checks;

/// <summary>The organisation-wide MAPI/HTTP switch (Get-OrganizationConfig).</summary>
internal static class OrganizationChecks
{
    public const string Fix = "Set-OrganizationConfig -MapiHttpEnabled $true";

    public static MapiHttpConfigurationResult MapiHttpEnabled(OrganizationFacts organization)
    {
        var evidence = CheckText.Evidence(("Organization", organization.Name), ("MapiHttpEnabled", organization.MapiHttpEnabled));
        ConfigurationFinding finding = organization.MapiHttpEnabled switch
        {
            true => new ConfigurationFinding(ConfigurationCheckNames.OrganizationMapiHttp, ConfigurationArea.Organization, CheckStatus.Pass, MapiHttpCause.None,
                $"MAPI/HTTP is enabled for the organisation {organization.Name}."),
            false => new ConfigurationFinding(ConfigurationCheckNames.OrganizationMapiHttp, ConfigurationArea.Organization, CheckStatus.Fail, MapiHttpCause.NotEnabled,
                $"MAPI/HTTP is disabled for the organisation {organization.Name}: Autodiscover offers Outlook Anywhere (RPC/HTTP) to every mailbox that does not enable MAPI/HTTP itself.")
            {
                Recommendation = Fix,
            },
            null => new ConfigurationFinding(ConfigurationCheckNames.OrganizationMapiHttp, ConfigurationArea.Organization, CheckStatus.Warning, MapiHttpCause.NotEnabled,
                $"The organisation {organization.Name} does not report MapiHttpEnabled (Exchange 2013 before SP1 has no MAPI/HTTP; later versions treat an unset value as disabled).")
            {
                Recommendation = Fix,
            },
        };

        return (finding with
        {
            Identity = organization.Name,
            Target = organization.Name,
            Property = "MapiHttpEnabled",
            Value = organization.MapiHttpEnabled?.ToString(),
            ExpectedValue = "True",
            Evidence = evidence,
        }).ToResult();
    }
}
