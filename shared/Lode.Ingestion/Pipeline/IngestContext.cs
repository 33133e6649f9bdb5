using Lode.Database;
using Lode.Database.Generations;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;
using Lode.Storage;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// One document's trip through the steps: what the pipeline decided before they ran (the object as it is now, its
/// groups, the generations to index it for) and what each step produced for the next.
/// </summary>
public sealed class IngestContext(IngestJob job, ObjectInfo current, string[] readGroups,
    IReadOnlyList<IndexGeneration> retained, IReadOnlyList<IndexGeneration> stale) : IAsyncDisposable
{
    public IngestJob Job { get; } = job;

    /// <summary>The object as the store described it when the job started.</summary>
    public ObjectInfo Current { get; } = current;

    public string[] ReadGroups { get; } = readGroups;

    /// <summary>Every generation the index keeps: they all count this job (the ones that hold the version too).</summary>
    public IReadOnlyList<int> Considered { get; } = retained.Select(g => g.Id).ToList();

    /// <summary>The generations that do not hold this version yet: the document is chunked and embedded for each.</summary>
    public IReadOnlyList<IndexGeneration> Stale { get; } = stale;

    public FetchedObject? Fetched { get; set; }

    public ExtractedDocument? Text { get; set; }

    public IReadOnlyList<GenerationText>? Chunked { get; set; }

    public IReadOnlyList<EmbeddedChunks>? Embedded { get; set; }

    /// <summary>Set by the step that ends the job (the store, or the fetch that finds the object gone): no step runs after it.</summary>
    public JobOutcome? Outcome { get; private set; }

    public void Finish(JobOutcome outcome) => Outcome = outcome;

    /// <summary>An earlier step's product; missing means the steps are registered out of order.</summary>
    public static T Required<T>(T? product, string name) where T : class =>
        product ?? throw new InvalidOperationException($"No step before this one produced {name}: check the order the ingest steps are registered in.");

    public ValueTask DisposeAsync() => Fetched?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>A document's chunks for one generation, counted with that generation's tokenizer.</summary>
public sealed record GenerationText(IndexGeneration Generation, IReadOnlyList<TextChunk> Chunks);
