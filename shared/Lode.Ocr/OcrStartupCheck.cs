using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Lode.Ocr;

/// <summary>
/// Refuses to start when OCR is on and Tesseract or a configured language is missing, naming the Debian package to
/// install: scans indexed without their language would be silently unsearchable.
/// </summary>
public sealed class OcrStartupCheck(IOcrEngine engine, IOptions<OcrOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        OcrEngineInfo installed;
        try
        {
            installed = await engine.DescribeAsync(cancellationToken);
        }
        catch (OcrFailedException e)
        {
            throw new InvalidOperationException(
                $"OCR is on (Ocr:Enabled) but Tesseract cannot be run: {e.Message} Install the Debian package tesseract-ocr, or set Ocr:Enabled to false.", e);
        }

        var problems = OcrInstallation.Problems(options.Value, installed);
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(' ', problems));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
