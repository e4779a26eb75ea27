using GradApi.Engine.Graphs;
using GradApi.Evaluate;
using GradApi.Validation;

namespace GradApi.Tests.Validation;

/// <summary>
/// A quick check restates its validator's rules without the rule engine: it may say "not sure" for
/// a valid argument, but never vouch for one the rules refuse.
/// </summary>
public class QuickCheckTests
{
    public static TheoryData<string?, string?, string?> Queries()
    {
        var data = new TheoryData<string?, string?, string?>();
        foreach (string? mode in new[] { null, "training", "inference", "Inference", "", "eval" })
            foreach (string? explain in new[] { null, "true", "false", "TRUE", "", "yes" })
                foreach (string? check in new[] { null, "none", "numeric", "Numeric", "", "fd" })
                    data.Add(mode, explain, check);
        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public void QueryValidator_VouchesOnlyForWhatItsRulesPass(string? mode, string? explain, string? check)
    {
        var query = new EvaluateQuery { Mode = mode, Explain = explain, Check = check };
        var validator = new EvaluateQueryValidator();

        if (validator.SurelyValid(query)) Assert.True(validator.Validate(query).IsValid);
    }

    [Fact]
    public void QueryValidator_VouchesForAPlainQuery() =>
        Assert.True(new EvaluateQueryValidator().SurelyValid(new EvaluateQuery()));

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, null)]
    [InlineData(1, "")]
    [InlineData(1, "  ")]
    [InlineData(1, "a")]
    [InlineData(2, "missing")]
    public void GraphValidator_VouchesOnlyForWhatItsRulesPass(int nodes, string? output)
    {
        var spec = new GraphSpec();
        for (int i = 0; i < nodes; i++) spec.AddNode(i == 0 ? "a" : $"n{i}", "input", 1, null);
        spec.Output = output;
        var request = new GraphRequest(spec);
        var validator = new GraphRequestValidator();

        Assert.Equal(validator.Validate(request).IsValid, validator.SurelyValid(request));
    }
}
