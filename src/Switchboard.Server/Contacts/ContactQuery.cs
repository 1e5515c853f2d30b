using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;

namespace Switchboard.Contacts;

/// <summary>The list filters and sort shared by the contact list and the CSV export.</summary>
public sealed record ContactFilter(string? Q, string? Tag, long? DepartmentId, string? AssignedToId, string? OptIn, string? OptedOut, string? Sort)
{
    private static readonly string[] Sorts = ["name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt"];

    public Validation Validate()
    {
        var validation = new Validation();
        if (Sort is not null && !Sorts.Contains(Sort))
            validation.Add("sort", $"must be one of {string.Join(", ", Sorts)}.");
        if (AssignedToId is not null && AssignedToId != "unassigned" && !long.TryParse(AssignedToId, out _))
            validation.Add("assignedToId", "must be a user id or 'unassigned'.");
        if (OptIn is not null && !Enum.TryParse<ContactChannel>(OptIn, ignoreCase: true, out _))
            validation.Add("optIn", "must be whatsapp, sms or email.");
        if (OptedOut is not null && !Enum.TryParse<ContactChannel>(OptedOut, ignoreCase: true, out _))
            validation.Add("optedOut", "must be whatsapp, sms or email.");
        validation.MaxLength("q", Q, 200);
        return validation;
    }

    public IQueryable<Contact> Apply(IQueryable<Contact> contacts)
    {
        if (!string.IsNullOrWhiteSpace(Q))
        {
            var pattern = ContactService.SearchPattern(Q);
            contacts = contacts.Where(c => EF.Functions.Like(c.SearchText, pattern, "\\"));
        }
        if (!string.IsNullOrWhiteSpace(Tag))
            contacts = contacts.Where(c => c.Tags.Any(t => t.Tag == Tag));
        if (DepartmentId is { } departmentId)
            contacts = contacts.Where(c => c.Departments.Any(d => d.DepartmentId == departmentId));
        if (AssignedToId == "unassigned")
            contacts = contacts.Where(c => c.AssignedToId == null);
        else if (long.TryParse(AssignedToId, out var ownerId))
            contacts = contacts.Where(c => c.AssignedToId == ownerId);
        if (OptIn is not null)
            contacts = WhereOptIn(contacts, Enum.Parse<ContactChannel>(OptIn, ignoreCase: true), true);
        if (OptedOut is not null)
            contacts = WhereOptIn(contacts, Enum.Parse<ContactChannel>(OptedOut, ignoreCase: true), false);
        return contacts;
    }

    private static IQueryable<Contact> WhereOptIn(IQueryable<Contact> contacts, ContactChannel channel, bool optedIn) => channel switch
    {
        ContactChannel.WhatsApp => contacts.Where(c => c.WhatsAppOptIn == optedIn),
        ContactChannel.Sms => contacts.Where(c => c.SmsOptIn == optedIn),
        _ => contacts.Where(c => c.EmailOptIn == optedIn),
    };

    /// <summary>One page of contacts with their tags and departments. The filter runs once, selecting only ids (which the
    /// (tenant_id, name, id, search_text) index answers on its own); the rows are then fetched by id.</summary>
    public async Task<List<Contact>> PageAsync(SwitchboardDbContext db, Cursor? after, int take, CancellationToken cancellationToken)
    {
        var ids = await OrderAndSeek(Apply(db.Contacts), after, TrigramSearch(db)).Select(c => c.Id).Take(take).ToListAsync(cancellationToken);
        return await LoadAsync(db, ids, cancellationToken);
    }

    /// <summary>The contacts with these ids, with tags and departments, in the order of <paramref name="ids"/>.</summary>
    public static async Task<List<Contact>> LoadAsync(SwitchboardDbContext db, List<long> ids, CancellationToken cancellationToken)
    {
        var rows = await WithChildren(db).AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        return ids.Select(id => rows[id]).ToList();
    }

    /// <summary>Contacts with their tags and departments, in one round trip (a page's joined rows are few).</summary>
    public static IQueryable<Contact> WithChildren(SwitchboardDbContext db) =>
        db.Contacts.Include(c => c.Tags).Include(c => c.Departments).AsSingleQuery();

    /// <summary>On PostgreSQL a search of three or more characters can use the (tenant_id, search_text) trigram index. The
    /// planner tends to prefer walking the name index instead, which is slow when the matches sit far apart in name order,
    /// so the name sort is then written so that index cannot serve it.</summary>
    private bool TrigramSearch(SwitchboardDbContext db) => !db.IsSqlite && Q is { } q && q.Trim().Length >= 3;

    /// <summary>Orders by the chosen sort (name by default) with id as tie-breaker, starting after <paramref name="after"/>.</summary>
    public IQueryable<Contact> OrderAndSeek(IQueryable<Contact> contacts, Cursor? after, bool bypassNameIndex = false)
    {
        var sort = Sort ?? "name";
        var descending = sort.StartsWith('-');
        return sort.TrimStart('-') switch
        {
            "createdAt" => Seek(contacts, c => c.CreatedAt, descending, after, v => new DateTimeOffset(long.Parse(v, CultureInfo.InvariantCulture), TimeSpan.Zero)),
            "updatedAt" => Seek(contacts, c => c.UpdatedAt, descending, after, v => new DateTimeOffset(long.Parse(v, CultureInfo.InvariantCulture), TimeSpan.Zero)),
            _ when bypassNameIndex => Seek(contacts, c => c.Name + "", descending, after, v => v),
            _ => Seek(contacts, c => c.Name, descending, after, v => v),
        };
    }

    /// <summary>The cursor that continues after <paramref name="last"/> under this sort.</summary>
    public Cursor CursorAfter(Contact last) => (Sort ?? "name").TrimStart('-') switch
    {
        "createdAt" => new Cursor(last.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Id),
        "updatedAt" => new Cursor(last.UpdatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture), last.Id),
        _ => new Cursor(last.Name, last.Id),
    };

    private static IQueryable<Contact> Seek<TKey>(IQueryable<Contact> contacts, Expression<Func<Contact, TKey>> key, bool descending,
        Cursor? after, Func<string, TKey> parse)
    {
        if (after is not null)
        {
            // key > v OR (key = v AND id > lastId), mirrored for descending order; built as an expression so the database
            // compares with the same collation it sorts with.
            var row = key.Parameters[0];
            var value = Expression.Property(Expression.Constant(new Box<TKey>(parse(after.Value ?? ""))), nameof(Box<TKey>.Value));
            var lastId = Expression.Property(Expression.Constant(new Box<long>(after.Id)), nameof(Box<long>.Value));
            var id = Expression.Property(row, nameof(Contact.Id));
            var beyond = Compare(key.Body, value, descending);
            var tie = Expression.AndAlso(Expression.Equal(key.Body, value), descending ? Expression.LessThan(id, lastId) : Expression.GreaterThan(id, lastId));
            contacts = contacts.Where(Expression.Lambda<Func<Contact, bool>>(Expression.OrElse(beyond, tie), row));
        }
        return descending
            ? contacts.OrderByDescending(key).ThenByDescending(c => c.Id)
            : contacts.OrderBy(key).ThenBy(c => c.Id);
    }

    private static Expression Compare(Expression left, Expression right, bool descending)
    {
        if (left.Type == typeof(string))
        {
            var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, left, right);
            return descending ? Expression.LessThan(compare, Expression.Constant(0)) : Expression.GreaterThan(compare, Expression.Constant(0));
        }
        return descending ? Expression.LessThan(left, right) : Expression.GreaterThan(left, right);
    }

    /// <summary>Holds a cursor value so EF sends it as a parameter rather than inlining a constant.</summary>
    private sealed class Box<T>(T value)
    {
        public T Value { get; } = value;
    }
}
