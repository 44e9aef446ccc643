using System.Net;
using System.Text;
using DocStore.Core.Documents;
using DocStore.Web.Security;
using Ganss.Xss;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using MimeKit;

namespace DocStore.Web.Api;

/// <summary>
/// The console's document browser: one page of a collection, sorted, and a preview of a
/// document that the page shows in a frame. PDFs go to the browser's own viewer, images and text
/// are shown as they are, and mail is rendered as HTML cleaned by HtmlSanitizer, under a
/// Content-Security-Policy <c>sandbox</c> that allows no script (the page's frame is sandboxed too).
/// </summary>
public static class BrowseEndpoints
{
    private const int MaxPageSize = 200;

    // Frames of the console itself only; PDFs need the viewer (an object), so not 'none'.
    private const string PdfPolicy = "default-src 'self'; object-src 'self'; frame-ancestors 'self'";
    private const string ImagePolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'";
    private const string TextPolicy = "sandbox; default-src 'none'; frame-ancestors 'self'";
    private const string MailPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";

    private static readonly HashSet<string> Images = new(StringComparer.OrdinalIgnoreCase) { "image/png", "image/jpeg", "image/gif", "image/webp" };
    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static IEndpointRouteBuilder MapBrowseEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("Documents").RequireAuthorization(WebSecurity.UserPolicy);
        api.MapGet("/collections/{id:long}/documents/page", PageAsync)
            .WithSummary("One page of a collection's documents: ?page (from 1), ?pageSize (1-200), ?sort=created|title|id, ?order=asc|desc.");
        api.MapGet("/documents/{id:long}/preview", PreviewAsync)
            .WithSummary("The current version for viewing in a frame: PDF, PNG/JPEG/GIF/WebP and text as they are, mail as sanitised HTML; 415 for other types.");
        return endpoints;
    }

    private static async Task<IResult> PageAsync(long id, int? page, int? pageSize, string? sort, string? order, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var user = DocumentEndpoints.UserOf(http.User);
        if (await store.ListAsync(user, id, ct) is not { } documents)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such collection of yours. List them with GET /api/collections/readable.");
        }
        var descending = !string.Equals(order, "asc", StringComparison.OrdinalIgnoreCase);
        IEnumerable<DocumentInfo> sorted = (sort ?? "created").ToLowerInvariant() switch
        {
            "created" => descending ? documents.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id) : documents.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id),
            "title" => descending ? documents.OrderByDescending(d => d.Title, StringComparer.OrdinalIgnoreCase) : documents.OrderBy(d => d.Title, StringComparer.OrdinalIgnoreCase),
            "id" => descending ? documents.OrderByDescending(d => d.Id) : documents.OrderBy(d => d.Id),
            _ => null!,
        };
        if (sorted is null)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "sort is created, title or id; order is asc or desc.");
        }
        var size = Math.Clamp(pageSize ?? 25, 1, MaxPageSize);
        var number = Math.Max(1, page ?? 1);
        var items = sorted.Skip((number - 1) * size).Take(size)
            .Select(d => new BrowseItem(d.Id, d.Title, d.Kind, d.CurrentVersion, d.MediaType, d.Size, d.FileName, d.Tags, d.LegalHold, d.CreatedAt))
            .ToList();
        return Results.Ok(new BrowsePage(id, documents.Count, number, size, (sort ?? "created").ToLowerInvariant(), descending ? "desc" : "asc", items));
    }

    private static async Task<IResult> PreviewAsync(long id, HttpContext http, IDocumentStore store, CancellationToken ct)
    {
        var content = await store.ContentAsync(DocumentEndpoints.UserOf(http.User), id, null, preview: true, WebSecurity.ActorOf(http), ct);
        if (content is null)
        {
            return Problems.Of(StatusCodes.Status404NotFound, "No such document, or not one you may see.");
        }
        var type = content.MediaType.Split(';')[0].Trim();
        var headers = http.Response.Headers;
        headers.XFrameOptions = "SAMEORIGIN";
        headers.ContentDisposition = new System.Net.Mime.ContentDisposition { Inline = true, FileName = content.FileName }.ToString();
        if (string.Equals(type, "application/pdf", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentSecurityPolicy = PdfPolicy;
            return Results.Bytes(content.Bytes, "application/pdf");
        }
        if (Images.Contains(type))
        {
            headers.ContentSecurityPolicy = ImagePolicy;
            return Results.Bytes(content.Bytes, type);
        }
        if (type.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || string.Equals(type, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentSecurityPolicy = TextPolicy;
            return Results.Bytes(content.Bytes, "text/plain; charset=utf-8");
        }
        if (string.Equals(type, "message/rfc822", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentSecurityPolicy = MailPolicy;
            using var stream = new MemoryStream(content.Bytes, writable: false);
            var message = await MimeMessage.LoadAsync(stream, ct);
            return Results.Text(RenderMail(message), "text/html; charset=utf-8");
        }
        headers.Remove("Content-Disposition");
        return Problems.Of(StatusCodes.Status415UnsupportedMediaType, $"There is no preview for {type}: download the document instead.");
    }

    /// <summary>The header lines as text and the body: HTML through the sanitizer, or plain text escaped.</summary>
    public static string RenderMail(MimeMessage message)
    {
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(message.Subject ?? "")).Append("</title></head><body><dl style=\"font-family:sans-serif\">");
        void Line(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                html.Append("<dt><b>").Append(name).Append("</b></dt><dd>").Append(WebUtility.HtmlEncode(value)).Append("</dd>");
            }
        }
        Line("From", message.From.ToString());
        Line("To", message.To.ToString());
        Line("Cc", message.Cc.ToString());
        Line("Date", message.Date == default ? null : message.Date.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Line("Subject", message.Subject);
        html.Append("</dl><hr>");
        if (message.HtmlBody is { } body)
        {
            html.Append(Sanitizer.Sanitize(body));
        }
        else
        {
            html.Append("<pre style=\"white-space:pre-wrap\">").Append(WebUtility.HtmlEncode(message.TextBody ?? "")).Append("</pre>");
        }
        var names = message.Attachments.Select(a => a.ContentDisposition?.FileName ?? a.ContentType.Name).Where(n => !string.IsNullOrEmpty(n)).ToList();
        if (names.Count > 0)
        {
            html.Append("<hr><p style=\"font-family:sans-serif\">Attachments: ").Append(WebUtility.HtmlEncode(string.Join(", ", names))).Append("</p>");
        }
        return html.Append("</body></html>").ToString();
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer();
        // Remote images would tell the sender the mail was read; inline data: images stay.
        sanitizer.AllowedSchemes.Clear();
        sanitizer.AllowedSchemes.Add("data");
        sanitizer.AllowedSchemes.Add("mailto");
        sanitizer.AllowDataAttributes = false;
        return sanitizer;
    }

    public sealed record BrowseItem(long Id, string Title, string Kind, int CurrentVersion, string? MediaType, long? Size, string? FileName,
        IReadOnlyList<string> Tags, bool LegalHold, DateTimeOffset CreatedAt);

    public sealed record BrowsePage(long CollectionId, int Total, int Page, int PageSize, string Sort, string Order, IReadOnlyList<BrowseItem> Items);
}
