namespace Marketplace.Web.Infrastructure;

/// <summary>
/// Settings under <c>Privacy:</c>: the person in charge of the protection of personal information (Law 25, s. 3.1),
/// named on the privacy page and in every email footer. The operator must set them before going live.
/// </summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    public string OfficerName { get; set; } = "Personne responsable à désigner";
    public string OfficerTitle { get; set; } = "Responsable de la protection des renseignements personnels";
    public string OfficerEmail { get; set; } = "vie-privee@panier.invalid";
    /// <summary>Version of the terms and privacy policy shown at sign-up, recorded with each consent.</summary>
    public string PolicyVersion { get; set; } = "2026-11-22";
}
