namespace Lode.Ocr;

/// <summary>Reads the text of page images. Implementations run an engine out of process; one call is one image file.</summary>
public interface IOcrEngine
{
    /// <summary>
    /// The text of every page of the image at <paramref name="imagePath"/> (a multi-page TIFF has several), upright
    /// whatever the image's rotation. Throws <see cref="OcrFailedException"/> when the engine fails or passes
    /// <paramref name="timeout"/>; <see cref="OperationCanceledException"/> only for <paramref name="cancellationToken"/>.
    /// </summary>
    /// <param name="dpi">The image's resolution when the caller knows it (a rasterised page); null: the engine reads or estimates it.</param>
    Task<IReadOnlyList<OcrPage>> RecognizeAsync(string imagePath, int? dpi, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The engine's version and the languages it has installed, for health and start-up checks.</summary>
    Task<OcrEngineInfo> DescribeAsync(CancellationToken cancellationToken);
}

/// <summary>What the installed engine is and can read.</summary>
public sealed record OcrEngineInfo(string Version, IReadOnlyList<string> Languages);

/// <summary>One recognised page: its lines in reading order and the mean word confidence (0–100; null without words).</summary>
public sealed record OcrPage(int Number, IReadOnlyList<OcrLine> Lines, double? MeanConfidence)
{
    public string Text => string.Join('\n', Lines.Select(l => l.Text));

    public int WordCount => Lines.Sum(l => l.WordCount);
}

/// <summary>One recognised line: its words joined by spaces, its height and top in pixels, and where a paragraph begins.</summary>
public sealed record OcrLine(string Text, int WordCount, int HeightPixels, int TopPixels, bool StartsParagraph);

/// <summary>The engine could not read an image: it failed, timed out or the image is out of bounds. The message says which.</summary>
public sealed class OcrFailedException(string message, Exception? inner = null) : Exception(message, inner);
