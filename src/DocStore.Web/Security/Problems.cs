using Microsoft.AspNetCore.Http;

namespace DocStore.Web.Security;

/// <summary>RFC 7807 problem details, the one shape every API error takes.</summary>
public static class Problems
{
    public static Task WriteAsync(HttpContext context, int status, string detail)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }
        context.Response.StatusCode = status;
        return Results.Problem(detail: detail, statusCode: status).ExecuteAsync(context);
    }

    public static IResult Of(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
}
