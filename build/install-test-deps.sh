#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when one is missing.
set -euo pipefail

<<<<<<< HEAD
packages=(wrk postgresql)
=======
packages=(wrk)
packages+=(prometheus)  # metrics: promtool check metrics
>>>>>>> wip/obs
packages+=(nodejs curl)   # rollouts: grpc-js test client (node; npm ships with the machine's nodejs), curl --http2
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
