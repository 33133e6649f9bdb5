namespace Lode.Functions.Http;

/// <summary>The answer of POST api/documents/retry/{bucket}/{*key}: the document is queued and shows <see cref="Status"/>.</summary>
public sealed record RetriedDocument(string Bucket, string Key, string Status);

/// <summary>The answer of POST api/documents/retry-failed/{bucket}: how many failed documents were queued again.</summary>
public sealed record RetriedDocuments(string Bucket, string? Prefix, long Queued);
