using System.Text;
using Lode.Chat;

namespace Lode.Audit;

/// <summary>
/// What one chat answer has come to so far, and its one row in the trail: opened before the first event goes out
/// (streams under <see cref="AuditOptions.Required"/>, by <see cref="AuditLog.OpenStreamAsync"/>), completed with the
/// whole answer, or ended with the text sent until it failed or the caller went away, whichever comes first.
/// </summary>
internal sealed class AnswerRecord(AuditLog log, IFailureCodes codes, AuditEntry entry, bool streamed)
{
    private readonly StringBuilder _sent = new();
    private AuditEntry _entry = entry;
    private long? _opened;
    private bool _ended;

    public async Task ObserveAsync(ChatEvent chatEvent)
    {
        switch (chatEvent)
        {
            case SourcesFound found:
                // What the caller may be shown; the sources actually cited replace them when the answer is complete.
                _entry = _entry with { Sources = AuditSourceLists.Of(found.Sources) };
                if (streamed) _opened = await log.OpenStreamAsync(_entry, CancellationToken.None);
                break;
            case TextDelta delta:
                _sent.Append(delta.Text);
                break;
            case Completed done:
                _ended = true;
                await log.CompleteStreamAsync(_opened, _entry with
                {
                    Answer = done.Answer,
                    AnswerMode = AnswerModeNames.Of(done.Mode),
                    Sources = AuditSourceLists.Of(done.Citations),
                    Outcome = AuditOutcomes.Ok,
                }, CancellationToken.None);
                break;
        }
    }

    public Task FailedAsync(Exception error, CancellationToken ct)
    {
        if (error is not AuditUnavailableException)
            return EndAsync(error is OperationCanceledException && ct.IsCancellationRequested ? AuditOutcomes.Cancelled : codes.CodeOf(error));
        // The trail has just refused a write (and logged it): another attempt would only wait for it again.
        _ended = true;
        return Task.CompletedTask;
    }

    public Task AbandonedAsync() => EndAsync(AuditOutcomes.Cancelled);

    private async Task EndAsync(string outcome)
    {
        if (_ended) return;
        _ended = true;
        try
        {
            await log.CompleteStreamAsync(_opened, _entry with { Answer = _sent.Length > 0 ? _sent.ToString() : null, Outcome = outcome },
                CancellationToken.None);
        }
        catch (AuditUnavailableException)
        {
            // Already logged; the request is failing or gone anyway, so there is nobody left to refuse.
        }
    }
}
