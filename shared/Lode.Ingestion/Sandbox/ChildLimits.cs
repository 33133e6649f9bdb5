namespace Lode.Ingestion.Sandbox;

/// <summary>The limits one child runs under, resolved from <see cref="SandboxOptions"/> and the ingestion options.</summary>
public sealed record ChildLimits(TimeSpan Wall, int CpuSeconds, long AddressSpaceBytes, long MaxOutputBytes, int DocumentsPerChild)
{
    /// <summary>Start-up and greeting: generous, a loaded two-core machine may take seconds to start a runtime.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>CPU seconds a child may use over its whole life (the hard RLIMIT_CPU, which cannot be raised later).</summary>
    public long LifetimeCpuSeconds => (long)CpuSeconds * DocumentsPerChild + 60;

    public static ChildLimits From(SandboxOptions sandbox, IngestionOptions ingestion)
    {
        var timeout = ingestion.ExtractionTimeoutSeconds;
        return new ChildLimits(
            Wall: TimeSpan.FromSeconds(sandbox.WallSeconds > 0 ? sandbox.WallSeconds : timeout),
            CpuSeconds: sandbox.CpuSeconds > 0 ? sandbox.CpuSeconds : timeout,
            AddressSpaceBytes: (long)sandbox.AddressSpaceMegabytes << 20,
            MaxOutputBytes: (long)sandbox.MaxOutputMegabytes << 20,
            DocumentsPerChild: sandbox.DocumentsPerChild);
    }
}
