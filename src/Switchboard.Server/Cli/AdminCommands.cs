using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Platform.Http;
using Switchboard.Tenancy;

namespace Switchboard.Cli;

/// <summary>Administration from the same executable: <c>tenant create</c>, <c>user create</c>, <c>apikey create</c>,
/// <c>migrate</c>, <c>conversations recount</c>. Each prints its result as JSON on the last line of stdout and exits non-zero with a message on stderr
/// when its arguments are wrong.</summary>
public static class AdminCommands
{
    public const string Usage = """
        Usage:
          Switchboard.Server [--urls URL]                                   run the server
          Switchboard.Server migrate                                        apply database migrations and exit
          Switchboard.Server conversations recount                          repair conversations' kept message counts
          Switchboard.Server tenant create --name N --slug S --owner-email E --owner-password P [--owner-name N]
          Switchboard.Server user create --tenant SLUG --email E --name N --role ROLE [--password P]
          Switchboard.Server apikey create --tenant SLUG --name N --role ROLE
        Roles: owner, admin, supervisor, agent, viewer.
        """;

    private static readonly string[] Commands = ["migrate", "conversations", "tenant", "user", "apikey", "help", "--help"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Commands.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args, IServiceProvider services)
    {
        try
        {
            return args switch
            {
                ["help" or "--help", ..] => Print(Usage),
                ["migrate", ..] => await MigrateAsync(services),
                ["conversations", "recount"] => await RecountConversationsAsync(services),
                ["tenant", "create", .. var rest] => await CreateTenantAsync(Options.Parse(rest), services),
                ["user", "create", .. var rest] => await CreateUserAsync(Options.Parse(rest), services),
                ["apikey", "create", .. var rest] => await CreateApiKeyAsync(Options.Parse(rest), services),
                _ => Fail($"Unknown command '{string.Join(' ', args)}'.\n{Usage}"),
            };
        }
        catch (UsageException e)
        {
            return Fail(e.Message);
        }
    }

    private static int Print(string text)
    {
        Console.Out.WriteLine(text);
        return 0;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }

    private static int Json(object value)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonSerializerOptions.Web));
        return 0;
    }

    private static async Task<int> MigrateAsync(IServiceProvider services)
    {
        await DatabaseSetup.MigrateAsync(services);
        return Json(new { migrated = true });
    }

    private static async Task<int> RecountConversationsAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var repaired = await Conversations.ConversationRows.RecountAsync(scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>(), CancellationToken.None);
        return Json(new { repaired });
    }

    private static async Task<int> CreateTenantAsync(Options options, IServiceProvider services)
    {
        options.Allow("name", "slug", "owner-email", "owner-password", "owner-name");
        var email = options.Required("owner-email");
        var request = new NewTenant(options.Required("name"), options.Required("slug"), options.Optional("owner-name") ?? email.Split('@')[0],
            email, options.Required("owner-password"));
        var validation = TenantProvisioning.Validate(request);
        if (!validation.IsValid)
            return Fail(Describe(validation));

        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(request, withApiKey: true, CancellationToken.None);
        if (created is null)
            return Fail($"The slug '{request.Slug}' is taken.");
        return Json(new { tenantId = created.Tenant.Id, apiKey = created.ApiKey });
    }

    private static async Task<int> CreateUserAsync(Options options, IServiceProvider services)
    {
        options.Allow("tenant", "email", "name", "role", "password");
        var email = Formats.NormalizeEmail(options.Required("email")) ?? throw new UsageException("--email must be a valid email address.");
        var name = options.Required("name");
        var role = options.Role();
        var password = options.Optional("password");
        var validation = new Validation();
        if (password is not null)
            TenantProvisioning.ValidatePassword(validation, "password", password);
        if (!validation.IsValid)
            return Fail(Describe(validation));

        await using var scope = await EnterTenantAsync(services, options.Required("tenant"));
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var existing = await db.Users.FirstOrDefaultAsync(u => u.Email == email);
        if (existing is not null && await db.Memberships.AnyAsync(m => m.UserId == existing.Id))
            return Fail($"{email} is already a member of this tenant.");
        var user = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().FindOrCreateUserAsync(name, email, password, CancellationToken.None);
        db.Memberships.Add(new Membership { UserId = user.Id, Role = role, CreatedAt = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow() });
        await db.SaveChangesAsync();
        return Json(new { userId = user.Id, email = user.Email, role = role.ToString().ToLowerInvariant() });
    }

    private static async Task<int> CreateApiKeyAsync(Options options, IServiceProvider services)
    {
        options.Allow("tenant", "name", "role");
        var name = options.Required("name");
        var role = options.Role();
        await using var scope = await EnterTenantAsync(services, options.Required("tenant"));
        var (key, secret) = scope.ServiceProvider.GetRequiredService<TenantProvisioning>().AddApiKey(name, role, createdById: null);
        await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().SaveChangesAsync();
        return Json(new { apiKeyId = key.Id, tenantId = key.TenantId, role = role.ToString().ToLowerInvariant(), apiKey = secret });
    }

    private static async Task<AsyncServiceScope> EnterTenantAsync(IServiceProvider services, string slug)
    {
        var scope = services.CreateAsyncScope();
        var tenant = await scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>().Tenants.FirstOrDefaultAsync(t => t.Slug == slug);
        if (tenant is null)
        {
            await scope.DisposeAsync();
            throw new UsageException($"No tenant with slug '{slug}'.");
        }
        scope.ServiceProvider.GetRequiredService<TenantContext>().Enter(tenant.Id);
        return scope;
    }

    private static string Describe(Validation validation) =>
        string.Join("; ", validation.Errors.SelectMany(e => e.Messages.Select(m => $"{e.Field} {m}")));

    private sealed class UsageException(string message) : Exception(message);

    /// <summary><c>--key value</c> pairs.</summary>
    private sealed class Options
    {
        private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2)
                    throw new UsageException($"Unexpected argument '{args[i]}'.\n{Usage}");
                var key = args[i][2..];
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"--{key} needs a value.");
                if (!options.values.TryAdd(key, args[++i]))
                    throw new UsageException($"--{key} is given twice.");
            }
            return options;
        }

        public void Allow(params string[] known)
        {
            var unknown = values.Keys.Except(known).ToList();
            if (unknown.Count > 0)
                throw new UsageException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.\n{Usage}");
        }

        public string Required(string key) =>
            values.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : throw new UsageException($"--{key} is required.");

        public string? Optional(string key) => values.GetValueOrDefault(key);

        public Role Role()
        {
            var text = Required("role");
            return Enum.TryParse<Role>(text, ignoreCase: true, out var role) && Enum.IsDefined(role)
                && !int.TryParse(text, out _)
                ? role
                : throw new UsageException($"--role must be one of {string.Join(", ", Enum.GetNames<Role>().Select(n => n.ToLowerInvariant()))}.");
        }
    }
}
