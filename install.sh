#!/bin/sh
# Installs the ProxMCP standalone executable on Linux or macOS (x64 or arm64; glibc or musl).
#
#   curl -fsSL https://raw.githubusercontent.com/proxmcp/proxmcp/main/install.sh | sh
#   curl -fsSL https://raw.githubusercontent.com/proxmcp/proxmcp/main/install.sh | PROXMCP_VERSION=0.1.0 sh
#
# It downloads the release archive for this machine and the release's SHA256SUMS, refuses an
# archive whose SHA-256 does not match, and puts `proxmcp` in the install directory.
#
# Environment:
#   PROXMCP_VERSION        version to install, 0.1.0 or v0.1.0 (default: the latest release)
#   PROXMCP_INSTALL_DIR    where to put proxmcp (default: ~/.local/bin, or /usr/local/bin as root)
#   PROXMCP_DOWNLOAD_BASE  where releases are (default: https://github.com/proxmcp/proxmcp/releases/download)
#   PROXMCP_OS, PROXMCP_ARCH, PROXMCP_LIBC
#                          skip detection: linux|darwin, x64|arm64, glibc|musl
#
# Download layout (GitHub's; a mirror set in PROXMCP_DOWNLOAD_BASE must follow it):
#   <base>/v<version>/SHA256SUMS
#   <base>/v<version>/proxmcp-<version>-<os>-<arch>[-musl].tar.gz
# The latest release: its SHA256SUMS is read from <base>/../latest/download when <base> ends in
# /releases/download (GitHub redirects that to the newest release's assets), else from
# <base>/latest. The version is taken from the archive names listed there, and the archive is
# downloaded from the same place.

set -eu

DEFAULT_BASE=https://github.com/proxmcp/proxmcp/releases/download
RELEASES_PAGE=https://github.com/proxmcp/proxmcp/releases

say() {
  printf 'proxmcp-install: %s\n' "$*"
}

fail() {
  printf 'proxmcp-install: error: %s\n' "$*" >&2
  exit 1
}

# Sets os, arch and platform (the archive name's <os>-<arch>[-musl] part).
detect_platform() {
  system=${PROXMCP_OS:-$(uname -s)}
  case $system in
    Linux | linux) os=linux ;;
    Darwin | darwin) os=darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT | windows)
      fail "Windows is not supported by this script: download proxmcp-<version>-windows-x64.zip from $RELEASES_PAGE" ;;
    *) fail "unsupported operating system: $system (ProxMCP ships executables for Linux and macOS)" ;;
  esac

  machine=${PROXMCP_ARCH:-$(uname -m)}
  case $machine in
    x86_64 | amd64 | x64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) fail "unsupported architecture: $machine (ProxMCP ships executables for x64 and arm64)" ;;
  esac

  # An x64 shell on Apple silicon runs under Rosetta; the native arm64 build is the one to use.
  if [ "$os" = darwin ] && [ "$arch" = x64 ] && [ -z "${PROXMCP_ARCH:-}" ] &&
    [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
    arch=arm64
  fi

  platform=$os-$arch
  if [ "$os" = linux ]; then
    libc=${PROXMCP_LIBC:-$(detect_libc)}
    case $libc in
      glibc) ;;
      musl) platform=$platform-musl ;;
      *) fail "unsupported C library: $libc (expected glibc or musl)" ;;
    esac
  fi
}

detect_libc() {
  for loader in /lib/ld-musl-*; do
    if [ -e "$loader" ]; then
      echo musl
      return
    fi
  done
  if command -v ldd >/dev/null 2>&1 && ldd --version 2>&1 | grep -qi musl; then
    echo musl
  else
    echo glibc
  fi
}

pick_hash_tool() {
  for hash_tool in sha256sum shasum openssl; do
    if command -v "$hash_tool" >/dev/null 2>&1; then
      return
    fi
  done
  fail "sha256sum, shasum or openssl is needed to verify the download"
}

sha256_of() {
  case $hash_tool in
    sha256sum) sha256sum "$1" ;;
    shasum) shasum -a 256 "$1" ;;
    openssl) openssl dgst -sha256 -r "$1" ;;
  esac | cut -d ' ' -f 1
}

pick_downloader() {
  if command -v curl >/dev/null 2>&1; then
    downloader=curl
  elif command -v wget >/dev/null 2>&1; then
    downloader=wget
  else
    fail "curl or wget is needed to download ProxMCP"
  fi
}

# download URL FILE [HINT]
download() {
  if [ "$downloader" = curl ]; then
    curl -fsSL --retry 2 -o "$2" "$1" || fail "could not download $1${3:+; $3}"
  else
    wget -q -O "$2" "$1" || fail "could not download $1${3:+; $3}"
  fi
}

# The SHA-256 listed for file $1 in the SHA256SUMS file $2 (text or binary mode lines).
listed_sha256() {
  awk -v name="$1" '{ file = $2; sub(/^\*/, "", file); if (file == name) { print tolower($1); exit } }' "$2"
}

# The version in the name of this platform's archive, as listed in the SHA256SUMS file $1.
listed_version() {
  sed -n "s/^[0-9a-fA-F]\{64\} [ *]proxmcp-\(.*\)-$platform\.tar\.gz\$/\1/p" "$1" | head -n 1
}

main() {
  detect_platform
  pick_hash_tool
  pick_downloader

  base=${PROXMCP_DOWNLOAD_BASE:-$DEFAULT_BASE}
  base=${base%/}
  case $base in
    https://*) ;;
    *) say "warning: $base is not HTTPS; the checksums come from there too, so they only catch corruption" ;;
  esac

  if [ "$(id -u)" = 0 ]; then
    install_dir=${PROXMCP_INSTALL_DIR:-/usr/local/bin}
  else
    install_dir=${PROXMCP_INSTALL_DIR:-${HOME:?HOME is not set: set PROXMCP_INSTALL_DIR}/.local/bin}
  fi

  tmp=$(mktemp -d 2>/dev/null || mktemp -d -t proxmcp)
  trap 'rm -rf "$tmp"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  version=${PROXMCP_VERSION:-latest}
  version=${version#v}
  case $version in
    '' | *[!0-9A-Za-z.+-]*) fail "invalid PROXMCP_VERSION: $PROXMCP_VERSION" ;;
  esac
  if [ "$version" = latest ]; then
    case $base in
      */releases/download) release=${base%/download}/latest/download ;;
      *) release=$base/latest ;;
    esac
    say "looking up the latest release for $platform"
    download "$release/SHA256SUMS" "$tmp/SHA256SUMS"
    version=$(listed_version "$tmp/SHA256SUMS")
    [ -n "$version" ] || fail "the latest release has no build for $platform (see $RELEASES_PAGE)"
  else
    release=$base/v$version
    download "$release/SHA256SUMS" "$tmp/SHA256SUMS" "is $version a ProxMCP release? See $RELEASES_PAGE"
  fi

  asset=proxmcp-$version-$platform.tar.gz
  expected=$(listed_sha256 "$asset" "$tmp/SHA256SUMS")
  [ -n "$expected" ] || fail "release $version has no $asset (no build for $platform?)"

  say "downloading $asset"
  download "$release/$asset" "$tmp/$asset"
  actual=$(sha256_of "$tmp/$asset")
  if [ "$actual" != "$expected" ]; then
    fail "checksum mismatch for $asset: SHA256SUMS lists $expected, the download is $actual. The archive is corrupt or was tampered with; nothing was installed."
  fi

  tar -xzf "$tmp/$asset" -C "$tmp" proxmcp || fail "could not unpack proxmcp from $asset"
  mkdir -p "$install_dir" || fail "could not create $install_dir (set PROXMCP_INSTALL_DIR to a directory you can write)"
  # Copy beside the target, then rename: a running proxmcp keeps its file, nobody sees half a file.
  staged=$install_dir/.proxmcp.$$
  if ! { cp "$tmp/proxmcp" "$staged" && chmod 755 "$staged" && mv -f "$staged" "$install_dir/proxmcp"; }; then
    rm -f "$staged"
    fail "could not write $install_dir/proxmcp (set PROXMCP_INSTALL_DIR to a directory you can write)"
  fi
  say "installed proxmcp $version to $install_dir/proxmcp"

  if [ -z "${PROXMCP_OS:-}${PROXMCP_ARCH:-}${PROXMCP_LIBC:-}" ] &&
    ! "$install_dir/proxmcp" --version </dev/null >/dev/null 2>&1; then
    say "warning: $install_dir/proxmcp does not start on this machine; on musl systems such as Alpine it needs libstdc++ and libgcc (apk add libstdc++ libgcc)"
  fi

  case ":$PATH:" in
    *":$install_dir:"*) say "run: proxmcp --help" ;;
    *)
      say "$install_dir is not on your PATH; add it in your shell's profile (e.g. ~/.profile):"
      printf '\n  export PATH="%s:$%s"\n\n' "$install_dir" PATH
      ;;
  esac
}

main "$@"
