namespace Marketplace.Web.Features.Curation;

public sealed class WithdrawalRequests;
