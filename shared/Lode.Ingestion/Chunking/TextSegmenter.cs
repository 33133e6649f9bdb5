namespace Lode.Ingestion.Chunking;

/// <summary>
/// Finds paragraphs, sentences, lines and words in plain text as (start, length) ranges of the source string, so the
/// chunker can cut at the most natural boundary that keeps a chunk under its token limit. Ranges are trimmed of
/// whitespace; whatever lies between two ranges is whitespace only, so no visible character is ever dropped.
/// </summary>
internal static class TextSegmenter
{
    /// <summary>Runs of non-blank lines; a line holding only whitespace separates paragraphs.</summary>
    public static List<(int Start, int Length)> Paragraphs(string text)
    {
        var result = new List<(int, int)>();
        int? start = null;
        var end = 0;
        var lineStart = 0;
        while (lineStart <= text.Length)
        {
            var newline = text.IndexOf('\n', lineStart);
            var lineEnd = newline < 0 ? text.Length : newline;
            if (IsBlank(text.AsSpan(lineStart, lineEnd - lineStart)))
            {
                Flush();
            }
            else
            {
                start ??= lineStart;
                end = lineEnd;
            }

            if (newline < 0)
            {
                break;
            }

            lineStart = newline + 1;
        }

        Flush();
        return result;

        void Flush()
        {
            if (start is int s && Trim(text, s, end) is { Length: > 0 } range)
            {
                result.Add(range);
            }

            start = null;
        }
    }

    /// <summary>
    /// Sentences of one paragraph: a cut follows terminal punctuation (and closing quotes or brackets) that is followed by
    /// whitespace and then not by a lower-case letter ("e.g. this" stays together); CJK full stops need no whitespace.
    /// <c>NewlineBefore</c> tells whether the whitespace before the sentence held a line break.
    /// </summary>
    public static List<(int Start, int Length, bool NewlineBefore)> Sentences(string text, int start, int length)
    {
        var result = new List<(int, int, bool)>();
        var end = start + length;
        var sentenceStart = start;
        var newlineBefore = false;
        var i = start;
        while (i < end)
        {
            if (!IsTerminal(text[i]))
            {
                i++;
                continue;
            }

            var cjk = false;
            var j = i;
            while (j < end && IsTerminal(text[j]))
            {
                cjk |= IsCjkTerminal(text[j]);
                j++;
            }

            while (j < end && IsCloser(text[j]))
            {
                j++;
            }

            if (j >= end || !(cjk || char.IsWhiteSpace(text[j])))
            {
                i = j;
                continue;
            }

            var next = j;
            var gapHasNewline = false;
            while (next < end && char.IsWhiteSpace(text[next]))
            {
                gapHasNewline |= text[next] == '\n';
                next++;
            }

            if (next >= end)
            {
                break;
            }

            if (!cjk && char.IsLower(text[next]))
            {
                i = next;
                continue;
            }

            if (Trim(text, sentenceStart, j) is { Length: > 0 } sentence)
            {
                result.Add((sentence.Start, sentence.Length, newlineBefore));
            }

            sentenceStart = next;
            newlineBefore = gapHasNewline;
            i = next;
        }

        if (Trim(text, sentenceStart, end) is { Length: > 0 } last)
        {
            result.Add((last.Start, last.Length, newlineBefore));
        }

        return result;
    }

    /// <summary>Non-blank lines of a range.</summary>
    public static List<(int Start, int Length)> Lines(string text, int start, int length)
    {
        var result = new List<(int, int)>();
        var end = start + length;
        var lineStart = start;
        while (lineStart < end)
        {
            var newline = text.IndexOf('\n', lineStart, end - lineStart);
            var lineEnd = newline < 0 ? end : newline;
            if (Trim(text, lineStart, lineEnd) is { Length: > 0 } line)
            {
                result.Add(line);
            }

            lineStart = lineEnd + 1;
        }

        return result;
    }

    /// <summary>Whitespace-separated words of a range.</summary>
    public static List<(int Start, int Length)> Words(string text, int start, int length)
    {
        var result = new List<(int, int)>();
        var end = start + length;
        var i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var wordStart = i;
            while (i < end && !char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i > wordStart)
            {
                result.Add((wordStart, i - wordStart));
            }
        }

        return result;
    }

    public static bool EndsSentence(string text)
    {
        var i = text.Length - 1;
        while (i >= 0 && IsCloser(text[i]))
        {
            i--;
        }

        return i >= 0 && IsTerminal(text[i]);
    }

    public static bool ContainsWhiteSpace(string text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static (int Start, int Length) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end - start);
    }

    private static bool IsBlank(ReadOnlySpan<char> line) => line.IsWhiteSpace();

    private static bool IsTerminal(char c) => c is '.' or '!' or '?' or '…' || IsCjkTerminal(c);

    private static bool IsCjkTerminal(char c) => c is '。' or '！' or '？' or '｡';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '}' or '”' or '’' or '»' or '」' or '』' or '）';
}
