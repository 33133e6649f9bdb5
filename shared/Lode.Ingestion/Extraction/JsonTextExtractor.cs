using System.Text;
using System.Text.Json;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// JSON flattened to one <c>path: value</c> line per leaf (<c>orders[2].customer.name: Ada</c>). Pretty-printed JSON
/// would split an object across chunks and leave a value far from the keys that give it meaning; a flattened line
/// carries its whole path, so each line is searchable on its own. Invalid JSON is rejected as corrupt.
/// </summary>
public sealed class JsonTextExtractor : ITextExtractor
{
    private static readonly JsonDocumentOptions Options = new()
    {
        // Configuration-style files often carry comments and trailing commas; they are still the author's data.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    public IReadOnlyCollection<string> Extensions { get; } = [".json"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["application/json", "text/json"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        var text = TextDecoder.Decode(content, limits);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, Options);
        }
        catch (JsonException ex)
        {
            throw new RejectedDocumentException(RejectionReason.Corrupt, $"Invalid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var flattener = new Flattener(new TextBudget(limits), cancellationToken);
            flattener.Visit(document.RootElement);
            return ExtractedDocument.SinglePage(TextNormalizer.Normalize(flattener.Output.ToString()));
        }
    }

    private sealed class Flattener(TextBudget budget, CancellationToken cancellationToken)
    {
        private readonly StringBuilder _path = new();
        private int _lines;

        public StringBuilder Output { get; } = new();

        public void Visit(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var anyProperty = false;
                    foreach (var property in element.EnumerateObject())
                    {
                        anyProperty = true;
                        var length = _path.Length;
                        if (length > 0)
                        {
                            _path.Append('.');
                        }

                        _path.Append(property.Name);
                        Visit(property.Value);
                        _path.Length = length;
                    }

                    if (!anyProperty)
                    {
                        Line("{}");
                    }

                    break;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        var length = _path.Length;
                        _path.Append('[').Append(index++).Append(']');
                        Visit(item);
                        _path.Length = length;
                    }

                    if (index == 0)
                    {
                        Line("[]");
                    }

                    break;
                case JsonValueKind.String:
                    // A line break inside a value would split the value from its path.
                    Line(element.GetString()!.ReplaceLineEndings(" "));
                    break;
                default:
                    // Numbers keep their exact spelling; true, false and null read as themselves.
                    Line(element.GetRawText());
                    break;
            }
        }

        private void Line(string value)
        {
            if (++_lines % 10_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var start = Output.Length;
            if (_path.Length > 0)
            {
                Output.Append(_path).Append(": ");
            }

            Output.Append(value).Append('\n');
            budget.Charge(Output.Length - start);
        }
    }
}
