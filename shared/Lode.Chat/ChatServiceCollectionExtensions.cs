using Lode.Chat.Answering;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Chat;

public static class ChatServiceCollectionExtensions
{
    /// <summary>Registers the chat pipeline. The language model (if any) is registered by AddLodeLanguageModel.</summary>
    public static IServiceCollection AddLodeChat(this IServiceCollection services)
    {
        services.AddSingleton<QueryRewriter>();
        services.AddSingleton<ChatTelemetry>();
        services.AddSingleton<ChatService>();
        return services;
    }
}
