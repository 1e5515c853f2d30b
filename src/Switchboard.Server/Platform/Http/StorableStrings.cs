using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Platform.Http;

/// <summary>Refuses request strings with NUL characters (<c>\u0000</c>): PostgreSQL text cannot hold them, so they would fail
/// at the database as a 500 after validation passed. Refused while the body is read, they are a 400 naming the field, for
/// every endpoint at once.</summary>
internal sealed class StorableStrings : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString()!;
        return value.Contains('\0') ? throw new JsonException("Text may not contain NUL characters (\\u0000).") : value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
