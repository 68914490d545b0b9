namespace Edgeplane.Plugins.Ebpf.Data;

/// <summary>The <c>kind</c> of an <c>ebpf_objects</c> row.</summary>
public static class ObjectKinds
{
    public const string Program = "program";
    public const string Map = "map";
}
