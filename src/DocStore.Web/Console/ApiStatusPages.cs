using DocStore.Web.Security;
using Microsoft.AspNetCore.Http;

namespace DocStore.Web.Console;

/// <summary>
/// Gives an API answer that the framework left without a body (a route that does not exist, a
/// parameter that does not parse, a body that is not JSON) a problem-details body with a
/// sentence saying what to do.
/// </summary>
public sealed class ApiStatusPages(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var response = context.Response;
        if (response.HasStarted || response.StatusCode < 400 || response.ContentLength > 0 || !string.IsNullOrEmpty(response.ContentType)
            || !context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
        {
            return;
        }
        var detail = response.StatusCode switch
        {
            StatusCodes.Status400BadRequest => "The request is malformed: check the parameters and the JSON body against /openapi/v1.json.",
            StatusCodes.Status404NotFound => "There is no such API route: see /openapi/v1.json for the routes.",
            StatusCodes.Status405MethodNotAllowed => "This route does not take that method: see /openapi/v1.json.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON, with Content-Type: application/json.",
            _ => "The request failed: see /openapi/v1.json.",
        };
        await Problems.WriteAsync(context, response.StatusCode, detail);
    }
}
