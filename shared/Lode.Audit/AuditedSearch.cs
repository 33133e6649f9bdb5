using Lode.Identity;
using Lode.Retrieval;

namespace Lode.Audit;

/// <summary>
/// The retriever as the search surface reaches it: each search is one row, with the documents it returned. With
/// <see cref="AuditOptions.Required"/>, a search whose row cannot be written throws
/// <see cref="AuditUnavailableException"/> and its results are not handed on.
/// </summary>
public sealed class AuditedSearch(IRetriever retriever, AuditLog log)
{
    public async Task<IReadOnlyList<RetrievedChunk>> SearchAsync(Caller caller, SearchRequest search, CancellationToken ct)
    {
        var found = await retriever.SearchAsync(search, ct);
        await log.RecordAsync(new AuditEntry(caller, AuditSurfaces.Search, search.Query, Answer: null, AnswerMode: null,
            AuditSourceLists.Of(found), AuditOutcomes.Ok), CancellationToken.None);
        return found;
    }
}
