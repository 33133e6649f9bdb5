using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// PdfPig's own filters, except that while counting every Flate, LZW and RunLength decode PdfPig asks for is first
/// counted against the budget — and refused (an empty result) once the budget is spent. Opening a document already inflates object
/// streams (the catalog and page tree may live in one, decrypted first in an encrypted file), before any pass of ours
/// could look at them; this keeps those bounded too. <see cref="PdfInflationGuard"/> stops the counting once its
/// passes are done, so extraction afterwards pays nothing and decodes exactly as PdfPig does.
/// </summary>
internal sealed class CountingFilterProvider(InflationBudget budget, CancellationToken cancellationToken) : IFilterProvider
{
    private static readonly IFilterProvider Inner = DefaultFilterProvider.Instance;
    private readonly CountedFlateFilter _flate = new(budget, cancellationToken);
    private readonly CountedExpandingFilter _lzw = new(new LzwFilter(), budget);
    private readonly CountedExpandingFilter _runLength = new(new RunLengthFilter(), budget);

    public void StopCounting() => _flate.Counting = _lzw.Counting = _runLength.Counting = false;

    public IReadOnlyList<IFilter> GetFilters(DictionaryToken dictionary) => Counted(Inner.GetFilters(dictionary));

    public IReadOnlyList<IFilter> GetNamedFilters(IReadOnlyList<NameToken> names) => Counted(Inner.GetNamedFilters(names));

    public IReadOnlyList<IFilter> GetAllFilters() => Counted(Inner.GetAllFilters());

    private IFilter[] Counted(IReadOnlyList<IFilter> filters) => filters.Select(f => f switch
    {
        FlateFilter => _flate,
        LzwFilter => _lzw,
        RunLengthFilter => _runLength,
        _ => f,
    }).ToArray();

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

    /// <summary>LZW or RunLength: the output's length is walked from the codes (<see cref="ExpansionCounter"/>) before
    /// PdfPig's filter is allowed to produce it.</summary>
    private sealed class CountedExpandingFilter(IFilter inner, InflationBudget budget) : IFilter
    {
        public bool Counting { get; set; } = true;

        public bool IsSupported => true;

        public Memory<byte> Decode(Memory<byte> input, DictionaryToken streamDictionary, IFilterProvider filterProvider, int filterIndex)
        {
            if (Counting)
            {
                budget.Charge(ExpansionCounter.Length(inner, input.Span, streamDictionary, filterIndex, budget.Remaining));
                if (budget.Exceeded) return Memory<byte>.Empty;
            }
            return inner.Decode(input, streamDictionary, filterProvider, filterIndex);
        }
    }
}
