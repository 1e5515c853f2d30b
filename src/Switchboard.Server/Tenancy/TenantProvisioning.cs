using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Platform.Security;

namespace Switchboard.Tenancy;

public sealed record NewTenant(string? Name, string? Slug, string? OwnerName, string? OwnerEmail, string? OwnerPassword);

public sealed record ProvisionedTenant(Tenant Tenant, User Owner, string? ApiKey);

/// <summary>Creates a tenant with its owner (console setup, <c>tenant create</c>), and users in a tenant (<c>user create</c>,
/// invitations). The one place that knows what a new tenant or member needs.</summary>
public sealed class TenantProvisioning(
    SwitchboardDbContext db, TenantContext scope, IPasswordHasher<User> hasher, SecretProtector secrets, TimeProvider clock)
{
    public const int MinPasswordLength = 8;

    public static Validation Validate(NewTenant request)
    {
        var validation = new Validation()
            .Required("name", request.Name)
            .Required("ownerName", request.OwnerName);
        if (!Formats.IsSlug(request.Slug))
            validation.Add("slug", "must be 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen.");
        if (Formats.NormalizeEmail(request.OwnerEmail) is null)
            validation.Add("ownerEmail", "must be a valid email address.");
        ValidatePassword(validation, "ownerPassword", request.OwnerPassword);
        return validation;
    }

    public static void ValidatePassword(Validation validation, string field, string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
            validation.Add(field, $"must be at least {MinPasswordLength} characters.");
        else if (password.Length > 256)
            validation.Add(field, "must be at most 256 characters.");
    }

    /// <summary>Creates the tenant, its owner (or reuses the user with that email) and, if asked, an owner-role API key, in
    /// one transaction. Returns null when the slug is taken.</summary>
    public async Task<ProvisionedTenant?> CreateAsync(NewTenant request, bool withApiKey, CancellationToken cancellationToken)
    {
        var slug = request.Slug!;
        if (await db.Tenants.AnyAsync(t => t.Slug == slug, cancellationToken))
            return null;
        var now = clock.GetUtcNow();
        // Encrypt before the transaction: the first encryption may write a new key to the key ring, which on SQLite must
        // not wait behind this unit of work's write lock.
        var webhookSecret = secrets.Protect(SecretProtector.NewSecret());
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var tenant = new Tenant
        {
            Name = request.Name!.Trim(),
            Slug = slug,
            WebhookSecretCiphertext = webhookSecret,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Tenants.Add(tenant);
        await db.SaveChangesAsync(cancellationToken);
        scope.Enter(tenant.Id);

        var owner = await FindOrCreateUserAsync(request.OwnerName!, request.OwnerEmail!, request.OwnerPassword, cancellationToken);
        db.Memberships.Add(new Membership { UserId = owner.Id, Role = Role.Owner, CreatedAt = now });
        string? key = null;
        if (withApiKey)
            key = AddApiKey("Owner key (created with the tenant)", Role.Owner, owner.Id).Key;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ProvisionedTenant(tenant, owner, key);
    }

    /// <summary>The user with this email, or a new one with <paramref name="password"/> (a random one when null).</summary>
    public async Task<User> FindOrCreateUserAsync(string name, string email, string? password, CancellationToken cancellationToken)
    {
        var normalized = Formats.NormalizeEmail(email) ?? throw new ArgumentException("Invalid email.", nameof(email));
        var existing = await db.Users.FirstOrDefaultAsync(u => u.Email == normalized, cancellationToken);
        if (existing is not null)
            return existing;
        var now = clock.GetUtcNow();
        var user = new User { Name = name.Trim(), Email = normalized, CreatedAt = now, UpdatedAt = now };
        user.PasswordHash = hasher.HashPassword(user, password ?? SecretProtector.NewSecret(24));
        db.Users.Add(user);
        await db.SaveChangesAsync(cancellationToken);
        return user;
    }

    /// <summary>Adds an API key in the current tenant (saved with the caller's unit of work). The key is returned only here.</summary>
    public (ApiKey Entity, string Key) AddApiKey(string name, Role role, long? createdById)
    {
        var (key, prefix, hash) = ApiKeys.Generate();
        var entity = new ApiKey { Name = name.Trim(), Role = role, Prefix = prefix, KeyHash = hash, CreatedById = createdById, CreatedAt = clock.GetUtcNow() };
        db.ApiKeys.Add(entity);
        return (entity, key);
    }
}
