using Lode.Ingestion.Extraction;

namespace Lode.Ingestion.Sandbox;

/// <summary>How a sandboxed extraction ended without an answer.</summary>
public enum ChildFailure
{
    WallTime,
    CpuTime,
    OutputTooLarge,
    OutOfMemory,
    StackOverflow,
    Crashed,
    ProtocolViolation,
}

/// <summary>The child was killed or died while extracting a document; the document can never be extracted as it is.</summary>
public sealed class ChildFailureException(ChildFailure failure, string message) : Exception(message)
{
    public ChildFailure Failure { get; } = failure;

    /// <summary>The permanent rejection the pipeline records: the document ends failed at once, never retried.</summary>
    public RejectedDocumentException ToRejection() => new(Failure switch
    {
        ChildFailure.WallTime or ChildFailure.CpuTime => RejectionReason.TimedOut,
        ChildFailure.OutputTooLarge or ChildFailure.OutOfMemory => RejectionReason.TooLarge,
        _ => RejectionReason.Corrupt,
    }, Message, this);
}

/// <summary>Names a child's death from its exit status (128 + signal on Unix) and the runtime's last words.</summary>
internal static class ChildFailureClassifier
{
    private const int SigKill = 9;
    private const int SigXcpu = 24;

    public static ChildFailureException Classify(int exitCode, string lastWords, ChildLimits limits)
    {
        if (lastWords.Contains("Stack overflow", StringComparison.Ordinal))
        {
            return new(ChildFailure.StackOverflow, "extraction crashed with a stack overflow (nesting too deep) and was stopped");
        }
        if (lastWords.Contains("Out of memory", StringComparison.Ordinal) || lastWords.Contains("OutOfMemory", StringComparison.Ordinal))
        {
            return new(ChildFailure.OutOfMemory,
                $"extraction ran out of memory (limit {limits.AddressSpaceBytes >> 20} MB of address space, " +
                "Ingestion:Sandbox:AddressSpaceMegabytes) and was stopped");
        }
        // SIGXCPU at the soft CPU limit; SIGKILL from the kernel at the hard one.
        if (exitCode is 128 + SigXcpu or 128 + SigKill)
        {
            return new(ChildFailure.CpuTime, $"extraction exceeded {limits.CpuSeconds} CPU seconds and was killed " +
                "(Ingestion:Sandbox:CpuSeconds, default Ingestion:ExtractionTimeoutSeconds)");
        }
        var status = exitCode switch
        {
            > 128 => $"signal {exitCode - 128}",
            _ => $"exit code {exitCode}",
        };
        return new(ChildFailure.Crashed, $"the extractor crashed ({status})");
    }
}
