namespace Lode.Cli;

/// <summary>
/// A failure the operator can act on (a refusal by the app, an unreachable address, an upload the object store refused),
/// already phrased as one sentence; the command prints it on stderr and exits with 1. <see cref="Status"/> is the
/// app's HTTP status when it refused a request (null otherwise).
/// </summary>
public sealed class CliFailure(string message, Exception? inner = null, int? status = null) : Exception(message, inner)
{
    public int? Status { get; } = status;
}
