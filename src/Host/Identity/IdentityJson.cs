using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Abstractions.Security;

namespace Edgeplane.Host.Identity;

/// <summary>
/// Generated JSON metadata for the request bodies the host's routes bind: the request delegates read it when
/// the endpoints are built at start, where reflection-based metadata was most of their cost.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IdentityEndpoints.LoginRequest))]
[JsonSerializable(typeof(IdentityEndpoints.PasswordChange))]
[JsonSerializable(typeof(IdentityEndpoints.UserUpdate))]
[JsonSerializable(typeof(IdentityEndpoints.KeyRequest))]
[JsonSerializable(typeof(NewUser))]
[JsonSerializable(typeof(TeamEndpoints.NewTeam))]
[JsonSerializable(typeof(TeamEndpoints.MemberRole))]
[JsonSerializable(typeof(OrganizationEndpoints.NewOrganization))]
[JsonSerializable(typeof(OrganizationEndpoints.TeamOrganization))]
internal sealed partial class IdentityJson : JsonSerializerContext;
