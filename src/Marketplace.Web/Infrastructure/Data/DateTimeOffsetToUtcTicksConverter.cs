using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Marketplace.Web.Infrastructure.Data;

/// <summary>Stores an instant as UTC ticks so that SQLite can order and compare it; reads it back in UTC.</summary>
public sealed class DateTimeOffsetToUtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
