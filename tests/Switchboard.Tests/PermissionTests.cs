using System.Net;
using Switchboard.Audit;
using Switchboard.Identity;
using Switchboard.Platform.Database;
using Switchboard.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

/// <summary>The permission matrix as written in docs/permissions.md is the one the code enforces, route by route, role by role.</summary>
[Collection(ServerCollection.Name)]
public sealed class PermissionTests(Servers servers)
{
    /// <summary>Routes open to any signed-in caller, whatever their role.</summary>
    private static readonly string[] AnySignedIn = ["GET api/v1/auth/session", "POST api/v1/auth/switch-tenant"];

    [Fact]
    public void DocumentedMatrix_EqualsTheEnforcedMatrix()
    {
        var doc = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "permissions.md"));
        var header = doc.First(l => l.StartsWith("| permission", StringComparison.Ordinal)).Split('|', StringSplitOptions.TrimEntries)[1..^1];
        var rows = doc.SkipWhile(l => !l.StartsWith("| permission", StringComparison.Ordinal)).Skip(2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries)[1..^1]).ToList();

        Assert.Equal(Enum.GetValues<Permission>().Select(p => p.WireName()).Order(), rows.Select(r => r[0]).Order());
        foreach (var row in rows)
        {
            var permission = Enum.GetValues<Permission>().Single(p => p.WireName() == row[0]);
            foreach (var role in Enum.GetValues<Role>())
            {
                var documented = row[Array.IndexOf(header, role.ToString().ToLowerInvariant())] == "✓";
                Assert.True(documented == PermissionMatrix.Allows(role, permission), $"{role} / {row[0]}: docs say {documented}, code disagrees.");
            }
        }
    }

    [Fact]
    public async Task EveryApiRoute_DeclaresWhoMayCallIt_AndEveryChangeIsAudited()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        foreach (var route in Routes.Api(factory.Services))
        {
            var key = $"{route.Method} {route.Pattern}";
            var declared = route.Endpoint.Metadata.GetMetadata<RequiresPermission>() is not null || route.Endpoint.Metadata.GetMetadata<RequiresSuperAdmin>() is not null
                           || route.Endpoint.Metadata.GetMetadata<RequiresPerson>() is not null || route.IsAnonymous || AnySignedIn.Contains(key);
            Assert.True(declared, $"{key} needs .RequirePermission(...) or an explicit anonymous/signed-in decision.");
            var changesState = route.Method is not ("GET" or "HEAD");
            var audited = route.Endpoint.Metadata.GetMetadata<AuditedAction>() is not null
                          || key is "POST api/v1/auth/sign-in" or "POST api/v1/auth/sign-out" or "POST api/v1/setup"; // these write their own entries
            Assert.True(!changesState || audited, $"{key} changes state but writes no audit entry (add .Audited(...)).");
        }
    }

    [Theory, Providers]
    public async Task EveryRoute_ForEveryRole_IsAllowedOrForbiddenExactlyAsTheMatrixSays(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var clients = new Dictionary<Role, HttpClient>();
        foreach (var role in Enum.GetValues<Role>())
            clients[role] = await tenant.ClientWithRoleAsync(role);

        var guarded = Routes.Api(factory.Services).Where(r => r.Endpoint.Metadata.GetMetadata<RequiresPermission>() is not null).ToList();
        Assert.NotEmpty(guarded);
        foreach (var route in guarded)
        {
            var permission = route.Endpoint.Metadata.GetMetadata<RequiresPermission>()!.Permission;
            foreach (var (role, client) in clients)
            {
                // Ids that exist nowhere and an empty body: an allowed caller gets 2xx/400/404/415, never 401/403.
                var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url(_ => "999999999"));
                if (route.Method is "POST" or "PUT" or "PATCH")
                    request.Content = Http.RawJson("{}");
                var status = (await client.SendAsync(request)).StatusCode;
                if (PermissionMatrix.Allows(role, permission))
                    Assert.True(status is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized), $"{role} was refused {route.Method} /{route.Pattern} ({status}).");
                else
                    Assert.True(status == HttpStatusCode.Forbidden, $"{role} was not refused {route.Method} /{route.Pattern} ({status}).");
            }
        }
    }

    /// <summary>Read permissions only ever read: every route that changes state needs more than a <c>.read</c> permission, and
    /// the viewer role (which holds nothing else) is refused every one of them.</summary>
    [Theory, Providers]
    public async Task EveryStateChangingRoute_IsRefusedToReadOnlyPermissions(DatabaseProvider provider)
    {
        Assert.All(PermissionMatrix.For(Role.Viewer), p => Assert.EndsWith(".read", p.WireName()));
        var factory = await servers.ForAsync(provider);
        var viewer = await (await factory.CreateTenantAsync()).ClientWithRoleAsync(Role.Viewer);
        var changing = Routes.Api(factory.Services)
            .Where(r => r.Method is not ("GET" or "HEAD") && r.Endpoint.Metadata.GetMetadata<RequiresPermission>() is not null).ToList();
        Assert.NotEmpty(changing);
        foreach (var route in changing)
        {
            var permission = route.Endpoint.Metadata.GetMetadata<RequiresPermission>()!.Permission.WireName();
            Assert.False(permission.EndsWith(".read", StringComparison.Ordinal), $"{route.Method} /{route.Pattern} changes state on {permission}.");
            var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url(_ => "999999999"));
            if (route.Method is "POST" or "PUT" or "PATCH")
                request.Content = Http.RawJson("{}");
            var status = (await viewer.SendAsync(request)).StatusCode;
            Assert.True(status == HttpStatusCode.Forbidden, $"A viewer was not refused {route.Method} /{route.Pattern} ({status}).");
        }
    }

    [Fact]
    public async Task EveryProtectedRoute_WithoutCredentials_Answers401()
    {
        var factory = await servers.ForAsync(DatabaseProvider.Sqlite);
        var anonymous = factory.CreateClient();
        foreach (var route in Routes.Api(factory.Services).Where(r => !r.IsAnonymous))
        {
            var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Url(_ => "1"));
            if (route.Method is "POST" or "PUT" or "PATCH")
                request.Content = Http.RawJson("{}");
            var status = (await anonymous.SendAsync(request)).StatusCode;
            Assert.True(status == HttpStatusCode.Unauthorized, $"{route.Method} /{route.Pattern} without credentials answered {status}.");
        }
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/v1/no-such-route")).StatusCode);
        var forged = factory.Client("sb_00000000_not-a-real-key");
        var answer = await (await forged.GetAsync("/api/v1/contacts")).JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("not valid", answer["detail"]!.GetValue<string>());
    }

    [Theory, Providers]
    public async Task AnAdmin_CannotCreateAnOwner_NorRemoveTheLastOwner(DatabaseProvider provider)
    {
        var factory = await servers.ForAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var admin = await tenant.ClientWithRoleAsync(Role.Admin);
        await admin.PostJsonAsync("/api/v1/users", new { name = "Boss", email = $"boss@{tenant.Slug}.test", role = "owner" }, HttpStatusCode.Forbidden);
        await admin.PostJsonAsync("/api/v1/api-keys", new { name = "k", role = "owner" }, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.DeleteAsync($"/api/v1/users/{tenant.OwnerId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await tenant.Owner.DeleteAsync($"/api/v1/users/{tenant.OwnerId}")).StatusCode);
        await tenant.Owner.PatchJsonAsync($"/api/v1/users/{tenant.OwnerId}", new { role = "agent" }, HttpStatusCode.Conflict);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchboard.slnx")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
