using System;
using System.Linq;
using System.Text;
using MapiHttpTools.Autodiscover;
using Xunit;

namespace MapiHttpTools.Tests.Autodiscover;

/// <summary>
/// The POX Autodiscover answer as Exchange sends it (shaped on MS-OXDSCLI 4.4 and the Error/redirect elements), and
/// hostile answers: a DTD, entities, nesting, a web page (issue 14).
/// </summary>
public sealed class PoxResponseParserTests
{
    internal const string MapiHttpAnswer = """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
          <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
            <User>
              <DisplayName>Alice Example</DisplayName>
              <LegacyDN>/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice</LegacyDN>
              <AutoDiscoverSMTPAddress>alice@contoso.com</AutoDiscoverSMTPAddress>
              <DeploymentId>30c3a927-42aa-5de8-91e3-8e5b4655ed00</DeploymentId>
            </User>
            <Account>
              <AccountType>email</AccountType>
              <Action>settings</Action>
              <MicrosoftOnline>False</MicrosoftOnline>
              <Protocol Type="mapiHttp" Version="1">
                <MailStore>
                  <InternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</InternalUrl>
                  <ExternalUrl>https://owa.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</ExternalUrl>
                </MailStore>
                <AddressBook>
                  <InternalUrl>https://mail.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</InternalUrl>
                  <ExternalUrl>https://owa.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</ExternalUrl>
                </AddressBook>
              </Protocol>
              <Protocol>
                <Type>EXCH</Type>
                <Server>416c6368-656d-794a-6f45-57615272456e@contoso.com</Server>
                <AuthPackage>Anonymous</AuthPackage>
                <ASUrl>https://mail.contoso.com/EWS/Exchange.asmx</ASUrl>
              </Protocol>
              <Protocol>
                <Type>EXPR</Type>
                <Server>owa.contoso.com</Server>
                <SSL>On</SSL>
                <AuthPackage>Ntlm</AuthPackage>
              </Protocol>
              <Protocol>
                <Type>WEB</Type>
                <Internal><OWAUrl AuthenticationMethod="Basic, Fba">https://mail.contoso.com/owa/</OWAUrl></Internal>
              </Protocol>
            </Account>
          </Response>
        </Autodiscover>
        """;

    [Fact]
    public void Settings_answer_yields_the_mapiHttp_block_and_the_protocols_beside_it()
    {
        PoxResponse response = PoxResponseParser.Parse(Encoding.UTF8.GetBytes(MapiHttpAnswer));

        Assert.Equal(PoxKind.Settings, response.Kind);
        Assert.Equal("1", response.MapiHttp!.Version);
        Assert.Equal("https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com", response.MapiHttp.MailStoreInternalUrl);
        Assert.Equal("https://owa.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com", response.MapiHttp.MailStoreExternalUrl);
        Assert.Equal("https://mail.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com", response.MapiHttp.AddressBookInternalUrl);
        Assert.Equal("https://owa.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com", response.MapiHttp.AddressBookExternalUrl);
        Assert.Equal(new[] { "EXCH", "EXPR", "WEB" }, response.Protocols.Select(p => p.Type).ToArray());
        Assert.Equal("owa.contoso.com", response.Protocols[1].Server);
        Assert.Equal("Ntlm", response.Protocols[1].AuthPackage);
        Assert.Equal("Alice Example", response.DisplayName);
    }

    [Fact]
    public void Settings_without_the_header_have_no_mapiHttp_block()
    {
        string withoutBlock = System.Text.RegularExpressions.Regex.Replace(MapiHttpAnswer, "<Protocol Type=\"mapiHttp\".*?</Protocol>", string.Empty, System.Text.RegularExpressions.RegexOptions.Singleline);
        PoxResponse response = PoxResponseParser.Parse(Encoding.UTF8.GetBytes(withoutBlock));

        Assert.Equal(PoxKind.Settings, response.Kind);
        Assert.Null(response.MapiHttp);
        Assert.Equal(new[] { "EXCH", "EXPR", "WEB" }, response.Protocols.Select(p => p.Type).ToArray());
    }

    [Fact]
    public void Error_answer_gives_code_and_message()
    {
        const string error = """
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
              <Response>
                <Error Time="16:56:32.6164027" Id="1054084152">
                  <ErrorCode>600</ErrorCode>
                  <Message>Invalid Request</Message>
                  <DebugData />
                </Error>
              </Response>
            </Autodiscover>
            """;
        PoxResponse response = PoxResponseParser.Parse(Encoding.UTF8.GetBytes(error));

        Assert.Equal(PoxKind.Error, response.Kind);
        Assert.Equal(600, response.ErrorCode);
        Assert.Equal("Invalid Request", response.ErrorMessage);
    }

    [Theory]
    [InlineData("redirectAddr", "RedirectAddr", "alice@contoso.mail.onmicrosoft.com", "RedirectAddr")]
    [InlineData("redirectUrl", "RedirectUrl", "https://autodiscover.fabrikam.com/autodiscover/autodiscover.xml", "RedirectUrl")]
    public void Redirect_answers_give_their_target(string action, string element, string target, string kindName)
    {
        PoxKind kind = Enum.Parse<PoxKind>(kindName);
        string xml = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
              <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
                <Account>
                  <Action>{action}</Action>
                  <{element}>{target}</{element}>
                </Account>
              </Response>
            </Autodiscover>
            """;
        PoxResponse response = PoxResponseParser.Parse(Encoding.UTF8.GetBytes(xml));

        Assert.Equal(kind, response.Kind);
        Assert.Equal(target, response.RedirectTarget);
    }

    [Fact]
    public void A_dtd_is_refused_before_any_entity_expands()
    {
        const string laughs = """
            <?xml version="1.0"?>
            <!DOCTYPE Autodiscover [
              <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
              <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
              <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
            ]>
            <Autodiscover><Response><Account><Action>settings</Action><Protocol><Type>&c;</Type></Protocol></Account></Response></Autodiscover>
            """;
        PoxFormatException error = Assert.Throws<PoxFormatException>(() => PoxResponseParser.Parse(Encoding.UTF8.GetBytes(laughs)));

        Assert.Contains("DTD", error.Message);
    }

    [Fact]
    public void An_external_entity_is_never_fetched()
    {
        const string external = """
            <?xml version="1.0"?>
            <!DOCTYPE Autodiscover [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>
            <Autodiscover><Response><Account><Action>&x;</Action></Account></Response></Autodiscover>
            """;
        PoxFormatException error = Assert.Throws<PoxFormatException>(() => PoxResponseParser.Parse(Encoding.UTF8.GetBytes(external)));

        Assert.Contains("DTD", error.Message);
        Assert.DoesNotContain("root:", error.Message);
    }

    [Fact]
    public void Deep_nesting_stops_at_the_bound()
    {
        var xml = new StringBuilder("<Autodiscover><Response><Account>");
        for (int i = 0; i < 100_000; i++)
        {
            xml.Append("<x>");
        }

        PoxFormatException error = Assert.Throws<PoxFormatException>(() => PoxResponseParser.Parse(Encoding.UTF8.GetBytes(xml.ToString())));

        Assert.Contains("nested more than 64 deep", error.Message);
    }

    [Fact]
    public void A_web_page_is_not_an_autodiscover_answer()
    {
        PoxFormatException error = Assert.Throws<PoxFormatException>(() =>
            PoxResponseParser.Parse(Encoding.UTF8.GetBytes("<html><head><title>Sign in</title></head><body>Portal</body></html>")));

        Assert.Equal("the answer's root element is <html>, not <Autodiscover>: something other than Exchange's Autodiscover answered.", error.Message);
    }

    [Fact]
    public void Truncated_xml_is_a_format_error()
    {
        byte[] cut = Encoding.UTF8.GetBytes(MapiHttpAnswer.Substring(0, 400));

        Assert.Throws<PoxFormatException>(() => PoxResponseParser.Parse(cut));
    }

    [Fact]
    public void Request_is_outlooks_pox_request()
    {
        string request = Encoding.UTF8.GetString(PoxResponseParser.Request("alice@contoso.com"));

        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request>" +
            "<EMailAddress>alice@contoso.com</EMailAddress>" +
            "<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>" +
            "</Request></Autodiscover>",
            request);
    }

    [Fact]
    public void Request_escapes_markup_in_the_address()
    {
        string request = Encoding.UTF8.GetString(PoxResponseParser.Request("a<b>&c@contoso.com"));

        Assert.Contains("<EMailAddress>a&lt;b&gt;&amp;c@contoso.com</EMailAddress>", request);
    }
}
