namespace Lode.Tests.Support;

/// <summary>How <see cref="TestPdf"/> compresses its content stream.</summary>
public enum TestPdfCodec
{
    Flate,
    Lzw,
    RunLength,
}

/// <summary>
/// LZW and RunLength encoders as the PDF specification describes them (ISO 32000-1, 7.4.4 and 7.4.5): PdfPig decodes
/// these filters but encodes neither. Test-only; the LZW encoder clears its table when it is full, as the
/// specification asks, so 16 MiB of one byte still shrinks to a few kilobytes.
/// </summary>
public static class TestPdfCodecs
{
    public static byte[] Lzw(byte[] data)
    {
        const int clearTable = 256, endOfData = 257, firstFree = 258, maxCode = 4095;
        var writer = new BitWriter();
        var table = new Dictionary<(int Prefix, byte Next), int>();
        var next = firstFree;
        var width = 9;
        writer.Write(clearTable, width);
        var prefix = -1;
        foreach (var b in data)
        {
            if (prefix < 0) { prefix = b; continue; }
            if (table.TryGetValue((prefix, b), out var known)) { prefix = known; continue; }
            writer.Write(prefix, width);
            table[(prefix, b)] = next++;
            // EarlyChange 1: the width grows one code early, when the decoder's table reaches 511, 1023, 2047.
            if (next + 1 > (1 << width) && width < 12) width++;
            if (next >= maxCode)
            {
                writer.Write(clearTable, width);
                table.Clear();
                next = firstFree;
                width = 9;
            }
            prefix = b;
        }
        if (prefix >= 0) writer.Write(prefix, width);
        // The decoder adds an entry for that last code too before reading the next one.
        if (next + 2 > (1 << width) && width < 12) width++;
        writer.Write(endOfData, width);
        return writer.ToArray();
    }

    public static byte[] RunLength(byte[] data)
    {
        var output = new MemoryStream();
        var i = 0;
        while (i < data.Length)
        {
            var run = 1;
            while (i + run < data.Length && run < 128 && data[i + run] == data[i]) run++;
            if (run > 1)
            {
                output.WriteByte((byte)(257 - run));
                output.WriteByte(data[i]);
            }
            else
            {
                // A literal run up to the next repeat, at most 128 bytes.
                var literal = 1;
                while (i + literal < data.Length && literal < 128 && (i + literal + 1 >= data.Length || data[i + literal] != data[i + literal + 1])) literal++;
                output.WriteByte((byte)(literal - 1));
                output.Write(data, i, literal);
                run = literal;
            }
            i += run;
        }
        output.WriteByte(128);
        return output.ToArray();
    }

    /// <summary>Codes of any width, most significant bit first.</summary>
    private sealed class BitWriter
    {
        private readonly MemoryStream _bytes = new();
        private int _pending;
        private int _pendingBits;

        public void Write(int code, int width)
        {
            for (var bit = width - 1; bit >= 0; bit--)
            {
                _pending = (_pending << 1) | ((code >> bit) & 1);
                if (++_pendingBits == 8) { _bytes.WriteByte((byte)_pending); _pending = 0; _pendingBits = 0; }
            }
        }

        public byte[] ToArray()
        {
            if (_pendingBits > 0) _bytes.WriteByte((byte)(_pending << (8 - _pendingBits)));
            return _bytes.ToArray();
        }
    }
}
