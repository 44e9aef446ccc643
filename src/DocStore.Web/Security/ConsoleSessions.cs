using System.Security.Claims;
using System.Security.Cryptography;
using DocStore.Core.Administration;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Web.Security;

/// <summary>
/// Signing in to the console and out again. <c>POST /api/session</c> checks the password with
/// the same <see cref="AuthenticationService"/> as IMAP LOGIN (one throttle, one audit trail),
/// opens a server-side session and sets the <c>__Host-DocStore</c> cookie; the cookie carries
/// the session's id and its anti-forgery token. Every request with the cookie re-reads the
/// session and its user, so signing out, disabling the account or resetting its password ends
/// the session at once, on every node.
/// </summary>
public static class ConsoleSessions
{
    public const string SessionClaim = "docstore:session";
    public const string CsrfClaim = "docstore:csrf";
    public const string CsrfHeader = "X-CSRF-Token";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    public static IServiceCollection AddConsoleSessions(this IServiceCollection services)
    {
        services.PostConfigure<CookieAuthenticationOptions>(WebSecurity.CookieScheme, options =>
        {
            options.ExpireTimeSpan = Lifetime;
            options.Events.OnValidatePrincipal = ValidateAsync;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapConsoleSessions(this IEndpointRouteBuilder endpoints)
    {
        var session = endpoints.MapGroup("/api/session").WithTags("Session");
        session.MapPost("", SignInAsync).AllowAnonymous()
            .WithSummary("Sign in with name and password; sets the session cookie and returns the anti-forgery token.");
        session.MapGet("", (HttpContext context) => Results.Ok(Describe(context.User)))
            .RequireAuthorization(WebSecurity.UserPolicy)
            .WithSummary("Who is signed in, and the token to send in X-CSRF-Token with every change.");
        session.MapDelete("", SignOutAsync).RequireAuthorization(WebSecurity.UserPolicy)
            .WithSummary("Sign out: ends the session on the server and clears the cookie.");
        return endpoints;
    }

    private static async Task<IResult> SignInAsync(SignInRequest request, HttpContext context, Core.Security.AuthenticationService authentication,
        IWebSessionStore sessions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Name) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Give both a name and a password.");
        }
        var actor = WebSecurity.ActorOf(context);
        var result = await authentication.AuthenticateAsync(request.Name, request.Password, actor.Address, actor.Client, cancellationToken);
        if (result.User is not { } user)
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, "Wrong user name or password, or the account is disabled. Check them and try again.");
        }

        var id = await sessions.StartAsync(user, actor, Lifetime, cancellationToken);
        var principal = WebSecurity.PrincipalFor(user, WebSecurity.CookieScheme);
        var identity = (ClaimsIdentity)principal.Identity!;
        identity.AddClaim(new Claim(SessionClaim, id.ToString()));
        identity.AddClaim(new Claim(CsrfClaim, Base64Url(RandomNumberGenerator.GetBytes(32))));
        await context.SignInAsync(WebSecurity.CookieScheme, principal);
        return Results.Ok(Describe(principal));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IWebSessionStore sessions, CancellationToken cancellationToken)
    {
        if (SessionOf(context.User) is { } id)
        {
            await sessions.EndAsync(id, cancellationToken);
        }
        await context.SignOutAsync(WebSecurity.CookieScheme);
        return Results.NoContent();
    }

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<IWebSessionStore>();
        var user = context.Principal is { } principal && SessionOf(principal) is { } id
            ? await sessions.TouchAsync(id, Lifetime, context.HttpContext.RequestAborted)
            : null;
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(WebSecurity.CookieScheme);
            return;
        }

        // Name and role as stored now: an administrator demoted a minute ago is no longer one.
        var fresh = WebSecurity.PrincipalFor(user, WebSecurity.CookieScheme);
        var identity = (ClaimsIdentity)fresh.Identity!;
        identity.AddClaim(context.Principal!.FindFirst(SessionClaim)!);
        identity.AddClaim(context.Principal!.FindFirst(CsrfClaim) ?? new Claim(CsrfClaim, ""));
        context.ReplacePrincipal(fresh);
    }

    public static Guid? SessionOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(SessionClaim), out var id) ? id : null;

    private static SessionInfo Describe(ClaimsPrincipal principal) => new(
        principal.UserId(), principal.Identity?.Name ?? "", principal.IsInRole(WebSecurity.AdminRole),
        principal.FindFirstValue(CsrfClaim));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public sealed record SignInRequest(string? Name, string? Password);

    /// <summary>The signed-in user; <see cref="CsrfToken"/> is null for HTTP Basic, which needs none.</summary>
    public sealed record SessionInfo(long Id, string Name, bool IsAdmin, string? CsrfToken);
}
