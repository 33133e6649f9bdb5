using Lode.Ingestion.Extraction;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Extractor;

/// <summary>
/// The same extractors the app registers (<c>AddTextExtraction</c>), so both sides agree on every format. They are
/// stateless with parameterless constructors, so no container is needed to create them.
/// </summary>
internal static class Extractors
{
    public static IEnumerable<ITextExtractor> All() =>
        new ServiceCollection().AddTextExtraction()
            .Where(d => d.ServiceType == typeof(ITextExtractor))
            .Select(d => (ITextExtractor)Activator.CreateInstance(d.ImplementationType!)!)
            .ToList();
}
