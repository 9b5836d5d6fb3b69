#!/usr/bin/env bash
# Stops, SIGKILLs or starts again one node of the local cluster started with KAFKA_NODES=N:
#   KAFKA_DIR=… scripts/kafka/node.sh stop|kill|start <i>      (i from 1 to N)
# `start` returns once clients can use the node. See cluster.sh.
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster.sh" node "$@"
