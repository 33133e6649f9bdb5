using Lode.Ocr;
using Microsoft.Extensions.DependencyInjection.Extensions;

// In the DI namespace so that `services.AddOcr()` is found without another using, like the framework's own.
namespace Microsoft.Extensions.DependencyInjection;

public static class OcrServiceCollectionExtensions
{
    /// <summary>Registers the Tesseract <see cref="IOcrEngine"/>. The caller binds and validates <see cref="OcrOptions"/>.</summary>
    public static IServiceCollection AddOcr(this IServiceCollection services)
    {
        services.AddOptions<OcrOptions>();
        services.TryAddSingleton<IOcrEngine, TesseractEngine>();
        return services;
    }
}
