#!/usr/bin/env bash
# Generates the Go client for Samsa's API from proto/ and builds the example with it, offline, from
# Debian's packages alone: golang-go, protobuf-compiler, protoc-gen-go, protoc-gen-go-grpc,
# golang-google-grpc-dev, golang-google-protobuf-dev and golang-github-golang-protobuf-1-5-dev
# (`SAMSA_INSTALL_GO=1 bash scripts/install.sh` installs them). Debian ships Go libraries as sources under /usr/share/gocode, which Go builds in
# GOPATH mode (GO111MODULE=off) without any module download.
#
#   bash examples/go/build.sh [OUT]     # default OUT: examples/go/gen (ignored by git)
#
# Writes the generated package to OUT/src/<go_package of the protos> and the binary to
# OUT/bin/samsa-go-client.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$(mkdir -p "${1:-$here/gen}" && cd "${1:-$here/gen}" && pwd)"
for tool in go protoc protoc-gen-go protoc-gen-go-grpc; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (SAMSA_INSTALL_GO=1 bash scripts/install.sh installs it)" >&2; exit 1; }
done
# grpc-go 1.33 marshals through github.com/golang/protobuf; only its 1.5 line (an APIv2 shim) can
# marshal the messages protoc-gen-go 1.28 generates (1.3 panics: "protobuf tag not enough fields").
if ! grep -qs google.golang.org/protobuf /usr/share/gocode/src/github.com/golang/protobuf/go.mod; then
  echo "build.sh: golang-github-golang-protobuf-1-5-dev is not installed (SAMSA_INSTALL_GO=1 bash scripts/install.sh installs it)" >&2
  exit 1
fi
mkdir -p "$out/src" "$out/bin"
# The go_package option of the protos names the import path; paths=import lays the files out under it.
protoc -I "$root/proto" \
  --go_out="$out/src" --go_opt=paths=import \
  --go-grpc_out="$out/src" --go-grpc_opt=paths=import \
  "$root"/proto/samsa/v1/*.proto
cd "$here"
# go needs a build cache; without HOME (some CI shells) it has no default.
[[ -n "${GOCACHE:-}" || -n "${HOME:-}" || -n "${XDG_CACHE_HOME:-}" ]] || export GOCACHE="$out/cache"
GO111MODULE=off GOPATH="$out:/usr/share/gocode" GOFLAGS= GOPROXY=off \
  go build -o "$out/bin/samsa-go-client" .
echo "generated the Samsa Go client in $out/src and built $out/bin/samsa-go-client"
