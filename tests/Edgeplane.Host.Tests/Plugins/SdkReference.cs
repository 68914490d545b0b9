using System.Buffers.Binary;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Edgeplane.Host.Tests.Plugins;

/// <summary>
/// Makes a built plugin assembly reference another version of the SDK, as if it had been compiled against it: the
/// version of its <c>Edgeplane.Abstractions</c> row in the AssemblyRef table (four 16-bit numbers at the row's start).
/// </summary>
public static class SdkReference
{
    public static void Set(string assemblyPath, Version version)
    {
        var bytes = File.ReadAllBytes(assemblyPath);
        int offset;
        using (var pe = new PEReader(new MemoryStream(bytes)))
        {
            var md = pe.GetMetadataReader();
            var reference = md.AssemblyReferences.Single(r => md.GetString(md.GetAssemblyReference(r).Name) == "Edgeplane.Abstractions");
            offset = pe.PEHeaders.MetadataStartOffset + md.GetTableMetadataOffset(TableIndex.AssemblyRef)
                + (MetadataTokens.GetRowNumber(reference) - 1) * md.GetTableRowSize(TableIndex.AssemblyRef);
        }
        ushort[] parts = [(ushort)version.Major, (ushort)version.Minor, (ushort)Math.Max(version.Build, 0), (ushort)Math.Max(version.Revision, 0)];
        for (var i = 0; i < parts.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset + i * 2), parts[i]);
        File.WriteAllBytes(assemblyPath, bytes);
    }
}
