using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// PdfPig's own filters, except that while counting every Flate decode PdfPig asks for is first counted against the
/// budget — and refused (an empty result) once the budget is spent. Opening a document already inflates object
/// streams (the catalog and page tree may live in one, decrypted first in an encrypted file), before any pass of ours
/// could look at them; this keeps those bounded too. <see cref="PdfInflationGuard"/> stops the counting once its
/// passes are done, so extraction afterwards pays nothing and decodes exactly as PdfPig does.
/// </summary>
internal sealed class CountingFilterProvider(InflationBudget budget, CancellationToken cancellationToken) : IFilterProvider
{
    private static readonly IFilterProvider Inner = DefaultFilterProvider.Instance;
    private readonly CountedFlateFilter _flate = new(budget, cancellationToken);

    public void StopCounting() => _flate.Counting = false;

    public IReadOnlyList<IFilter> GetFilters(DictionaryToken dictionary) => Counted(Inner.GetFilters(dictionary));

    public IReadOnlyList<IFilter> GetNamedFilters(IReadOnlyList<NameToken> names) => Counted(Inner.GetNamedFilters(names));

    public IReadOnlyList<IFilter> GetAllFilters() => Counted(Inner.GetAllFilters());

    private IFilter[] Counted(IReadOnlyList<IFilter> filters) => filters.Select(f => f is FlateFilter ? _flate : f).ToArray();

    private sealed class CountedFlateFilter(InflationBudget budget, CancellationToken cancellationToken) : IFilter
    {
        private readonly FlateFilter _inner = new();

        public bool Counting { get; set; } = true;

        public bool IsSupported => true;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex)
        {
            if (Counting)
            {
                using var compressed = FlateCounter.AsStream(input);
                budget.Charge(FlateCounter.InflatedLength(compressed, budget.Remaining, cancellationToken));
                // Spent: PdfPig gets nothing to inflate; the guard turns the spent budget into the refusal.
                if (budget.Exceeded) return Memory<byte>.Empty;
            }
            return _inner.Decode(input, streamDictionary, filterProvider, filterIndex);
        }
    }
}
