using DocStore.Core.Administration;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary>
/// For administrators: <c>/api/groups</c> (create, list, members, delete) and the rights on any
/// collection, <c>/api/collections/{id}/rights</c> (RFC 4314 letters, each also in words). A
/// right granted to a group reaches its members; a group is named <c>$name</c> in an ACL.
/// </summary>
public static class GroupEndpoints
{
    private static readonly string[] Words =
    [
        "see it in the folder list", "read documents", "keep own seen/unseen state", "change tags and flags", "add documents",
        "post (unused)", "create sub-collections", "delete or rename the collection", "mark documents deleted", "expunge (remove for good)",
        "administer rights",
    ];

    public static IEndpointRouteBuilder MapGroupEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var groups = endpoints.MapGroup("/api/groups").WithTags("Groups").RequireAuthorization(WebSecurity.AdminPolicy);
        groups.MapGet("", async (IGroupDirectory directory, CancellationToken ct) => Results.Ok(await directory.GroupsAsync(ct)))
            .WithSummary("Every group with its members.");
        groups.MapPost("", CreateAsync).WithSummary("Create a group (users and groups share one namespace of names).");
        groups.MapDelete("/{name}", async (string name, HttpContext http, IGroupDirectory directory, CancellationToken ct) =>
                await directory.DeleteGroupAsync(name, WebSecurity.ActorOf(http), ct) == UserChange.Done ? Results.NoContent() : NoGroup(name))
            .WithSummary("Delete a group; its memberships and the rights granted to it go with it.");
        groups.MapPut("/{name}/members/{user}", (string name, string user, HttpContext http, IGroupDirectory directory, CancellationToken ct) =>
                MemberAsync(name, user, member: true, http, directory, ct))
            .WithSummary("Add a user to the group.");
        groups.MapDelete("/{name}/members/{user}", (string name, string user, HttpContext http, IGroupDirectory directory, CancellationToken ct) =>
                MemberAsync(name, user, member: false, http, directory, ct))
            .WithSummary("Remove a user from the group.");

        var rights = endpoints.MapGroup("/api/collections/{id:long}/rights").WithTags("Rights").RequireAuthorization(WebSecurity.AdminPolicy);
        rights.MapGet("", ListRightsAsync).WithSummary("The collection's effective ACL (owner first, inherited entries included), letters and words.");
        rights.MapPut("/{identifier}", GrantAsync).WithSummary("Set an identifier's rights (user, $group, anyone; a leading - for negative rights) to the letters given.");
        rights.MapDelete("/{identifier}", RevokeAsync).WithSummary("Remove the identifier's entry on this collection (an inherited one applies again).");
        return endpoints;
    }

    /// <summary>Each right of <paramref name="letters"/> in words, in RFC 4314 order.</summary>
    public static IReadOnlyList<string> InWords(string letters) =>
        RightsText.Letters.Select((letter, i) => (letter, i)).Where(x => letters.Contains(x.letter, StringComparison.Ordinal)).Select(x => Words[x.i]).ToList();

    private static async Task<IResult> CreateAsync(NewGroup body, HttpContext http, IGroupDirectory directory, CancellationToken ct)
    {
        var name = body.Name?.Trim() ?? "";
        return await directory.CreateGroupAsync(name, WebSecurity.ActorOf(http), ct) switch
        {
            UserChange.Done => Results.Created($"/api/groups/{Uri.EscapeDataString(name)}", new GroupInfo(name, [])),
            UserChange.AlreadyExists => Problems.Of(StatusCodes.Status409Conflict, $"A user or group named '{name}' already exists: choose another name."),
            _ => Problems.Of(StatusCodes.Status400BadRequest, $"Give a valid group name: {UserNames.Rule}."),
        };
    }

    private static async Task<IResult> MemberAsync(string name, string user, bool member, HttpContext http, IGroupDirectory directory, CancellationToken ct) =>
        await directory.SetMemberAsync(name, user, member, WebSecurity.ActorOf(http), ct) == UserChange.Done
            ? Results.Ok((await directory.GroupsAsync(ct)).First(g => string.Equals(g.Name, name, StringComparison.OrdinalIgnoreCase)))
            : Problems.Of(StatusCodes.Status404NotFound, $"There is no group '{name}' or no user '{user}': see GET /api/groups and GET /api/users.");

    private static async Task<IResult> ListRightsAsync(long id, IGroupDirectory directory, IMailboxStore mailboxes, CancellationToken ct)
    {
        if (await directory.AclAsync(id, ct) is not { } acl)
        {
            return NoCollection(id);
        }
        // The owner's entry comes first when the collection has an owner (the shared repository has none).
        var ownerFirst = acl.Count > 0 && await mailboxes.IsOwnerAsync(id, acl[0].Identifier, ct) == true;
        var entries = acl.Select((e, i) => new RightsView(e.Identifier, KindOf(e.Identifier), e.Identifier.StartsWith('-'), Owner: i == 0 && ownerFirst,
            e.Rights, InWords(e.Rights))).ToList();
        return Results.Ok(new RightsList(id, entries, RightsText.Letters.Select((letter, i) => new Letter(letter.ToString(), Words[i])).ToList()));
    }

    private static async Task<IResult> GrantAsync(long id, string identifier, RightsGrant body, HttpContext http, IGroupDirectory directory, IMailboxStore mailboxes, CancellationToken ct)
    {
        var letters = body.Rights ?? "";
        if (letters.Any(c => !RightsText.Letters.Contains(c, StringComparison.Ordinal)))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, $"Rights are RFC 4314 letters from '{RightsText.Letters}', e.g. \"lr\" to read or \"lrswite\" to read and write.");
        }
        return Answer(await directory.SetAclAsync(id, identifier, letters, WebSecurity.ActorOf(http), ct), id, identifier)
            ?? await ListRightsAsync(id, directory, mailboxes, ct);
    }

    private static async Task<IResult> RevokeAsync(long id, string identifier, HttpContext http, IGroupDirectory directory, IMailboxStore mailboxes, CancellationToken ct) =>
        Answer(await directory.SetAclAsync(id, identifier, null, WebSecurity.ActorOf(http), ct), id, identifier)
            ?? await ListRightsAsync(id, directory, mailboxes, ct);

    /// <summary>The one place an ACL refusal becomes an HTTP answer; null when it was done.</summary>
    private static IResult? Answer(AclChange change, long id, string identifier) => change switch
    {
        AclChange.Done => null,
        AclChange.NotFound => NoCollection(id),
        AclChange.Owner => Problems.Of(StatusCodes.Status409Conflict, $"'{identifier}' owns the collection and always has every right: grant rights to others."),
        AclChange.UnknownIdentifier => Problems.Of(StatusCodes.Status404NotFound,
            $"'{identifier}' names no user or group: give a user name, $group for a group, or anyone (a leading - makes negative rights)."),
        _ => Problems.Of(StatusCodes.Status403Forbidden, "The change was refused."),
    };

    private static string KindOf(string identifier)
    {
        var name = identifier.TrimStart('-');
        return string.Equals(name, "anyone", StringComparison.OrdinalIgnoreCase) ? "anyone" : name.StartsWith('$') ? "group" : "user";
    }

    private static IResult NoGroup(string name) => Problems.Of(StatusCodes.Status404NotFound, $"There is no group '{name}': see GET /api/groups.");

    private static IResult NoCollection(long id) => Problems.Of(StatusCodes.Status404NotFound, $"There is no collection {id}.");

    public sealed record NewGroup(string? Name);

    public sealed record RightsGrant(string? Rights);

    public sealed record RightsView(string Identifier, string Kind, bool Negative, bool Owner, string Rights, IReadOnlyList<string> Words);

    public sealed record Letter(string Right, string Meaning);

    public sealed record RightsList(long CollectionId, IReadOnlyList<RightsView> Entries, IReadOnlyList<Letter> Letters);
}
