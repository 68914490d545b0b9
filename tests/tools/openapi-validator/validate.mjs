// Validates an OpenAPI document (a file path, or "-" for standard input) against the OpenAPI
// schema and its semantic rules (unique operation ids, resolvable $refs, path parameters declared...)
// with @apidevtools/swagger-parser. Prints "valid: <title> <version> (openapi X.Y.Z, N paths)" or the errors; exit 1 when invalid.
import { readFileSync } from "node:fs";
import SwaggerParser from "@apidevtools/swagger-parser";

const source = process.argv[2] ?? "-";
const text = readFileSync(source === "-" ? 0 : source, "utf8");
try {
  const api = await SwaggerParser.validate(JSON.parse(text));
  console.log(`valid: ${api.info.title} ${api.info.version} (openapi ${api.openapi ?? api.swagger}, ${Object.keys(api.paths ?? {}).length} paths)`);
} catch (err) {
  console.error(`invalid: ${err.message}`);
  for (const detail of err.details ?? []) console.error(JSON.stringify(detail));
  process.exit(1);
}
