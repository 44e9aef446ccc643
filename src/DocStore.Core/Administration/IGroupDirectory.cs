using DocStore.Core.Auditing;
using DocStore.Core.Principals;
using DocStore.Core.Sharing;

namespace DocStore.Core.Administration;

/// <summary>A group and its members' names.</summary>
public sealed record GroupInfo(string Name, IReadOnlyList<string> Members);

/// <summary>
/// What an administrator does in the console: groups and their members, and the rights on any
/// collection by its id. No rights check here: the web layer lets administrators only. Every
/// change is audited.
/// </summary>
public interface IGroupDirectory
{
    Task<IReadOnlyList<GroupInfo>> GroupsAsync(CancellationToken cancellationToken);

    Task<UserChange> CreateGroupAsync(string name, Actor actor, CancellationToken cancellationToken);

    /// <summary>Deletes the group, its memberships and the rights granted to it.</summary>
    Task<UserChange> DeleteGroupAsync(string name, Actor actor, CancellationToken cancellationToken);

    /// <summary>Adds or removes a user; <see cref="UserChange.NotFound"/> when the group or the user does not exist.</summary>
    Task<UserChange> SetMemberAsync(string group, string user, bool member, Actor actor, CancellationToken cancellationToken);

    /// <summary>The effective ACL of the collection (owner first), or null when there is none with that id.</summary>
    Task<IReadOnlyList<AclEntry>?> AclAsync(long collectionId, CancellationToken cancellationToken);

    /// <summary>Replaces the identifier's entry on the collection; <paramref name="rights"/> null removes it.</summary>
    Task<AclChange> SetAclAsync(long collectionId, string identifier, string? rights, Actor actor, CancellationToken cancellationToken);
}
