#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when one is missing.
set -euo pipefail

packages=(wrk postgresql python3 curl)
packages+=(prometheus)  # metrics: promtool check metrics
command -v npm >/dev/null || packages+=(nodejs npm)  # OpenAPI validator, gRPC and TUF clients from npm
packages+=(podman runc busybox-static)  # compute
packages+=(bind9-dnsutils bind9utils knot-dnsutils nsd dnsperf publicsuffix)   # dns (publicsuffix: the list new zones are checked against)
packages+=(curl prometheus)   # waf (curl as a real client, promtool checks /metrics)
packages+=(modsecurity-crs libmodsecurity3)   # waf SecLang engine: the OWASP CRS rule files, libinjection (exported by libmodsecurity3)
packages+=(libbpf-dev libcurl4-openssl-dev cmake pkg-config bpftool jq gcc)  # ebpf
packages+=(docker-registry apache2-utils sqlite3)   # rollouts
packages+=(poppler-utils)   # rollouts-evidence (pdftoppm, pdftotext, pdfinfo check the PDF reports)
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
