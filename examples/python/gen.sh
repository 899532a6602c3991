#!/usr/bin/env bash
# Generates the Python client for Samsa's API from proto/ with Debian's protoc and gRPC plugin
# (packages protobuf-compiler and protobuf-compiler-grpc; `python3 -m grpc_tools.protoc` is not
# packaged on Debian). Output goes to ./gen (ignored by git) or to the directory given.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
out="${1:-$here/gen}"
plugin="$(command -v grpc_python_plugin || echo /usr/bin/grpc_python_plugin)"
mkdir -p "$out"
protoc -I "$root/proto" \
  --python_out="$out" \
  --grpc_out="$out" \
  --plugin=protoc-gen-grpc="$plugin" \
  "$root"/proto/samsa/v1/*.proto
echo "generated the Samsa Python client in $out"
