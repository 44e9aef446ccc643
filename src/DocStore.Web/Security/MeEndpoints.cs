using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Security;

/// <summary><c>GET /api/me</c>: who the request is signed in as (any scheme).</summary>
public static class MeEndpoints
{
    public static IEndpointRouteBuilder MapMe(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/me", (ClaimsPrincipal user) => Results.Ok(new Me(
                user.UserId(), user.Identity?.Name ?? "", user.IsInRole(WebSecurity.AdminRole))))
            .RequireAuthorization(WebSecurity.UserPolicy);
        return endpoints;
    }

    private sealed record Me(long Id, string Name, bool IsAdmin);
}
