using Microsoft.Playwright;

namespace GradApi.BrowserTests;

/// <summary>Swagger UI in a real browser: the evaluate example runs from "Try it out".</summary>
[Collection(BrowserCollection.Name)]
public sealed class SwaggerUiTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task EvaluateExample_TryItOutAndExecute_Answers200()
    {
        var errors = new List<string>();
        IPage page = await browser.NewPageAsync(errors);
        try
        {
            await page.GotoAsync("/swagger");

            ILocator operation = page.Locator("#operations-Gradients-Evaluate");
            await operation.Locator(".opblock-summary-control").ClickAsync();
            await operation.GetByRole(AriaRole.Button, new() { Name = "Try it out" }).ClickAsync();
            await operation.GetByRole(AriaRole.Button, new() { Name = "Execute" }).ClickAsync();

            ILocator status = operation.Locator(".live-responses-table .response .response-col_status");
            await Assertions.Expect(status).ToHaveTextAsync("200");
            await Assertions.Expect(operation.Locator(".live-responses-table .response .response-col_description")).ToContainTextAsync("\"grad\"");
            await page.ScreenshotAsync(new() { Path = Artifacts.PathOf("swagger-evaluate.png") });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
