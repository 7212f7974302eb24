using System.Resources;

[assembly: NeutralResourcesLanguage("fr")]

namespace Marketplace.Web;

/// <summary>
/// Marker for the site's strings: Resources/SharedResource.resx is French (the neutral culture),
/// Resources/SharedResource.en.resx is English. Every key exists in both (a test checks it).
/// </summary>
public sealed class SharedResource;
