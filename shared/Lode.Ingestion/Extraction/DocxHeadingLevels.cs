using DocumentFormat.OpenXml.Wordprocessing;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Which Word paragraphs are headings, and of what level: the outline level (<c>w:outlineLvl</c>, 0 = level 1) set on
/// the paragraph or on its style, following the style's <c>basedOn</c> chain, as Word's navigation pane decides. Style
/// ids are localised ("Heading1", "berschrift1", "Titre1"), outline levels are not. The "Title" style, which has no
/// outline level, counts as level 1.
/// </summary>
internal sealed class DocxHeadingLevels
{
    // Word writes 9 for "body text"; 0–8 are heading levels 1–9.
    private const int BodyTextLevel = 9;
    private const int MaxBasedOnChain = 32;

    private readonly Dictionary<string, int?> _levelByStyle;

    private DocxHeadingLevels(Dictionary<string, int?> levelByStyle) => _levelByStyle = levelByStyle;

    public static DocxHeadingLevels From(Styles? styles)
    {
        var byId = new Dictionary<string, Style>(StringComparer.Ordinal);
        foreach (var style in styles?.Elements<Style>() ?? [])
        {
            if (style.StyleId?.Value is { } id && style.Type?.Value == StyleValues.Paragraph) byId.TryAdd(id, style);
        }

        var levels = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var id in byId.Keys) levels[id] = Resolve(id, byId);
        return new DocxHeadingLevels(levels);
    }

    /// <summary>The heading level (1-based) of a paragraph with these properties, or null for body text.</summary>
    public int? LevelOf(ParagraphProperties? properties)
    {
        if (properties?.OutlineLevel?.Val?.Value is int own) return Heading(own);
        return properties?.ParagraphStyleId?.Val?.Value is { } style ? _levelByStyle.GetValueOrDefault(style) : null;
    }

    private static int? Resolve(string id, Dictionary<string, Style> byId)
    {
        // basedOn chains are short, but a damaged file may loop: the walk is bounded.
        var current = id;
        for (var step = 0; step < MaxBasedOnChain && byId.TryGetValue(current, out var style); step++)
        {
            if (style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is int level) return Heading(level);
            if (step == 0 && (id == "Title" || style.StyleName?.Val?.Value is "Title" or "title")) return 1;
            if (style.BasedOn?.Val?.Value is not { } parent) break;
            current = parent;
        }

        return null;
    }

    private static int? Heading(int outlineLevel) => outlineLevel is >= 0 and < BodyTextLevel ? outlineLevel + 1 : null;
}
