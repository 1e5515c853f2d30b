using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Platform.Database;
using Switchboard.Platform.Security;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests;

public sealed class KeyProtectionTests
{
    [Theory, Providers]
    public async Task ADatabaseCopiedWithoutTheCertificate_CannotDecryptChannelSecrets(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var certificate = Path.Combine(database.Directory, "keys.pfx");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=Switchboard keys", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(certificate, created.Export(X509ContentType.Pfx, "pfx-password"));
        }
        var withCertificate = new Dictionary<string, string?>
        {
            ["DataProtection:Certificate:Path"] = certificate, ["DataProtection:Certificate:Password"] = "pfx-password",
        };

        string ciphertext;
        await using (var node = new SwitchboardFactory(database, withCertificate))
        {
            var tenant = await node.CreateTenantAsync();
            var channel = await tenant.Owner.PostJsonAsync("/api/v1/channels", ChannelsTests.WhatsApp(), HttpStatusCode.Created);
            ciphertext = (await node.QueryAsync(tenant.Id, db => db.Channels.SingleAsync(c => c.Id == channel.Id()))).SecretsCiphertext!;
            Assert.Contains("app-secret-value", node.Services.GetRequiredService<SecretProtector>().Unprotect(ciphertext));
            var ring = await node.QueryAsync(tenant.Id, db => db.DataProtectionKeys.Select(k => k.Xml).ToListAsync());
            Assert.All(ring, xml => Assert.Contains("encryptedSecret", xml));
        }

        // The same database on a node without the certificate: the key ring is there, and useless.
        await using (var stolen = new SwitchboardFactory(database))
            Assert.ThrowsAny<CryptographicException>(() => stolen.Services.GetRequiredService<SecretProtector>().Unprotect(ciphertext));

        // With the certificate it reads again (a node restarted, or the certificate rotated in as a previous one).
        await using var restored = new SwitchboardFactory(database, new Dictionary<string, string?>
        {
            ["DataProtection:PreviousCertificates:0:Path"] = certificate, ["DataProtection:PreviousCertificates:0:Password"] = "pfx-password",
            ["DataProtection:Certificate:Path"] = certificate, ["DataProtection:Certificate:Password"] = "pfx-password",
        });
        Assert.Contains("app-secret-value", restored.Services.GetRequiredService<SecretProtector>().Unprotect(ciphertext));
    }
}
