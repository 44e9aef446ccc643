using DocStore.Core.Administration;
using DocStore.Core.Documents;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary>
/// <c>/api/collections</c>: a user's personal tree (the same collections their mail client
/// shows as folders), to list, create, rename or move, and delete. Users see and change their
/// own tree; administrators any user's (<c>?user=NAME</c>). Deleting is the same as IMAP
/// DELETE: documents held by no other collection go to the trash, nothing is lost. One
/// collection's settings: special-use (owner), quota (administrators); retention and legal
/// hold are <c>PUT /api/collections/{id}/governance</c> (DocumentEndpoints).
/// </summary>
public static class CollectionEndpoints
{
    public static IEndpointRouteBuilder MapCollectionEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var collections = endpoints.MapGroup("/api/collections").WithTags("Collections").RequireAuthorization(WebSecurity.UserPolicy);
        collections.MapGet("", ListAsync).WithSummary("The personal collection tree of the signed-in user, or of ?user=NAME (administrators).");
        collections.MapPost("", CreateAsync).WithSummary("Create a collection by its full name (parents are created too).");
        collections.MapPatch("/{id:long}", RenameAsync).WithSummary("Rename or move a collection (with its subtree) to a new full name.");
        collections.MapDelete("/{id:long}", DeleteAsync).WithSummary("Delete a collection without children; its documents held nowhere else go to the trash.");
        collections.MapGet("/{id:long}", GetAsync).WithSummary("One collection: special-use, retention, legal hold, its storage quota and its owner's.");
        collections.MapPut("/{id:long}/special-use", SetSpecialUseAsync).WithSummary("Set the special-use (\\Archive, \\Drafts, ...) or clear it with null.");
        collections.MapPut("/{id:long}/quota", SetQuotaAsync).WithSummary("Administrators: the collection's storage limit in bytes (limitBytes), or null for none.");
        return endpoints;
    }

    private static async Task<IResult> ListAsync(string? user, HttpContext context, IUserStore users, IMailboxStore mailboxes, CancellationToken cancellationToken)
    {
        var (owner, problem) = await OwnerAsync(user, context, users, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        var listing = await mailboxes.ListAsync(owner, cancellationToken);
        var byName = listing.ToDictionary(l => l.Mailbox.Name, l => l.Mailbox.Id, StringComparer.Ordinal);
        var views = new List<CollectionView>(listing.Count);
        foreach (var item in listing)
        {
            var counts = await mailboxes.CountAsync(owner, item.Mailbox.Id, cancellationToken);
            var slash = item.Mailbox.Name.LastIndexOf('/');
            long? parent = slash < 0 ? null : byName.GetValueOrDefault(item.Mailbox.Name[..slash]);
            views.Add(new CollectionView(item.Mailbox.Id, item.Mailbox.Name, item.Mailbox.Name[(slash + 1)..], parent, item.Mailbox.SpecialUse,
                counts.Messages, counts.Size, item.HasChildren));
        }
        return Results.Ok(new CollectionTree(owner.Name, views));
    }

    private static async Task<IResult> CreateAsync(NewCollection body, HttpContext context, IUserStore users, IMailboxStore mailboxes, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Give the collection's full name, levels separated by '/', e.g. Projects/Alpha.");
        }
        var (owner, problem) = await OwnerAsync(body.User, context, users, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        var specialUse = string.IsNullOrWhiteSpace(body.SpecialUse) ? null : body.SpecialUse.Trim();
        var result = await mailboxes.CreateAsync(owner, body.Name.Trim(), specialUse, WebSecurity.ActorOf(context), cancellationToken);
        if (result != MailboxChange.Done)
        {
            return Problem(result, body.Name);
        }
        var created = await mailboxes.FindAsync(owner, body.Name.Trim(), cancellationToken);
        return Results.Created($"/api/collections/{created!.Id}", new { created.Id, created.Name, created.SpecialUse, Owner = owner.Name });
    }

    private static async Task<IResult> RenameAsync(long id, CollectionRename body, HttpContext context, IUserStore users, IMailboxStore mailboxes,
        ICollectionDirectory directory, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "Give the new full name, e.g. Archive/2024/Alpha.");
        }
        var (owner, current, problem) = await FindAsync(id, context, users, mailboxes, directory, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        var result = await mailboxes.RenameAsync(owner, current!.Name, body.Name.Trim(), WebSecurity.ActorOf(context), cancellationToken);
        return result == MailboxChange.Done
            ? Results.Ok(new { Id = id, Name = body.Name.Trim(), Owner = owner.Name })
            : Problem(result, body.Name);
    }

    private static async Task<IResult> DeleteAsync(long id, HttpContext context, IUserStore users, IMailboxStore mailboxes, ICollectionDirectory directory,
        CancellationToken cancellationToken)
    {
        var (owner, current, problem) = await FindAsync(id, context, users, mailboxes, directory, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        try
        {
            var result = await mailboxes.DeleteAsync(owner, current!.Name, WebSecurity.ActorOf(context), cancellationToken);
            return result == MailboxChange.Done ? Results.NoContent() : Problem(result, current.Name);
        }
        catch (LegalHoldException ex)
        {
            return Problems.Of(StatusCodes.Status409Conflict, ex.Message + " Lift the hold first.");
        }
    }

    private static async Task<IResult> GetAsync(long id, HttpContext context, IUserStore users, IMailboxStore mailboxes, ICollectionDirectory directory,
        ICollectionSettings settings, IDocumentStore documents, CancellationToken cancellationToken)
    {
        var (owner, current, problem) = await FindAsync(id, context, users, mailboxes, directory, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        var caller = DocumentEndpoints.UserOf(context.User);
        var governance = (await documents.CollectionsAsync(caller, cancellationToken)).FirstOrDefault(c => c.Id == id);
        var quota = await settings.QuotaAsync(current!, cancellationToken);
        var ownerQuota = await mailboxes.GetQuotaAsync(caller, QuotaRoot.UserPrefix + owner.Name, cancellationToken);
        return Results.Ok(new CollectionDetail(id, current!.Name, owner.Name, current.SpecialUse, governance?.RetentionDays, governance?.LegalHold ?? false,
            governance?.LegalHoldReason, QuotaView.Of(quota), QuotaView.Of(ownerQuota)));
    }

    private static async Task<IResult> SetSpecialUseAsync(long id, SpecialUseChange body, HttpContext context, IUserStore users, IMailboxStore mailboxes,
        ICollectionDirectory directory, ICollectionSettings settings, CancellationToken cancellationToken)
    {
        var (owner, current, problem) = await FindAsync(id, context, users, mailboxes, directory, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        var specialUse = string.IsNullOrWhiteSpace(body.SpecialUse) ? null : body.SpecialUse.Trim();
        var result = await settings.SetSpecialUseAsync(owner, current!.Name, specialUse, WebSecurity.ActorOf(context), cancellationToken);
        if (result != MailboxChange.Done)
        {
            return Problem(result, specialUse ?? current.Name);
        }
        var changed = await mailboxes.FindAsync(owner, current.Name, cancellationToken);
        return Results.Ok(new { Id = id, current.Name, changed?.SpecialUse, Owner = owner.Name });
    }

    private static async Task<IResult> SetQuotaAsync(long id, QuotaRequest body, HttpContext context, IUserStore users, IMailboxStore mailboxes,
        ICollectionDirectory directory, ICollectionSettings settings, CancellationToken cancellationToken)
    {
        if (!context.User.IsInRole(WebSecurity.AdminRole))
        {
            return Problems.Of(StatusCodes.Status403Forbidden, "Only administrators set storage quotas.");
        }
        if (body.LimitBytes is < 0)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "limitBytes is a number of bytes from 0 up, or null for no limit.");
        }
        var (owner, current, problem) = await FindAsync(id, context, users, mailboxes, directory, cancellationToken);
        if (owner is null)
        {
            return problem!;
        }
        var result = await settings.SetQuotaAsync(DocumentEndpoints.UserOf(context.User), current!, body.LimitBytes, WebSecurity.ActorOf(context), cancellationToken);
        return result switch
        {
            QuotaChange.Done => Results.Ok(QuotaView.Of(await settings.QuotaAsync(current!, cancellationToken))),
            QuotaChange.NoPermission => Problems.Of(StatusCodes.Status403Forbidden, "Only administrators set storage quotas."),
            _ => Problems.Of(StatusCodes.Status404NotFound, $"There is no collection {id}: see GET /api/collections for the ids."),
        };
    }

    /// <summary>Whose tree a request acts on: the caller's, or for administrators any user's.</summary>
    private static async Task<(User? Owner, IResult? Problem)> OwnerAsync(string? name, HttpContext context, IUserStore users, CancellationToken cancellationToken)
    {
        name = string.IsNullOrWhiteSpace(name) ? context.User.Identity!.Name! : name.Trim();
        var self = string.Equals(name, context.User.Identity!.Name, StringComparison.OrdinalIgnoreCase);
        if (!self && !context.User.IsInRole(WebSecurity.AdminRole))
        {
            return (null, Problems.Of(StatusCodes.Status403Forbidden, "Only administrators see other users' collections: leave out ?user."));
        }
        return await users.FindAsync(name, cancellationToken) is { } found
            ? (found.User, null)
            : (null, Problems.Of(StatusCodes.Status404NotFound, $"There is no user '{name}'."));
    }

    /// <summary>The collection with that id and the user whose tree holds it; another user's is "not found" to non-administrators.</summary>
    private static async Task<(User? Owner, Mailbox? Collection, IResult? Problem)> FindAsync(long id, HttpContext context, IUserStore users,
        IMailboxStore mailboxes, ICollectionDirectory directory, CancellationToken cancellationToken)
    {
        var notFound = Problems.Of(StatusCodes.Status404NotFound, $"There is no collection {id}: see GET /api/collections for the ids.");
        var ownerName = await directory.OwnerNameAsync(id, cancellationToken);
        if (ownerName is null
            || (!string.Equals(ownerName, context.User.Identity!.Name, StringComparison.OrdinalIgnoreCase) && !context.User.IsInRole(WebSecurity.AdminRole))
            || await users.FindAsync(ownerName, cancellationToken) is not { } owner)
        {
            return (null, null, notFound);
        }
        var collection = (await mailboxes.ListAsync(owner.User, cancellationToken)).Select(l => l.Mailbox).FirstOrDefault(m => m.Id == id);
        return collection is null ? (null, null, notFound) : (owner.User, collection, null);
    }

    private static IResult Problem(MailboxChange change, string name) => change switch
    {
        MailboxChange.NotFound => Problems.Of(StatusCodes.Status404NotFound, $"There is no collection '{name}'."),
        MailboxChange.AlreadyExists => Problems.Of(StatusCodes.Status409Conflict,
            $"'{name}' already exists, or has sub-collections: choose another name, or delete the sub-collections first."),
        MailboxChange.InvalidName => Problems.Of(StatusCodes.Status400BadRequest,
            $"'{name}' is not a valid collection name (or special-use): levels separated by '/', none empty; special-use one of \\Archive, \\Drafts, \\Flagged, \\Junk, \\Sent, \\Trash, \\All."),
        MailboxChange.Inbox => Problems.Of(StatusCodes.Status409Conflict, "INBOX cannot be deleted or renamed here: rename it from a mail client, which moves its messages."),
        MailboxChange.IntoItself => Problems.Of(StatusCodes.Status409Conflict, "A collection cannot move into its own subtree: choose a name outside it."),
        _ => Problems.Of(StatusCodes.Status409Conflict, "The change was refused."),
    };

    public sealed record NewCollection(string? Name, string? SpecialUse, string? User);

    public sealed record CollectionRename(string? Name);

    public sealed record SpecialUseChange(string? SpecialUse);

    /// <summary>A storage limit in bytes; null (or left out) removes it.</summary>
    public sealed record QuotaRequest(long? LimitBytes);

    public sealed record QuotaView(long UsageBytes, long? LimitBytes)
    {
        public static QuotaView? Of(QuotaRoot? root) => root is null ? null : new(root.UsageBytes, root.LimitBytes);
    }

    public sealed record CollectionDetail(long Id, string Name, string Owner, string? SpecialUse, int? RetentionDays, bool LegalHold, string? LegalHoldReason,
        QuotaView? Quota, QuotaView? OwnerQuota);

    public sealed record CollectionView(long Id, string Name, string Leaf, long? ParentId, string? SpecialUse, long Documents, long Size, bool HasChildren);

    public sealed record CollectionTree(string Owner, IReadOnlyList<CollectionView> Collections);
}
