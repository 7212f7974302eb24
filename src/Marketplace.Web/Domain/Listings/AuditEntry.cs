namespace Marketplace.Web.Domain.Listings;

public enum AuditAction
{
    Submitted,
    Approved,
    ChangesRequested,
    Rejected,
    Discarded,
    Archived,
    ReverificationReminded,
    ContactsUpdated,
    ClaimRequested,
    ClaimAccepted,
    ClaimRejected,
    /// <summary>A curator checked a published listing again; the reason holds the curator's note.</summary>
    VerificationRenewed,
    /// <summary>A curator undid an archive: the listing is published again.</summary>
    Restored,
    /// <summary>
    /// An admin (or the command line, actor « cli ») turned off someone's two-factor authentication; the reason holds
    /// « user:{id} ». Organization 0 when the person belongs to none (staff).
    /// </summary>
    TwoFactorReset,
    /// <summary>A member sent an invitation (counted for the daily limit); the reason holds nothing about the address.</summary>
    InvitationSent,
    /// <summary>
    /// A curator added, changed or removed a group of the search thesaurus; the reason holds the group before and after
    /// (« avant : … / après : … »). Organization 0, no provider.
    /// </summary>
    SynonymsChanged,
    /// <summary>
    /// A person's data were exported (« Mes données », or the command line for the person in charge, actor « cli »); the
    /// reason holds « user:{id} » and nothing else. Always organization 0: it concerns one person, not the organization's history.
    /// </summary>
    DataExported,
    /// <summary>An admin recorded or changed a confidentiality incident; the reason holds « incident:{id} ». Organization 0.</summary>
    IncidentRecorded,
    /// <summary>An admin wrote the incident's notice to affected accounts; the reason holds « incident:{id} » and how many were written.</summary>
    IncidentNotified,
    /// <summary>The verification team decided a withdrawal request (§28.1); the reason holds the decision and its reason.</summary>
    WithdrawalDecided,
    /// <summary>
    /// An account was deleted: by the person (actor « supprimé »), by an admin on request (the reason holds the request's
    /// reference, never the person's name), or by the retention job (actor « retention »). Organization 0 for staff.
    /// </summary>
    AccountDeleted,
    /// <summary>One run of the retention job; the reason holds its counts. Organization 0, actor « retention ».</summary>
    RetentionRun,
    /// <summary>
    /// An admin put an address on the email suppression list, or lifted it (issue 15); the reason holds « suppression:{id} »
    /// and its reason, never the address. Organization 0.
    /// </summary>
    SuppressionAdded,
    SuppressionLifted,
}

/// <summary>
/// One decision or state change of a listing (or an account action above): who, when, what and why. Never deleted; the
/// only update replaces the actor of a deleted account by « supprimé » (ADR 0027).
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    public AuditEntry(int organizationId, int? providerId, int? revisionId, string actorUserId, AuditAction action,
        string? reason, DateTimeOffset at)
    {
        OrganizationId = organizationId;
        ProviderId = providerId;
        RevisionId = revisionId;
        ActorUserId = actorUserId;
        Action = action;
        Reason = Guard.OptionalText(reason, ListingRevision.ReasonMaxLength, nameof(reason));
        At = at;
    }

    public long Id { get; private set; }
    public int OrganizationId { get; private set; }
    public int? ProviderId { get; private set; }
    public int? RevisionId { get; private set; }
    public string ActorUserId { get; private set; } = "";
    public AuditAction Action { get; private set; }
    public string? Reason { get; private set; }
    public DateTimeOffset At { get; private set; }
}
