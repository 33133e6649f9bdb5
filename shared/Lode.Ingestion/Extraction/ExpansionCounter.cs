using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Counts what PdfPig's LZW and RunLength filters will produce from a stream, without producing it. PdfPig 0.1.16's
/// own filters cannot be asked: they decode the whole stream into memory (a kilobyte of LZW codes may stand for
/// megabytes, two RunLength bytes for 128), and its LZW filter throws on any input cut short of its end-of-data code,
/// so it cannot be fed a prefix either. So these walk the codes as PdfPig 0.1.16 does (LzwFilter, RunLengthFilter,
/// read from the package), keeping only lengths: same code widths and EarlyChange, same table growth, same stops.
/// Where PdfPig throws part-way (codes run out without end-of-data, a literal run cut short), what it had written
/// before the throw is counted: it was allocated. A PNG predictor after LZW only shortens the output, so it is not
/// modelled. Once a stream is known to fit, PdfPig's own filter decodes it when a later stage needs the bytes.
/// </summary>
internal static class ExpansionCounter
{
    private const int ClearTable = 256;
    private const int EndOfData = 257;
    private const int FirstFreeCode = 258;
    private const int MaxCode = 4095;       // codes are at most 12 bits: table entries past it are never read
    private const byte RunLengthEnd = 128;

    public static bool IsLzw(string filterName) => filterName is "LZWDecode" or "LZW";

    public static bool IsRunLength(string filterName) => filterName is "RunLengthDecode" or "RL";

    public static bool Counts(string filterName) => IsLzw(filterName) || IsRunLength(filterName);

    public static bool Counts(IFilter filter) => filter is LzwFilter or RunLengthFilter;

    /// <summary>Bytes <paramref name="filter"/> will produce from <paramref name="input"/>, counting stopped soon after
    /// <paramref name="cap"/>.</summary>
    public static long Length(IFilter filter, ReadOnlySpan<byte> input, DictionaryToken streamDictionary, int filterIndex, long cap) =>
        filter is LzwFilter ? LzwLength(input, EarlyChange(streamDictionary, filterIndex), cap) : RunLengthLength(input, cap);

    /// <summary>As <see cref="Length(IFilter, ReadOnlySpan{byte}, DictionaryToken, int, long)"/>, by the filter's name.</summary>
    public static long Length(string filterName, ReadOnlySpan<byte> input, DictionaryToken streamDictionary, int filterIndex, long cap) =>
        IsLzw(filterName) ? LzwLength(input, EarlyChange(streamDictionary, filterIndex), cap) : RunLengthLength(input, cap);

    /// <summary>PdfPig's filter for a name this counter counts.</summary>
    public static IFilter Filter(string filterName) => IsLzw(filterName) ? new LzwFilter() : new RunLengthFilter();

    public static long LzwLength(ReadOnlySpan<byte> input, bool earlyChange, long cap)
    {
        // lengths[code]: how many bytes the code stands for. The table's size goes on growing past 4096 as PdfPig's
        // does (it decides the code width), but entries past 4095 cannot be named by a 12-bit code.
        Span<int> lengths = stackalloc int[MaxCode + 1];
        lengths[..256].Fill(1);
        var widthOffset = earlyChange ? 0 : 1;
        long tableSize = FirstFreeCode;
        var width = 9;
        var previous = -1;
        long produced = 0;
        long bit = 0;
        var totalBits = (long)input.Length * 8;
        while (produced <= cap && bit + width <= totalBits)
        {
            var code = ReadCode(input, bit, width);
            bit += width;
            if (code == ClearTable)
            {
                tableSize = FirstFreeCode;
                previous = -1;
                width = 9;
                continue;
            }
            if (code == EndOfData) break;
            int length;
            if (code < tableSize)
            {
                length = lengths[code];
                if (previous >= 0) Add(lengths, ref tableSize, lengths[previous] + 1);
            }
            else
            {
                // A code not yet in the table: the previous sequence plus its own first byte. With no previous
                // sequence PdfPig throws (a key of -1).
                if (previous < 0) break;
                length = lengths[previous] + 1;
                Add(lengths, ref tableSize, length);
            }
            produced += length;
            previous = code;
            width = tableSize < 2047 + widthOffset ? tableSize < 1023 + widthOffset ? tableSize < 511 + widthOffset ? 9 : 10 : 11 : 12;
        }
        return produced;
    }

    public static long RunLengthLength(ReadOnlySpan<byte> input, long cap)
    {
        long produced = 0;
        var i = 0;
        while (i < input.Length && produced <= cap)
        {
            var runLength = input[i];
            if (runLength == RunLengthEnd) break;
            if (runLength <= 127)
            {
                // runLength + 1 literal bytes; PdfPig writes those present, then throws past the end.
                var literal = runLength + 1;
                produced += Math.Min(literal, input.Length - i - 1);
                i += literal + 1;
            }
            else
            {
                // The next byte 257 - runLength times; PdfPig throws when that byte is missing.
                if (i + 1 >= input.Length) break;
                produced += 257 - runLength;
                i += 2;
            }
        }
        return produced;
    }

    private static void Add(Span<int> lengths, ref long tableSize, int length)
    {
        if (tableSize <= MaxCode) lengths[(int)tableSize] = length;
        tableSize++;
    }

    /// <summary>A code of <paramref name="width"/> bits, most significant first, as PdfPig's BitStream reads it.</summary>
    private static int ReadCode(ReadOnlySpan<byte> input, long bit, int width)
    {
        var code = 0;
        for (var n = 0; n < width; n++, bit++)
        {
            code = (code << 1) | ((input[(int)(bit >> 3)] >> (7 - (int)(bit & 7))) & 1);
        }
        return code;
    }

    /// <summary>/EarlyChange from the stage's decode parameters, found as PdfPig finds them; 1 when absent.</summary>
    private static bool EarlyChange(DictionaryToken streamDictionary, int filterIndex) =>
        !DecodeParameterResolver.GetFilterParameters(streamDictionary, filterIndex).TryGet<NumericToken>(NameToken.EarlyChange, out var value)
        || value is null || value.Int == 1;
}
