using Lode.Chat;
using Lode.Retrieval;

namespace Lode.Audit;

/// <summary>The documents a row names, each page once, in the order they were returned or cited.</summary>
internal static class AuditSourceLists
{
    public static List<AuditSource> Distinct(IEnumerable<AuditSource> sources) => sources.Distinct().ToList();

    public static List<AuditSource> Of(IEnumerable<Citation> citations) =>
        Distinct(citations.Select(c => new AuditSource(c.Bucket, c.Key, c.Page)));

    public static List<AuditSource> Of(IEnumerable<RetrievedChunk> chunks) =>
        Distinct(chunks.Select(c => new AuditSource(c.Bucket, c.Key, c.PageStart)));
}
