using Lode.Audit;

namespace Lode.Functions.Http;

/// <summary>The audit trail records a failed answer under the code the API answers it with (<see cref="ApiProblems"/>).</summary>
public sealed class ApiFailureCodes : IFailureCodes
{
    public string CodeOf(Exception error) => ApiProblems.CodeOf(error);
}
