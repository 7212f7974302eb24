namespace Marketplace.Web.Domain.Accounts;

public enum OrganizationKind
{
    /// <summary>A community organization looking for providers.</summary>
    Nonprofit,
    /// <summary>A provider that keeps a listing.</summary>
    Provider,
}

/// <summary>
/// The organization a user belongs to. Every user belongs to exactly one; several users may manage the same
/// organization (and so the same provider listing).
/// </summary>
public sealed class Organization
{
    public const int NameMaxLength = 200;

    private Organization() { }

    public Organization(string name, OrganizationKind kind, DateTimeOffset createdAt)
    {
        Name = Guard.Text(name, NameMaxLength, nameof(name));
        Kind = kind;
        CreatedAt = createdAt;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public OrganizationKind Kind { get; private set; }
    /// <summary>The provider listing this organization manages, once its first revision is approved.</summary>
    public int? ProviderId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public void Rename(string name) => Name = Guard.Text(name, NameMaxLength, nameof(name));

    public void Manages(int providerId)
    {
        if (Kind != OrganizationKind.Provider) throw new DomainException("Only a provider organization has a listing.");
        if (ProviderId is not null && ProviderId != providerId) throw new DomainException("The organization already manages another listing.");
        ProviderId = providerId;
    }
}
