using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lode.Identity;

/// <summary>
/// Applies <see cref="ProcessInspection.Forbid"/> when the app starts, unless <c>Security:AllowProcessInspection</c>.
/// Registered before ingestion's hosted services, so no extractor child exists before the app is closed to it.
/// </summary>
internal sealed class ProcessInspectionGuard(IOptions<SecurityOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.AllowProcessInspection) ProcessInspection.Forbid();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
