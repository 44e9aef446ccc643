using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using DocStore.Core.Documents;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary>
/// The document API (issue #5): collections, uploads, documents, versions, metadata and tags,
/// the trash, legal hold and retention, history and the audit trail. Every route needs a
/// signed-in user; a document the user may not see answers 404 like one that does not exist.
/// </summary>
public static class DocumentEndpoints
{
    private const string NoDocument = "No such document, or not one you may see. List your collections with GET /api/collections.";
    private const string NoCollection = "No such collection of yours. List them with GET /api/collections.";

    public static IEndpointRouteBuilder MapDocumentApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(WebSecurity.UserPolicy);

        // Every collection the user may read (own, shared with them, Shared/), with retention and hold;
        // GET /api/collections is the console's tree of one owner's collections.
        api.MapGet("/collections/readable", async (HttpContext http, IDocumentStore store, CancellationToken ct) =>
            Results.Ok(await store.CollectionsAsync(UserOf(http.User), ct)));
        api.MapPut("/collections/{id:long}/governance", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
        {
            var body = await ReadJsonAsync<GovernanceRequest>(http, ct);
            if (body is null or { LegalHold: null, Reason: null, RetentionDays: null })
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Send a JSON object with any of legalHold (true/false), reason and retentionDays.");
            }
            var result = await store.SetCollectionGovernanceAsync(UserOf(http.User), id, new GovernanceChange(body.LegalHold, body.Reason, body.RetentionDays), WebSecurity.ActorOf(http), ct);
            return result is null ? Problems.Of(StatusCodes.Status404NotFound, NoCollection) : Results.Ok(result);
        }));
        api.MapPost("/collections/{id:long}/documents", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
        {
            var (upload, problem) = await ReadUploadAsync(http.Request, ct);
            if (upload is null)
            {
                return problem!;
            }
            await using (upload.Content)
            {
                var document = await store.UploadAsync(UserOf(http.User), id, upload, WebSecurity.ActorOf(http), ct);
                return document is null
                    ? Problems.Of(StatusCodes.Status404NotFound, NoCollection)
                    : Results.Created($"/api/documents/{document.Id.ToString(CultureInfo.InvariantCulture)}", DocumentView.Of(document));
            }
        }));

        api.MapGet("/collections/{id:long}/documents", async (long id, HttpContext http, IDocumentStore store, CancellationToken ct) =>
            await store.ListAsync(UserOf(http.User), id, ct) is { } listed ? Results.Ok(listed.Select(DocumentView.Of)) : Problems.Of(StatusCodes.Status404NotFound, NoCollection));
        api.MapGet("/documents/{id:long}", async (long id, HttpContext http, IDocumentStore store, CancellationToken ct) =>
            Found(await store.GetAsync(UserOf(http.User), id, ct)));
        api.MapPatch("/documents/{id:long}", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
        {
            var body = await ReadJsonAsync<MetadataRequest>(http, ct);
            if (body is null || body.Properties is { ValueKind: not JsonValueKind.Object and not JsonValueKind.Undefined and not JsonValueKind.Null })
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Send a JSON object with any of title (a string), tags (an array of IMAP keywords) and properties (an object).");
            }
            var properties = body.Properties is { ValueKind: JsonValueKind.Object } p ? p.GetRawText() : null;
            return Found(await store.UpdateAsync(UserOf(http.User), id, new MetadataChange(body.Title, body.Tags, properties), WebSecurity.ActorOf(http), ct));
        }));
        api.MapDelete("/documents/{id:long}", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
            Found(await store.TrashAsync(UserOf(http.User), id, WebSecurity.ActorOf(http), ct))));
        api.MapGet("/documents/{id:long}/content", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
            File(await store.ContentAsync(UserOf(http.User), id, null, preview: false, WebSecurity.ActorOf(http), ct))));
        api.MapGet("/documents/{id:long}/children", async (long id, HttpContext http, IDocumentStore store, CancellationToken ct) =>
            await store.ChildrenAsync(UserOf(http.User), id, ct) is { } children ? Results.Ok(children.Select(DocumentView.Of)) : Problems.Of(StatusCodes.Status404NotFound, NoDocument));
        api.MapGet("/documents/{id:long}/versions", async (long id, HttpContext http, IDocumentStore store, CancellationToken ct) =>
            await store.VersionsAsync(UserOf(http.User), id, ct) is { } versions ? Results.Ok(versions) : Problems.Of(StatusCodes.Status404NotFound, NoDocument));
        api.MapGet("/documents/{id:long}/versions/{number:int}/content", (long id, int number, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
            File(await store.ContentAsync(UserOf(http.User), id, number, preview: false, WebSecurity.ActorOf(http), ct))));
        api.MapPost("/documents/{id:long}/versions", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
        {
            var (upload, problem) = await ReadUploadAsync(http.Request, ct);
            if (upload is null)
            {
                return problem!;
            }
            await using (upload.Content)
            {
                return Found(await store.AddVersionAsync(UserOf(http.User), id, upload, WebSecurity.ActorOf(http), ct));
            }
        }));
        api.MapGet("/documents/{id:long}/history", async (long id, HttpContext http, IDocumentStore store, CancellationToken ct) =>
            await store.HistoryAsync(UserOf(http.User), id, ct) is { } history ? Results.Ok(history) : Problems.Of(StatusCodes.Status404NotFound, NoDocument));
        api.MapPut("/documents/{id:long}/legal-hold", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
        {
            var body = await ReadJsonAsync<HoldRequest>(http, ct);
            if (body?.Hold is not { } hold)
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "Send a JSON object with hold (true or false) and, when setting it, a reason.");
            }
            return Found(await store.SetDocumentHoldAsync(UserOf(http.User), id, hold, body.Reason, WebSecurity.ActorOf(http), ct));
        }));
        api.MapPost("/documents/{id:long}/restore", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
            Found(await store.RestoreAsync(UserOf(http.User), id, WebSecurity.ActorOf(http), ct))));

        api.MapGet("/trash", async (HttpContext http, IDocumentStore store, CancellationToken ct) =>
            Results.Ok((await store.TrashListAsync(UserOf(http.User), ct)).Select(DocumentView.Of)));
        api.MapDelete("/trash/{id:long}", (long id, HttpContext http, IDocumentStore store, CancellationToken ct) => Guarded(async () =>
            await store.PurgeAsync(UserOf(http.User), id, WebSecurity.ActorOf(http), ct) ? Results.NoContent() : Problems.Of(StatusCodes.Status404NotFound, NoDocument)));

        // The audit trail for everyone: administrators see all of it, other users their own lines
        // (the console's admin-only view with paging is GET /api/audit).
        api.MapGet("/audit/trail", async (HttpContext http, IDocumentStore store, CancellationToken ct) =>
        {
            var query = http.Request.Query;
            if (!TryLong(query["document"], out var document) || !TryLong(query["collection"], out var collection)
                || !TryDate(query["since"], out var since) || !TryDate(query["until"], out var until) || !TryLong(query["limit"], out var limit))
            {
                return Problems.Of(StatusCodes.Status400BadRequest, "document, collection and limit are numbers; since and until are ISO 8601 times such as 2026-11-27T03:00:00Z.");
            }
            var filter = new AuditQuery(query["user"].FirstOrDefault(), query["action"].FirstOrDefault(), document, collection, since, until, (int)Math.Clamp(limit ?? 100, 1, 10_000));
            return Results.Ok(await store.AuditAsync(UserOf(http.User), filter, ct));
        });
        return endpoints;
    }

    /// <summary>The signed-in user as the stores know it, from the claims every scheme gives.</summary>
    internal static User UserOf(ClaimsPrincipal principal) =>
        new(principal.UserId(), principal.Identity?.Name ?? "", null, principal.IsInRole(WebSecurity.AdminRole), Disabled: false, default);

    /// <summary>The one place a store refusal becomes an HTTP answer.</summary>
    private static async Task<IResult> Guarded(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (LegalHoldException ex)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ex.Message);
        }
        catch (QuotaExceededException ex)
        {
            return Problems.Of(StatusCodes.Status413PayloadTooLarge, ex.Message + " Delete documents or ask an administrator for a larger quota.");
        }
        catch (DocumentInputException ex)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            return Problems.Of(StatusCodes.Status403Forbidden, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ex.Message);
        }
    }

    private static IResult Found(DocumentInfo? document) =>
        document is null ? Problems.Of(StatusCodes.Status404NotFound, NoDocument) : Results.Ok(DocumentView.Of(document));

    private static IResult File(DocumentContent? content) =>
        content is null ? Problems.Of(StatusCodes.Status404NotFound, "No such document or version, or not one you may see.") : Results.File(content.Bytes, content.MediaType, content.FileName);

    private static async Task<T?> ReadJsonAsync<T>(HttpContext http, CancellationToken cancellationToken)
        where T : class
    {
        if (!http.Request.HasJsonContentType())
        {
            return null;
        }
        try
        {
            return await http.Request.ReadFromJsonAsync<T>(cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A multipart form with one <c>file</c> and optional <c>title</c>, <c>tags</c> (repeated or comma-separated) and <c>comment</c>.</summary>
    private static async Task<(Upload? Upload, IResult? Problem)> ReadUploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        const string Usage = "Send multipart/form-data with the file in a part named \"file\" and optionally title, tags and comment.";
        if (!request.HasFormContentType)
        {
            return (null, Problems.Of(StatusCodes.Status415UnsupportedMediaType, Usage));
        }
        var form = await request.ReadFormAsync(cancellationToken);
        if (form.Files.GetFile("file") is not { } file)
        {
            return (null, Problems.Of(StatusCodes.Status400BadRequest, Usage));
        }
        var tags = form["tags"].SelectMany(t => (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var mediaType = string.IsNullOrWhiteSpace(file.ContentType) ? "application/octet-stream" : file.ContentType;
        var upload = new Upload(UploadMessage.CleanFileName(file.FileName), mediaType, file.OpenReadStream(),
            form["title"].FirstOrDefault() is { Length: > 0 } title ? title : null, tags, form["comment"].FirstOrDefault());
        return (upload, null);
    }

    private static bool TryLong(Microsoft.Extensions.Primitives.StringValues value, out long? result)
    {
        result = null;
        if (value.FirstOrDefault() is not { Length: > 0 } text)
        {
            return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            result = parsed;
            return true;
        }
        return false;
    }

    private static bool TryDate(Microsoft.Extensions.Primitives.StringValues value, out DateTimeOffset? result)
    {
        result = null;
        if (value.FirstOrDefault() is not { Length: > 0 } text)
        {
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            result = parsed;
            return true;
        }
        return false;
    }

    private sealed record GovernanceRequest(bool? LegalHold, string? Reason, int? RetentionDays);

    private sealed record MetadataRequest(string? Title, IReadOnlyList<string>? Tags, JsonElement? Properties);

    private sealed record HoldRequest(bool? Hold, string? Reason);

    /// <summary>A document as JSON: its properties as an object rather than a string.</summary>
    private sealed record DocumentView(long Id, string EmailId, string Kind, string Title, int CurrentVersion, string? MessageId, JsonElement Properties,
        IReadOnlyList<string> Tags, bool LegalHold, string? LegalHoldReason, long? ParentId, DateTimeOffset CreatedAt, DateTimeOffset? TrashedAt,
        long? TrashedFrom, IReadOnlyList<Placement> Entries)
    {
        public static DocumentView Of(DocumentInfo d)
        {
            using var properties = JsonDocument.Parse(d.PropertiesJson);
            return new(d.Id, d.EmailId, d.Kind, d.Title, d.CurrentVersion, d.MessageId, properties.RootElement.Clone(), d.Tags, d.LegalHold,
                d.LegalHoldReason, d.ParentId, d.CreatedAt, d.TrashedAt, d.TrashedFrom, d.Entries);
        }
    }
}
