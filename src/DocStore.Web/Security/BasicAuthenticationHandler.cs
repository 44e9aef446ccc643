using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocStore.Web.Security;

/// <summary>
/// HTTP Basic (RFC 7617) for scripts and API clients, checked like an IMAP LOGIN. Only over a
/// connection the operator trusts: the host binds HTTP to loopback unless told otherwise. No
/// challenge is sent to browsers (their Basic dialog would bypass the console's cookie and
/// its anti-forgery protection); API clients get a challenge so curl and friends know what to do.
/// </summary>
public sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    DocStore.Core.Security.AuthenticationService authentication)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? ""));
        }
        catch (FormatException)
        {
            return AuthenticateResult.Fail("The Basic credentials are not base64.");
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return AuthenticateResult.Fail("The Basic credentials are not name:password.");
        }

        var result = await authentication.AuthenticateAsync(
            decoded[..colon], decoded[(colon + 1)..], Context.Connection.RemoteIpAddress,
            Request.Headers.UserAgent.ToString(), Context.RequestAborted, perRequest: true);
        if (result.User is null)
        {
            return AuthenticateResult.Fail("Wrong user name or password, or the account is disabled.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(WebSecurity.PrincipalFor(result.User, Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var fromBrowser = Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            || Request.Headers.ContainsKey("Sec-Fetch-Mode");
        if (!fromBrowser)
        {
            Response.Headers.WWWAuthenticate = "Basic realm=\"DocStore\", charset=\"UTF-8\"";
        }
        return Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Sign in first: send HTTP Basic credentials or sign in to the console.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "This needs an administrator.");
}
