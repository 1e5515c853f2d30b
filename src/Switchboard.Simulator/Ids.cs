using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Simulator;

/// <summary>Identifiers in the providers' own shapes.</summary>
public static class Ids
{
    /// <summary>A WhatsApp message id: "wamid." and base64 of a small record holding the customer's number and a random
    /// key, the layout real wamids have ("wamid.HBgL…" for an 11-digit number).</summary>
    public static string Wamid(string customerDigits, bool inbound)
    {
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(inbound ? 10 : 9));
        var bytes = new List<byte> { 0x1C, 0x18, (byte)customerDigits.Length };
        bytes.AddRange(Encoding.ASCII.GetBytes(customerDigits));
        bytes.AddRange([0x15, 0x02, 0x00, (byte)(inbound ? 0x12 : 0x11), 0x18, (byte)key.Length]);
        bytes.AddRange(Encoding.ASCII.GetBytes(key));
        bytes.Add(0x00);
        return "wamid." + Convert.ToBase64String(bytes.ToArray());
    }

    /// <summary>A Graph object id (media, templates, conversations): 16 decimal digits.</summary>
    public static string Graph() => Random.Shared.NextInt64(1_000_000_000_000_000, 10_000_000_000_000_000).ToString();

    /// <summary>A Twilio SID: two-letter type prefix (SM, MM, ME, …) and 32 lowercase hex digits.</summary>
    public static string Twilio(string prefix) => prefix + Guid.NewGuid().ToString("N");
}
