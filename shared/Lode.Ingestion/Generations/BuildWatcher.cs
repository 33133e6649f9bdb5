using Lode.Ingestion.Operations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Generations;

/// <summary>
/// Looks every <see cref="ReindexOptions.ResumeSeconds"/> for a building index generation that is complete but not
/// current: the job that completed it normally switches, but an instance that died (or a switch that failed) between
/// the two leaves it to this look, on any instance with a worker. It never starts or cancels a build.
/// </summary>
public sealed class BuildWatcher(
    BuildCompletion builds,
    IOptions<ReindexOptions> options,
    IOptions<IngestionOptions> ingestion,
    ILogger<BuildWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!ingestion.Value.WorkerEnabled)
        {
            logger.LogInformation("Index generation builds are watched by instances with a worker (Ingestion:WorkerEnabled=false)");
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ResumeSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await builds.TryCompleteAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
