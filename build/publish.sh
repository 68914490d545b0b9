#!/usr/bin/env bash
# Publishes the host and every first-party plugin for deployment, precompiled (ReadyToRun), into OUT:
#   build/publish.sh [OUT] [PLUGIN...]   (default: artifacts/edgeplane, every plugin; PLUGIN: a folder under plugins/, e.g. Dns)
#   dotnet OUT/Edgeplane.Host.dll --urls http://127.0.0.1:5000
# The plugins land in OUT/plugins/<project>/, the host's default plugin directory. ReadyToRun code
# starts without waiting for the JIT (bench/host measures the difference); RID: linux-x64 unless RID says.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-artifacts/edgeplane}")"
rid="${RID:-linux-x64}"
publish() { dotnet publish "$1" -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$2" -nologo -clp:ErrorsOnly; }

rm -rf "$out"
publish src/Host "$out"
shift || true
projects=(plugins/*/*.csproj)
[ $# -gt 0 ] && projects=($(for plugin in "$@"; do echo plugins/"$plugin"/*.csproj; done))
for project in "${projects[@]}"; do
  publish "$project" "$out/plugins/$(basename "$project" .csproj)"
done
echo "published to $out"
