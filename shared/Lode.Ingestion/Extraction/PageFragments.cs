using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// A page assembled from fragments that each begin a section (the first may begin mid-section): each fragment is
/// normalized on its own and joined to the one before by a paragraph break, so every section start is a known offset
/// of the final text — normalizing the whole page at once would move it.
/// </summary>
internal static class PageFragments
{
    /// <summary>The page text and where each fragment starts in it (an empty fragment starts where the next one does).</summary>
    public static (string Text, int[] Starts) Join(IReadOnlyList<string> rawFragments)
    {
        var page = new StringBuilder();
        var starts = new int[rawFragments.Count];
        for (var f = 0; f < rawFragments.Count; f++)
        {
            var fragment = TextNormalizer.Normalize(rawFragments[f]);
            if (fragment.Length > 0 && page.Length > 0) page.Append("\n\n");
            starts[f] = page.Length;
            page.Append(fragment);
        }

        return (page.ToString(), starts);
    }
}
