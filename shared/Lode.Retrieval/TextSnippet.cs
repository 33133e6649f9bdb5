namespace Lode.Retrieval;

/// <summary>The short excerpt of a passage that is shown instead of all of it (a citation, a returned result).</summary>
public static class TextSnippet
{
    /// <summary>The first <paramref name="max"/> characters with runs of white space folded, cut at a word boundary.</summary>
    public static string Of(string text, int max)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length <= max) return flat;
        var cut = flat.LastIndexOf(' ', max);
        return flat[..(cut > max / 2 ? cut : max)] + "…";
    }
}
