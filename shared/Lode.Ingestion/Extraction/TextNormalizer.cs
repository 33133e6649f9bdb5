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

            if (IsInvisible(c))
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

    // Control characters, zero-width characters and the BOM only get in the way of matching words; a soft hyphen is
    // invisible unless it falls at a line end, and the PDF extractor deals with line ends before this runs.
    private static bool IsInvisible(char c) =>
        char.IsControl(c) || c == '\u00AD' || c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' ||
        c == '\uFEFF';
}
