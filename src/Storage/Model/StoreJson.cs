using System.Text.Json;
using System.Text.Json.Serialization;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Storage.Model;

/// <summary>
/// The one JSON shape stores and spools use for snapshots, rows and events, generated at compile time
/// so the probe also runs as a native (ahead-of-time compiled) program.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(IntervalSnapshot))]
[JsonSerializable(typeof(MonitorEvent))]
[JsonSerializable(typeof(IReadOnlyList<SecondPoint>))]
[JsonSerializable(typeof(List<SecondPoint>))]
[JsonSerializable(typeof(IReadOnlyList<ReportRow>))]
[JsonSerializable(typeof(List<ReportRow>))]
internal sealed partial class StoreJson : JsonSerializerContext;
