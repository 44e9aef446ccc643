using BenchmarkDotNet.Attributes;
using DocStore.Core.Search;
using DocStore.Search.Extraction;
using DocStore.Search.Indexing;
using DocStore.SearchBench;
using Lucene.Net.Documents;

namespace DocStore.Benchmarks;

/// <summary>
/// CPU per message of the full-text index, on the search benchmark's corpus (first 200 messages,
/// 20 % with a PDF or Office attachment): text extraction alone, and extraction plus the Lucene
/// document added and committed, with the body as one positional trigram per code point (index
/// format 2, the baseline) and as its distinct trigrams plus its stored folded text (format 3).
/// Times are per message.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class IndexingBenchmarks
{
    private const int Messages = 200;
    private byte[][] messages = [];
    private ExtractedText[] texts = [];

    [GlobalSetup]
    public void Setup()
    {
        messages = Enumerable.Range(0, Messages).Select(i => Corpus.Message(20261127, i)).ToArray();
        texts = messages.Select(m => MessageTextExtractor.Extract(m)).ToArray();
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int Extract() => messages.Sum(m => MessageTextExtractor.Extract(m).Body.Length);

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public int PositionalBody() => Index(PositionalDocument);

    [Benchmark(OperationsPerInvoke = Messages)]
    public int DistinctBodyStoredText() => Index(SearchDocuments.Build);

    private int Index(Func<DocumentVersion, ExtractedText, Document> build)
    {
        using var index = TextIndex.InMemory();
        for (var i = 0; i < texts.Length; i++)
        {
            var version = new DocumentVersion(i + 1, 1);
            index.Add(version, build(version, texts[i]));
        }
        index.Commit(1);
        return index.Uncommitted;
    }

    // Format 2's document, as SearchDocuments built it before the body became distinct trigrams.
    private static Document PositionalDocument(DocumentVersion version, ExtractedText text)
    {
        var document = new Document
        {
            new StringField(SearchDocuments.KeyField, SearchDocuments.Id(version), Field.Store.NO),
            new NumericDocValuesField("k", SearchDocuments.KeyOf(version)),
            new Field("body", new Trigrams.Stream([text.Body]), Trigrams.FieldType),
            new Field("headers", new Trigrams.Stream([text.AllHeaders]), Trigrams.FieldType),
        };
        foreach (var word in Trigrams.Words(Trigrams.Fold(text.Body)))
        {
            document.Add(new StringField(SearchDocuments.BodyWordsField, word, Field.Store.NO));
        }
        foreach (var group in text.Headers.GroupBy(h => h.Name.ToLowerInvariant(), StringComparer.Ordinal))
        {
            document.Add(new StringField("hn", group.Key, Field.Store.NO));
            document.Add(new Field("h." + group.Key, new Trigrams.Stream(group.Select(h => h.Value).ToList()), Trigrams.FieldType));
        }
        return document;
    }
}
