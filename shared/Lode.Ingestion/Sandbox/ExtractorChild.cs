using System.Diagnostics;
using Lode.Extraction.Protocol;

namespace Lode.Ingestion.Sandbox;

/// <summary>
/// One running Lode.Extractor process, used by one document at a time. Any failure of an exchange (deadline, output
/// over the cap, a death, a protocol violation) kills it: a child is reused only after a complete, well-formed answer.
/// It has a temporary folder of its own, deleted once it is gone: a killed child never runs its own clean-up, and OCR
/// keeps a full copy of the document there while it reads it.
/// </summary>
internal sealed class ExtractorChild : IDisposable
{
    private readonly Process _process;
    private readonly ChildLimits _limits;
    private readonly StandardErrorTail _stderr;
    private readonly DirectoryInfo _temporary;

    private ExtractorChild(Process process, ChildLimits limits, DirectoryInfo temporary)
    {
        _process = process;
        _limits = limits;
        _temporary = temporary;
        _stderr = new StandardErrorTail(process.StandardError.BaseStream);
    }

    public int DocumentsServed { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a child and waits for its greeting; a child that does not greet in time is killed.</summary>
    public static async Task<ExtractorChild> StartAsync(ChildCommand command, ChildLimits limits, CancellationToken cancellationToken)
    {
        // Created by the app (owner-only, a fresh random name), so the child cannot be pointed at a folder it did not get.
        var temporary = Directory.CreateTempSubdirectory("lode-extractor-");
        Process process;
        try
        {
            process = Process.Start(command.StartInfo(limits, temporary.FullName))
                      ?? throw new InvalidOperationException("The sandboxed extractor did not start.");
        }
        catch
        {
            temporary.Delete(recursive: true);
            throw;
        }
        var child = new ExtractorChild(process, limits, temporary);
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
        // Its tools are killed with it (the whole tree); once it is reaped nothing writes to its folder any more.
        try { _process.WaitForExit(ExitWait); }
        catch (InvalidOperationException) { /* never started */ }
        _process.Dispose();
        DeleteTemporary();
    }

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);

    private void DeleteTemporary()
    {
        // A killed tool's last file may land while the folder is being emptied: a second pass removes it.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (_temporary.Exists) _temporary.Delete(recursive: true);
                return;
            }
            catch (IOException) when (attempt < 3)
            {
                _temporary.Refresh();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the operator rather than failing the document: the folder is the app user's own (mode 700).
                return;
            }
        }
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
