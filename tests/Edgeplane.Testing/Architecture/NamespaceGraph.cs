using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Edgeplane.Testing.Architecture;

/// <summary>
/// Which of a compiled assembly's namespaces use which, read from its metadata and IL: base types, interfaces,
/// attributes, field, property and method signatures, locals, and every type, method and field a method body
/// names. A nested type (a lambda's closure, a state machine) counts as its outermost type's namespace. Only the
/// namespaces under the assembly's root count: generated code elsewhere (the request delegate generator's
/// interceptors) is left out, and so is what a plugin's <c>IPlugin</c> class uses: it is the composition root, whose
/// job is to register every part (nothing uses it back). <see cref="Cycles"/> are the loops: groups of namespaces that
/// use each other.
/// </summary>
public sealed class NamespaceGraph
{
    // namespace → namespace it uses → one example ("TypeA uses TypeB")
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new();

    // namespace → namespace of another assembly it uses → one example
    private readonly Dictionary<string, Dictionary<string, string>> _outside = new();

    public IReadOnlyDictionary<string, Dictionary<string, string>> Edges => _edges;

    /// <summary>The namespaces of other assemblies (the framework, packages) that each namespace uses, with one example each.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> OutsideUses => _outside;

    public static NamespaceGraph Read(string assemblyPath, string rootNamespace)
    {
        var graph = new NamespaceGraph();
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        bool Counts(string ns) => ns == rootNamespace || ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal);
        foreach (var handle in md.TypeDefinitions)
        {
            var from = NamespaceOf(md, handle);
            if (!Counts(from) || IsCompositionRoot(md, Outermost(md, handle))) continue;
            var used = new HashSet<TypeDefinitionHandle>();
            var outside = graph._outside.TryGetValue(from, out var known) ? known : graph._outside[from] = new();
            new TypeUses(md, pe, used, (ns, name) => outside.TryAdd(ns, $"{NameOf(md, handle)} uses {name}")).AddType(handle);
            foreach (var target in used)
            {
                var to = NamespaceOf(md, target);
                if (to == from || !Counts(to)) continue;
                var uses = graph._edges.TryGetValue(from, out var existing) ? existing : graph._edges[from] = new();
                uses.TryAdd(to, $"{NameOf(md, handle)} uses {NameOf(md, target)}");
            }
        }
        return graph;
    }

    /// <summary>Every group of two or more namespaces that reach each other (Tarjan's strongly connected components), sorted.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<IReadOnlyList<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            IEnumerable<string> uses = _edges.TryGetValue(node, out var edges) ? edges.Keys : [];
            foreach (var next in uses)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next)) low[node] = Math.Min(low[node], index[next]);
            }
            if (low[node] != index[node]) return;
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            } while (member != node);
            if (component.Count > 1) cycles.Add(component.Order(StringComparer.Ordinal).ToList());
        }
        foreach (var node in _edges.Keys.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(node)) Visit(node);
        return cycles.OrderBy(c => c[0], StringComparer.Ordinal).ToList();
    }

    /// <summary>The uses inside one cycle, one line each with an example, to show where to cut it.</summary>
    public string Explain(IReadOnlyList<string> cycle) =>
        string.Join("\n", cycle.SelectMany(from => _edges[from].Where(e => cycle.Contains(e.Key))
            .Select(e => $"  {from} → {e.Key}: {e.Value}")));

    private static string NamespaceOf(MetadataReader md, TypeDefinitionHandle handle) =>
        md.GetString(md.GetTypeDefinition(Outermost(md, handle)).Namespace);

    private static TypeDefinitionHandle Outermost(MetadataReader md, TypeDefinitionHandle handle)
    {
        while (md.GetTypeDefinition(handle).IsNested) handle = md.GetTypeDefinition(handle).GetDeclaringType();
        return handle;
    }

    private static bool IsCompositionRoot(MetadataReader md, TypeDefinitionHandle handle) =>
        md.GetTypeDefinition(handle).GetInterfaceImplementations()
            .Select(i => md.GetInterfaceImplementation(i).Interface)
            .Any(i => i.Kind == HandleKind.TypeReference
                && md.GetTypeReference((TypeReferenceHandle)i) is var reference
                && md.GetString(reference.Name) == "IPlugin" && md.GetString(reference.Namespace) == "Edgeplane.Abstractions.Plugins");

    private static string NameOf(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        return type.IsNested ? $"{NameOf(md, type.GetDeclaringType())}.{name}" : name;
    }

    /// <summary>Collects the assembly's own types that one type uses.</summary>
    private sealed class TypeUses(MetadataReader md, PEReader pe, HashSet<TypeDefinitionHandle> used, Action<string, string> outside)
        : ISignatureTypeProvider<int, object?>
    {
        private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => o.Value, o => o.OperandType);

        public void AddType(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            Add(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations()) Add(md.GetInterfaceImplementation(i).Interface);
            AddAttributes(type.GetCustomAttributes());
            AddGenericParameters(type.GetGenericParameters());
            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                field.DecodeSignature(this, null);
                AddAttributes(field.GetCustomAttributes());
            }
            foreach (var p in type.GetProperties())
            {
                var property = md.GetPropertyDefinition(p);
                property.DecodeSignature(this, null);
                AddAttributes(property.GetCustomAttributes());
            }
            foreach (var e in type.GetEvents()) Add(md.GetEventDefinition(e).Type);
            foreach (var m in type.GetMethods()) AddMethod(md.GetMethodDefinition(m));
        }

        private void AddMethod(MethodDefinition method)
        {
            method.DecodeSignature(this, null);
            AddAttributes(method.GetCustomAttributes());
            AddGenericParameters(method.GetGenericParameters());
            foreach (var p in method.GetParameters()) AddAttributes(md.GetParameter(p).GetCustomAttributes());
            if (method.RelativeVirtualAddress == 0) return;
            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil) md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(this, null);
            foreach (var region in body.ExceptionRegions) Add(region.CatchType);
            AddInstructions(body.GetILReader());
        }

        private void AddInstructions(BlobReader il)
        {
            while (il.RemainingBytes > 0)
            {
                var first = il.ReadByte();
                var code = first == 0xFE ? unchecked((short)(0xFE00 | il.ReadByte())) : first;
                switch (Operands[code])
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        Add(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        il.Offset += targets * 4;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    case OperandType.InlineBrTarget or OperandType.InlineI or OperandType.InlineSig or OperandType.InlineString or OperandType.ShortInlineR:
                        il.Offset += 4;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                }
            }
        }

        private void AddAttributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes) Add(md.GetCustomAttribute(a).Constructor);
        }

        private void AddGenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var p in parameters)
                foreach (var c in md.GetGenericParameter(p).GetConstraints())
                    Add(md.GetGenericParameterConstraint(c).Type);
        }

        private void Add(EntityHandle handle)
        {
            if (handle.IsNil) return;
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    used.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                    break;
                case HandleKind.TypeReference:
                    AddReference((TypeReferenceHandle)handle);
                    break;
                case HandleKind.MethodDefinition:
                    used.Add(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.FieldDefinition:
                    used.Add(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    Add(md.GetMemberReference((MemberReferenceHandle)handle).Parent);
                    break;
                case HandleKind.MethodSpecification:
                    var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Add(spec.Method);
                    spec.DecodeSignature(this, null);
                    break;
            }
        }

        public int GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            used.Add(handle);
            return 0;
        }

        public int GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        {
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
            return 0;
        }

        public int GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            AddReference(handle);
            return 0;
        }

        private void AddReference(TypeReferenceHandle handle)
        {
            var reference = md.GetTypeReference(handle);
            while (reference.ResolutionScope.Kind == HandleKind.TypeReference) reference = md.GetTypeReference((TypeReferenceHandle)reference.ResolutionScope);
            outside(md.GetString(reference.Namespace), md.GetString(reference.Name));
        }

        public int GetPrimitiveType(PrimitiveTypeCode typeCode) => 0;
        public int GetSZArrayType(int elementType) => 0;
        public int GetArrayType(int elementType, ArrayShape shape) => 0;
        public int GetByReferenceType(int elementType) => 0;
        public int GetPointerType(int elementType) => 0;
        public int GetPinnedType(int elementType) => 0;
        public int GetGenericInstantiation(int genericType, ImmutableArray<int> typeArguments) => 0;
        public int GetGenericMethodParameter(object? genericContext, int index) => 0;
        public int GetGenericTypeParameter(object? genericContext, int index) => 0;
        public int GetFunctionPointerType(MethodSignature<int> signature) => 0;
        public int GetModifiedType(int modifier, int unmodifiedType, bool isRequired) => 0;
    }
}
