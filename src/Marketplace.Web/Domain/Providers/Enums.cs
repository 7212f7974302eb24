namespace Marketplace.Web.Domain.Providers;

/// <summary>Legal form of a provider. Keys (kebab-case) are the values used in URLs, the API and seed-data.</summary>
public enum LegalForm
{
    Obnl,
    Cooperative,
    EntreprisePrivee,
    TravailleurAutonome,
    OrganismePublic,
    EtablissementEnseignement,
    Autre,
}

public enum PricingModel
{
    Gratuit,
    TarifReduitObnl,
    TauxHoraire,
    Forfait,
    Abonnement,
    NonPrecise,
}

public enum DeliveryMode
{
    ADistance,
    SurPlace,
    Hybride,
    NonPrecise,
}

/// <summary>Where a listing stands. Only <see cref="Published"/> listings are ever shown to the public.</summary>
public enum ListingStatus
{
    Draft,
    Published,
    Archived,
}

/// <summary>Where a listing's content comes from, so demonstration data is always labelled as such.</summary>
public enum DataOrigin
{
    /// <summary>Entered by the provider itself.</summary>
    Provider,
    /// <summary>Demonstration data drawn from public documents (seed-data).</summary>
    PublicDocuments,
    /// <summary>Fictional demonstration data.</summary>
    Fictional,
    /// <summary>Generated in bulk for benchmarks.</summary>
    Synthetic,
}
