using System.Security.Cryptography;
using System.Text;
using Lode.Database;
using Lode.Ingestion.Pipeline;

namespace Lode.Tests.Support;

/// <summary>A document's text, chunk by chunk, and the groups that may read it.</summary>
public sealed record TestDocument(string Bucket, string Key, IReadOnlyList<string> Chunks, string[] ReadGroups);

/// <summary>
/// Writes documents the way the ingest worker does, without fetching or extracting anything: a job per object through
/// the real <see cref="JobQueue"/>, leased, and its outcome written by the real <see cref="IndexWriter"/> (chunk ids from
/// <see cref="ChunkIdentity"/>, vectors from the given embedder, in index generation 1). So the rows are exactly what ingestion stores.
/// </summary>
public sealed class WorkerStandIn(TestDatabase database, BagOfWordsEmbedder embedder)
{
    private readonly JobQueue _queue = new(database.DataSource);
    private readonly IndexWriter _writer = new(database.DataSource);

    /// <summary>
    /// Indexes the documents in each of <paramref name="generations"/> (default: generation 1), as a job that embedded
    /// them for those index generations does; the same vectors in each.
    /// </summary>
    public async Task IndexAsync(IReadOnlyCollection<TestDocument> documents, CancellationToken ct = default, IReadOnlyList<int>? generations = null)
    {
        var jobs = await LeaseAsync(documents.Select(d => (d.Bucket, d.Key)).ToList(), ct);
        foreach (var document in documents)
        {
            var written = (generations ?? [1]).Select(generation => new GenerationChunks(generation, document.Chunks.Select((text, ordinal) =>
                new ChunkRow(ChunkIdentity.For(document.Bucket, document.Key, ordinal, generation), ordinal, 1, 1, text.Split(' ').Length, text,
                    SHA256.HashData(Encoding.UTF8.GetBytes(text)), embedder.Embed(text))).ToList())).ToList();
            await _writer.SaveIndexedAsync(jobs[(document.Bucket, document.Key)],
                new IndexedObject(EtagOf(document), document.Chunks.Sum(c => c.Length), "text/plain", 1, document.ReadGroups), written, ct);
        }
    }

    /// <summary>The etag the stand-in gives a document: the MD5 of its text, as S3 gives a single-part object.</summary>
    public static string EtagOf(TestDocument document) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join('\n', document.Chunks))));

    /// <summary>Gives indexed documents new groups, as the worker does when an object's metadata changed but not its content.</summary>
    public async Task RegroupAsync(IReadOnlyCollection<(string Bucket, string Key, string[] ReadGroups)> changes, CancellationToken ct = default)
    {
        var jobs = await LeaseAsync(changes.Select(c => (c.Bucket, c.Key)).ToList(), ct);
        foreach (var (bucket, key, groups) in changes) await _writer.SaveUnchangedAsync(jobs[(bucket, key)], groups, ct);
    }

    private async Task<Dictionary<(string Bucket, string Key), IngestJob>> LeaseAsync(IReadOnlyCollection<(string Bucket, string Key)> objects, CancellationToken ct)
    {
        if (objects.Count == 0) return [];
        await _queue.EnqueueAsync(objects.Select(o => new JobRequest(o.Bucket, o.Key, "test")).ToList(), ct);
        // Other jobs may be queued too (an index generation's build): those go back to the queue untouched.
        var leased = await _queue.LeaseAsync(1000, TimeSpan.FromMinutes(10), nameof(WorkerStandIn), ct);
        var wanted = objects.ToHashSet();
        foreach (var other in leased.Where(j => !wanted.Contains((j.Bucket, j.Key)))) await _queue.ReleaseAsync(other, ct);
        return leased.Where(j => wanted.Contains((j.Bucket, j.Key))).ToDictionary(j => (j.Bucket, j.Key));
    }
}
