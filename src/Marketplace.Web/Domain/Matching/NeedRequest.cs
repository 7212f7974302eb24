using Marketplace.Web.Domain.Providers;

namespace Marketplace.Web.Domain.Matching;

public enum RequestStatus
{
    Open,
    Paused,
    Closed,
}

/// <summary>Where the nonprofit wants the service delivered.</summary>
public enum DeliveryPreference
{
    OnSite,
    Remote,
    Either,
}

/// <summary>The budget the nonprofit has in mind, in ranges a small organization can answer.</summary>
public enum BudgetRange
{
    Unknown,
    FreeOnly,
    Under1000,
    From1000To5000,
    From5000To20000,
    Over20000,
}

/// <summary>When the nonprofit needs the service.</summary>
public enum Timeline
{
    Flexible,
    WithinAMonth,
    WithinThreeMonths,
    WithinSixMonths,
}

/// <summary>
/// A nonprofit's need (issue 4): what it asks for, where, in which language, and what it values. Only an open request is
/// matched. Every change is a method that keeps the request valid.
/// </summary>
public sealed class NeedRequest
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 4000;

    private NeedRequest() { }

    public NeedRequest(int organizationId, string title, string description, IEnumerable<string> categories, string region,
        DeliveryPreference delivery, string language, BudgetRange budget, Timeline timeline, ValuePreferences preferences, DateTimeOffset now)
    {
        OrganizationId = organizationId;
        CreatedAt = now;
        Edit(title, description, categories, region, delivery, language, budget, timeline, preferences, now);
    }

    public int Id { get; private set; }
    public int OrganizationId { get; private set; }
    public string Title { get; private set; } = "";
    public string Description { get; private set; } = "";
    public List<string> Categories { get; private set; } = [];
    public string Region { get; private set; } = "";
    public DeliveryPreference Delivery { get; private set; }
    public string Language { get; private set; } = "fr";
    public BudgetRange Budget { get; private set; }
    public Timeline Timeline { get; private set; }
    public ValuePreferences Preferences { get; private set; } = ValuePreferences.None;
    public RequestStatus Status { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    /// <summary>When the retention job emptied its text (closed long enough ago, ADR 0027); it cannot be reopened then.</summary>
    public DateTimeOffset? AnonymizedAt { get; private set; }

    public bool AcceptsRemote => Delivery is DeliveryPreference.Remote or DeliveryPreference.Either;

    public void Edit(string title, string description, IEnumerable<string> categories, string region, DeliveryPreference delivery,
        string language, BudgetRange budget, Timeline timeline, ValuePreferences preferences, DateTimeOffset now)
    {
        if (Status == RequestStatus.Closed) throw new DomainException("A closed request cannot be edited.");
        Title = Guard.Text(title, TitleMaxLength, nameof(title));
        Description = Guard.OptionalText(description, DescriptionMaxLength, nameof(description)) ?? "";
        var keys = categories.Select(c => c.Trim()).Where(c => c.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        Categories = keys.Count > 0 ? keys : throw new DomainException("A request needs at least one category.");
        Region = RegionCodes.IsValid(region) ? region : throw new DomainException($"'{region}' is not a Quebec region code (01-17).");
        Delivery = delivery;
        Language = Guard.Text(language, 10, nameof(language));
        Budget = Enum.IsDefined(budget) ? budget : throw new DomainException($"'{budget}' is not a budget range.");
        Timeline = Enum.IsDefined(timeline) ? timeline : throw new DomainException($"'{timeline}' is not a timeline.");
        Preferences = preferences;
        UpdatedAt = now;
    }

    public void Pause(DateTimeOffset now) => Move(RequestStatus.Open, RequestStatus.Paused, now);

    public void Resume(DateTimeOffset now) => Move(RequestStatus.Paused, RequestStatus.Open, now);

    public void Close(DateTimeOffset now)
    {
        if (Status == RequestStatus.Closed) throw new DomainException("The request is already closed.");
        Status = RequestStatus.Closed;
        UpdatedAt = now;
    }

    /// <summary>How long after closing a request can be reopened; after that it stays closed, for the record.</summary>
    public static readonly TimeSpan ReopenWindow = TimeSpan.FromDays(90);

    /// <summary>A closed request cannot change, so <see cref="UpdatedAt"/> is the day it was closed.</summary>
    public bool CanReopen(DateTimeOffset now) => Status == RequestStatus.Closed && AnonymizedAt is null && now - UpdatedAt <= ReopenWindow;

    /// <summary>The retention job empties a closed request's text; what it was about (categories, region) stays for counts.</summary>
    public void Anonymize(string placeholder, DateTimeOffset now)
    {
        if (Status != RequestStatus.Closed) throw new DomainException("Only a closed request is anonymized.");
        if (AnonymizedAt is not null) return;
        Title = placeholder;
        Description = "";
        AnonymizedAt = now;
    }

    public void Reopen(DateTimeOffset now)
    {
        if (Status != RequestStatus.Closed) throw new DomainException($"Only a closed request can be reopened (it is {Status}).");
        if (!CanReopen(now)) throw new DomainException($"A request closed more than {ReopenWindow.TotalDays} days ago cannot be reopened.");
        Status = RequestStatus.Open;
        UpdatedAt = now;
    }

    private void Move(RequestStatus from, RequestStatus to, DateTimeOffset now)
    {
        if (Status != from) throw new DomainException($"Only a request that is {from} can become {to} (it is {Status}).");
        Status = to;
        UpdatedAt = now;
    }
}

/// <summary>What the nonprofit values, each an explicit choice.</summary>
public sealed record ValuePreferences(
    bool PreferSocialEconomy,
    bool PreferLocal,
    bool NeedsFreeOrNonprofitPricing,
    string? FundingProgram)
{
    public static readonly ValuePreferences None = new(false, false, false, null);
}
