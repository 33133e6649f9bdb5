using System.Text.Json;

namespace Lode.Functions.Http;

/// <summary>How the API reads and writes JSON: the web defaults (camelCase, case-insensitive names on reading).</summary>
public static class HttpJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
