using GradApi.Engine.Expressions;
using static GradApi.Engine.Tests.Insight.InsightTestHelpers;

namespace GradApi.Engine.Tests.Insight;

public class ExpressionParserErrorTests
{
    private static ExpressionError SingleError(string expression, params (string, double)[] inputs)
    {
        ExpressionParseResult result = Parse(expression, inputs);
        Assert.False(result.Succeeded);
        Assert.Null(result.Spec);
        return Assert.Single(result.Errors);
    }

    private static readonly (string, double)[] Xyz = [("x", 1), ("y", 2)];

    [Theory]
    [InlineData("(x+y", 5, "Expected ')' at column 5, found the end of the expression.")]
    [InlineData("x+", 3, "Expected a number, a name or '(' at column 3, found the end of the expression.")]
    [InlineData("x y", 3, "Expected an operator or the end of the expression at column 3, found 'y'.")]
    [InlineData("x+*y", 3, "Expected a number, a name or '(' at column 3, found '*'.")]
    [InlineData(")x+y", 1, "Expected a number, a name or '(' at column 1, found ')'.")]
    [InlineData("x+y)", 4, "Expected an operator or the end of the expression at column 4, found ')'.")]
    [InlineData("max(x,)+y", 7, "Expected a number, a name or '(' at column 7, found ')'.")]
    [InlineData("max(x y)", 7, "Expected ',' or ')' at column 7, found 'y'.")]
    [InlineData("(x, y)", 3, "Expected ')' at column 3, found ','.")]
    [InlineData("2x+y", 2, "Expected an operator or the end of the expression at column 2, found 'x'.")]
    [InlineData("x^", 3, "Expected a number, a name or '(' at column 3, found the end of the expression.")]
    [InlineData("x - ", 5, "Expected a number, a name or '(' at column 5, found the end of the expression.")]
    public void Parse_SyntaxError_SaysWhatWasExpectedAndWhere(string expression, int column, string message)
    {
        ExpressionError error = SingleError(expression, Xyz);

        Assert.Equal(ExpressionErrorKind.Syntax, error.Kind);
        Assert.Equal(column, error.Column);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("x # y", 3, ExpressionErrorKind.UnexpectedCharacter, "Unexpected character '#' at column 3.")]
    [InlineData("x+y;", 4, ExpressionErrorKind.UnexpectedCharacter, "Unexpected character ';' at column 4.")]
    [InlineData("x+.", 3, ExpressionErrorKind.UnexpectedCharacter, "Unexpected character '.' at column 3.")]
    [InlineData("x+\u0001y", 3, ExpressionErrorKind.UnexpectedCharacter, "Unexpected character U+0001 at column 3.")]
    [InlineData("2e+*x+y", 1, ExpressionErrorKind.InvalidNumber, "The number '2e+' at column 1 needs digits after its exponent.")]
    [InlineData("x*y+1e", 5, ExpressionErrorKind.InvalidNumber, "The number '1e' at column 5 needs digits after its exponent.")]
    [InlineData("x+y*1e999", 5, ExpressionErrorKind.InvalidNumber, "The number '1e999' at column 5 is out of the range of a double.")]
    public void Parse_BadCharacterOrNumber_IsReportedAtItsColumn(string expression, int column, ExpressionErrorKind kind, string message)
    {
        ExpressionError error = SingleError(expression, Xyz);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(column, error.Column);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("foo(x)+y", 1, "foo")]
    [InlineData("x + softmax(y)", 5, "softmax")]
    [InlineData("x + input(y)", 5, "input")]
    [InlineData("const(x)+y", 1, "const")]
    [InlineData("Exp(x)+y", 1, "Exp")]
    public void Parse_UnknownFunction_NamesItAndItsColumn(string expression, int column, string name)
    {
        ExpressionError error = SingleError(expression, Xyz);

        Assert.Equal(ExpressionErrorKind.UnknownFunction, error.Kind);
        Assert.Equal(column, error.Column);
        Assert.Equal(name, error.Name);
        Assert.StartsWith($"Unknown function '{name}' at column {column}. Functions: add, sub, mul,", error.Message);
    }

    [Theory]
    [InlineData("sigmoid(x, y)", 1, "Function 'sigmoid' at column 1 takes 1 argument, not 2.")]
    [InlineData("x + pow(y)", 5, "Function 'pow' at column 5 takes 2 arguments, not 1.")]
    [InlineData("max(x)+y", 1, "Function 'max' at column 1 takes at least 2 arguments, not 1.")]
    [InlineData("x*y*min()", 5, "Function 'min' at column 5 takes at least 2 arguments, not 0.")]
    [InlineData("exp()+x+y", 1, "Function 'exp' at column 1 takes 1 argument, not 0.")]
    public void Parse_WrongArgumentCount_SaysWhatTheFunctionTakes(string expression, int column, string message)
    {
        ExpressionError error = SingleError(expression, Xyz);

        Assert.Equal(ExpressionErrorKind.WrongArgumentCount, error.Kind);
        Assert.Equal(column, error.Column);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t")]
    public void Parse_EmptyExpression_IsAnError(string expression)
    {
        ExpressionError error = SingleError(expression);

        Assert.Equal(ExpressionErrorKind.Empty, error.Kind);
        Assert.Equal(1, error.Column);
    }

    [Fact]
    public void Parse_NameWithoutValue_IsMissingAtItsFirstColumn()
    {
        ExpressionParseResult result = Parse("a + b*a + b + c", ("c", 1));

        Assert.False(result.Succeeded);
        Assert.Equal(
            [(ExpressionErrorKind.MissingInput, 1, "a"), (ExpressionErrorKind.MissingInput, 5, "b")],
            result.Errors.Select(e => (e.Kind, e.Column!.Value, e.Name!)));
        Assert.Equal("'a' at column 1 has no value in inputs.", result.Errors[0].Message);
    }

    [Fact]
    public void Parse_InputEntryNeverUsed_IsAnErrorNamingIt()
    {
        ExpressionParseResult result = Parse("x*2", ("x", 1), ("w", 2), ("v", 3));

        Assert.False(result.Succeeded);
        Assert.Equal(["w", "v"], result.Errors.Select(e => e.Name));
        Assert.All(result.Errors, e => Assert.Equal(ExpressionErrorKind.UnusedInput, e.Kind));
        Assert.All(result.Errors, e => Assert.Null(e.Column));
        Assert.Equal("Input 'w' is not used by the expression.", result.Errors[0].Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Parse_NonFiniteInputValue_IsAnError(double value)
    {
        ExpressionError error = SingleError("x + y", ("x", 1), ("y", value));

        Assert.Equal(ExpressionErrorKind.NonFiniteInput, error.Kind);
        Assert.Equal("y", error.Name);
        Assert.Null(error.Column);
    }

    [Fact]
    public void Parse_MissingUnusedAndNonFinite_AreAllReported()
    {
        ExpressionParseResult result = Parse("x + y", ("x", double.NaN), ("w", 1));

        Assert.Equal(
            [ExpressionErrorKind.MissingInput, ExpressionErrorKind.NonFiniteInput, ExpressionErrorKind.UnusedInput],
            result.Errors.Select(e => e.Kind));
    }

    [Fact]
    public void Parse_SyntaxError_IsTheOnlyErrorReported()
    {
        ExpressionError error = SingleError("a + (b", ("w", 1));

        Assert.Equal(ExpressionErrorKind.Syntax, error.Kind);
    }

    [Fact]
    public void Parse_ExpressionOverTheLengthLimit_IsTooLong()
    {
        var parser = new ExpressionParser(new ExpressionLimits { MaxLength = 10 });

        ExpressionParseResult ok = parser.Parse("x+x+x+x+x", new Dictionary<string, double> { ["x"] = 1 });
        ExpressionParseResult tooLong = parser.Parse("x+x+x+x+x+x", new Dictionary<string, double> { ["x"] = 1 });

        Assert.True(ok.Succeeded);
        ExpressionError error = Assert.Single(tooLong.Errors);
        Assert.Equal(ExpressionErrorKind.TooLong, error.Kind);
        Assert.Equal(11, error.Column);
        Assert.Equal("The expression is 11 characters long; the limit is 10.", error.Message);
    }

    public static TheoryData<string, int> DeepExpressions() => new()
    {
        { new string('(', 10_000) + "x" + new string(')', 10_000), 257 },
        { new string('-', 10_000) + "x", 257 },
        { string.Concat(Enumerable.Repeat("exp(", 10_000)) + "x" + new string(')', 10_000), 257 * 4 },
        { string.Join("^", Enumerable.Repeat("x", 10_000)), 257 * 2 },
        { string.Concat(Enumerable.Repeat("-(", 5_000)) + "x" + new string(')', 5_000), 257 },
    };

    [Theory]
    [MemberData(nameof(DeepExpressions))]
    public void Parse_TenThousandDeep_IsACleanErrorAtTheFirstLevelPastTheLimit(string expression, int column)
    {
        ExpressionError error = SingleError(expression, ("x", 1));

        Assert.Equal(ExpressionErrorKind.TooDeep, error.Kind);
        Assert.Equal(column, error.Column);
        Assert.Equal($"The expression nests deeper than 256 levels at column {column}.", error.Message);
    }

    [Fact]
    public void Parse_NestingExactlyAtTheLimit_IsAccepted()
    {
        string parens = new string('(', 256) + "x" + new string(')', 256);
        string minuses = new string('-', 256) + "x";

        Assert.True(Parse(parens, ("x", 1)).Succeeded);
        Assert.True(Parse(minuses, ("x", 1)).Succeeded);
        Assert.False(Parse("(" + parens + ")", ("x", 1)).Succeeded);
    }

    [Fact]
    public void Parse_LimitPastWhatTheStackHolds_IsStillACleanError()
    {
        // A depth limit far beyond the stack: the parser's own stack check must stop it.
        string expression = new string('(', 1_000_000) + "x" + new string(')', 1_000_000);
        var parser = new ExpressionParser(new ExpressionLimits { MaxLength = 3_000_000, MaxDepth = int.MaxValue });
        ExpressionParseResult? result = null;

        var thread = new Thread(() => result = parser.Parse(expression, new Dictionary<string, double> { ["x"] = 1 }), 512 * 1024);
        thread.Start();
        thread.Join();

        Assert.NotNull(result);
        Assert.Equal(ExpressionErrorKind.TooDeep, Assert.Single(result.Errors).Kind);
    }

    [Fact]
    public void Parser_RejectsLimitsThatMakeNoSense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpressionParser(new ExpressionLimits { MaxLength = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpressionParser(new ExpressionLimits { MaxDepth = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpressionParser(new ExpressionLimits { MaxLabelLength = 2 }));
    }
}
