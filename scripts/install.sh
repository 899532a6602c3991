#!/usr/bin/env bash
# Installs what Samsa needs on a fresh Debian/Ubuntu machine, then builds it. Idempotent: packages
# already present are not touched, so running it again is quick.
#
#   etcd-server                      the metadata store every Samsa cluster runs on
#   openssl                          makes the local CA and certificates `npm start` serves TLS with
#   python3-grpcio python3-protobuf  the Python client example and its test
#   protobuf-compiler-grpc           protoc and grpc_python_plugin (generates the Python client)
#   docker-compose                   to validate docker-compose.yml (`docker-compose config`)
#   zsh                              the CLI test runs `samsa completion zsh` in a real zsh
#   nftables                         the fault tests' network partitions (test/fault/harness/netns.ts;
#                                    they also need root, and are skipped with a note without either)
#
# With SAMSA_INSTALL_GO=1 (CI sets it in .ci/run; a developer without it has the Go client test
# skipped with a note): the Go client example (examples/go) and its test, built offline
# from Debian's Go sources in /usr/share/gocode:
#   golang-go protoc-gen-go protoc-gen-go-grpc          the compiler and the two protoc plugins
#   golang-google-grpc-dev golang-google-protobuf-dev   grpc-go and protobuf-go sources
#   golang-github-golang-protobuf-1-5-dev               the APIv1 shim grpc-go's codec calls; the
#                                                       1.3 one apt picks by default cannot marshal
#                                                       protoc-gen-go's (APIv2) messages
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(etcd-server openssl python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc docker-compose zsh nftables kcat)
if [[ "${SAMSA_INSTALL_GO:-}" == 1 ]]; then
  packages+=(golang-go protoc-gen-go protoc-gen-go-grpc golang-google-grpc-dev golang-google-protobuf-dev golang-github-golang-protobuf-1-5-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "install.sh: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "install.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install.sh: system packages already installed"
fi

# Debian's etcd-server package starts an etcd on 2379 as a system service; `npm start` runs its own.
if command -v systemctl >/dev/null && systemctl is-active --quiet etcd 2>/dev/null; then
  echo "install.sh: note: a system etcd service is running on port 2379; stop it (sudo systemctl stop etcd) before \`npm start\`, or use \`npm start -- --etcd-port 12379\`"
fi

npm ci --no-audit --no-fund
npm run build
echo "install.sh: done. Start a local cluster with \`npm start\`."
