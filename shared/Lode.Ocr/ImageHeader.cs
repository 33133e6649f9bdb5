using System.Buffers.Binary;

namespace Lode.Ocr;

/// <summary>
/// Reads an image's pixel dimensions from its header (PNG, JPEG, TIFF: every page of a TIFF) without decoding it, so
/// an image that would unpack to gigabytes is refused before any decoder allocates for it. Any other format is refused
/// too: Tesseract's image library recognises formats by their bytes, not by the name or type the file came with, and
/// reads more than these three (PNM, BMP, GIF, WebP, …) — a kilobyte PNM uploaded as "scan.png" that claims
/// 40,000 × 40,000 pixels made Tesseract allocate 1.6 GB before it failed.
/// </summary>
public static class ImageHeader
{
    /// <summary>Pixels one page may have: an A3 page at 600 dpi is about 70 million; a 40,000-pixel square is 1.6 billion.</summary>
    public const long MaxPixels = 150_000_000;

    private const int MaxTiffPages = 10_000;

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void EnsureWithinBounds(string path)
    {
        using var file = File.OpenRead(path);
        var pages = Dimensions(file);
        if (pages.Count == 0)
            throw new OcrFailedException("The image is not a PNG, JPEG or TIFF whose size its header states; Lode reads only those.");
        foreach (var (width, height) in pages)
        {
            if ((long)width * height > MaxPixels)
                throw new OcrFailedException($"The image is {width:N0} × {height:N0} pixels; the limit is {MaxPixels:N0} pixels a page.");
        }
    }

    /// <summary>The width and height of each image in the file; empty for formats it does not know.</summary>
    public static IReadOnlyList<(int Width, int Height)> Dimensions(Stream file)
    {
        var head = new byte[26];
        if (file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length) return [];
        if (head.AsSpan(0, 8).SequenceEqual(PngSignature) && head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            return [(Clamped(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16))), Clamped(BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20))))];
        if (head[0] == 0xFF && head[1] == 0xD8) return Jpeg(file);
        if ((head[0] == 'I' && head[1] == 'I' && head[2] == 42) || (head[0] == 'M' && head[1] == 'M' && head[3] == 42)) return Tiff(file, head[0] == 'I');
        return [];
    }

    /// <summary>
    /// The first start-of-frame marker's height and width, walking the markers before it as libjpeg does: bytes that
    /// are not 0xFF between segments and 0xFF fill bytes before a marker code are skipped, and the standalone markers
    /// (TEM, RST0–7) carry no length.
    /// </summary>
    private static IReadOnlyList<(int, int)> Jpeg(Stream file)
    {
        file.Position = 2;
        var length = new byte[2];
        while (true)
        {
            int b;
            do b = file.ReadByte(); while (b is >= 0 and not 0xFF);
            if (b < 0) return [];
            int code;
            do code = file.ReadByte(); while (code == 0xFF);
            if (code is 0x01 or (>= 0xD0 and <= 0xD7)) continue;
            // The end of the data, the end of the image or the start of a scan, all before any frame: no size.
            if (code is < 0 or 0xD9 or 0xDA || file.ReadAtLeast(length, 2, throwOnEndOfStream: false) < 2) return [];
            if (code is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                var frame = new byte[5];
                if (file.ReadAtLeast(frame, 5, throwOnEndOfStream: false) < 5) return [];
                return [(BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(3)), BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(1)))];
            }

            var segment = BinaryPrimitives.ReadUInt16BigEndian(length);
            if (segment < 2) return [];
            file.Position += segment - 2;
        }
    }

    /// <summary>
    /// ImageWidth (256) and ImageLength (257) of every image file directory, following the chain (loops end at the page
    /// cap). Sizes are read in every type libtiff accepts for them — BYTE, SHORT, LONG, their signed forms, and LONG8 at
    /// its offset — and a tag given twice counts with its larger value (libtiff uses the first); a size in any other type
    /// counts as too large. Reading only SHORT and LONG, and the last of twin tags, let a 1 KB TIFF claim 100 pixels here
    /// and 40,000 to libtiff.
    /// </summary>
    private static IReadOnlyList<(int, int)> Tiff(Stream file, bool little)
    {
        var reader = new BinaryReader(file);
        uint Read32() => little ? reader.ReadUInt32() : BinaryPrimitives.ReverseEndianness(reader.ReadUInt32());
        ushort Read16() => little ? reader.ReadUInt16() : BinaryPrimitives.ReverseEndianness(reader.ReadUInt16());
        ulong Read64() => little ? reader.ReadUInt64() : BinaryPrimitives.ReverseEndianness(reader.ReadUInt64());

        long Size(ushort type)
        {
            switch (type)
            {
                case 1 or 6: return reader.ReadByte();
                case 3 or 8: return Read16();
                case 4 or 9: return Read32();
                case 16 or 17:
                    long at = Read32();
                    if (at + 8 > file.Length) return long.MaxValue;
                    file.Position = at;
                    return (long)Math.Min(Read64(), long.MaxValue);
                default: return long.MaxValue;
            }
        }

        var found = new List<(int, int)>();
        file.Position = 4;
        long next = Read32();
        while (next != 0 && found.Count < MaxTiffPages && next + 2 <= file.Length)
        {
            file.Position = next;
            var entries = Read16();
            long width = 0, height = 0;
            for (var e = 0; e < entries && file.Position + 12 <= file.Length; e++)
            {
                var tag = Read16();
                var type = Read16();
                Read32(); // count
                var valueField = file.Position;
                if (tag == 256) width = Math.Max(width, Size(type));
                if (tag == 257) height = Math.Max(height, Size(type));
                file.Position = valueField + 4;
            }

            found.Add(((int)Math.Min(width, int.MaxValue), (int)Math.Min(height, int.MaxValue)));
            if (file.Position + 4 > file.Length) break;
            next = Read32();
        }

        return found;
    }

    private static int Clamped(uint value) => (int)Math.Min(value, int.MaxValue);
}
