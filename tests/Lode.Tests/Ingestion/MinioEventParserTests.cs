using System.Text;
using Lode.Ingestion.Events;

namespace Lode.Tests.Ingestion;

public sealed class MinioEventParserTests
{
    // Shape of a real MinIO webhook body (trimmed of fields the parser does not read, plus one it must tolerate).
    private static string Body(string eventName, string bucket, string escapedKey) => $$"""
        {
          "EventName": "{{eventName}}",
          "Key": "{{bucket}}/raw",
          "Records": [{
            "eventVersion": "2.0", "eventSource": "minio:s3", "awsRegion": "", "eventTime": "2026-11-27T10:00:00.000Z",
            "eventName": "{{eventName}}",
            "userIdentity": { "principalId": "minioadmin" },
            "s3": {
              "s3SchemaVersion": "1.0", "configurationId": "Config",
              "bucket": { "name": "{{bucket}}", "ownerIdentity": { "principalId": "minioadmin" }, "arn": "arn:aws:s3:::{{bucket}}" },
              "object": { "key": "{{escapedKey}}", "size": 1024, "eTag": "abc", "contentType": "application/pdf", "sequencer": "17" },
              "futureField": { "nested": [1, 2, 3] }
            },
            "source": { "host": "127.0.0.1", "port": "", "userAgent": "MinIO" }
          }]
        }
        """;

    private static IReadOnlyList<BucketEvent> Parse(string json) => MinioEventParser.Parse(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("report.pdf", "report.pdf")]
    [InlineData("dir%2Fsub%2Fa+b.pdf", "dir/sub/a b.pdf")]
    [InlineData("c%2B%2B+notes.md", "c++ notes.md")]
    [InlineData("%C3%BCber%2F%E6%97%A5%E6%9C%AC.txt", "über/日本.txt")]
    [InlineData("100%25.txt", "100%.txt")]
    public void Keys_are_decoded_as_Go_query_escaping_encoded_them(string escaped, string expected)
    {
        var parsed = Assert.Single(Parse(Body("s3:ObjectCreated:Put", "docs", escaped)));
        Assert.Equal(expected, parsed.Key);
        Assert.Equal("docs", parsed.Bucket);
        Assert.True(parsed.IsCreated);
    }

    [Theory]
    [InlineData("s3:ObjectCreated:Put", true)]
    [InlineData("s3:ObjectCreated:CompleteMultipartUpload", true)]
    [InlineData("s3:ObjectCreated:Copy", true)]
    [InlineData("s3:ObjectRemoved:Delete", true)]
    [InlineData("s3:ObjectRemoved:DeleteMarkerCreated", true)]
    [InlineData("s3:ObjectAccessed:Get", false)]
    [InlineData("s3:BucketCreated", false)]
    [InlineData("s3:Replication:OperationFailedReplication", false)]
    public void Only_created_and_removed_events_are_kept(string eventName, bool kept)
    {
        Assert.Equal(kept ? 1 : 0, Parse(Body(eventName, "docs", "a.pdf")).Count);
    }

    [Fact]
    public void AWS_style_event_names_without_prefix_are_understood()
    {
        var parsed = Assert.Single(Parse(Body("ObjectRemoved:Delete", "docs", "a.pdf")));
        Assert.Equal("s3:ObjectRemoved:Delete", parsed.EventName);
        Assert.True(parsed.IsRemoved);
    }

    [Fact]
    public void Several_records_are_all_read()
    {
        var body = """
            {"Records":[
              {"eventName":"s3:ObjectCreated:Put","s3":{"bucket":{"name":"a"},"object":{"key":"1"}}},
              {"eventName":"s3:ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"2"}}}
            ]}
            """;
        var events = Parse(body);
        Assert.Equal([("a", "1"), ("b", "2")], events.Select(e => (e.Bucket, e.Key)));
    }

    [Fact]
    public void A_body_without_records_is_empty_not_an_error() => Assert.Empty(Parse("""{"EventName":"s3:TestEvent"}"""));

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"Records\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"Records\":{}}")]
    [InlineData("{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\"}]}")]
    [InlineData("{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{}}}]}")]
    [InlineData("{\"Records\":[42]}")]
    // Values PostgreSQL cannot store (they would fail a shared intake commit): NUL after unescaping, a lone surrogate.
    [InlineData("{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"a%00b\"}}}]}")]
    [InlineData("{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\\u0000\"},\"object\":{\"key\":\"k\"}}}]}")]
    [InlineData("{\"Records\":[{\"eventName\":\"s3:ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"b\"},\"object\":{\"key\":\"\\ud800x\"}}}]}")]
    public void Malformed_bodies_are_rejected_with_a_reason(string body)
    {
        var error = Assert.Throws<MalformedEventException>(() => Parse(body));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData(1_024, true)]
    [InlineData(1_025, false)]
    public void A_key_longer_than_S3_allows_is_refused(int bytes, bool accepted)
    {
        // "é" is two UTF-8 bytes: the limit counts bytes, as S3 and MinIO do, not characters.
        var key = new string('k', bytes % 2) + string.Concat(Enumerable.Repeat("%C3%A9", bytes / 2));
        var body = Body("s3:ObjectCreated:Put", "docs", key);
        if (accepted) Assert.Equal(bytes, Encoding.UTF8.GetByteCount(Assert.Single(Parse(body)).Key));
        else Assert.Throws<MalformedEventException>(() => Parse(body));
    }

    [Theory]
    [InlineData(63, true)]
    [InlineData(64, false)]
    public void A_bucket_name_longer_than_S3_allows_is_refused(int chars, bool accepted)
    {
        var body = Body("s3:ObjectCreated:Put", new string('b', chars), "k");
        if (accepted) Assert.Single(Parse(body));
        else Assert.Throws<MalformedEventException>(() => Parse(body));
    }
}
