namespace Lode.Ingestion.Extraction;

/// <summary>
/// The headings a reader is under at each point of a document, as a stack: a heading of level n closes every open
/// heading of level n or deeper. Levels may skip (an h1 followed by an h3 nests the h3 directly under the h1).
/// </summary>
public sealed class HeadingOutline
{
    /// <summary>Longest heading text kept; longer "headings" are usually a paragraph styled as one.</summary>
    public const int MaxTitleChars = 200;

    /// <summary>Deepest nesting kept: a document nested deeper is still read, its extra levels are not part of the path.</summary>
    public const int MaxDepth = 8;

    private readonly List<(int Level, string Title)> _open = [];

    /// <summary>The path of the current position, outermost first.</summary>
    public IReadOnlyList<string> Path => _open.Select(h => h.Title).ToArray();

    /// <summary>
    /// A heading of <paramref name="level"/> (1 = outermost) begins here; returns the path of the section it opens, or
    /// null when <paramref name="title"/> has no visible text (the heading is then ignored).
    /// </summary>
    public IReadOnlyList<string>? Enter(int level, string title)
    {
        var clean = Clean(title);
        if (clean.Length == 0) return null;
        while (_open.Count > 0 && _open[^1].Level >= level) _open.RemoveAt(_open.Count - 1);
        if (_open.Count == MaxDepth) _open.RemoveAt(_open.Count - 1);
        _open.Add((level, clean));
        return Path;
    }

    /// <summary><see cref="Clean"/>, or null for a missing or blank title.</summary>
    public static string? CleanOrNull(string? title) => title is null || Clean(title) is not { Length: > 0 } clean ? null : clean;

    /// <summary>
    /// Without control or invisible characters, whitespace collapsed to single spaces, trimmed, at most
    /// <see cref="MaxTitleChars"/> characters.
    /// </summary>
    public static string Clean(string title)
    {
        // Control and invisible characters go first: a title is stored, shown and put in prompts (a NUL cannot even be
        // stored), and a PDF's information dictionary or outline may hold anything.
        var visible = new string(title.Where(c => char.IsWhiteSpace(c) || !TextNormalizer.IsInvisible(c)).ToArray());
        var words = visible.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var joined = string.Join(' ', words);
        if (joined.Length <= MaxTitleChars) return joined;
        // Never half a surrogate pair: it could not be stored.
        var cut = char.IsHighSurrogate(joined[MaxTitleChars - 1]) ? MaxTitleChars - 1 : MaxTitleChars;
        return joined[..cut].TrimEnd();
    }
}
