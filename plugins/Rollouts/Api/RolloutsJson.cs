using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// Generated JSON metadata for the request bodies the routes bind: the request delegates read it when the
/// endpoints are built at start, where reflection-based metadata was most of their cost.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ProfileModule.ProfilePatch))]
[JsonSerializable(typeof(TufModule.RotateRequest))]
[JsonSerializable(typeof(AuthModule.LoginRequest))]
[JsonSerializable(typeof(BrandingModule.BrandingBody))]
[JsonSerializable(typeof(DevicesModule.DevicePatch))]
[JsonSerializable(typeof(DeviceLogsModule.NewLogRequest))]
[JsonSerializable(typeof(EnrollTokensModule.NewEnrollToken))]
[JsonSerializable(typeof(GroupsModule.NewGroup))]
[JsonSerializable(typeof(GroupsModule.GroupPatch))]
[JsonSerializable(typeof(IncidentsModule.NewIncident))]
[JsonSerializable(typeof(IncidentsModule.IncidentPatch))]
[JsonSerializable(typeof(RegistriesModule.NewRegistry))]
[JsonSerializable(typeof(RegistriesModule.ImportRequest))]
[JsonSerializable(typeof(RolloutsModule.NewRollout))]
[JsonSerializable(typeof(ArtifactsModule.ArtifactPatch))]
[JsonSerializable(typeof(UsersModule.NewTeamUser))]
[JsonSerializable(typeof(ApiKeysModule.NewKey))]
[JsonSerializable(typeof(Dictionary<string, object>))]
internal sealed partial class RolloutsJson : JsonSerializerContext;
