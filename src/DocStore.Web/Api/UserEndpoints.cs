using DocStore.Core.Administration;
using DocStore.Core.Auditing;
using DocStore.Core.Mailboxes;
using DocStore.Core.Principals;
using DocStore.Core.Security;
using DocStore.Core.Sharing;
using DocStore.Web.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace DocStore.Web.Api;

/// <summary>
/// <c>/api/users</c>, for administrators: list, add, edit (display name, administrator,
/// disabled), reset a password. Every change is audited with who made it. An administrator
/// cannot disable themselves or take away their own administrator right (nobody would be left
/// to undo it).
/// </summary>
public static class UserEndpoints
{
    public const int MinimumPasswordLength = 8;
    public const string UserEdited = "user-edit";

    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var users = endpoints.MapGroup("/api/users").WithTags("Users").RequireAuthorization(WebSecurity.AdminPolicy);
        users.MapGet("", async (IUserStore store, CancellationToken cancellationToken) =>
                Results.Ok((await store.ListAsync(cancellationToken)).Select(UserView.Of)))
            .WithSummary("Every user, by name.");
        users.MapGet("/{name}", GetAsync).WithSummary("One user.");
        users.MapPost("", AddAsync).WithSummary("Add a user with the personal collections INBOX, Sent, Drafts, Trash, Junk and Archive.");
        users.MapPatch("/{name}", EditAsync).WithSummary("Change display name, administrator right or disabled state; omitted fields stay.");
        users.MapPost("/{name}/password", ResetPasswordAsync).WithSummary("Set a new password; the user's console sessions end.");
        users.MapGet("/{name}/quota", GetQuotaAsync).WithSummary("The user's storage quota (#user/NAME): bytes used by the documents they filed, and the limit or null.");
        users.MapPut("/{name}/quota", SetQuotaAsync).WithSummary("Set the user's storage limit in bytes (limitBytes), or null for none.");
        return endpoints;
    }

    private static async Task<IResult> GetAsync(string name, IUserStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(name, cancellationToken) is { } found
            ? Results.Ok(UserView.Of(found.User))
            : NoSuchUser(name);

    private static async Task<IResult> AddAsync(NewUser body, HttpContext context, IUserStore store, IAuditLog audit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Name) || !UserNames.IsValid(body.Name))
        {
            return Problems.Of(StatusCodes.Status400BadRequest, $"Give a valid user name: {UserNames.Rule}.");
        }
        if (PasswordProblem(body.Password) is { } problem)
        {
            return problem;
        }
        var (result, user) = await store.AddAsync(body.Name, PasswordHasher.Hash(body.Password!), body.IsAdmin ?? false, Blank(body.DisplayName), cancellationToken);
        if (result == UserChange.AlreadyExists)
        {
            return Problems.Of(StatusCodes.Status409Conflict, $"A user or group named '{body.Name}' already exists: choose another name.");
        }
        await RecordAsync(audit, context, AuditActions.UserAdded, body.Name, cancellationToken, ("admin", (body.IsAdmin ?? false) ? "true" : "false"));
        return Results.Created($"/api/users/{Uri.EscapeDataString(user!.Name)}", UserView.Of(user));
    }

    private static async Task<IResult> EditAsync(string name, UserEdit body, HttpContext context, IUserStore store, IUserProfileStore profiles, IAuditLog audit, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(name, cancellationToken) is not { } found)
        {
            return NoSuchUser(name);
        }
        var user = found.User;
        var self = user.Id == context.User.UserId();
        if (self && (body.Disabled == true || body.IsAdmin == false))
        {
            return Problems.Of(StatusCodes.Status409Conflict, "You cannot disable yourself or take away your own administrator right: ask another administrator.");
        }

        var displayName = body.DisplayName is null ? user.DisplayName : Blank(body.DisplayName);
        var isAdmin = body.IsAdmin ?? user.IsAdmin;
        if (!string.Equals(displayName, user.DisplayName, StringComparison.Ordinal) || isAdmin != user.IsAdmin)
        {
            await profiles.SetProfileAsync(user.Name, displayName, isAdmin, cancellationToken);
            await RecordAsync(audit, context, UserEdited, user.Name, cancellationToken, ("displayName", displayName ?? ""), ("admin", isAdmin ? "true" : "false"));
        }
        if (body.Disabled is { } disabled && disabled != user.Disabled)
        {
            await store.SetDisabledAsync(user.Name, disabled, cancellationToken);
            await RecordAsync(audit, context, disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, user.Name, cancellationToken);
        }
        return await GetAsync(user.Name, store, cancellationToken);
    }

    private static async Task<IResult> ResetPasswordAsync(string name, PasswordReset body, HttpContext context, IUserStore store, IWebSessionStore sessions,
        IAuditLog audit, CancellationToken cancellationToken)
    {
        if (PasswordProblem(body.Password) is { } problem)
        {
            return problem;
        }
        if (await store.FindAsync(name, cancellationToken) is not { } found)
        {
            return NoSuchUser(name);
        }
        await store.SetPasswordHashAsync(found.User.Name, PasswordHasher.Hash(body.Password!), cancellationToken);
        // Whoever knew the old password is signed out; an administrator changing their own keeps this session.
        if (found.User.Id != context.User.UserId())
        {
            await sessions.EndAllAsync(found.User.Id, cancellationToken);
        }
        await RecordAsync(audit, context, AuditActions.PasswordChanged, found.User.Name, cancellationToken);
        return Results.NoContent();
    }

    private static async Task<IResult> GetQuotaAsync(string name, HttpContext context, IMailboxStore mailboxes, CancellationToken cancellationToken) =>
        await mailboxes.GetQuotaAsync(DocumentEndpoints.UserOf(context.User), QuotaRoot.UserPrefix + name, cancellationToken) is { } root
            ? Results.Ok(CollectionEndpoints.QuotaView.Of(root))
            : NoSuchUser(name);

    /// <summary>SETQUOTA on <c>#user/NAME</c>, audited as <c>quota-set</c> like the IMAP command.</summary>
    private static async Task<IResult> SetQuotaAsync(string name, CollectionEndpoints.QuotaRequest body, HttpContext context, IMailboxStore mailboxes,
        CancellationToken cancellationToken)
    {
        if (body.LimitBytes is < 0)
        {
            return Problems.Of(StatusCodes.Status400BadRequest, "limitBytes is a number of bytes from 0 up, or null for no limit.");
        }
        var result = await mailboxes.SetQuotaAsync(DocumentEndpoints.UserOf(context.User), QuotaRoot.UserPrefix + name, body.LimitBytes, WebSecurity.ActorOf(context), cancellationToken);
        return result == QuotaChange.Done ? await GetQuotaAsync(name, context, mailboxes, cancellationToken) : NoSuchUser(name);
    }

    private static IResult? PasswordProblem(string? password) =>
        password is null || password.Length < MinimumPasswordLength
            ? Problems.Of(StatusCodes.Status400BadRequest, $"Give a password of at least {MinimumPasswordLength} characters.")
            : null;

    private static IResult NoSuchUser(string name) =>
        Problems.Of(StatusCodes.Status404NotFound, $"There is no user '{name}': see GET /api/users for the names.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Task RecordAsync(IAuditLog audit, HttpContext context, string action, string user, CancellationToken cancellationToken, params (string Key, string Value)[] more)
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal) { ["user"] = user };
        foreach (var (key, value) in more)
        {
            details[key] = value;
        }
        return audit.RecordAsync(new AuditRecord(WebSecurity.ActorOf(context), action, Details: details), cancellationToken);
    }

    public sealed record NewUser(string? Name, string? Password, string? DisplayName, bool? IsAdmin);

    public sealed record UserEdit(string? DisplayName, bool? IsAdmin, bool? Disabled);

    public sealed record PasswordReset(string? Password);

    public sealed record UserView(long Id, string Name, string? DisplayName, bool IsAdmin, bool Disabled, DateTimeOffset CreatedAt)
    {
        public static UserView Of(User user) => new(user.Id, user.Name, user.DisplayName, user.IsAdmin, user.Disabled, user.CreatedAt);
    }
}
