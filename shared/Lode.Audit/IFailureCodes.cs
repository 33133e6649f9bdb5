namespace Lode.Audit;

/// <summary>
/// Names the outcome of a question that failed: the error code the caller was (or would have been) answered with, so a
/// row and the response agree. The audit trail knows no HTTP; the host that maps exceptions to codes supplies this.
/// </summary>
public interface IFailureCodes
{
    string CodeOf(Exception error);
}
