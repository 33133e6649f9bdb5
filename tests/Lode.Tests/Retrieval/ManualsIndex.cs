using Lode.Evaluation;
using Lode.Tests.Support;

namespace Lode.Tests.Retrieval;

/// <summary>
/// Puts manuals of <see cref="ManualsCorpus"/> through a real stack (S3 server, webhook, queue worker, pipeline) and
/// waits until each is indexed; the retrieval quality gate and the quality benchmark measure what this leaves behind.
/// </summary>
public static class ManualsIndex
{
    /// <summary>Uploads <paramref name="files"/> and waits until every one is indexed; a file that fails is an error.</summary>
    public static async Task IndexAsync(LodeStack stack, IReadOnlyList<ManualFile> files, TimeSpan timeout)
    {
        foreach (var file in files)
            await stack.PutAsync(file.Key, await File.ReadAllBytesAsync(file.LocalPath), ContentTypeOf(file.Key));

        // Notifications arrive after the uploads: done when every file has an outcome and nothing is queued.
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var finished = await stack.Database.ScalarAsync<long>("""
                SELECT count(*) FROM documents
                WHERE status IN ('indexed', 'failed') AND NOT EXISTS (SELECT 1 FROM ingest_jobs j WHERE j.bucket = documents.bucket AND j.key = documents.key)
                """);
            if (finished >= files.Count) break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Only {finished} of {files.Count} manual files were indexed in time.");
            await Task.Delay(500);
        }

        var failed = await stack.Database.ScalarAsync<string>(
            "SELECT coalesce(string_agg(key || ': ' || error, '; '), '') FROM documents WHERE status = 'failed'");
        if (failed.Length > 0) throw new InvalidOperationException($"Manual files failed to index: {failed}");
    }

    /// <summary>The questions of a half as the evaluator takes them: style and kind as tags, the set's id carried along.</summary>
    public static IReadOnlyList<EvaluationQuestion> Questions(IEnumerable<ManualQuestion> questions) =>
        questions.Select(q => new EvaluationQuestion(q.Question, q.Document, q.Pages, q.Tags, q.Id)).ToList();

    private static string ContentTypeOf(string key) => Path.GetExtension(key) switch
    {
        ".pdf" => "application/pdf",
        ".html" => "text/html",
        _ => "application/octet-stream",
    };
}
