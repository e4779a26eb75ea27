using System.Globalization;
using Microsoft.Playwright;

namespace GradApi.BrowserTests;

/// <summary>The playground at GET /, in a real browser, used as a person would: keyboard, buttons, reading the page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PlaygroundTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly List<string> _errors = [];
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _page = await browser.NewPageAsync(_errors);
        await _page.GotoAsync("/");
    }

    public async Task DisposeAsync()
    {
        await _page.Context.CloseAsync();
        Assert.True(_errors.Count == 0, "The page logged errors: " + string.Join("; ", _errors));
    }

    private ILocator Expression => _page.GetByLabel("Expression", new() { Exact = true });

    private ILocator Status => _page.GetByRole(AriaRole.Status);

    private ILocator GradCell(string id) => _page.Locator($"#nodes tbody tr[data-id='{id}'] td.grad");

    private ILocator ValueCell(string id) => _page.Locator($"#nodes tbody tr[data-id='{id}'] td.value");

    /// <summary>The full number a cell carries in its title (it shows 4 significant digits).</summary>
    private static async Task<double> FullNumber(ILocator cell) =>
        double.Parse((await cell.GetAttributeAsync("title"))!, CultureInfo.InvariantCulture);

    private async Task EvaluateWithEnter()
    {
        await Expression.FocusAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(Status).ToContainTextAsync("Evaluated");
    }

    [BrowserFact]
    public async Task Neuron_EvaluatedWithEnter_ShowsTheGradientsOfTheNotes()
    {
        await Assertions.Expect(Expression).ToHaveValueAsync("sigmoid(w0*x0 + w1*x1 + w2)");
        await Assertions.Expect(_page.GetByLabel("Value of w0")).ToHaveValueAsync("2");

        await EvaluateWithEnter();

        Assert.Equal(-0.20, Math.Round(await FullNumber(GradCell("w0")), 2));
        Assert.Equal(0.39, Math.Round(await FullNumber(GradCell("x0")), 2));
        Assert.Equal(-0.39, Math.Round(await FullNumber(GradCell("w1")), 2));
        Assert.Equal(-0.59, Math.Round(await FullNumber(GradCell("x1")), 2));
        Assert.Equal(0.20, Math.Round(await FullNumber(GradCell("w2")), 2));
        await Assertions.Expect(GradCell("w0")).ToHaveTextAsync("-0.1966");
        await Assertions.Expect(ValueCell("sigmoid1")).ToHaveTextAsync("0.7311");
        await Assertions.Expect(Status).ToContainTextAsync("sigmoid1 = 0.7311");

        // The backward pass, one readable step per edge.
        await Assertions.Expect(_page.Locator("#trace li")).ToHaveCountAsync(9);
        await Assertions.Expect(_page.Locator("#trace li").First).ToHaveTextAsync("\u2202sigmoid1/\u2202add2 += local 0.1966 \u00d7 upstream 1 = 0.1966 (sigmoid1 \u2192 add2)");

        // The picture came from /v1/render and the browser drew it.
        ILocator picture = _page.Locator("#picture");
        await Assertions.Expect(picture).ToBeVisibleAsync();
        Assert.True(await picture.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 600 && img.naturalHeight > 200"),
            "The picture did not load.");
        Assert.Contains("gradient", await picture.GetAttributeAsync("alt"));

        await _page.ScreenshotAsync(new() { Path = Artifacts.PathOf("playground.png"), FullPage = true });
    }

    [BrowserFact]
    public async Task Inference_AfterEvaluate_TheGradientsDisappear()
    {
        await EvaluateWithEnter();
        await Assertions.Expect(GradCell("w0")).ToHaveTextAsync("-0.1966");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Inference" }).ClickAsync();

        await Assertions.Expect(Status).ToContainTextAsync("Inference: sigmoid1 = 0.7311");
        await Assertions.Expect(GradCell("w0")).ToHaveTextAsync("\u2013");
        foreach (string grad in await _page.Locator("#nodes tbody td.grad").AllTextContentsAsync()) Assert.Equal("\u2013", grad);
        await Assertions.Expect(ValueCell("sigmoid1")).ToHaveTextAsync("0.7311");
        await Assertions.Expect(ValueCell("mul1")).ToHaveTextAsync("\u2013");
        await Assertions.Expect(_page.Locator("#picture")).ToBeHiddenAsync();
        await Assertions.Expect(_page.Locator("#trace-section")).ToBeHiddenAsync();
        await Assertions.Expect(_page.Locator("#stats")).ToContainTextAsync("0 local gradients cached");
        await _page.ScreenshotAsync(new() { Path = Artifacts.PathOf("playground-inference.png"), FullPage = true });
    }

    [BrowserFact]
    public async Task SyntaxError_ShowsTheProblemWithTheColumnMarked()
    {
        await Expression.FillAsync("sigmoid(w0*x0 + )");
        await _page.Keyboard.PressAsync("Enter");

        ILocator error = _page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("The expression is not valid");
        await Assertions.Expect(error).ToContainTextAsync("column 17");
        await Assertions.Expect(error.Locator("mark")).ToHaveTextAsync(")");
        await Assertions.Expect(error.Locator("pre")).ToContainTextAsync("                ^");
        await Assertions.Expect(Expression).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(Expression).ToBeFocusedAsync();
        Assert.Equal(16, await Expression.EvaluateAsync<int>("input => input.selectionStart"));
        await _page.ScreenshotAsync(new() { Path = Artifacts.PathOf("playground-error.png") });

        // Fixing it clears the problem.
        await Expression.FillAsync("sigmoid(w0*x0 + w1*x1 + w2)");
        await EvaluateWithEnter();
        await Assertions.Expect(error).ToBeHiddenAsync();
        await Assertions.Expect(Expression).Not.ToHaveAttributeAsync("aria-invalid", "true");
    }

    [BrowserFact]
    public async Task Inputs_CanBeRemovedAndAddedWithTheKeyboard()
    {
        await _page.GetByRole(AriaRole.Button, new() { Name = "Remove w2" }).FocusAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(_page.GetByLabel("Value of w2")).ToHaveCountAsync(0);
        await EvaluateExpectingProblem("w2");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Add input" }).FocusAsync();
        await _page.Keyboard.PressAsync("Space");
        await _page.Keyboard.TypeAsync("w2");
        await _page.Keyboard.PressAsync("Tab");
        await _page.Keyboard.TypeAsync("-3");
        await _page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(Status).ToContainTextAsync("Evaluated");
        Assert.Equal(0.20, Math.Round(await FullNumber(GradCell("w2")), 2));
    }

    private async Task EvaluateExpectingProblem(string mentioning)
    {
        await Expression.FocusAsync();
        await _page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(_page.GetByRole(AriaRole.Alert)).ToContainTextAsync(mentioning);
    }

    [BrowserFact]
    public async Task CheckGradients_ShowsEachInputPassing()
    {
        await _page.GetByRole(AriaRole.Button, new() { Name = "Check gradients" }).ClickAsync();

        await Assertions.Expect(Status).ToContainTextAsync("Gradient check passed");
        await Assertions.Expect(_page.Locator("#gradcheck tbody tr")).ToHaveCountAsync(5);
        foreach (string result in await _page.Locator("#gradcheck tbody td:last-child").AllTextContentsAsync())
            Assert.Equal("\u2713 pass", result);
    }

    [BrowserFact]
    public async Task Page_PassesABasicAccessibilityLook()
    {
        await EvaluateWithEnter();

        // Every field has a label, every button a name; results and errors are announced.
        var unlabelled = await _page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('input')].filter(i => i.labels.length === 0 && !i.getAttribute('aria-label')).map(i => i.outerHTML)");
        Assert.Empty(unlabelled);
        var unnamed = await _page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('button')].filter(b => !(b.getAttribute('aria-label') || b.textContent.trim())).map(b => b.outerHTML)");
        Assert.Empty(unnamed);
        Assert.Equal("en", await _page.Locator("html").GetAttributeAsync("lang"));
        await Assertions.Expect(Status).ToHaveAttributeAsync("aria-live", "polite");
        Assert.Equal(1, await _page.GetByRole(AriaRole.Heading, new() { Level = 1 }).CountAsync());

        // Focus is visible: tabbing from the expression box lands on a field with an outline.
        await Expression.FocusAsync();
        await _page.Keyboard.PressAsync("Tab");
        string outline = await _page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.Equal("solid", outline);
        Assert.Equal("input-name-0", await _page.EvaluateAsync<string>("() => document.activeElement.id"));

        // Text colours are at least 4.5:1 against white (WCAG AA).
        foreach (string selector in new[] { "body", ".help", "td.grad", "td.value", "button.secondary", "#evaluate" })
        {
            double ratio = await _page.Locator(selector).First.EvaluateAsync<double>(ContrastScript);
            Assert.True(ratio >= 4.5, $"{selector} has contrast {ratio:0.00}:1");
        }
    }

    /// <summary>The contrast of an element's text colour against its background (white where transparent).</summary>
    private const string ContrastScript = """
        element => {
          const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
            .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
          const style = getComputedStyle(element);
          const bg = style.backgroundColor === 'rgba(0, 0, 0, 0)' ? 'rgb(255, 255, 255)' : style.backgroundColor;
          const [a, b] = [lum(rgb(style.color)), lum(rgb(bg))];
          return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        }
        """;
}
