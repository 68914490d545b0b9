#!/usr/bin/env bash
# Replays the OWASP CRS project's own regression tests (go-ftw YAML, from a CRS source checkout whose version
# matches the installed rules, e.g. git archive v3.3.4 of github.com/coreruleset/coreruleset) byte for byte against
#   1. nginx + ModSecurity v3 + Debian's CRS,  2. Edgeplane's WAF proxy with the same CRS files (CoreRuleSet),
# both in front of the same nginx upstream on 127.0.0.1, and prints detection per category, false positives, and
# the tests the two answered differently.
# Needs: dotnet, nginx, libnginx-mod-http-modsecurity, modsecurity-crs, libmodsecurity3, python3-yaml, curl.
# Usage: bench/waf/crs-regression.sh CRS_CHECKOUT [paranoia-level]
#   CONFIGURATION=Debug BUILD=0 use the Debug host as last built; EDGEPLANE_DEFAULT_RULES=true also keeps Edgeplane's own default rules on (off by default: CRS against CRS).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
crs="${1:?usage: crs-regression.sh CRS_CHECKOUT [paranoia-level]}"
paranoia="${2:-1}"
[ -d "$crs/tests/regression/tests" ] || { echo "not a CRS checkout (no tests/regression/tests): $crs" >&2; exit 1; }
source "$here/servers.sh"
require_tools nginx curl dotnet python3
python3 -c 'import yaml' 2>/dev/null || { echo "missing: python3-yaml" >&2; exit 1; }
tmp="$(mktemp -d /tmp/waf-crs.XXXXXX)"
trap cleanup_servers EXIT

start_upstream
ms_port=$(port); host_port=$(port); waf_port=$(port)
start_modsecurity "$ms_port" "$paranoia"
build_edgeplane "${CONFIGURATION:-Release}"
start_edgeplane crs "$waf_port" "$host_port" CoreRuleSet=true ParanoiaLevel="$paranoia" DefaultRuleSet="${EDGEPLANE_DEFAULT_RULES:-false}"
wait_edgeplane crs "$waf_port" "$host_port"
require_blocking "nginx + ModSecurity" "$ms_port"
require_blocking "Edgeplane" "$waf_port"

echo "CRS $(git -C "$crs" describe --tags 2>/dev/null || basename "$crs") tests; rules: Debian modsecurity-crs $(dpkg-query -W -f='${Version}' modsecurity-crs); load average $(cut -d' ' -f1-3 /proc/loadavg)"
EDGEPLANE_API="http://127.0.0.1:$host_port" EDGEPLANE_KEY="$key" python3 "$here/crs_regression.py" "$crs" /usr/share/modsecurity-crs/rules "$paranoia" "ModSecurity=$ms_port" "Edgeplane=$waf_port"
curl -s -H "X-SecBeat-API-Key: $key" "http://127.0.0.1:$host_port/waf/api/v1/status" | python3 -c '
import json, sys
s = json.load(sys.stdin).get("crs") or {}
slow = s.get("backtracking_rules") or []
print("\nEdgeplane: %s CRS rules loaded, paranoia level %s, %d on the backtracking engine (match timeout): %s" % (s.get("rules"), s.get("paranoia_level"), len(slow), slow))'
