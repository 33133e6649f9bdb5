using Lode.Ocr;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lode.Functions.HealthChecks;

/// <summary>OCR: off, or Tesseract's version with the languages installed and configured (unhealthy when one is missing).</summary>
public sealed class OcrHealthCheck(IOcrEngine engine, IOptions<OcrOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.Enabled) return HealthCheckResult.Healthy("OCR is turned off (Ocr:Enabled).");
        try
        {
            var installed = await engine.DescribeAsync(cancellationToken);
            var data = new Dictionary<string, object>
            {
                ["tesseract"] = installed.Version,
                ["languages"] = settings.LanguageList(),
                ["installedLanguages"] = installed.Languages,
            };
            var problems = OcrInstallation.Problems(settings, installed);
            return problems.Count == 0
                ? HealthCheckResult.Healthy(data: data)
                : HealthCheckResult.Unhealthy(string.Join(' ', problems), data: data);
        }
        catch (OcrFailedException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
