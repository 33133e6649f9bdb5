using System.Text;
using Lode.Database;
using Lode.Ingestion.Operations;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>
/// Reconciliation over real parts, with an S3 server that sends no notifications at all: every upload, overwrite and
/// deletion is a missed notification that only reconciliation can find.
/// </summary>
public sealed class ReconciliationTests
{
    [Fact]
    public async Task Reconciliation_indexes_what_notifications_missed_and_removes_documents_whose_object_is_gone()
    {
        // A database whose text sorts linguistically ("beta" before "Gamma"), as many sites' do, while S3 lists keys by
        // their bytes ("Gamma" before "beta"): the walk of documents beside the listing must use the listing's order.
        var database = await TestDatabase.CreateAsync();
        await database.ExecuteAsync("""ALTER TABLE documents ALTER COLUMN key TYPE text COLLATE "en-US-x-icu" """);
        // Pages of two, so the listing and the walk of documents both span several pages.
        await using var stack = await LodeStack.StartWithoutNotificationsAsync(database, extraArgs: "--Reconcile:PageSize=2");
        var reconciler = stack.App.Services.GetRequiredService<BucketReconciler>();
        string[] texts = ["Alpha.txt", "beta.txt", "Gamma.txt", "delta.txt", "Zulu.txt", "ölbild.txt"];
        foreach (var key in texts) await stack.PutAsync(key, Encoding.UTF8.GetBytes($"The note called {key} says the office opens at nine."), "text/plain");
        await stack.PutAsync("unknown.xyz", [1, 2, 3], "application/x-unknown");

        var first = Assert.Single(await reconciler.RunAsync(default));

        Assert.Equal(new ReconcileResult(LodeStack.Bucket, 7, 7, 0), first);
        foreach (var key in texts) await stack.WaitForStatusAsync(key, "indexed");
        await stack.WaitForStatusAsync("unknown.xyz", "failed");
        var gammaEtag = (await stack.GetDocumentAsync("Gamma.txt"))!.Value.GetProperty("etag").GetString();

        await stack.Store.DeleteAsync(LodeStack.Bucket, "beta.txt", default);
        await stack.Store.DeleteAsync(LodeStack.Bucket, "Zulu.txt", default);
        await stack.PutAsync("Gamma.txt", Encoding.UTF8.GetBytes("Gamma now says the office opens at ten."), "text/plain");
        await stack.PutAsync("Echo.txt", Encoding.UTF8.GetBytes("Echo is a new note about parking."), "text/plain");

        var second = Assert.Single(await reconciler.RunAsync(default));

        // Exactly the two documents whose objects are gone: a walk in another order than the listing's would also
        // queue documents that are present.
        Assert.Equal(new ReconcileResult(LodeStack.Bucket, 6, 2, 2), second);
        await stack.WaitForDocumentAsync("beta.txt", d => d is null);
        await stack.WaitForDocumentAsync("Zulu.txt", d => d is null);
        await stack.WaitForStatusAsync("Echo.txt", "indexed");
        await stack.WaitForDocumentAsync("Gamma.txt", d => d?.GetProperty("status").GetString() == "indexed"
            && d.Value.GetProperty("etag").GetString() != gammaEtag);
        await stack.WaitForQueueEmptyAsync();

        // In line now; the failed document waits for an operator's retry rather than failing again every hour.
        Assert.Equal(new ReconcileResult(LodeStack.Bucket, 6, 0, 0), Assert.Single(await reconciler.RunAsync(default)));
        Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        Assert.Equal("failed", (await stack.GetDocumentAsync("unknown.xyz"))!.Value.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_timer_reconciles_on_the_schedule_configured()
    {
        await using var stack = await LodeStack.StartWithoutNotificationsAsync(extraArgs: "--Reconcile:Schedule=*/1 * * * * *");

        await stack.PutAsync("timer/found.txt", Encoding.UTF8.GetBytes("Found by the scheduled reconciliation."), "text/plain");

        await stack.WaitForStatusAsync("timer/found.txt", "indexed");
    }

    [Fact]
    public async Task An_instance_does_not_reconcile_while_another_is_at_it()
    {
        await using var stack = await LodeStack.StartWithoutNotificationsAsync();
        var reconciler = stack.App.Services.GetRequiredService<BucketReconciler>();
        var locks = stack.App.Services.GetRequiredService<AdvisoryLocks>();
        await stack.PutAsync("missed.txt", Encoding.UTF8.GetBytes("A note whose notification was lost."), "text/plain");

        await using (var otherInstance = await locks.TryAcquireAsync(BucketReconciler.LockName, default))
        {
            Assert.NotNull(otherInstance);
            Assert.Empty(await reconciler.RunAsync(default));
            Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        }

        Assert.Equal(new ReconcileResult(LodeStack.Bucket, 1, 1, 0), Assert.Single(await reconciler.RunAsync(default)));
        await stack.WaitForStatusAsync("missed.txt", "indexed");
    }
}
