namespace Marketplace.Web.Domain.Accounts;

/// <summary>What a member of staff looked at (Law 25, s. 3.5–3.8: a record of internal access to personal information).</summary>
public enum StaffAccessKind
{
    /// <summary>A nonprofit's request with its question, from a human review (id: the review).</summary>
    HumanReview,
    /// <summary>A listing claim: the claiming person's name, address and evidence (id: the claim).</summary>
    ListingClaim,
    /// <summary>A listing revision with its author (id: the revision).</summary>
    ListingRevision,
    /// <summary>An account's identity (address, name, organization, roles) on the admins' account list (id: the account).</summary>
    Account,
    /// <summary>An email's recipient and its last error, on the admins' digest page (id: the outbox row).</summary>
    Email,
    /// <summary>An address on the suppression list, on the admins' email page (id: the suppression; issue 15).</summary>
    EmailSuppression,
}

/// <summary>
/// One view by a curator or an admin of someone's data: who, when, what (kind and id), and whose (a person, an
/// organization or both). Written in the same request as the page; never updated. The person's export lists the rows
/// about them, without naming the member of staff (ADR 0028).
/// </summary>
public sealed class StaffAccess
{
    public const int RecordIdMaxLength = 450;

    private StaffAccess() { }

    public StaffAccess(string staffUserId, StaffAccessKind kind, string recordId, string? subjectUserId, int? subjectOrganizationId,
        DateTimeOffset at)
    {
        if (subjectUserId is null && subjectOrganizationId is null) throw new DomainException("A staff access is about a person or an organization.");
        StaffUserId = Guard.Text(staffUserId, 450, nameof(staffUserId));
        Kind = kind;
        RecordId = Guard.Text(recordId, RecordIdMaxLength, nameof(recordId));
        SubjectUserId = subjectUserId;
        SubjectOrganizationId = subjectOrganizationId;
        At = at;
    }

    public long Id { get; private set; }
    public string StaffUserId { get; private set; } = "";
    public StaffAccessKind Kind { get; private set; }
    public string RecordId { get; private set; } = "";
    public string? SubjectUserId { get; private set; }
    public int? SubjectOrganizationId { get; private set; }
    public DateTimeOffset At { get; private set; }
}
