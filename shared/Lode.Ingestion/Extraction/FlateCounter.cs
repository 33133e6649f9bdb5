using System.IO.Compression;
using System.Runtime.InteropServices;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Counts what one Flate stream inflates to the way PdfPig's FlateFilter inflates it — the two zlib header bytes
/// skipped unread, raw deflate after, no checksum — into a scratch buffer, never into memory.
/// </summary>
internal static class FlateCounter
{
    /// <summary>Bytes inflated from <paramref name="source"/>'s position, reading at most about <paramref name="cap"/>;
    /// what was produced before data that is not deflate still counts (PdfPig allocated it too).</summary>
    public static long InflatedLength(Stream source, long cap, CancellationToken cancellationToken)
    {
        // The zlib header, whatever it holds: PdfPig discards it unread.
        if (source.ReadByte() < 0 || source.ReadByte() < 0) return 0;
        using var inflater = new DeflateStream(source, CompressionMode.Decompress, leaveOpen: true);
        return Drain(inflater, cap, cancellationToken);
    }

    /// <summary>Reads <paramref name="source"/> to its end or past <paramref name="cap"/>, returning the bytes read.</summary>
    public static long Drain(Stream source, long cap, CancellationToken cancellationToken)
    {
        var scratch = new byte[81920];
        long produced = 0;
        try
        {
            int read;
            while (produced < cap && (read = source.Read(scratch, 0, scratch.Length)) > 0)
            {
                produced += read;
                if ((produced & 0xFFFFF) < read) cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (InvalidDataException)
        {
            // Damaged deflate ends the stream where it broke; what came before it counts.
        }
        return produced;
    }

    /// <summary>A read-only stream over <paramref name="data"/>, without copying it when it is an array's slice.</summary>
    public static MemoryStream AsStream(ReadOnlyMemory<byte> data) =>
        MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);
}
