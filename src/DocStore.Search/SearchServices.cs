using DocStore.Core.Health;
using DocStore.Core.Search;
using DocStore.Search.Indexing;
using Microsoft.Extensions.DependencyInjection;

namespace DocStore.Search;

/// <summary>Registers the index, its background indexer and rebuilder, the SEARCH seam and the health probe.</summary>
public static class SearchServices
{
    /// <summary>
    /// The index lives in <paramref name="indexPath"/> (the data folder's <c>index/</c>); an
    /// <see cref="ISearchFeed"/> and an <see cref="IIndexRebuildJobs"/> must be registered too.
    /// </summary>
    public static IServiceCollection AddDocStoreSearch(this IServiceCollection services, string indexPath, SearchOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(new IndexLocation(indexPath));
        services.AddSingleton(_ => TextIndex.Open(indexPath));
        services.AddSingleton<SearchIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchIndexer>());
        services.AddSingleton<IndexRebuilder>();
        services.AddHostedService(sp => sp.GetRequiredService<IndexRebuilder>());
        services.AddSingleton<IFullTextSearch, FullTextSearch>();
        services.AddSingleton<IFuzzyTextSearch, FuzzyTextSearch>();
        services.AddSingleton<IConsoleSearch, ConsoleSearch>();
        services.AddSingleton<IIndexMaintenance, IndexMaintenance>();
        services.AddSingleton<IHealthProbe, SearchHealthProbe>();
        return services;
    }
}
