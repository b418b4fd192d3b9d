#!/usr/bin/env bash
# Builds the kube-apiserver the k8s-envs tests start (k8s.io/kubernetes v1.37.2, through the wrapper
# module in src/test/go/kube-apiserver) into the user's cache directory, once; later calls return at
# once. Minutes on two cores the first time. Needs Go (1.26+) and the Go module proxy.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/meshproof/kube-apiserver-v1.37.2"
binary="$cache/kube-apiserver"
if [ -x "$binary" ]; then
  echo "kube-apiserver: $binary (cached)"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "go not found: the k8s-envs API server tests will be skipped" >&2
  exit 0
fi
mkdir -p "$cache"
start=$(date +%s)
(cd "$here/src/test/go/kube-apiserver" && go build -trimpath -o "$binary.tmp" .)
mv "$binary.tmp" "$binary"
echo "kube-apiserver: $binary (built in $(( $(date +%s) - start )) s)"
