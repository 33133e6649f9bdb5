using System.Text;
using System.Text.RegularExpressions;
using Lode.Tests.Support;

namespace Lode.Tests.Cli;

/// <summary>A real stack with a folder of two documents uploaded and indexed through <c>lode upload --wait</c>.</summary>
public sealed class UploadedStackFixture : IAsyncLifetime
{
    /// <summary>A key in a group that may neither upload nor administer.</summary>
    public const string OutsiderKey = "test-outsider-key-0123456789abcdef";

    public LodeStack Stack { get; private set; } = null!;

    /// <summary>The run of <c>lode upload --wait</c> that put the folder in the bucket.</summary>
    public CliResult Upload { get; private set; } = null!;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lode-cli-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        // The readers' group may upload here, so the readers' key can run lode upload.
        Stack = await LodeStack.StartAsync(extraArgs:
            [$"--Uploads:Groups:0={TestReaders.Group}", .. TestReaders.ApiKeyArgs("outsider", OutsiderKey, "finance")]);
        Directory.CreateDirectory(Path.Combine(_folder, "hr"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "hr", "leave-policy.md"), """
            # Leave policy

            Every employee is entitled to 27 days of annual leave per calendar year. Leave requests are approved by
            the line manager.
            """);
        await File.WriteAllTextAsync(Path.Combine(_folder, "travel.txt"), "Train travel is booked in second class; flights need approval.");
        Upload = await CliRun.RunAsync(Stack, LodeStack.ApiKey,
            ["upload", _folder, "--bucket", LodeStack.Bucket, "--prefix", "cli/", "--wait", "--interval", "0.2"]);
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The <c>lode</c> operator command run against the real app, S3 server and PostgreSQL.</summary>
public sealed class CliTests(UploadedStackFixture fixture) : IClassFixture<UploadedStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    [Fact]
    public async Task Upload_with_wait_puts_the_folder_in_the_bucket_and_returns_once_both_documents_are_indexed()
    {
        var upload = fixture.Upload;
        Assert.True(upload.ExitCode == 0, upload.ToString());
        Assert.Contains("[2/2]", upload.Output);
        Assert.Contains("uploaded cli/hr/leave-policy.md", upload.Output);
        Assert.Contains("indexed  docs/cli/travel.txt", upload.Output);
        // --wait returned: the app already shows both as indexed.
        Assert.Equal("indexed", (await Stack.GetDocumentAsync("cli/hr/leave-policy.md"))!.Value.GetProperty("status").GetString());
        Assert.Equal("indexed", (await Stack.GetDocumentAsync("cli/travel.txt"))!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Status_lists_the_documents_with_their_state()
    {
        var status = await CliRun.RunAsync(Stack, LodeStack.ApiKey, "status", "--bucket", LodeStack.Bucket, "--prefix", "cli/");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Matches(@"indexed\s+docs/cli/hr/leave-policy\.md\s+\d+ chunks", status.Output);
        Assert.Matches(@"indexed\s+docs/cli/travel\.txt", status.Output);
        Assert.Contains("2 documents: 2 indexed.", status.Output);
    }

    [Fact]
    public async Task Ask_prints_the_streamed_answer_then_its_citations_as_a_numbered_list()
    {
        var ask = await CliRun.RunAsync(Stack, LodeStack.ApiKey, "ask", "How many days of annual leave does an employee get?");
        Assert.True(ask.ExitCode == 0, ask.ToString());
        var sources = ask.Output.IndexOf("Sources:", StringComparison.Ordinal);
        Assert.True(sources > 0, ask.ToString());
        Assert.Contains("27 days", ask.Output[..sources]);
        Assert.Matches(@"\[1\] docs/cli/hr/leave-policy\.md, page 1", ask.Output[sources..]);
    }

    [Fact]
    public async Task A_key_created_by_an_admin_works_until_it_is_revoked()
    {
        var created = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "keys", "create", "--name", "cli-test", "--group", TestReaders.Group);
        Assert.True(created.ExitCode == 0, created.ToString());
        var key = Regex.Match(created.Output, @"^Key: (\S+)$", RegexOptions.Multiline).Groups[1].Value;
        var id = Regex.Match(created.Output, @"\(id ([0-9a-f-]{36})\)").Groups[1].Value;
        Assert.NotEmpty(key);

        var withNewKey = await CliRun.RunAsync(Stack, key, "status", "--bucket", LodeStack.Bucket, "--prefix", "cli/");
        Assert.True(withNewKey.ExitCode == 0, withNewKey.ToString());
        Assert.Contains("docs/cli/travel.txt", withNewKey.Output);

        var listed = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "keys", "list");
        Assert.Matches($@"{id}\s+active\s+cli-test", listed.Output);

        var revoked = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "keys", "revoke", id);
        Assert.True(revoked.ExitCode == 0, revoked.ToString());
        var refused = await CliRun.RunAsync(Stack, key, "status");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("refused the API key (401)", refused.Error);
        Assert.Matches($@"{id}\s+revoked", (await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "keys", "list")).Output);
    }

    [Fact]
    public async Task Generations_lists_the_current_generation_with_its_progress_and_refuses_to_drop_it()
    {
        var listed = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "generations");
        Assert.True(listed.ExitCode == 0, listed.ToString());
        var line = Regex.Match(listed.Output, @"^generation 1\s+current\s+all-MiniLM-L6-v2 \(384 dimensions\)\s+(\d+) of (\d+) documents, (\d+) chunks$",
            RegexOptions.Multiline);
        Assert.True(line.Success, listed.Output);
        Assert.Equal(line.Groups[2].Value, line.Groups[1].Value);
        Assert.True(int.Parse(line.Groups[1].Value) >= 2 && int.Parse(line.Groups[3].Value) >= 2, listed.Output);

        var current = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "generations", "--drop", "1");
        Assert.Equal(1, current.ExitCode);
        Assert.Contains("Lode answered 409 Conflict. Searches use this generation", current.Error);
        var unknown = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "generations", "--drop", "9");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No index generation has that id.", unknown.Error);
        var notAdmin = await CliRun.RunAsync(Stack, LodeStack.ApiKey, "generations");
        Assert.Contains("(403)", notAdmin.Error);
    }

    [Fact]
    public async Task Reindex_with_follow_prints_progress_until_the_run_is_done()
    {
        var reindex = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey,
            "reindex", "--bucket", LodeStack.Bucket, "--prefix", "cli/", "--follow", "--interval", "0.2");
        Assert.True(reindex.ExitCode == 0, reindex.ToString());
        Assert.Matches(@"Reindex [0-9a-f-]{36} started\.", reindex.Output);
        // Both documents are unchanged since they were indexed: the run ends with both skipped.
        Assert.Matches(@"done: listed 2, queued 2, indexed 0, skipped 2, failed 0, removed 0, pending 0\s*$", reindex.Output);
    }

    [Fact]
    public async Task Dead_letters_lists_a_document_that_failed_and_the_upload_that_made_it_fails()
    {
        var folder = Directory.CreateTempSubdirectory("lode-cli-failed-");
        try
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "TestData", "corrupt-garbage.pdf"), Path.Combine(folder.FullName, "scan.pdf"));
            var upload = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey,
                ["upload", folder.FullName, "--bucket", LodeStack.Bucket, "--prefix", "broken/", "--wait", "--interval", "0.2"]);
            Assert.NotEqual(0, upload.ExitCode);
            Assert.Equal("1 of 1 documents failed to index (see lode dead-letters).", upload.Error.Trim());
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        var deadLetters = await CliRun.RunAsync(Stack, LodeStack.AdminApiKey, "dead-letters", "--bucket", LodeStack.Bucket);
        Assert.True(deadLetters.ExitCode == 0, deadLetters.ToString());
        var line = Assert.Single(deadLetters.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"failed\s+docs/broken/scan\.pdf\s+.*Corrupt", line);
    }

    [Fact]
    public async Task Upload_skips_the_files_the_app_refuses_with_their_reason_and_uploads_the_rest_readable_by_the_groups_named()
    {
        var folder = Directory.CreateTempSubdirectory("lode-cli-mixed-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "pilotage.txt"), "Pilotage is compulsory for vessels over 80 metres.");
            await File.WriteAllBytesAsync(Path.Combine(folder.FullName, "diagram.svg"), "<svg/>"u8.ToArray());
            // The readers' key may share only with its own groups; it names its group explicitly.
            var upload = await CliRun.RunAsync(Stack, LodeStack.ApiKey,
                ["upload", folder.FullName, "--bucket", LodeStack.Bucket, "--prefix", "mixed/", "--group", TestReaders.Group, "--wait", "--interval", "0.2"]);

            Assert.Equal(1, upload.ExitCode);
            Assert.Contains("skipped  mixed/diagram.svg: Lode answered 400 Bad Request. Lode cannot read '.svg' files", upload.Output);
            Assert.Contains("uploaded mixed/pilotage.txt", upload.Output);
            Assert.Contains("indexed  docs/mixed/pilotage.txt", upload.Output);
            Assert.Equal("1 of 2 files were refused.", upload.Error.Trim());
            Assert.Null(await Stack.Store.StatAsync(LodeStack.Bucket, "mixed/diagram.png", default));
            var document = (await Stack.GetDocumentAsync("mixed/pilotage.txt"))!.Value;
            Assert.Equal([TestReaders.Group], document.GetProperty("readGroups").EnumerateArray().Select(g => g.GetString()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Upload_with_a_key_outside_the_upload_groups_stops_with_one_sentence()
    {
        var folder = Directory.CreateTempSubdirectory("lode-cli-denied-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "note.txt"), "Berth 4 is closed for dredging.");
            var upload = await CliRun.RunAsync(Stack, UploadedStackFixture.OutsiderKey, ["upload", folder.FullName, "--bucket", LodeStack.Bucket]);

            Assert.Equal(1, upload.ExitCode);
            Assert.Equal("This API key may not do that (403). Your credentials may not upload documents (Uploads:Groups names who may).",
                upload.Error.Trim());
            Assert.Empty(upload.Output);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_built_command_reads_the_address_and_key_from_the_environment()
    {
        var environment = new Dictionary<string, string>
        {
            ["LODE_URL"] = $"http://127.0.0.1:{Stack.Port}",
            ["LODE_API_KEY"] = LodeStack.ApiKey,
        };
        var status = await CliRun.RunProcessAsync(environment, "status", "--bucket", LodeStack.Bucket, "--prefix", "cli/");
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("2 documents: 2 indexed.", status.Output);

        environment["LODE_API_KEY"] = "not-a-key-0123456789abcdef";
        var refused = await CliRun.RunProcessAsync(environment, "status");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refused the API key (401)", refused.Error);
    }

    [Fact]
    public async Task A_wrong_key_or_a_key_without_the_admin_group_fails_with_one_readable_sentence()
    {
        var wrongKey = await CliRun.RunAsync(Stack, "not-a-key-0123456789abcdef", "status");
        Assert.Equal(1, wrongKey.ExitCode);
        Assert.Equal("Lode refused the API key (401): pass a valid key with --api-key or LODE_API_KEY.", wrongKey.Error.Trim());
        Assert.Empty(wrongKey.Output);

        var notAdmin = await CliRun.RunAsync(Stack, LodeStack.ApiKey, "keys", "list");
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Equal("This API key may not do that (403). This endpoint is for administrators; your credentials are not in the admin group.",
            notAdmin.Error.Trim());
        // 429, 503 and an unreachable app: CliRefusalTests.
    }
}
