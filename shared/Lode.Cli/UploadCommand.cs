using System.CommandLine;
using Minio;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Lode.Cli;

/// <summary>
/// <c>lode upload</c>: puts every file of a folder into a bucket of the object store (the documented ingestion path:
/// the bucket notification queues each object), printing progress per file; <c>--wait</c> then follows the documents
/// in the app until each is indexed or failed, and exits non-zero when one failed.
/// </summary>
public static class UploadCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "The folder to upload (recursively)" };
        var bucket = new Option<string>("--bucket") { Description = "The bucket to upload into", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Prepended to every key (for example handbook/)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every uploaded document is indexed or failed" };
        var interval = PollInterval.CreateOption();
        var store = new ObjectStoreOptions();
        var command = new Command("upload", "Upload a folder into a bucket; the app indexes it") { folder, bucket, prefix, wait, interval };
        store.AddTo(command);
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var root = parse.GetValue(folder)!;
            if (!root.Exists) return await console.FailAsync($"The folder {root.FullName} does not exist.");
            var files = root.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
            if (files.Count == 0) return await console.FailAsync($"The folder {root.FullName} has no files.");

            var bucketName = parse.GetValue(bucket)!;
            var keys = new List<string>(files.Count);
            using var client = store.CreateClient(parse);
            for (var i = 0; i < files.Count; i++)
            {
                var key = (parse.GetValue(prefix) ?? "") + Path.GetRelativePath(root.FullName, files[i].FullName).Replace(Path.DirectorySeparatorChar, '/');
                await PutAsync(client, bucketName, key, files[i], ct);
                keys.Add(key);
                await console.Out.WriteLineAsync($"[{i + 1}/{files.Count}] {Bar(i + 1, files.Count)} uploaded {key} ({files[i].Length} bytes)");
            }
            if (!parse.GetValue(wait)) return 0;
            return await WaitForIndexingAsync(api, console, bucketName, keys, PollInterval.From(parse, interval), ct);
        });
        return command;
    }

    private static async Task PutAsync(IMinioClient client, string bucket, string key, FileInfo file, CancellationToken ct)
    {
        await using var content = file.OpenRead();
        try
        {
            await client.PutObjectAsync(new PutObjectArgs().WithBucket(bucket).WithObject(key)
                .WithStreamData(content).WithObjectSize(file.Length).WithContentType("application/octet-stream"), ct);
        }
        catch (Exception e) when (e is MinioException or HttpRequestException)
        {
            throw new CliFailure($"Uploading {key} to bucket {bucket} failed: {e.Message}", e);
        }
    }

    private static async Task<int> WaitForIndexingAsync(LodeApi api, CliConsole console, string bucket, IReadOnlyList<string> keys,
        TimeSpan interval, CancellationToken ct)
    {
        var outcomes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (outcomes.Count < keys.Count)
        {
            foreach (var key in keys.Where(k => !outcomes.ContainsKey(k)))
            {
                // 404: the notification has not reached the app yet.
                if (await api.GetOrNullAsync(LodeApi.DocumentPath(bucket, key), ct) is not { } document) continue;
                var status = DocumentListing.Text(document, "status");
                if (status is not ("indexed" or "failed")) continue;
                outcomes[key] = status;
                await console.Out.WriteLineAsync($"[{outcomes.Count}/{keys.Count}] {Bar(outcomes.Count, keys.Count)} {DocumentListing.Describe(document)}");
            }
            await console.Out.FlushAsync(ct);
            if (outcomes.Count < keys.Count) await Task.Delay(interval, ct);
        }
        var failed = outcomes.Count(o => o.Value == "failed");
        return failed == 0 ? 0 : await console.FailAsync($"{failed} of {keys.Count} documents failed to index (see lode dead-letters).");
    }

    private static string Bar(int done, int total)
    {
        const int width = 20;
        var filled = done * width / total;
        return "[" + new string('#', filled) + new string('.', width - filled) + "]";
    }
}
