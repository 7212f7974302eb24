namespace Marketplace.Web.Domain.Privacy;

/// <summary>Conclusion of the assessment of the risk of serious injury (Act, s. 3.7): it decides whether the CAI and the people are told.</summary>
public enum SeriousInjuryRisk
{
    /// <summary>Not yet assessed: the assessment is under way.</summary>
    ToAssess,
    No,
    Yes,
}

/// <summary>
/// One confidentiality incident as the Règlement sur les incidents de confidentialité asks it recorded: when it happened
/// (a date or a period), when it was discovered, what happened, which information and how many people, the assessment
/// of the risk of serious injury (sensitivity, consequences, probability, conclusion), the dates the Commission d'accès à
/// l'information and the people were told, and the measures taken. Kept at least five years after the operator learns
/// of it: there is no way to delete one.
/// </summary>
public sealed class PrivacyIncident
{
    public const int ShortTextMaxLength = 2000;
    public const int LongTextMaxLength = 8000;

    private PrivacyIncident() { }

    public PrivacyIncident(Details details, string recordedByUserId, DateTimeOffset now)
    {
        RecordedByUserId = Guard.Text(recordedByUserId, 450, nameof(recordedByUserId));
        RecordedAt = now;
        Apply(details, recordedByUserId, now);
    }

    /// <summary>Everything an admin types about an incident (the form).</summary>
    public sealed record Details(
        DateOnly OccurredFrom,
        DateOnly? OccurredTo,
        DateOnly DiscoveredOn,
        string Description,
        string InformationConcerned,
        int PeopleConcerned,
        bool PeopleConcernedIsEstimate,
        string? RiskSensitivity,
        string? RiskConsequences,
        string? RiskProbability,
        SeriousInjuryRisk RiskConclusion,
        DateOnly? CommissionNotifiedOn,
        DateOnly? PeopleNotifiedOn,
        string? Measures);

    public int Id { get; private set; }
    public DateOnly OccurredFrom { get; private set; }
    /// <summary>The end of the period; null when the incident happened on one day.</summary>
    public DateOnly? OccurredTo { get; private set; }
    public DateOnly DiscoveredOn { get; private set; }
    public string Description { get; private set; } = "";
    public string InformationConcerned { get; private set; } = "";
    public int PeopleConcerned { get; private set; }
    public bool PeopleConcernedIsEstimate { get; private set; }
    public string? RiskSensitivity { get; private set; }
    public string? RiskConsequences { get; private set; }
    public string? RiskProbability { get; private set; }
    public SeriousInjuryRisk RiskConclusion { get; private set; }
    public DateOnly? CommissionNotifiedOn { get; private set; }
    /// <summary>The first day people were told (by the site's notice or otherwise).</summary>
    public DateOnly? PeopleNotifiedOn { get; private set; }
    public string? Measures { get; private set; }
    public DateTimeOffset RecordedAt { get; private set; }
    public string RecordedByUserId { get; private set; } = "";
    /// <summary>Also the version an edit form is compared with: a stale save is refused (409), nothing is overwritten.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }
    public string UpdatedByUserId { get; private set; } = "";

    public void Update(Details details, string userId, DateTimeOffset now) => Apply(details, userId, now);

    /// <summary>The site wrote the notice to the affected accounts on <paramref name="day"/>: the earliest notice date stands.</summary>
    public void PeopleNotified(DateOnly day, string userId, DateTimeOffset now)
    {
        if (PeopleNotifiedOn is null || day < PeopleNotifiedOn) PeopleNotifiedOn = day;
        Touch(userId, now);
    }

    private void Apply(Details d, string userId, DateTimeOffset now)
    {
        if (d.OccurredTo is { } to && to < d.OccurredFrom) throw new DomainException("The period ends before it starts.");
        if (d.DiscoveredOn < d.OccurredFrom) throw new DomainException("An incident is not discovered before it starts.");
        if (d.PeopleConcerned < 0) throw new DomainException("The number of people cannot be negative.");
        OccurredFrom = d.OccurredFrom;
        OccurredTo = d.OccurredTo == d.OccurredFrom ? null : d.OccurredTo;
        DiscoveredOn = d.DiscoveredOn;
        Description = Guard.Text(d.Description, LongTextMaxLength, nameof(d.Description));
        InformationConcerned = Guard.Text(d.InformationConcerned, ShortTextMaxLength, nameof(d.InformationConcerned));
        PeopleConcerned = d.PeopleConcerned;
        PeopleConcernedIsEstimate = d.PeopleConcernedIsEstimate;
        RiskSensitivity = Guard.OptionalText(d.RiskSensitivity, ShortTextMaxLength, nameof(d.RiskSensitivity));
        RiskConsequences = Guard.OptionalText(d.RiskConsequences, ShortTextMaxLength, nameof(d.RiskConsequences));
        RiskProbability = Guard.OptionalText(d.RiskProbability, ShortTextMaxLength, nameof(d.RiskProbability));
        RiskConclusion = d.RiskConclusion;
        CommissionNotifiedOn = d.CommissionNotifiedOn;
        PeopleNotifiedOn = d.PeopleNotifiedOn;
        Measures = Guard.OptionalText(d.Measures, LongTextMaxLength, nameof(d.Measures));
        Touch(userId, now);
    }

    private void Touch(string userId, DateTimeOffset now)
    {
        UpdatedByUserId = Guard.Text(userId, 450, nameof(userId));
        // Strictly later than the version read: two saves within one tick still differ.
        UpdatedAt = now > UpdatedAt ? now : UpdatedAt.AddTicks(1);
    }
}

/// <summary>
/// The notice of one incident written to one account (one outbox email): unique on (incident, account), so notifying
/// the same people again writes nothing twice.
/// </summary>
public sealed class IncidentNotice
{
    private IncidentNotice() { }

    public IncidentNotice(int incidentId, string userId, string language, DateTimeOffset now)
    {
        IncidentId = incidentId;
        UserId = Guard.Text(userId, 450, nameof(userId));
        Language = language == "en" ? "en" : "fr";
        NotifiedAt = now;
    }

    public long Id { get; private set; }
    public int IncidentId { get; private set; }
    public string UserId { get; private set; } = "";
    /// <summary>The language the notice was written in (the account's).</summary>
    public string Language { get; private set; } = "fr";
    public DateTimeOffset NotifiedAt { get; private set; }
}
