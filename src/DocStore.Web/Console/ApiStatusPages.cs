using DocStore.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DocStore.Web.Console;

/// <summary>
/// Gives an API answer that the framework left without a body (a route that does not exist, a
/// parameter that does not parse, a body that is not JSON) a problem-details body with a
/// sentence saying what to do; an unhandled error is logged and answered the same way.
/// </summary>
public sealed class ApiStatusPages(RequestDelegate next, ILogger<ApiStatusPages> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(ex, "{Method} {Path} failed", context.Request.Method, context.Request.Path);
            await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError,
                "The server failed to answer this request; the error is logged (the dashboard lists recent errors). Try again, or report it.");
            return;
        }
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
