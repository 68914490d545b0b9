using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Rollouts.Data.Artifacts;
using Edgeplane.Plugins.Rollouts.Data.Deployments;
using Edgeplane.Plugins.Rollouts.Data.Evidence;
using Edgeplane.Plugins.Rollouts.Data.Fleet;
using Edgeplane.Plugins.Rollouts.Data.Registries;
using Edgeplane.Plugins.Rollouts.Data.Reports;
using Edgeplane.Plugins.Rollouts.Data.Sboms;
using Edgeplane.Plugins.Rollouts.Data.Tuf;
using Edgeplane.Plugins.Rollouts.Domain.Reports;
using Edgeplane.Plugins.Rollouts.Domain.Sboms;

namespace Edgeplane.Plugins.Rollouts.Api;

/// <summary>
/// Generated JSON metadata for the request bodies the routes bind and the answers they write: the request delegates
/// read it when the endpoints are built at start, where reflection-based metadata was most of their cost.
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
[JsonSerializable(typeof(AuthModule.SignedIn))]
[JsonSerializable(typeof(AuthModule.CallerView))]
[JsonSerializable(typeof(ProfileModule.ProfileView))]
[JsonSerializable(typeof(DeviceCaModule.DeviceCaView))]
[JsonSerializable(typeof(EnrollTokensModule.IssuedEnrollToken))]
[JsonSerializable(typeof(EnrollTokenView))]
[JsonSerializable(typeof(Page<EnrollTokenView>))]
[JsonSerializable(typeof(DeviceView))]
[JsonSerializable(typeof(Page<DeviceView>))]
[JsonSerializable(typeof(Page<DevicesModule.HistoryEntry>))]
[JsonSerializable(typeof(LogRequestView))]
[JsonSerializable(typeof(Page<LogRequestView>))]
[JsonSerializable(typeof(GroupView))]
[JsonSerializable(typeof(Page<GroupView>))]
[JsonSerializable(typeof(Page<GroupMember>))]
[JsonSerializable(typeof(ArtifactView))]
[JsonSerializable(typeof(Page<ArtifactView>))]
[JsonSerializable(typeof(SbomView))]
[JsonSerializable(typeof(Page<SbomView>))]
[JsonSerializable(typeof(Page<SbomComponent>))]
[JsonSerializable(typeof(RegistryView))]
[JsonSerializable(typeof(Page<RegistryView>))]
[JsonSerializable(typeof(Page<RegistriesModule.RegistryEntry>))]
[JsonSerializable(typeof(RolloutView))]
[JsonSerializable(typeof(Page<RolloutView>))]
[JsonSerializable(typeof(IncidentView))]
[JsonSerializable(typeof(Page<IncidentView>))]
[JsonSerializable(typeof(VulnerabilitiesModule.VulnerabilityImport))]
[JsonSerializable(typeof(Page<VulnerabilityView>))]
[JsonSerializable(typeof(BrandingView))]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(VulnerabilityReport))]
[JsonSerializable(typeof(IncidentReport))]
[JsonSerializable(typeof(TufModule.TufStatus))]
[JsonSerializable(typeof(TufVersions))]
internal sealed partial class RolloutsJson : JsonSerializerContext;
