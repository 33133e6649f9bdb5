namespace Lode.Ocr;

/// <summary>
/// Checks at start-up that the configured languages are installed, so a site learns it lacks <c>deu</c> from the
/// start-up error (naming the Debian package) rather than from German scans that index as gibberish.
/// </summary>
public static class OcrInstallation
{
    /// <summary>Tesseract's script and orientation data; page segmentation mode 1 uses it to turn rotated scans.</summary>
    public const string OrientationData = "osd";

    /// <summary>The problems with <paramref name="installed"/> for <paramref name="options"/>, each naming what to install; empty when fine.</summary>
    public static IReadOnlyList<string> Problems(OcrOptions options, OcrEngineInfo installed)
    {
        var have = installed.Languages.ToHashSet(StringComparer.Ordinal);
        return options.LanguageList().Append(OrientationData)
            .Where(language => !have.Contains(language))
            .Select(language => $"Tesseract language '{language}' is not installed (Ocr:Languages is '{options.Languages}'): " +
                $"install the Debian package {PackageFor(language)}.")
            .ToList();
    }

    /// <summary>Debian names language packs tesseract-ocr-&lt;code&gt; with '_' as '-': chi_sim → tesseract-ocr-chi-sim.</summary>
    public static string PackageFor(string language) => "tesseract-ocr-" + language.Replace('_', '-');
}
