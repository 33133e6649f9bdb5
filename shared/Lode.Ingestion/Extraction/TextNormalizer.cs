using System.Globalization;
using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// The one whitespace convention every extractor ends with, so the chunker and the full-text index see the same shape
/// whatever the format: lines separated by '\n', paragraphs by one blank line, single spaces inside a line, tabs kept
/// (they separate table cells), no control or zero-width characters, no space at either end of a line.
/// </summary>
internal static class TextNormalizer
{
    public static string Normalize(string text)
    {
        var output = new StringBuilder(text.Length);
        var pendingNewlines = 0;
        var pendingSpace = false;
        var pendingTab = false;

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                // "\r\n" and a lone "\r" (old Mac files, some PDFs) are both one line end.
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                c = '\n';
            }

            if (c == '\u2029')
            {
                // Unicode's paragraph separator is a paragraph break.
                pendingSpace = pendingTab = false;
                pendingNewlines = 2;
                continue;
            }

            if (c == '\n' || c == '\u2028')
            {
                // Spaces before a line end are dropped; more than one blank line carries no meaning.
                pendingSpace = pendingTab = false;
                pendingNewlines = Math.Min(pendingNewlines + 1, 2);
                continue;
            }

            if (c == '\t')
            {
                pendingTab = true;
                continue;
            }

            if (IsHorizontalSpace(c))
            {
                pendingSpace = true;
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsInvisible(CharUnicodeInfo.GetUnicodeCategory(text, i)))
                {
                    i++;
                    continue;
                }
            }
            else if (IsInvisible(c))
            {
                continue;
            }

            if (output.Length > 0)
            {
                if (pendingNewlines > 0)
                {
                    output.Append('\n', pendingNewlines);
                }
            }

            // Leading spaces of a line are indentation, which search does not need; a tab there still marks an empty
            // first table cell, but keeping it would be the only place a line starts with whitespace, so it goes too.
            var atLineStart = output.Length == 0 || pendingNewlines > 0;
            if (!atLineStart)
            {
                if (pendingTab)
                {
                    output.Append('\t');
                }
                else if (pendingSpace)
                {
                    output.Append(' ');
                }
            }

            pendingNewlines = 0;
            pendingSpace = pendingTab = false;
            output.Append(c);
        }

        return output.ToString();
    }

    private static bool IsHorizontalSpace(char c) =>
        c == ' ' || c == '\u00A0' || c == '\f' || c == '\v' ||
        CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;

    // Control and format characters (zero-width spaces and joiners, direction marks, the BOM, tag characters, the soft
    // hyphen), private-use and unassigned code points only get in the way of matching words, and the tokenizer reads
    // them as nothing: text made of them would be chunks of zero tokens. A soft hyphen is invisible unless it falls at a
    // line end, and the PDF extractor deals with line ends before this runs. Surrogate pairs are judged as one code point.
    internal static bool IsInvisible(char c) => char.IsControl(c) || IsInvisible(CharUnicodeInfo.GetUnicodeCategory(c));

    private static bool IsInvisible(UnicodeCategory category) =>
        category is UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
}
