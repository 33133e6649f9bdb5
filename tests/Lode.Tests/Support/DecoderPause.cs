using Lode.Chat.Models.Batching;

namespace Lode.Tests.Support;

/// <summary>
/// Holds the batched engine's decoder thread after its next step until <see cref="Release"/>, so that a test can let
/// several requests be admitted before any of them makes progress: with the decoder held, the requests that arrive
/// meanwhile are certain to share steps once it runs again, however slowly the machine schedules their HTTP calls.
/// Admission does not need the decoder, so requests keep joining (and queueing) while it is held.
/// </summary>
internal sealed class DecoderPause : IDisposable
{
    // Never hold a shared app's decoder forever, even when a test dies before releasing it.
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(3);

    private readonly BatchedEngine _engine;
    private readonly ManualResetEventSlim _open = new(false);
    private int _held;

    public DecoderPause(BatchedEngine engine)
    {
        _engine = engine;
        engine.StepObserved = _ =>
        {
            Interlocked.Exchange(ref _held, 1);
            _open.Wait(Longest);
        };
    }

    /// <summary>True once the decoder has run a step and is being held after it.</summary>
    public bool Holding => Volatile.Read(ref _held) == 1 && !_open.IsSet;

    public void Release()
    {
        _engine.StepObserved = null;
        _open.Set();
    }

    public void Dispose() => Release(); // the event stays undisposed: the decoder may still be returning from Wait
}
