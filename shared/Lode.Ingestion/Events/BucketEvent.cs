namespace Lode.Ingestion.Events;

/// <summary>What a notification says happened to one object. It is only a hint: the worker checks the object itself.</summary>
public sealed record BucketEvent(string EventName, string Bucket, string Key)
{
    public bool IsCreated => EventName.StartsWith("s3:ObjectCreated:", StringComparison.Ordinal);
    public bool IsRemoved => EventName.StartsWith("s3:ObjectRemoved:", StringComparison.Ordinal);
}

/// <summary>The webhook body is not a MinIO notification we can read.</summary>
public sealed class MalformedEventException(string message, Exception? inner = null) : Exception(message, inner);
