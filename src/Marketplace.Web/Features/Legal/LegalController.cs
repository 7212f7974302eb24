using Marketplace.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Legal;

/// <summary>The privacy policy, in plain words, naming the person in charge of personal information.</summary>
public sealed class LegalController(IOptions<PrivacyOptions> privacy) : Controller
{
    [HttpGet("fr/confidentialite", Name = "privacy.fr")]
    [HttpGet("en/privacy", Name = "privacy.en")]
    public IActionResult Privacy() => View(privacy.Value);

    [HttpGet("fr/conditions", Name = "terms.fr")]
    [HttpGet("en/terms", Name = "terms.en")]
    public IActionResult Terms() => View(privacy.Value);
}
