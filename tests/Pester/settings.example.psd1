# Copy to settings.psd1 (ignored by git) and fill in to run the Pester tests against a real Exchange server.
@{
    # A client access server and the MAPI URL Outlook gets for it
    Server  = 'EX01.contoso.com'
    MapiUrl = 'https://mail.contoso.com/mapi'
    # Optional: a test mailbox user for the authenticated PING (the password is asked for at run time)
    TestUser = 'CONTOSO\mapitest'
}
