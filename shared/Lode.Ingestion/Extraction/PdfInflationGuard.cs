using System.IO.Compression;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Bounds what a PDF's compressed streams unpack to before PdfPig sees them. PdfPig inflates a whole content stream
/// into memory when a page is read, so a few hundred kilobytes of zeros compressed with Flate (a "PDF bomb") would
/// become gigabytes. This pass inflates every stream once into a counter — never into memory — and rejects the
/// document as soon as the total passes <see cref="ExtractionLimits.MaxDecompressedBytes"/>.
/// It counts what PdfPig will inflate, not what a strict zlib reader accepts: PdfPig's FlateFilter skips the two
/// header bytes without looking at them and inflates the rest as raw deflate (no header, no checksum), so a stream
/// with a broken zlib header is still inflated in full — and is counted in full here.
/// It does not parse dictionaries (a filter can hide behind an indirect reference): any <c>stream</c> keyword counts;
/// other data (JPEG, raw) is not valid deflate and stops after a few bytes.
/// </summary>
public static class PdfInflationGuard
{
    private static ReadOnlySpan<byte> StreamKeyword => "stream"u8;
    private static ReadOnlySpan<byte> EndPrefix => "end"u8;

    /// <exception cref="RejectedDocumentException">The streams inflate to more than the limit.</exception>
    public static void Check(Stream pdf, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        if (!pdf.CanSeek) throw new ArgumentException("The guard needs a seekable stream.", nameof(pdf));
        var start = pdf.Position;
        long total = 0;
        var scratch = new byte[81920];
        foreach (var dataStart in StreamDataOffsets(pdf, start, cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            pdf.Position = dataStart;
            total += InflatedLength(pdf, scratch, limits.MaxDecompressedBytes - total + 1, cancellationToken);
            if (total > limits.MaxDecompressedBytes)
            {
                pdf.Position = start;
                throw new RejectedDocumentException(RejectionReason.TooLarge,
                    $"The PDF's compressed streams unpack to more than {limits.MaxDecompressedBytes:N0} bytes (Ingestion:MaxDecompressedBytes).");
            }
        }
        pdf.Position = start;
    }

    /// <summary>
    /// Bytes one stream inflates to the way PdfPig inflates it (two bytes skipped, raw deflate after), reading at most
    /// <paramref name="cap"/> of them; what was produced before data that is not deflate.
    /// </summary>
    private static long InflatedLength(Stream pdf, byte[] scratch, long cap, CancellationToken cancellationToken)
    {
        long produced = 0;
        try
        {
            // The zlib header, whatever it holds: PdfPig discards it unread.
            if (pdf.ReadByte() < 0 || pdf.ReadByte() < 0) return 0;
            using var inflater = new DeflateStream(pdf, CompressionMode.Decompress, leaveOpen: true);
            int read;
            while (produced < cap && (read = inflater.Read(scratch, 0, scratch.Length)) > 0)
            {
                produced += read;
                if ((produced & 0xFFFFF) < read) cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (InvalidDataException)
        {
            // Not deflate, or damaged: what was produced until then still counts (PdfPig keeps it too).
        }
        return produced;
    }

    /// <summary>Offsets where stream data begins: after <c>stream</c> (not <c>endstream</c>) and its end-of-line.</summary>
    private static List<long> StreamDataOffsets(Stream pdf, long start, CancellationToken cancellationToken)
    {
        const int lookAhead = 8;  // "stream" + CR LF must be wholly inside the buffer to be judged
        const int lookBehind = 3; // "end" before it
        var offsets = new List<long>();
        var buffer = new byte[1 << 16];
        var carried = 0;          // bytes kept from the previous buffer: its unsearched tail plus the look-behind
        var from = 0;             // first position to search in this buffer
        var bufferStart = start;  // file offset of buffer[0]
        pdf.Position = start;
        int read;
        while ((read = pdf.Read(buffer, carried, buffer.Length - carried)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = carried + read;
            var span = buffer.AsSpan(0, length);
            var searchEnd = Math.Max(length - lookAhead, from);
            for (var i = from; i < searchEnd; i++)
            {
                // Search to the buffer's end: a keyword starting just before searchEnd extends past it.
                var found = span[i..].IndexOf(StreamKeyword);
                if (found < 0 || i + found >= searchEnd) break;
                i += found;
                var isEnd = i >= lookBehind && span.Slice(i - lookBehind, lookBehind).SequenceEqual(EndPrefix);
                var after = i + StreamKeyword.Length;
                var eol = span[after] == '\n' ? 1 : span[after] == '\r' ? (span[after + 1] == '\n' ? 2 : 1) : 0;
                if (!isEnd && eol > 0) offsets.Add(bufferStart + after + eol);
            }
            // Keep what was not searched, and the look-behind before it, at the front of the next buffer.
            var keepFrom = Math.Max(searchEnd - lookBehind, 0);
            span[keepFrom..].CopyTo(buffer);
            carried = length - keepFrom;
            from = searchEnd - keepFrom;
            bufferStart += keepFrom;
        }
        return offsets;
    }
}
