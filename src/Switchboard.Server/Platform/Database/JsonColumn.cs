using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Platform.Database;

/// <summary>Stores a small structured value (list, map, JSON object) as JSON text, the same way on SQLite and PostgreSQL.</summary>
public static class JsonColumn
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property) where T : class, new()
    {
        property.HasConversion(
            value => JsonSerializer.Serialize(value, Options),
            text => JsonSerializer.Deserialize<T>(text, Options) ?? new T(),
            new ValueComparer<T>(
                (a, b) => JsonSerializer.Serialize(a, Options) == JsonSerializer.Serialize(b, Options),
                value => JsonSerializer.Serialize(value, Options).GetHashCode(),
                value => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, Options), Options)!));
        return property.IsRequired();
    }

    public static PropertyBuilder<JsonObject> HasJsonObjectConversion(this PropertyBuilder<JsonObject> property)
    {
        property.HasConversion(
            value => value.ToJsonString(Options),
            text => JsonNode.Parse(text, null, default) as JsonObject ?? new JsonObject(),
            new ValueComparer<JsonObject>(
                // Compared on every DetectChanges of a tracked row: a tree walk, not two serializations.
                (a, b) => JsonNode.DeepEquals(a, b),
                value => value.ToJsonString(Options).GetHashCode(),
                value => (JsonObject)value.DeepClone()));
        return property.IsRequired();
    }

    public static PropertyBuilder<JsonArray> HasJsonArrayConversion(this PropertyBuilder<JsonArray> property)
    {
        property.HasConversion(
            value => value.ToJsonString(Options),
            text => JsonNode.Parse(text, null, default) as JsonArray ?? new JsonArray(),
            new ValueComparer<JsonArray>(
                (a, b) => JsonNode.DeepEquals(a, b),
                value => value.ToJsonString(Options).GetHashCode(),
                value => (JsonArray)value.DeepClone()));
        return property.IsRequired();
    }
}
