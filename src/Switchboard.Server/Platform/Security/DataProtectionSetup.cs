using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace Switchboard.Platform.Security;

/// <summary>The Data Protection key ring (session cookies, CSRF tokens, channel secrets) lives in the database, shared by every
/// node. With <c>DataProtection:Certificate:Path</c> (and <c>:Password</c>) its keys are encrypted with that certificate, so a
/// copy of the database alone decrypts nothing; <c>DataProtection:PreviousCertificates:N:Path</c> (and <c>:Password</c>) still
/// read keys written under certificates being rotated out.</summary>
public static class DataProtectionSetup
{
    public static IServiceCollection AddSwitchboardDataProtection(this IServiceCollection services, IConfiguration configuration)
    {
        var protection = services.AddDataProtection().SetApplicationName("Switchboard");
        services.AddOptions<KeyManagementOptions>().Configure<IServiceScopeFactory>((o, scopes) => o.XmlRepository = new DatabaseXmlRepository(scopes));
        var section = configuration.GetSection("DataProtection");
        var certificate = Load(section.GetSection("Certificate"));
        if (certificate is not null)
        {
            protection.ProtectKeysWithCertificate(certificate);
            var previous = section.GetSection("PreviousCertificates").GetChildren().Select(Load).OfType<X509Certificate2>().ToArray();
            protection.UnprotectKeysWithAnyCertificate([certificate, .. previous]);
        }
        services.AddHostedService(sp => new KeyProtectionNotice(certificate is not null, sp.GetRequiredService<ILogger<KeyProtectionNotice>>()));
        services.AddSingleton<SecretProtector>();
        return services;
    }

    private static X509Certificate2? Load(IConfigurationSection certificate) => certificate["Path"] is { Length: > 0 } path
        ? X509CertificateLoader.LoadPkcs12FromFile(path, certificate["Password"])
        : null;
}

/// <summary>One line at start when the key ring is stored unencrypted (fine for a demo on SQLite, not for production).</summary>
internal sealed class KeyProtectionNotice(bool encrypted, ILogger<KeyProtectionNotice> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!encrypted)
            logger.LogWarning("Data protection keys are stored unencrypted in the database: set DataProtection:Certificate:Path " +
                "(and :Password) to encrypt them (docs/configuration.md)");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
