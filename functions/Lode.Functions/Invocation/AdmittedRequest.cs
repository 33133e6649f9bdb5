using Lode.Identity;
using Microsoft.AspNetCore.Http;

namespace Lode.Functions.Invocation;

/// <summary>
/// What the pipeline established about a request before its function runs (the authenticated caller, the read body),
/// kept on the HttpContext for the parameter binders of both hosting modes.
/// </summary>
public sealed record AdmittedRequest(Caller? Caller, object? Body)
{
    private static readonly object Key = new();

    public static AdmittedRequest? Of(HttpContext http) => http.Items.TryGetValue(Key, out var admitted) ? admitted as AdmittedRequest : null;

    internal void AttachTo(HttpContext http) => http.Items[Key] = this;
}
