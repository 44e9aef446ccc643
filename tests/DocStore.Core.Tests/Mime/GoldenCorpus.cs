using System.Text.Json;
using Xunit;

namespace DocStore.Core.Tests.Mime;

/// <summary>
/// The golden corpus (Corpus/NNN.eml with the reference server's answers in NNN.json), read
/// from the test output folder so that a clean clone is self-contained.
/// </summary>
internal static class GoldenCorpus
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Corpus");

    public static TheoryData<string> Names()
    {
        var names = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder, "*.eml").Order(StringComparer.Ordinal))
        {
            names.Add(Path.GetFileNameWithoutExtension(file));
        }

        return names;
    }

    public static byte[] Message(string name) => File.ReadAllBytes(Path.Combine(Folder, name + ".eml"));

    public static JsonElement Reference(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, name + ".json")));
        return document.RootElement.Clone();
    }

    public static void DeleteActual(string name, string suffix) =>
        File.Delete(Path.Combine(Folder, name + suffix + ".actual"));

    /// <summary>Writes NNN.actual beside the copied NNN.eml so that the difference can be read.</summary>
    public static string WriteActual(string name, string suffix, string text)
    {
        var path = Path.Combine(Folder, name + suffix + ".actual");
        File.WriteAllText(path, text);
        return path;
    }
}
