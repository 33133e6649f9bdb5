using System.Diagnostics;
using Lode.Extraction.Protocol;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// One running Lode.Extractor process, used by one document at a time. Any failure of an exchange (deadline, output
/// over the cap, a death, a protocol violation) kills it: a child is reused only after a complete, well-formed answer.
/// </summary>
internal sealed class ExtractorChild : IDisposable
{
    private readonly Process _process;
    private readonly ChildLimits _limits;
    private readonly StandardErrorTail _stderr;

    private ExtractorChild(Process process, ChildLimits limits)
    {
        _process = process;
        _limits = limits;
        _stderr = new StandardErrorTail(process.StandardError.BaseStream);
    }

    public int DocumentsServed { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a child and waits for its greeting; a child that does not greet in time is killed.</summary>
    public static async Task<ExtractorChild> StartAsync(ChildCommand command, ChildLimits limits, CancellationToken cancellationToken)
    {
        var process = Process.Start(command.StartInfo(limits))
                      ?? throw new InvalidOperationException("The sandboxed extractor did not start.");
        var child = new ExtractorChild(process, limits);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(ChildLimits.StartTimeout);
            var greeting = new byte[ExtractionProtocol.GreetingBytes];
            var read = await process.StandardOutput.BaseStream.ReadAtLeastAsync(greeting, greeting.Length, false, deadline.Token);
            if (read < greeting.Length || !ExtractionProtocol.IsGreeting(greeting))
            {
                throw new InvalidOperationException(
                    $"The sandboxed extractor did not greet with protocol version {ExtractionProtocol.Version} " +
                    $"(exit code {(process.HasExited ? process.ExitCode : null)}).");
            }
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one document and reads the answer within the wall-clock deadline, the output cap and the per-document CPU
    /// budget. Throws <see cref="ChildFailureException"/> when the child had to be killed or died.
    /// </summary>
    public async Task<ExtractionResponse> ExtractAsync(ExtractionRequest request, CancellationToken cancellationToken)
    {
        DocumentsServed++;
        SetCpuBudget();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_limits.Wall);
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            await ExtractionProtocol.WriteFrameAsync(stdin, request.Serialize(), deadline.Token);
            var payload = await ExtractionProtocol.ReadFrameAsync(_process.StandardOutput.BaseStream, _limits.MaxOutputBytes, deadline.Token);
            if (payload is null) throw await DiedAsync();
            return ExtractionResponse.Deserialize(payload);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Kill();
            throw;
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new ChildFailureException(ChildFailure.WallTime,
                $"extraction exceeded {_limits.Wall.TotalSeconds:0} s wall time and was killed " +
                "(Ingestion:Sandbox:WallSeconds, default Ingestion:ExtractionTimeoutSeconds)");
        }
        catch (FrameTooLargeException)
        {
            Kill();
            throw new ChildFailureException(ChildFailure.OutputTooLarge,
                $"extraction output exceeded {_limits.MaxOutputBytes >> 20} MB and the extractor was killed (Ingestion:Sandbox:MaxOutputMegabytes)");
        }
        catch (IOException)
        {
            // A broken pipe or a stream cut short: the child died mid-exchange.
            throw await DiedAsync();
        }
        catch (InvalidDataException e)
        {
            Kill();
            throw new ChildFailureException(ChildFailure.ProtocolViolation, $"the extractor answered out of protocol ({e.Message}) and was killed");
        }
    }

    /// <summary>Whether the child may take another document: alive, within its document count and lifetime CPU.</summary>
    public bool CanServeAnother()
    {
        if (_process.HasExited || DocumentsServed >= _limits.DocumentsPerChild) return false;
        return UsedCpuSeconds() + _limits.CpuSeconds <= _limits.LifetimeCpuSeconds;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void SetCpuBudget() => ProcessLimits.SetCpuSoftLimit(_process.Id, UsedCpuSeconds() + _limits.CpuSeconds);

    private long UsedCpuSeconds()
    {
        _process.Refresh();
        return (long)Math.Ceiling(_process.TotalProcessorTime.TotalSeconds);
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
    }

    // Why the child is gone, from its exit status and the last words the runtime wrote to stderr.
    private async Task<ChildFailureException> DiedAsync()
    {
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException)
            {
                // Its output ended but it lives on: it broke the protocol.
                Kill();
                return new ChildFailureException(ChildFailure.ProtocolViolation, "the extractor closed its output without answering and was killed");
            }
        }
        var lastWords = await _stderr.CompletedTextAsync(TimeSpan.FromSeconds(5));
        return ChildFailureClassifier.Classify(_process.ExitCode, lastWords, _limits);
    }
}
