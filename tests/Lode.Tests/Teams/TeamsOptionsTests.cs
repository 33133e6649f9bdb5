using Lode.Teams;
using Lode.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Teams;

/// <summary>The Teams settings as the app binds and validates them.</summary>
public sealed class TeamsOptionsTests
{
    [Fact]
    public void Without_settings_the_endpoint_is_closed_and_the_documented_defaults_apply()
    {
        var options = Bind([]);

        Assert.Equal("", options.SecurityToken);
        Assert.Equal(300, options.MaxClockSkewSeconds);
        Assert.Equal(10_000, options.ReplayCacheSize);
        Assert.Equal(4.5, options.AnswerBudgetSeconds);
        Assert.Empty(options.UserGroups);
        Assert.Empty(options.DefaultGroups);
    }

    [Fact]
    public void Users_are_mapped_to_groups_by_object_id()
    {
        var options = Bind(new() { ["Teams:UserGroups:d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0:0"] = "hr", ["Teams:UserGroups:d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0:1"] = "finance" });

        Assert.Equal(["hr", "finance"], options.UserGroups["d6c1bd53-9d04-4e0d-a2e0-1c1bdfb1c9a0"]);
    }

    [Theory]
    [InlineData("Teams:SecurityToken", "not base64!")]
    [InlineData("Teams:AnswerBudgetSeconds", "0")]
    [InlineData("Teams:MaxClockSkewSeconds", "0")]
    public void A_bad_setting_stops_start_up_naming_it(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(key.Split(':')[1], error.Message);
    }

    private static TeamsOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddLode(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<TeamsOptions>>().Value;
    }
}
