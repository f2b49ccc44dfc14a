using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitor.Storage;

/// <summary>The one JSON shape stores and spools use for snapshots, rows and events.</summary>
internal static class StoreJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
