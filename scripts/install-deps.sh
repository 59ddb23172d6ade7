#!/usr/bin/env bash
# Installs the Debian packages sluis needs to build and test. Idempotent; runs as root.
set -euo pipefail
PKGS=(build-essential cmake ninja-build pkg-config clang-14 libclang-rt-14-dev
      libsqlite3-dev libpq-dev libmicrohttpd-dev libcurl4-openssl-dev libssl-dev
      libjansson-dev libfyaml-dev libhyperscan-dev libpcre2-dev libcmocka-dev
      postgresql wrk chromium curl ca-certificates python3)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
