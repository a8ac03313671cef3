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

version=${1:-$(git describe --tags --always --dirty 2>/dev/null || echo devel)}
rm -rf dist
mkdir -p dist
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
  if [ "$os" = windows ]; then
    (cd dist && zip -qr "$name.zip" "$name")
  else
    tar -C dist -czf "dist/$name.tar.gz" "$name"
  fi
  rm -rf "dist/$name"
done
(cd dist && sha256sum tcpsim_* > SHA256SUMS)
ls -l dist
