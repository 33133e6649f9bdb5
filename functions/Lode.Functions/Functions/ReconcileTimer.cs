using Lode.Ingestion.Operations;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// On the schedule in <c>Reconcile:Schedule</c> (six-field cron, UTC): compares each bucket of Ingestion:Buckets with
/// the index and queues what missed notifications left behind: objects never indexed or changed, documents whose object
/// is gone. Turn it off with <c>AzureWebJobs.ReconcileTimer.Disabled=true</c>.
/// </summary>
public sealed class ReconcileTimer(BucketReconciler reconciler)
{
    [Function(nameof(ReconcileTimer))]
    public Task Run([TimerTrigger("%Reconcile:Schedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        reconciler.RunAsync(cancellationToken);
}
