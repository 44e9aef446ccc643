using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace DocStore.Web.Security;

/// <summary>
/// Anti-forgery for every state change. A request that changes something (not GET, HEAD,
/// OPTIONS) and carries the console's cookie must send the session's token in
/// <c>X-CSRF-Token</c>: another site can make a browser send the cookie (SameSite=Strict
/// already stops most of that), but it cannot read the token or set the header. Requests
/// authenticated with HTTP Basic carry no ambient credential and are exempt. A request whose
/// <c>Origin</c> is another site is refused outright, signed in or not (this also stops
/// signing a victim in to an attacker's account).
/// </summary>
public sealed class AntiForgery(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            await next(context);
            return;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Requests from another site are refused: use the console at this address.");
            return;
        }

        if (request.Cookies.ContainsKey(WebSecurity.CookieName)
            && !(await context.AuthenticateAsync(WebSecurity.BasicScheme)).Succeeded
            && await context.AuthenticateAsync(WebSecurity.CookieScheme) is { Succeeded: true, Principal: { } principal })
        {
            var expected = principal.FindFirst(ConsoleSessions.CsrfClaim)?.Value ?? "";
            var given = request.Headers[ConsoleSessions.CsrfHeader].ToString();
            if (expected.Length == 0 || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given)))
            {
                await Problems.WriteAsync(context, StatusCodes.Status403Forbidden,
                    $"The anti-forgery token is missing or wrong: reload the console, or send the csrfToken of GET /api/session in the {ConsoleSessions.CsrfHeader} header.");
                return;
            }
        }
        await next(context);
    }
}
