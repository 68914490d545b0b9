using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edgeplane.Plugins.Rollouts.Data.Sboms;

namespace Edgeplane.Plugins.Rollouts.Domain.Sboms;

/// <summary>
/// Structural validation of CycloneDX JSON (1.2-1.6) and SPDX JSON (2.2, 2.3) documents, and the components they
/// list (CycloneDX components, nested ones included; SPDX packages with their purl external reference).
/// </summary>
public static partial class SbomParser
{
    private static readonly HashSet<string> CycloneDxVersions = ["1.2", "1.3", "1.4", "1.5", "1.6"];
    private static readonly HashSet<string> ComponentTypes =
    [
        "application", "framework", "library", "container", "platform", "operating-system", "device", "device-driver", "firmware", "file",
        "machine-learning-model", "data", "cryptographic-asset",
    ];

    [GeneratedRegex(@"^SPDX-2\.[0-3]$")]
    private static partial Regex SpdxVersion();

    [GeneratedRegex(@"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex SerialNumber();

    /// <summary>The format a content type names: cyclonedx, spdx, "" for plain JSON (detected), or null when unsupported.</summary>
    public static string? FormatOf(string? contentType)
    {
        var media = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return media switch
        {
            SbomFormats.CycloneDxType => "cyclonedx",
            SbomFormats.SpdxType => "spdx",
            "application/json" => "",
            _ => null,
        };
    }

    /// <summary>Parses and validates; <paramref name="errors"/> lists what is wrong (JSON path: message).</summary>
    public static ParsedSbom? Parse(string format, string text, List<string> errors)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 128, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            errors.Add("not JSON: " + e.Message);
            return null;
        }
        if (root is not JsonObject obj)
        {
            errors.Add("$: must be a JSON object");
            return null;
        }
        if (format == "") format = obj.ContainsKey("bomFormat") ? "cyclonedx" : obj.ContainsKey("spdxVersion") ? "spdx" : "";
        return format switch
        {
            "cyclonedx" => CycloneDx(obj, errors),
            "spdx" => Spdx(obj, errors),
            _ => Fail(errors, "$: neither CycloneDX (bomFormat) nor SPDX (spdxVersion)"),
        };
    }

    private static ParsedSbom? Fail(List<string> errors, string message)
    {
        errors.Add(message);
        return null;
    }

    private static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static ParsedSbom? CycloneDx(JsonObject bom, List<string> errors)
    {
        if (Str(bom, "bomFormat") != "CycloneDX") errors.Add("$.bomFormat: must be \"CycloneDX\"");
        var spec = Str(bom, "specVersion");
        if (spec is null || !CycloneDxVersions.Contains(spec)) errors.Add("$.specVersion: must be one of " + string.Join(", ", CycloneDxVersions));
        if (bom.ContainsKey("version") && !(bom["version"] is JsonValue ver && ver.GetValueKind() == JsonValueKind.Number && ver.TryGetValue<int>(out var n) && n >= 1))
            errors.Add("$.version: must be an integer >= 1");
        if (bom.ContainsKey("serialNumber") && !(Str(bom, "serialNumber") is { } serial && SerialNumber().IsMatch(serial)))
            errors.Add("$.serialNumber: must be urn:uuid:<uuid>");
        if (bom.ContainsKey("metadata") && bom["metadata"] is not JsonObject) errors.Add("$.metadata: must be an object");
        var components = new List<SbomComponent>();
        if (bom.ContainsKey("components")) Components(bom["components"], "$.components", components, errors, 0);
        if (bom.ContainsKey("dependencies"))
        {
            if (bom["dependencies"] is not JsonArray deps) errors.Add("$.dependencies: must be an array");
            else
                for (var i = 0; i < deps.Count; i++)
                    if (deps[i] is not JsonObject d || Str(d, "ref") is null || (d.ContainsKey("dependsOn") && d["dependsOn"] is not JsonArray))
                        errors.Add($"$.dependencies[{i}]: must have a string 'ref' and an array 'dependsOn'");
        }
        return errors.Count > 0 ? null : new ParsedSbom("cyclonedx", spec!, components);
    }

    private static void Components(JsonNode? node, string path, List<SbomComponent> into, List<string> errors, int depth)
    {
        if (node is not JsonArray array)
        {
            errors.Add($"{path}: must be an array");
            return;
        }
        if (depth > 32)
        {
            errors.Add($"{path}: nested too deeply");
            return;
        }
        for (var i = 0; i < array.Count && errors.Count < 50; i++)
        {
            var p = $"{path}[{i}]";
            if (array[i] is not JsonObject c)
            {
                errors.Add($"{p}: must be an object");
                continue;
            }
            var type = Str(c, "type");
            var name = Str(c, "name");
            if (type is null || !ComponentTypes.Contains(type)) errors.Add($"{p}.type: must be one of {string.Join(", ", ComponentTypes)}");
            if (string.IsNullOrEmpty(name)) errors.Add($"{p}.name: is required");
            if (c.ContainsKey("version") && Str(c, "version") is null) errors.Add($"{p}.version: must be a string");
            var purl = Str(c, "purl");
            if (c.ContainsKey("purl") && (purl is null || !purl.StartsWith("pkg:", StringComparison.Ordinal))) errors.Add($"{p}.purl: must be a package URL (pkg:...)");
            if (!string.IsNullOrEmpty(name)) into.Add(new SbomComponent(name, Str(c, "version") ?? "", purl ?? ""));
            if (c.ContainsKey("components")) Components(c["components"], p + ".components", into, errors, depth + 1);
        }
    }

    private static ParsedSbom? Spdx(JsonObject doc, List<string> errors)
    {
        var version = Str(doc, "spdxVersion");
        if (version is null || !SpdxVersion().IsMatch(version)) errors.Add("$.spdxVersion: must be SPDX-2.0 .. SPDX-2.3");
        if (Str(doc, "SPDXID") != "SPDXRef-DOCUMENT") errors.Add("$.SPDXID: must be \"SPDXRef-DOCUMENT\"");
        if (string.IsNullOrEmpty(Str(doc, "name"))) errors.Add("$.name: is required");
        if (Str(doc, "dataLicense") != "CC0-1.0") errors.Add("$.dataLicense: must be \"CC0-1.0\"");
        if (!Uri.TryCreate(Str(doc, "documentNamespace"), UriKind.Absolute, out _)) errors.Add("$.documentNamespace: must be an absolute URI");
        if (doc["creationInfo"] is not JsonObject creation) errors.Add("$.creationInfo: is required");
        else
        {
            if (!DateTimeOffset.TryParse(Str(creation, "created"), System.Globalization.CultureInfo.InvariantCulture, out _))
                errors.Add("$.creationInfo.created: must be a date-time");
            if (creation["creators"] is not JsonArray creators || creators.Count == 0 || creators.Any(c => c is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
                errors.Add("$.creationInfo.creators: must be a non-empty array of strings");
        }
        var components = new List<SbomComponent>();
        if (doc.ContainsKey("packages"))
        {
            if (doc["packages"] is not JsonArray packages) errors.Add("$.packages: must be an array");
            else
                for (var i = 0; i < packages.Count && errors.Count < 50; i++)
                {
                    var p = $"$.packages[{i}]";
                    if (packages[i] is not JsonObject pkg)
                    {
                        errors.Add($"{p}: must be an object");
                        continue;
                    }
                    var id = Str(pkg, "SPDXID");
                    var name = Str(pkg, "name");
                    if (id is null || !id.StartsWith("SPDXRef-", StringComparison.Ordinal)) errors.Add($"{p}.SPDXID: must start with SPDXRef-");
                    if (string.IsNullOrEmpty(name)) errors.Add($"{p}.name: is required");
                    if (Str(pkg, "downloadLocation") is null) errors.Add($"{p}.downloadLocation: is required (a URL, NONE or NOASSERTION)");
                    var purl = "";
                    if (pkg.ContainsKey("externalRefs"))
                    {
                        if (pkg["externalRefs"] is not JsonArray refs) errors.Add($"{p}.externalRefs: must be an array");
                        else
                            foreach (var r in refs)
                            {
                                if (r is not JsonObject ro || Str(ro, "referenceCategory") is null || Str(ro, "referenceType") is null || Str(ro, "referenceLocator") is null)
                                {
                                    errors.Add($"{p}.externalRefs: each needs referenceCategory, referenceType and referenceLocator");
                                    continue;
                                }
                                if (Str(ro, "referenceType") == "purl" && purl == "") purl = Str(ro, "referenceLocator")!;
                            }
                    }
                    if (!string.IsNullOrEmpty(name)) components.Add(new SbomComponent(name, Str(pkg, "versionInfo") ?? "", purl));
                }
        }
        return errors.Count > 0 ? null : new ParsedSbom("spdx", version!["SPDX-".Length..], components);
    }
}
