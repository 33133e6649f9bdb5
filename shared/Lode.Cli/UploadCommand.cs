using System.CommandLine;
using System.Text.Json;

namespace Lode.Cli;

/// <summary>
/// <c>lode upload</c>: puts every file of a folder into a bucket through the app's uploads API: the app checks each file
/// (format, size, key, groups) and signs a PUT, and the bytes go straight to the object store, whose notification then
/// indexes the document. Needs only an API key allowed to upload (Uploads:Groups), never the store's credentials.
/// A file the app refuses is reported and skipped; <c>--wait</c> then follows the documents until each is indexed or
/// failed. Exits 1 when a file was refused or a document failed.
/// </summary>
public static class UploadCommand
{
    public static Command Create(GlobalOptions options, CliConsole console)
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "The folder to upload (recursively)" };
        var bucket = new Option<string>("--bucket") { Description = "The bucket to upload into", Required = true };
        var prefix = new Option<string?>("--prefix") { Description = "Prepended to every key (for example handbook/)" };
        var groups = new Option<string[]>("--group")
        {
            Description = "A group that may read the documents (repeatable; default: every group of the API key)",
            AllowMultipleArgumentsPerToken = false,
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace objects that already exist" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every uploaded document is indexed or failed" };
        var interval = PollInterval.CreateOption();
        var command = new Command("upload", "Upload a folder into a bucket; the app indexes it") { folder, bucket, prefix, groups, overwrite, wait, interval };
        console.SetAction(command, options, async (parse, api, ct) =>
        {
            var root = parse.GetValue(folder)!;
            if (!root.Exists) return await console.FailAsync($"The folder {root.FullName} does not exist.");
            var files = root.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal).ToList();
            if (files.Count == 0) return await console.FailAsync($"The folder {root.FullName} has no files.");

            var upload = new FolderUpload(api, console, parse.GetValue(bucket)!, parse.GetValue(groups) ?? [], parse.GetValue(overwrite));
            var uploaded = new List<string>(files.Count);
            var refused = 0;
            for (var i = 0; i < files.Count; i++)
            {
                var key = (parse.GetValue(prefix) ?? "") + Path.GetRelativePath(root.FullName, files[i].FullName).Replace(Path.DirectorySeparatorChar, '/');
                var progress = $"[{i + 1}/{files.Count}] {ProgressBar.Of(i + 1, files.Count)}";
                if (await upload.PutAsync(key, files[i], progress, ct)) uploaded.Add(key);
                else refused++;
            }
            var failed = parse.GetValue(wait) && uploaded.Count > 0
                ? await WaitForIndexingAsync(api, console, upload.Bucket, uploaded, PollInterval.From(parse, interval), ct)
                : 0;
            if (refused == 0 && failed == 0) return 0;
            var problems = new List<string>();
            if (refused > 0) problems.Add($"{refused} of {files.Count} files were refused");
            if (failed > 0) problems.Add($"{failed} of {uploaded.Count} documents failed to index (see lode dead-letters)");
            return await console.FailAsync(string.Join("; ", problems) + ".");
        });
        return command;
    }

    private sealed class FolderUpload(LodeApi api, CliConsole console, string bucket, string[] groups, bool overwrite)
    {
        public string Bucket => bucket;

        /// <summary>Uploads one file; false when the app refused it (the reason is printed), true once it is in the store.</summary>
        public async Task<bool> PutAsync(string key, FileInfo file, string progress, CancellationToken ct)
        {
            JsonElement grant;
            try
            {
                grant = await api.PostAsync("api/uploads",
                    new { bucket, key, sizeBytes = file.Length, groups = groups.Length > 0 ? groups : null, overwrite }, ct);
            }
            catch (CliFailure e) when (e.Status is 400 or 409 or 413)
            {
                // This file cannot be uploaded as it is (its format, size, name): say why and go on with the others.
                await console.Out.WriteLineAsync($"{progress} skipped  {key}: {e.Message}");
                return false;
            }
            await PresignedPut.SendAsync(grant, file, key, ct);
            await console.Out.WriteLineAsync($"{progress} uploaded {key} ({file.Length} bytes)");
            return true;
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
                await console.Out.WriteLineAsync($"[{outcomes.Count}/{keys.Count}] {ProgressBar.Of(outcomes.Count, keys.Count)} {DocumentListing.Describe(document)}");
            }
            await console.Out.FlushAsync(ct);
            if (outcomes.Count < keys.Count) await Task.Delay(interval, ct);
        }
        return outcomes.Count(o => o.Value == "failed");
    }
}
