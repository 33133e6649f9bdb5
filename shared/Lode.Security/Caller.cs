namespace Lode.Security;

/// <summary>An authenticated caller. The security work adds groups here; retrieval will filter by them.</summary>
public sealed record Caller(string Name, string AuthenticationMethod);
