namespace Lode.Ingestion.Links;

/// <summary>Configuration section <c>Uploads</c>: who may put documents into the indexed buckets through Lode.</summary>
public sealed class UploadOptions
{
    public const string SectionName = "Uploads";

    /// <summary>
    /// Callers in any of these groups may upload (<c>Uploads:Groups:0..n</c>); admins always may. Empty (the default):
    /// admins only. Uploading is writing into the knowledge base others read: grant it like write access to the bucket.
    /// </summary>
    public List<string> Groups { get; set; } = [];
}
