namespace Lode.Ingestion.Extraction;

/// <summary>
/// How deep a document's structure may nest before it is refused. Real documents nest a few dozen levels (lists in
/// quotes in tables); thousands of levels only come from generators gone wrong or from an attack aimed at a
/// recursive parser, and no reader needs such text. Refusing is permanent and says why, where flattening would
/// still hand an unbounded structure to the parsers that build it.
/// </summary>
public static class NestingLimit
{
    /// <summary>The deepest nesting accepted: well above any real document, well below what overflows a stack.</summary>
    public const int MaxDepth = 256;

    public static RejectedDocumentException TooDeep(string what, Exception? inner = null) =>
        new(RejectionReason.TooDeeplyNested, $"The {what} nests deeper than {MaxDepth} levels.", inner);

    /// <summary>Throws once <paramref name="depth"/> passes <see cref="MaxDepth"/>.</summary>
    public static void Check(int depth, string what)
    {
        if (depth > MaxDepth) throw TooDeep(what);
    }
}
