using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Tokens;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Decides whether a PDF's outline is safe to hand to PdfPig. PdfPig 0.1.16 reads the outline recursively and follows
/// an item's <c>/First</c> even when it points back at the item itself (PdfPig issue #1436): a 555-byte file overflows
/// the stack, which no <c>catch</c> survives. So the outline tree is walked here first, iteratively, through the
/// object graph: every item visited once (a cycle or an item shared by two parents is refused), at most
/// <see cref="MaxItems"/> items and <see cref="MaxDepth"/> levels. A refused outline is ignored; headings then come
/// from font sizes.
/// </summary>
internal static class PdfOutlineGuard
{
    /// <summary>Most outline items read; real manuals have a few hundred to a few thousand.</summary>
    public const int MaxItems = 5_000;

    /// <summary>Deepest nesting read (HeadingOutline keeps 8 levels anyway).</summary>
    public const int MaxDepth = 32;

    private static readonly NameToken Outlines = NameToken.Create("Outlines");
    private static readonly NameToken First = NameToken.Create("First");
    private static readonly NameToken Next = NameToken.Create("Next");

    public static bool IsSafe(PdfDocument document)
    {
        if (!document.Structure.Catalog.CatalogDictionary.TryGet(Outlines, out IToken? outlines)) return true;
        if (Resolve(document, outlines) is not DictionaryToken root) return false;

        var visited = new HashSet<IndirectReference>();
        var pending = new Stack<(IToken Item, int Depth)>();
        if (root.TryGet(First, out IToken? first)) pending.Push((first, 1));
        var items = 0;
        while (pending.Count > 0)
        {
            var (item, depth) = pending.Pop();
            if (depth > MaxDepth) return false;
            // Siblings iteratively, children pushed: neither a long sibling chain nor deep nesting grows the stack.
            for (IToken? current = item; current is not null;)
            {
                if (current is IndirectReferenceToken reference && !visited.Add(reference.Data)) return false;
                if (++items > MaxItems) return false;
                if (Resolve(document, current) is not DictionaryToken dictionary) return false;
                if (dictionary.TryGet(First, out IToken? child)) pending.Push((child, depth + 1));
                current = dictionary.TryGet(Next, out IToken? next) ? next : null;
            }
        }

        return true;
    }

    private static IToken? Resolve(PdfDocument document, IToken token)
    {
        // An indirect reference may point at another reference; a chain longer than a few links is itself hostile.
        for (var hop = 0; hop < 8; hop++)
        {
            if (token is not IndirectReferenceToken reference) return token;
            token = document.Structure.GetObject(reference.Data)?.Data!;
            if (token is null) return null;
        }

        return null;
    }
}
