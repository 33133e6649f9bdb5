using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Lode.Tests.Teams;

/// <summary>What Teams sends an outgoing webhook: realistic activity JSON, signed the way Teams signs it.</summary>
public static class TeamsWebhook
{
    /// <summary>The webhook's own id in mentions (bots' ids start with 28:).</summary>
    public const string BotId = "28:4f9a1c2e-7d3b-4e8a-9b6c-1a2b3c4d5e6f";
    public const string BotName = "Lode";

    private static int _sequence;

    /// <summary>A security token as Teams shows it: base64 of 32 random bytes.</summary>
    public static string NewSecurityToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The header Teams sends: <c>HMAC</c> and the base64 HMAC-SHA256 of the exact body bytes, keyed with the
    /// base64-decoded security token.
    /// </summary>
    public static string Sign(string securityToken, byte[] body)
    {
        using var hmac = new HMACSHA256(Convert.FromBase64String(securityToken));
        return "HMAC " + Convert.ToBase64String(hmac.ComputeHash(body));
    }

    /// <summary>
    /// A channel message that @mentions the webhook, shaped like the activities Teams posts (HTML text with the mention
    /// markup and a non-breaking space, the HTML copy as an attachment, mention and clientInfo entities).
    /// </summary>
    public static byte[] Message(string aadObjectId, string questionHtml, DateTimeOffset? timestamp = null, string? id = null,
        string userName = "Megan Bowen")
    {
        var sent = timestamp ?? DateTimeOffset.UtcNow;
        // Teams message ids are the send time in milliseconds; a counter keeps messages sent within one apart.
        var messageId = id ?? $"{sent.ToUnixTimeMilliseconds()}{Interlocked.Increment(ref _sequence) % 1000:D3}";
        var mention = $"<at>{BotName}</at>";
        string J(string value) => JsonSerializer.Serialize(value);
        var json = $$"""
            {
              "type": "message",
              "id": {{J(messageId)}},
              "timestamp": {{J(sent.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture))}},
              "localTimestamp": {{J(sent.ToOffset(TimeSpan.FromHours(1)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture))}},
              "serviceUrl": "https://smba.trafficmanager.net/emea/",
              "channelId": "msteams",
              "from": {
                "id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw",
                "name": {{J(userName)}},
                "aadObjectId": {{J(aadObjectId)}}
              },
              "conversation": {
                "isGroup": true,
                "id": {{J("19:253b1f341670408fb6fe51050b6e5ceb@thread.skype;messageid=" + messageId)}},
                "name": null
              },
              "recipient": null,
              "textFormat": "plain",
              "attachmentLayout": null,
              "membersAdded": [],
              "membersRemoved": [],
              "topicName": null,
              "historyDisclosed": null,
              "locale": "en-GB",
              "text": {{J(mention + "&nbsp;" + questionHtml)}},
              "speak": null,
              "inputHint": null,
              "summary": null,
              "suggestedActions": null,
              "attachments": [
                {
                  "contentType": "text/html",
                  "contentUrl": null,
                  "content": {{J($"<div><span itemscope=\"\" itemtype=\"http://schema.skype.com/Mention\" itemid=\"0\">{BotName}</span>&nbsp;{questionHtml}</div>")}},
                  "name": null,
                  "thumbnailUrl": null
                }
              ],
              "entities": [
                { "type": "mention", "mentioned": { "id": {{J(BotId)}}, "name": {{J(BotName)}} }, "text": {{J(mention)}} },
                { "type": "clientInfo", "locale": "en-GB", "country": "GB", "platform": "Web", "timezone": "Europe/London" }
              ],
              "channelData": {
                "teamsChannelId": "19:253b1f341670408fb6fe51050b6e5ceb@thread.skype",
                "teamsTeamId": "19:712a2ffe0a264cd7b57c83e4c4d6d327@thread.skype",
                "channel": { "id": "19:253b1f341670408fb6fe51050b6e5ceb@thread.skype" },
                "team": { "id": "19:712a2ffe0a264cd7b57c83e4c4d6d327@thread.skype" },
                "tenant": { "id": "72f988bf-86f1-41af-91ab-2d7cd011db47" }
              },
              "action": null,
              "replyToId": null,
              "value": null,
              "name": null,
              "relatesTo": null,
              "code": null
            }
            """;
        return Encoding.UTF8.GetBytes(json);
    }

    /// <summary>The POST Teams makes: the body as is, with the given Authorization header (none when null).</summary>
    public static HttpRequestMessage Post(byte[] body, string? authorization)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/teams/messages") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }
}
