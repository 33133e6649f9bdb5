using System.Text.Json;

namespace Lode.Cli;

/// <summary>Every document of <c>GET api/documents</c> matching the filters, following the keyset pages (<c>next</c>).</summary>
public static class DocumentListing
{
    private const int PageSize = 500;

    public static async IAsyncEnumerable<JsonElement> ListAsync(LodeApi api, string? bucket, string? prefix, string? status,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var query = LodeApi.Query(("bucket", bucket), ("prefix", prefix), ("status", status), ("limit", PageSize.ToString()), ("cursor", cursor));
            var page = await api.GetAsync($"api/documents?{query}", ct);
            foreach (var document in page.GetProperty("documents").EnumerateArray()) yield return document;
            cursor = page.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        } while (cursor is not null);
    }

    public static string Describe(JsonElement document)
    {
        var status = Text(document, "status");
        var line = $"{status,-8} {Text(document, "bucket")}/{Text(document, "key")}";
        if (status == "indexed" && document.TryGetProperty("chunks", out var chunks) && chunks.ValueKind == JsonValueKind.Number)
            line += $"  {chunks.GetInt32()} chunks";
        if (status == "failed") line += $"  after {document.GetProperty("attempts").GetInt32()} attempts: {Text(document, "error")}";
        return line;
    }

    public static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
