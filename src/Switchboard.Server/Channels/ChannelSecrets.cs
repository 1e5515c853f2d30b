using System.Text.Json.Nodes;
using Switchboard.Platform.Security;

namespace Switchboard.Channels;

/// <summary>A channel's secret settings, kept as one encrypted JSON document: the one place that reads or writes it.</summary>
public static class ChannelSecrets
{
    public static JsonObject Read(Channel channel, SecretProtector protector) =>
        channel.SecretsCiphertext is null ? [] : JsonNode.Parse(protector.Unprotect(channel.SecretsCiphertext)) as JsonObject ?? [];

    public static void Write(Channel channel, JsonObject secrets, SecretProtector protector) =>
        channel.SecretsCiphertext = secrets.Count == 0 ? null : protector.Protect(secrets.ToJsonString());
}
