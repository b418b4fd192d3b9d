#!/usr/bin/env bash
# Deletes the kind cluster create-cluster.sh made.
set -euo pipefail
kind delete cluster --name "${CLUSTER:-meshproof}"
