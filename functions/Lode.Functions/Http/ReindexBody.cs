namespace Lode.Functions.Http;

/// <summary>The body of POST api/reindex.</summary>
public sealed record ReindexBody(string? Bucket, string? Prefix, bool? Force);
