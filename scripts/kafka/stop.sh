#!/usr/bin/env bash
# Stops the local Kafka node started by start.sh (SIGTERM, then SIGKILL after 30 s).
# KAFKA_CLEAN=1 also deletes its data (topics, offsets). KAFKA_DIR as for start.sh; a KAFKA_DIR
# holding a cluster (KAFKA_NODES=N start.sh) has all its nodes stopped (cluster.sh stop).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${KAFKA_DIR:-$(cd "$here/../.." && pwd)/.kafka}"
if [[ -f "$dir/cluster.env" ]]; then exec bash "$here/cluster.sh" stop; fi
pid_file="$dir/kafka.pid"

if [[ -f "$pid_file" ]]; then
  pid="$(cat "$pid_file")"
  # Only a process that is a Kafka node (not a reused pid) is stopped.
  if grep -q "kafka.Kafka" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "kafka: pid $pid did not stop in 30 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "kafka: stopped pid $pid"
  fi
  rm -f "$pid_file"
else
  echo "kafka: not running"
fi
if [[ "${KAFKA_CLEAN:-0}" == "1" ]]; then rm -rf "$dir/data"; fi
