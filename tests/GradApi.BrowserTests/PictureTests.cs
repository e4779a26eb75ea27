using System.Text;
using Microsoft.Playwright;

namespace GradApi.BrowserTests;

/// <summary>The SVG that /v1/render answers, opened by itself in the browser.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PictureTests(BrowserFixture browser)
{
    [BrowserFact]
    public async Task NeuronSvg_OpensInTheBrowserWithEveryNode()
    {
        var errors = new List<string>();
        IPage page = await browser.NewPageAsync(errors);
        try
        {
            IAPIResponse response = await page.APIRequest.PostAsync("/v1/render", new()
            {
                Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" },
                DataString = """{"expression": "sigmoid(w0*x0 + w1*x1 + w2)", "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3}}""",
            });
            Assert.Equal(200, response.Status);
            byte[] svg = await response.BodyAsync();

            await page.RouteAsync("**/neuron.svg", route => route.FulfillAsync(new() { ContentType = "image/svg+xml", BodyBytes = svg }));
            await page.GotoAsync("/neuron.svg");

            // A parse error would show Chromium's error page instead of the drawing.
            Assert.Equal(10, await page.Locator("g.ga-node").CountAsync());
            Assert.Equal(9, await page.Locator("path.ga-edge").CountAsync());
            Assert.Contains("-0.1966", Encoding.UTF8.GetString(svg));
            var size = await page.Locator("svg").First.BoundingBoxAsync();
            Assert.True(size is { Width: > 600, Height: > 200 });
            await page.Locator("svg").First.ScreenshotAsync(new() { Path = Artifacts.PathOf("neuron.png") });
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
