using System.Security.Claims;
using DocStore.Core.Auditing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Web.Security;

/// <summary>
/// Who may use the HTTP side. Two ways in, one identity: HTTP Basic for scripts and API clients
/// (checked by the same <see cref="Core.Security.AuthenticationService"/> as IMAP LOGIN, so the
/// throttle and the audit trail are shared) and the console's session cookie. Every endpoint
/// that needs a user asks for <see cref="UserPolicy"/>, admin endpoints for
/// <see cref="AdminPolicy"/>; both accept either scheme.
/// </summary>
public static class WebSecurity
{
    public const string BasicScheme = "Basic";
    public const string CookieScheme = "Cookies";
    public const string UserPolicy = "DocStoreUser";
    public const string AdminPolicy = "DocStoreAdmin";
    public const string AdminRole = "admin";

    /// <summary>The cookie's name: <c>__Host-</c> binds it to this host, path / and TLS.</summary>
    public const string CookieName = "__Host-DocStore";

    public static IServiceCollection AddDocStoreWebSecurity(this IServiceCollection services)
    {
        services.AddAuthentication(BasicScheme)
            .AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicScheme, configureOptions: null)
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
                options.Cookie.Path = "/";
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                // An API never redirects to a sign-in page: it answers 401 or 403.
                options.Events.OnRedirectToLogin = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Sign in first.");
                options.Events.OnRedirectToAccessDenied = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "This needs an administrator.");
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, policy => policy.AddAuthenticationSchemes(BasicScheme, CookieScheme).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(BasicScheme, CookieScheme).RequireAuthenticatedUser().RequireRole(AdminRole));
        services.AddProblemDetails();
        return services;
    }

    public static WebApplication UseDocStoreWebSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The claims every scheme gives a signed-in user.</summary>
    public static ClaimsPrincipal PrincipalFor(Core.Principals.User user, string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, user.Name),
        };
        if (user.IsAdmin)
        {
            claims.Add(new Claim(ClaimTypes.Role, AdminRole));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The signed-in user's id; only call behind <see cref="UserPolicy"/>.</summary>
    public static long UserId(this ClaimsPrincipal principal) =>
        long.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("not signed in"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The audit trail's view of who made this request: user, address and user agent.</summary>
    public static Actor ActorOf(HttpContext context)
    {
        var user = context.User;
        long? id = user.Identity?.IsAuthenticated == true ? user.UserId() : null;
        return new Actor(id, user.Identity?.Name, context.Connection.RemoteIpAddress, context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null);
    }
}
