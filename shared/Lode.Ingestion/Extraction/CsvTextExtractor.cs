using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Comma- (or semicolon-, tab-) separated values as text: one line per record, fields separated by a tab like the
/// table cells of the other extractors. Quoted fields may hold delimiters, doubled quotes and line breaks (RFC 4180);
/// a line break inside a field becomes a space so that a record never splits across lines.
/// </summary>
public sealed class CsvTextExtractor : ITextExtractor
{
    private static readonly char[] CandidateDelimiters = [',', ';', '\t', '|'];

    public IReadOnlyCollection<string> Extensions { get; } = [".csv", ".tsv"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/csv", "text/tab-separated-values"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        var text = TextDecoder.Decode(content, limits);
        var delimiter = DetectDelimiter(text);
        var output = new StringBuilder(text.Length);
        var fields = new List<string>();
        var field = new StringBuilder();
        var rows = 0;

        var i = 0;
        while (i < text.Length)
        {
            fields.Clear();
            i = ReadRecord(text, i, delimiter, fields, field);
            if (fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }

            // Records can number in the millions; checking the token now and then keeps the time limit honest.
            if (++rows % 10_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            output.AppendJoin('\t', fields).Append('\n');
        }

        return ExtractedDocument.SinglePage(TextNormalizer.Normalize(output.ToString()));
    }

    /// <summary>Reads one record starting at <paramref name="start"/>; returns the index after its line end.</summary>
    private static int ReadRecord(string text, int start, char delimiter, List<string> fields, StringBuilder field)
    {
        var i = start;
        field.Clear();
        var quoted = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }

                    quoted = false;
                }
                else
                {
                    field.Append(c is '\r' or '\n' ? ' ' : c);
                }

                i++;
                continue;
            }

            if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else if (c is '\r' or '\n')
            {
                i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                break;
            }
            else
            {
                // A quote inside an unquoted field is just a character (lenient, as spreadsheets are).
                field.Append(c);
            }

            i++;
        }

        // An unterminated quote runs to the end of the file; the text is still worth indexing.
        fields.Add(field.ToString().Trim());
        return i;
    }

    /// <summary>The candidate that occurs most often (outside quotes) in the first record; a comma when none does.</summary>
    private static char DetectDelimiter(string text)
    {
        Span<int> counts = stackalloc int[CandidateDelimiters.Length];
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\r' or '\n')
            {
                break;
            }
            else if (!quoted && Array.IndexOf(CandidateDelimiters, c) is var index and >= 0)
            {
                counts[index]++;
            }
        }

        var best = 0;
        for (var k = 1; k < counts.Length; k++)
        {
            if (counts[k] > counts[best])
            {
                best = k;
            }
        }

        return CandidateDelimiters[best];
    }
}
