using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocStore.Core.Mime;

/// <summary>
/// JSON for the jsonb column that stores a <see cref="MessageStructure"/>: camelCase names,
/// nulls left out. The depth allows <see cref="MessageAnalyzer.MaxDepth"/> levels of MIME
/// nesting, each of which takes a few levels of JSON.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    MaxDepth = 1024)]
[JsonSerializable(typeof(MessageStructure))]
public sealed partial class MessageStructureJsonContext : JsonSerializerContext;

/// <summary>Serializes a <see cref="MessageStructure"/> to and from its stored JSON.</summary>
public static class MessageStructureJson
{
    public static string Serialize(MessageStructure structure) =>
        JsonSerializer.Serialize(structure, MessageStructureJsonContext.Default.MessageStructure);

    public static MessageStructure Deserialize(string json) =>
        JsonSerializer.Deserialize(json, MessageStructureJsonContext.Default.MessageStructure)
        ?? throw new JsonException("The stored message structure is null.");
}
