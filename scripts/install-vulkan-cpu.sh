#!/usr/bin/env bash
# Gives a machine without a usable GPU driver a Vulkan device that Dawn (the `webgpu` package)
# accepts: Mesa's lavapipe, a CPU implementation of Vulkan, from Debian 12 bookworm-backports.
# Debian 12's own Mesa 22 lavapipe lacks the shaderUniform*ArrayDynamicIndexing features that Dawn
# requires, so the adapter request fails there.
#
# Does nothing when a usable driver is already installed: a non-Mesa ICD (for example NVIDIA's), a
# Mesa 23 or newer hardware ICD, or Mesa 25 or newer lavapipe. Otherwise, as root on Debian 12, it adds
# the bookworm-backports suite of the Debian archive that the machine already uses, installs
# mesa-vulkan-drivers and libvulkan1 from it, and checks the result. Safe to run again.
#
# Usage: install-vulkan-cpu.sh [--check | --print-source]
#   --check         report whether a usable driver is present; exit 0 if so, 1 if not
#   --print-source  print the backports source that would be written, then exit
#
# Environment (for tests on copies of the apt configuration):
#   OSUSUME_APT_SOURCES_DIR   default /etc/apt/sources.list.d
#   OSUSUME_APT_SOURCES_LIST  default /etc/apt/sources.list
#   OSUSUME_VULKAN_ICD_DIRS   default "/usr/share/vulkan/icd.d /etc/vulkan/icd.d"
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

sources_dir=${OSUSUME_APT_SOURCES_DIR:-/etc/apt/sources.list.d}
sources_list=${OSUSUME_APT_SOURCES_LIST:-/etc/apt/sources.list}
icd_dirs=${OSUSUME_VULKAN_ICD_DIRS:-/usr/share/vulkan/icd.d /etc/vulkan/icd.d}
backports_file="$sources_dir/osusume-backports.sources"
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() {
  echo "install-vulkan-cpu: $*" >&2
}

fail() {
  log "error: $*"
  exit 1
}

# Prints the installed version of a Debian package, or nothing.
package_version() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' "$1" 2>/dev/null | awk '$1 == "ii" { print $2 }'
}

# Prints the major Mesa version of mesa-vulkan-drivers (for example 25 for 25.0.7-2~bpo12+1), or nothing.
mesa_major() {
  local version
  version=$(package_version mesa-vulkan-drivers)
  [ -n "$version" ] && echo "${version%%.*}" | sed 's/^[0-9]*://'
}

# Succeeds when the Vulkan loader and at least one usable ICD are installed; prints the usable ICDs.
has_usable_driver() {
  if [ -z "$(package_version libvulkan1)" ] && ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
    return 1
  fi
  local mesa found=1 dir icd owner
  mesa=$(mesa_major || true)
  for dir in $icd_dirs; do
    [ -d "$dir" ] || continue
    for icd in "$dir"/*.json; do
      [ -e "$icd" ] || continue
      owner=$(dpkg -S "$icd" 2>/dev/null | cut -d: -f1 || true)
      if [ "$owner" != mesa-vulkan-drivers ]; then
        echo "$icd (${owner:-not from a Debian package})"
        found=0
      elif [ -n "$mesa" ] && { [ "$mesa" -ge 25 ] || { [ "$mesa" -ge 23 ] && ! grep -q lvp "$icd"; }; }; then
        echo "$icd (Mesa $mesa)"
        found=0
      fi
    done
  done
  return $found
}

# Prints "URI<TAB>SIGNED_BY" of the first enabled deb source for the bookworm suite. deb822 files in
# the sources directory come first, then one-line sources.list files. SIGNED_BY is empty when the
# source names no key file (an inline key is not copied; apt then uses its default keyrings).
find_bookworm_archive() {
  local file result
  for file in "$sources_dir"/*.sources; do
    [ -e "$file" ] && [ "$file" != "$backports_file" ] || continue
    result=$(awk "$deb822_program" "$file")
    if [ -n "$result" ]; then
      echo "$result"
      return 0
    fi
  done
  for file in "$sources_list" "$sources_dir"/*.list; do
    [ -e "$file" ] || continue
    result=$(awk "$one_line_program" "$file")
    if [ -n "$result" ]; then
      echo "$result"
      return 0
    fi
  done
  return 1
}

# deb822 stanzas (blank-line separated, "Key: value", continuation lines indented): prints the first
# enabled stanza of type deb whose Suites include bookworm.
deb822_program='
  BEGIN { RS = ""; FS = "\n" }
  {
    types = ""; uris = ""; suites = ""; signed = ""; enabled = "yes"; key = ""; inline_key = 0
    for (i = 1; i <= NF; i++) {
      line = $i
      if (line ~ /^#/) continue
      if (line ~ /^[ \t]/) { if (key == "signed-by") inline_key = 1; continue }
      colon = index(line, ":")
      if (colon == 0) continue
      key = tolower(substr(line, 1, colon - 1))
      value = substr(line, colon + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", value)
      if (key == "types") types = value
      else if (key == "uris") uris = value
      else if (key == "suites") suites = value
      else if (key == "signed-by") signed = value
      else if (key == "enabled") enabled = tolower(value)
    }
    if (enabled == "no" || (" " types " ") !~ /[ \t]deb[ \t]/ || (" " suites " ") !~ /[ \t]bookworm[ \t]/) next
    split(uris, uri, /[ \t]+/)
    if (inline_key) signed = ""
    printf "%s\t%s\n", uri[1], signed
    exit
  }'

# One-line entries: "deb [option=value ...] URI SUITE COMPONENTS..."; prints the first for bookworm.
one_line_program='
  /^[ \t]*deb[ \t]/ {
    signed = ""; field = 2
    if ($2 ~ /^\[/) {
      while (field <= NF) {
        if ($field ~ /^\[?signed-by=/) { signed = $field; sub(/^\[?signed-by=/, "", signed); sub(/\]$/, "", signed) }
        if ($field ~ /\]$/) { field++; break }
        field++
      }
    }
    if ($(field + 1) == "bookworm") { printf "%s\t%s\n", $field, signed; exit }
  }'

# Succeeds when some enabled source already lists the bookworm-backports suite.
has_backports_source() {
  grep -qsE '^[[:space:]]*Suites:.*[[:space:]]bookworm-backports([[:space:]]|$)' "$sources_dir"/*.sources && return 0
  grep -qsE '^[[:space:]]*deb[[:space:]].*[[:space:]]bookworm-backports([[:space:]]|$)' "$sources_list" "$sources_dir"/*.list
}

# Prints the deb822 stanza for bookworm-backports on the archive the machine already uses.
backports_stanza() {
  local archive uri signed
  archive=$(find_bookworm_archive) || fail "no enabled 'deb' source for the bookworm suite in $sources_dir/*.sources or $sources_list; add the Debian archive first"
  uri=${archive%%$'\t'*}
  signed=${archive#*$'\t'}
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\n' "$uri"
  [ -n "$signed" ] && printf 'Signed-By: %s\n' "$signed"
  return 0
}

# Asks Dawn for an adapter through the repository's own `webgpu` package, when it is installed.
probe_webgpu() {
  local module="$repo_root/node_modules/webgpu/index.js"
  if ! command -v node >/dev/null || [ ! -e "$module" ]; then
    log "skipping the WebGPU adapter check: node or node_modules/webgpu is missing (run npm ci, then this script again to check)"
    return 0
  fi
  node --input-type=module -e '
    import { pathToFileURL } from "node:url";
    const { create } = await import(pathToFileURL(process.argv[1]).href);
    const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
    if (adapter === null) { console.error("install-vulkan-cpu: error: Dawn found no WebGPU adapter"); process.exit(1); }
    console.error(`install-vulkan-cpu: WebGPU adapter: ${adapter.info.description || adapter.info.device}`);
  ' "$module" 2> >(grep -v 'artificially reduced' >&2)
}

main() {
  case "${1:-}" in
    --check)
      has_usable_driver
      return
      ;;
    --print-source)
      backports_stanza
      return
      ;;
    "") ;;
    *) fail "unknown argument '$1'; usage: install-vulkan-cpu.sh [--check | --print-source]" ;;
  esac

  local drivers
  if drivers=$(has_usable_driver); then
    log "a usable Vulkan driver is installed, nothing to do:"
    echo "$drivers" | sed 's/^/  /' >&2
    probe_webgpu
    return
  fi

  [ "$(id -u)" -eq 0 ] || fail "no usable Vulkan driver is installed and installing one needs root; run: sudo bash $0"
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ "$codename" = bookworm ] || fail "no usable Vulkan driver is installed and this script installs one only on Debian 12 (bookworm), not '${codename:-unknown}'; install Mesa 25 or newer (lavapipe) with your package manager"

  if has_backports_source; then
    log "bookworm-backports is already configured"
  else
    backports_stanza >"$backports_file"
    log "wrote $backports_file"
  fi
  apt-get update
  apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1

  drivers=$(has_usable_driver) || fail "mesa-vulkan-drivers $(package_version mesa-vulkan-drivers) is installed but provides no usable Vulkan driver (Mesa 25 or newer is needed)"
  log "installed:"
  echo "$drivers" | sed 's/^/  /' >&2
  probe_webgpu
}

main "$@"
