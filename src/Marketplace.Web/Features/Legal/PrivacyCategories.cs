namespace Marketplace.Web.Features.Legal;

/// <summary>
/// The categories of personal information the privacy notice names, each with a heading id « cat-{key} » on the page.
/// docs/privacy/inventory.md files every table of the database under one of them (or « aucun »), and a test checks
/// that no table is missing there and that every category it uses is on the page.
/// </summary>
public static class PrivacyCategories
{
    public static readonly IReadOnlyList<string> All =
        ["compte", "organisme", "consentements", "besoins", "messages", "fiches", "courriels", "journaux", "incidents", "retraits"];
}
