using System.Text.Json;
using System.Text.Json.Serialization;
using Edgeplane.Plugins.Compute.Domain;

namespace Edgeplane.Plugins.Compute.Api;

/// <summary>Generated JSON metadata of the bodies the plugin's routes bind and of answers they write (added to the host's JSON options).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(UserLookup))]
[JsonSerializable(typeof(NewComputeUser))]
[JsonSerializable(typeof(NewNode))]
[JsonSerializable(typeof(NodeDeletion))]
[JsonSerializable(typeof(NewImage))]
[JsonSerializable(typeof(ImageDeletion))]
[JsonSerializable(typeof(InstanceReference))]
[JsonSerializable(typeof(UserInstancesQuery))]
[JsonSerializable(typeof(InstanceView))]
[JsonSerializable(typeof(List<InstanceView>))]
[JsonSerializable(typeof(Page<InstanceView>))]
[JsonSerializable(typeof(DeletedView))]
[JsonSerializable(typeof(NodeDeletedView))]
internal sealed partial class ComputeJson : JsonSerializerContext;
