namespace DocStore.Core.Administration;

/// <summary>Looks collections up across every user's tree, for the console's id-based routes.</summary>
public interface ICollectionDirectory
{
    /// <summary>The name of the user whose personal tree holds the collection; null when there is no such collection or it is shared.</summary>
    Task<string?> OwnerNameAsync(long collectionId, CancellationToken cancellationToken);
}
