using Lode.Tests.Support;
using Npgsql;

namespace Lode.Tests.Audit;

/// <summary>The database itself keeps audit_events append-only, whatever the application (or anyone with its role) sends.</summary>
public sealed class AuditTableTests : IAsyncLifetime
{
    private const string Question = "What is the leave policy?";

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    private Task<long> InsertAsync(string outcome) => _database.ScalarAsync<long>("""
        INSERT INTO audit_events (caller, auth_method, caller_groups, surface, question, outcome)
        VALUES ('alice', 'api-key', '{staff}', 'api/chat', $1, $2) RETURNING id
        """, Question, outcome);

    private async Task<string> RowAsync(long id) =>
        await _database.ScalarAsync<string>("SELECT concat_ws('|', caller, question, outcome, answer_chars) FROM audit_events WHERE id = $1", id);

    private async Task AssertRefusedAsync(string sql, params object[] parameters)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => _database.ExecuteAsync(sql, parameters));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("append-only", error.MessageText);
    }

    [Theory]
    [InlineData("UPDATE audit_events SET question = 'Something harmless?' WHERE id = $1")]
    [InlineData("UPDATE audit_events SET outcome = 'internal_error' WHERE id = $1")]
    [InlineData("UPDATE audit_events SET caller = 'mallory' WHERE id = $1")]
    [InlineData("DELETE FROM audit_events WHERE id = $1")]
    public async Task A_recorded_row_cannot_be_changed_or_deleted(string sql)
    {
        var id = await InsertAsync("ok");

        await AssertRefusedAsync(sql, id);

        Assert.Equal($"alice|{Question}|ok", await RowAsync(id));
    }

    [Fact]
    public async Task The_table_cannot_be_truncated()
    {
        await InsertAsync("ok");

        await AssertRefusedAsync("TRUNCATE audit_events");

        Assert.Equal(1L, await _database.ScalarAsync<long>("SELECT count(*) FROM audit_events"));
    }

    [Fact]
    public async Task A_row_written_before_its_answer_streamed_gets_its_outcome_once_and_keeps_who_asked_what()
    {
        var id = await InsertAsync("streaming");

        await AssertRefusedAsync("UPDATE audit_events SET outcome = 'ok', caller = 'mallory' WHERE id = $1", id);
        await AssertRefusedAsync("UPDATE audit_events SET outcome = 'ok', question = NULL WHERE id = $1", id);
        await AssertRefusedAsync("DELETE FROM audit_events WHERE id = $1", id);
        await _database.ExecuteAsync("UPDATE audit_events SET outcome = 'ok', answer_chars = 42 WHERE id = $1", id);
        await AssertRefusedAsync("UPDATE audit_events SET outcome = 'cancelled' WHERE id = $1", id);
        await AssertRefusedAsync("UPDATE audit_events SET outcome = 'streaming' WHERE id = $1", id);

        Assert.Equal($"alice|{Question}|ok|42", await RowAsync(id));
    }
}
