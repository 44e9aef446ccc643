namespace DocStore.EndToEnd.Tests.Infrastructure;

/// <summary>A local Maildir as the sync clients (mbsync, offlineimap) keep it.</summary>
public static class Maildir
{
    /// <summary>Writes one message into <c>folder/cur</c>, creating the folder's cur/new/tmp first.</summary>
    public static async Task WriteAsync(string root, string folder, string fileName, byte[] message)
    {
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(root, folder, sub));
        }
        await File.WriteAllBytesAsync(Path.Combine(root, folder, "cur", fileName), message);
    }

    /// <summary>Every message of a folder (cur and new), as bytes.</summary>
    public static IEnumerable<byte[]> ReadAll(string root, string folder) =>
        Directory.GetFiles(Path.Combine(root, folder, "cur")).Concat(Directory.GetFiles(Path.Combine(root, folder, "new"))).Select(File.ReadAllBytes);
}
