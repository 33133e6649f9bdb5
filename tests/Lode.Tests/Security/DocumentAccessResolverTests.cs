using Lode.Access;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Security;

/// <summary>Which groups may read a document: its metadata, the prefix rules, the defaults.</summary>
public sealed class DocumentAccessResolverTests
{
    private static readonly Dictionary<string, string> NoMetadata = [];

    private static DocumentAccessResolver Resolver(Action<DocumentAccessOptions>? configure = null)
    {
        var options = new DocumentAccessOptions();
        configure?.Invoke(options);
        return new DocumentAccessResolver(Options.Create(options));
    }

    private static Dictionary<string, string> Metadata(string name, string value) => new() { [name] = value };

    private static PrefixRule Rule(string prefix, string? bucket, params string[] groups) => new() { Prefix = prefix, Bucket = bucket, Groups = [.. groups] };

    [Theory]
    [InlineData("lode-groups")]
    [InlineData("Lode-Groups")]
    [InlineData("LODE-GROUPS")]
    public void The_metadata_name_compares_case_insensitively_as_HTTP_headers_do(string name)
    {
        Assert.Equal(["hr"], Resolver().GroupsFor("docs", "a.txt", Metadata(name, "hr")));
    }

    [Fact]
    public void The_metadata_name_is_configurable_and_other_names_grant_nothing()
    {
        var resolver = Resolver(o => o.MetadataKey = "acl");

        Assert.Equal(["hr"], resolver.GroupsFor("docs", "a.txt", Metadata("ACL", "hr")));
        Assert.Empty(resolver.GroupsFor("docs", "a.txt", Metadata("lode-groups", "hr")));
        Assert.Empty(resolver.GroupsFor("docs", "a.txt", Metadata("x-acl", "hr")));
    }

    [Theory]
    [InlineData("hr,finance", new[] { "finance", "hr" })]
    [InlineData(" hr , finance ", new[] { "finance", "hr" })]
    [InlineData("hr,,finance,", new[] { "finance", "hr" })]
    [InlineData("hr, hr ,HR", new[] { "HR", "hr" })]
    [InlineData("Board Members, hr", new[] { "Board Members", "hr" })]
    public void Metadata_holds_a_comma_separated_list_read_leniently_but_case_sensitively(string value, string[] expected)
    {
        Assert.Equal(expected, Resolver().GroupsFor("docs", "a.txt", Metadata("lode-groups", value)));
    }

    [Fact]
    public void Metadata_and_every_matching_prefix_rule_add_up()
    {
        var resolver = Resolver(o => o.PrefixRules = [Rule("hr/", null, "hr"), Rule("hr/payroll/", null, "payroll", "hr"), Rule("finance/", null, "finance")]);

        Assert.Equal(["hr", "legal", "payroll"], resolver.GroupsFor("docs", "hr/payroll/2024.pdf", Metadata("lode-groups", "legal")));
        Assert.Equal(["hr"], resolver.GroupsFor("docs", "hr/leave.pdf", NoMetadata));
        // A prefix is where a key starts, compared as S3 compares keys: exactly.
        Assert.Empty(resolver.GroupsFor("docs", "archive/hr/leave.pdf", NoMetadata));
        Assert.Empty(resolver.GroupsFor("docs", "HR/leave.pdf", NoMetadata));
        Assert.Empty(resolver.GroupsFor("docs", "hr", NoMetadata));
    }

    [Fact]
    public void A_rule_with_a_bucket_applies_to_that_bucket_only_and_one_without_to_every_bucket()
    {
        var resolver = Resolver(o => o.PrefixRules = [Rule("shared/", "docs", "staff"), Rule("shared/", null, "partners"), Rule("", "public", "everyone")]);

        Assert.Equal(["partners", "staff"], resolver.GroupsFor("docs", "shared/a.txt", NoMetadata));
        Assert.Equal(["partners"], resolver.GroupsFor("archive", "shared/a.txt", NoMetadata));
        Assert.Equal(["partners"], resolver.GroupsFor("Docs", "shared/a.txt", NoMetadata));
        // An empty prefix covers the whole bucket.
        Assert.Equal(["everyone"], resolver.GroupsFor("public", "any/key.txt", NoMetadata));
        Assert.Equal(["everyone", "partners"], resolver.GroupsFor("public", "shared/a.txt", NoMetadata));
    }

    [Fact]
    public void Default_groups_apply_only_to_documents_no_metadata_and_no_rule_speak_about()
    {
        var resolver = Resolver(o =>
        {
            o.DefaultGroups = [" staff ", "", "staff"];
            o.PrefixRules = [Rule("hr/", null, "hr")];
        });

        Assert.Equal(["staff"], resolver.GroupsFor("docs", "notes/a.txt", NoMetadata));
        Assert.Equal(["staff"], resolver.GroupsFor("docs", "notes/a.txt", Metadata("other", "hr")));
        Assert.Equal(["legal"], resolver.GroupsFor("docs", "notes/a.txt", Metadata("lode-groups", "legal")));
        Assert.Equal(["hr"], resolver.GroupsFor("docs", "hr/a.txt", NoMetadata));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData(", ,")]
    public void Metadata_that_names_no_group_means_nobody_not_the_defaults(string value)
    {
        var resolver = Resolver(o => o.DefaultGroups = ["staff"]);

        Assert.Empty(resolver.GroupsFor("docs", "confidential.txt", Metadata("lode-groups", value)));
    }

    [Fact]
    public void A_matching_rule_without_groups_means_nobody_not_the_defaults()
    {
        var resolver = Resolver(o =>
        {
            o.DefaultGroups = ["staff"];
            o.PrefixRules = [Rule("private/", null)];
        });

        Assert.Empty(resolver.GroupsFor("docs", "private/a.txt", NoMetadata));
        Assert.Equal(["owners"], resolver.GroupsFor("docs", "private/a.txt", Metadata("lode-groups", "owners")));
        Assert.Equal(["staff"], resolver.GroupsFor("docs", "public/a.txt", NoMetadata));
    }

    [Fact]
    public void Without_defaults_a_document_nothing_speaks_about_is_readable_by_nobody()
    {
        var resolver = Resolver(o => o.PrefixRules = [Rule("hr/", "docs", "hr")]);

        Assert.Empty(resolver.GroupsFor("docs", "notes/a.txt", NoMetadata));
        Assert.Empty(resolver.GroupsFor("other", "hr/a.txt", NoMetadata));
    }

    [Fact]
    public void Rules_and_defaults_bind_from_the_documented_configuration_keys()
    {
        var configuration = new ConfigurationBuilder().AddCommandLine([
            "--Access:MetadataKey=acl",
            "--Access:PrefixRules:0:Prefix=hr/",
            "--Access:PrefixRules:0:Groups:0=hr",
            "--Access:PrefixRules:0:Groups:1=hr-admins",
            "--Access:PrefixRules:1:Bucket=public",
            "--Access:PrefixRules:1:Prefix=",
            "--Access:PrefixRules:1:Groups:0=everyone",
            // How a deployment whose base configuration has defaults turns them off again.
            "--Access:DefaultGroups:0=",
        ]).Build();
        var options = configuration.GetSection(DocumentAccessOptions.SectionName).Get<DocumentAccessOptions>()!;
        var resolver = new DocumentAccessResolver(Options.Create(options));

        Assert.Equal(["hr", "hr-admins", "legal"], resolver.GroupsFor("docs", "hr/a.txt", Metadata("Acl", "legal")));
        Assert.Equal(["everyone"], resolver.GroupsFor("public", "a.txt", NoMetadata));
        Assert.Empty(resolver.GroupsFor("docs", "notes/a.txt", NoMetadata));
    }

    [Fact]
    public void The_rules_fingerprint_changes_with_what_the_rules_decide_and_only_with_that()
    {
        var fingerprint = Resolver(o =>
        {
            o.PrefixRules = [Rule("hr/", null, "hr", "payroll"), Rule("", "public", "everyone")];
            o.DefaultGroups = ["staff"];
        }).RulesFingerprint;

        // Written differently, deciding the same.
        Assert.Equal(fingerprint, Resolver(o =>
        {
            o.MetadataKey = "Lode-Groups";
            o.PrefixRules = [Rule("", "public", "everyone"), Rule("hr/", "", " payroll", "hr", "hr")];
            o.DefaultGroups = [" staff", ""];
        }).RulesFingerprint);

        Assert.NotEqual(fingerprint, Resolver(o => { o.PrefixRules = [Rule("hr/", null, "hr"), Rule("", "public", "everyone")]; o.DefaultGroups = ["staff"]; }).RulesFingerprint);
        Assert.NotEqual(fingerprint, Resolver(o => { o.PrefixRules = [Rule("hr/", "docs", "hr", "payroll"), Rule("", "public", "everyone")]; o.DefaultGroups = ["staff"]; }).RulesFingerprint);
        Assert.NotEqual(fingerprint, Resolver(o => { o.PrefixRules = [Rule("HR/", null, "hr", "payroll"), Rule("", "public", "everyone")]; o.DefaultGroups = ["staff"]; }).RulesFingerprint);
        Assert.NotEqual(fingerprint, Resolver(o => { o.PrefixRules = [Rule("hr/", null, "hr", "payroll"), Rule("", "public", "everyone")]; }).RulesFingerprint);
        Assert.NotEqual(fingerprint, Resolver(o =>
        {
            o.MetadataKey = "acl";
            o.PrefixRules = [Rule("hr/", null, "hr", "payroll"), Rule("", "public", "everyone")];
            o.DefaultGroups = ["staff"];
        }).RulesFingerprint);
    }

    [Fact]
    public void The_same_object_and_configuration_always_give_the_same_normal_form()
    {
        var resolver = Resolver(o => o.PrefixRules = [Rule("a/", null, "zeta", " alpha")]);

        var first = resolver.GroupsFor("docs", "a/x", Metadata("lode-groups", "beta,alpha"));
        var second = resolver.GroupsFor("docs", "a/x", Metadata("LODE-GROUPS", " alpha , beta "));

        Assert.Equal(["alpha", "beta", "zeta"], first);
        Assert.Equal(first, second);
    }
}
