#!/usr/bin/env bash
# Build tcpsim for students: static binaries (CGO_ENABLED=0) for Linux,
# macOS and Windows on amd64 and arm64, each in an archive with the README, docs/
# and licences, plus SHA256SUMS. The browser lab is inside every binary
# (tcpsim serve). Needs only Go; GoReleaser users: see .goreleaser.yaml,
# which builds the same targets.
#
#   scripts/release.sh [VERSION]   # archives in dist/
#   scripts/release.sh --check [OS/ARCH...]  # only check that the targets compile
#                                            # (all six by default; CI names two)
#   scripts/release.sh --extras DIR  # only write the man pages (DIR/man) and the
#                                    # shell completions (DIR/completions), as
#                                    # every archive carries them (GoReleaser's hook)
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"

if [ "${1:-}" = "--check" ]; then
  shift
  [ $# -gt 0 ] && TARGETS="$*"
  for t in $TARGETS; do
    os=${t%/*} arch=${t#*/}
    echo "compiling tcpsim for $os/$arch"
    CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -o /dev/null ./cmd/tcpsim
  done
  # The same flags as internal/web/webbuild, so the tests reuse this build.
  echo "compiling the browser lab's engine for js/wasm"
  GOOS=js GOARCH=wasm CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /dev/null ./internal/web/wasm
  exit 0
fi

# extras DIR: the man pages and shell completions, generated from the
# command tree by a build for this machine, dated by the last commit.
extras() {
  local dir=$1
  rm -rf "$dir"
  mkdir -p "$dir/man" "$dir/completions"
  go build -o "$dir/tcpsim-host" ./cmd/tcpsim
  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
    "$dir/tcpsim-host" man "$dir/man" >/dev/null
  "$dir/tcpsim-host" completion bash >"$dir/completions/tcpsim.bash"
  "$dir/tcpsim-host" completion zsh >"$dir/completions/_tcpsim"
  "$dir/tcpsim-host" completion fish >"$dir/completions/tcpsim.fish"
  "$dir/tcpsim-host" completion powershell >"$dir/completions/tcpsim.ps1"
  rm "$dir/tcpsim-host"
}

if [ "${1:-}" = "--extras" ]; then
  extras "${2:?--extras DIR}"
  exit 0
fi

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
rm -rf dist
mkdir -p dist
extras dist/extras
for t in $TARGETS; do
  os=${t%/*} arch=${t#*/}
  name=tcpsim_${version}_${os}_${arch}
  exe=tcpsim
  [ "$os" = windows ] && exe=tcpsim.exe
  mkdir -p "dist/$name"
  echo "building $name"
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -ldflags "-s -w" -o "dist/$name/$exe" ./cmd/tcpsim
  cp README.md LICENSE NOTICE "dist/$name/"
  cp -r docs deploy "dist/$name/"   # the README links into docs/, docs/sweeps.md into deploy/
  cp -r dist/extras/man dist/extras/completions "dist/$name/"
  if [ "$os" = windows ]; then
    (cd dist && zip -qr "$name.zip" "$name")
  else
    tar -C dist -czf "dist/$name.tar.gz" "$name"
  fi
  rm -rf "dist/$name"
done
rm -rf dist/extras
(cd dist && sha256sum tcpsim_* > SHA256SUMS)
ls -l dist
