#!/usr/bin/env bash
# Creates a local kind cluster with a named Istio release and Meshproof's images loaded, ready for
# `meshproof run --target kubernetes --context kind-meshproof`. See k8s-envs/README.md.
#
# Needs: docker (or podman) for kind, kind, kubectl, and istioctl of the Istio release to install
# (ISTIOCTL names it; fetch it from Istio's release page for ISTIO_VERSION).
# Environment:
#   CLUSTER        kind cluster name            (default meshproof -> context kind-meshproof)
#   ISTIO_VERSION  the Istio release installed  (default 1.32.0; must match `istioctl version --remote=false`)
#   ISTIOCTL       the istioctl binary          (default istioctl on PATH)
#   IMAGES_DIR     where `mvn -Pimages package` wrote the image tarballs (default k8s-envs/target)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CLUSTER="${CLUSTER:-meshproof}"
ISTIO_VERSION="${ISTIO_VERSION:-1.32.0}"
ISTIOCTL="${ISTIOCTL:-istioctl}"
IMAGES_DIR="${IMAGES_DIR:-$here/../../target}"

for tool in kind kubectl "$ISTIOCTL"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool not found (see k8s-envs/README.md)" >&2; exit 1; }
done
client_version="$("$ISTIOCTL" version --remote=false 2>/dev/null || true)"
if ! grep -qw -- "$ISTIO_VERSION" <<<"$client_version"; then
  echo "istioctl says '$client_version', ISTIO_VERSION is $ISTIO_VERSION: use the istioctl of that release" >&2
  exit 1
fi

if ! kind get clusters | grep -qx "$CLUSTER"; then
  kind create cluster --name "$CLUSTER" --config "$here/kind-cluster.yaml"
fi
ctx="kind-$CLUSTER"

# Istio's default profile (istiod + ingress gateway); the scenario namespaces turn injection on.
"$ISTIOCTL" install --context "$ctx" -y --set profile=default
kubectl --context "$ctx" -n istio-system rollout status deployment/istiod --timeout=300s

# The images Jib wrote as tarballs (no Docker daemon needed to build them).
for image in fake-services traffic-runner; do
  tar="$IMAGES_DIR/$image-image.tar"
  if [ ! -f "$tar" ]; then
    echo "$tar not found: run 'mvn -B -Pimages -pl k8s-envs -am package -DskipTests' first" >&2
    exit 1
  fi
  kind load image-archive "$tar" --name "$CLUSTER"
done
echo "ready: meshproof run --target kubernetes --context $ctx <scenario files>"
