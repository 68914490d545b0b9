namespace Edgeplane.Plugins.Compute.Api;

/// <summary>The seed's answer to deleting an image or an instance.</summary>
public sealed record DeletedView(string Message, string Id);

/// <summary>The seed's answer to deleting a node.</summary>
public sealed record NodeDeletedView(string Message, string NodeId);
