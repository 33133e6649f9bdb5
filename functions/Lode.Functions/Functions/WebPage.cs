using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET /: the web page (sign in with an API key, chat, documents). Public on purpose: it holds no data, and every
/// request it makes goes to the API with the key the person typed.
/// </summary>
public sealed class WebPage(WebAssets assets)
{
    [Function(nameof(WebPage)), CallerAccess(AllowedCallers.Anyone)]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "")] HttpRequest request) =>
        assets.Serve(request, WebAssets.Page);
}

/// <summary>GET app/{file}: the page's scripts and styles; only the files <see cref="WebAssets"/> lists.</summary>
public sealed class WebPageAsset(WebAssets assets)
{
    [Function(nameof(WebPageAsset)), CallerAccess(AllowedCallers.Anyone)]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "app/{file}")] HttpRequest request,
        string file) =>
        assets.Serve(request, file);
}
