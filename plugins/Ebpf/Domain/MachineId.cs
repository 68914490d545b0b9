namespace Edgeplane.Plugins.Ebpf.Domain;

/// <summary>A machine's id (systemd's <c>/etc/machine-id</c>), sent at enrollment and in every report.</summary>
public static class MachineId
{
    public const string Rule = "must be 1 to 64 printable characters (the contents of /etc/machine-id)";

    public static bool IsValid(string value) => value.Length is >= 1 and <= 64 && !value.Any(char.IsControl);
}
