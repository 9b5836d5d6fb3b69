#!/usr/bin/env bash
# A local N-node KRaft cluster on 127.0.0.1 (start.sh/stop.sh hand over to this when KAFKA_NODES > 1,
# or when KAFKA_DIR holds a cluster): every node is broker and controller (a quorum of N voters),
# replication factor min(3, N), min.insync.replicas 2 from 3 nodes on, heap KAFKA_HEAP (512m) each.
#
#   cluster.sh start                 starts every node that is not running, waits until clients can use the cluster
#   cluster.sh stop                  stops every node (SIGTERM, SIGKILL after KAFKA_STOP_TIMEOUT s, 15); KAFKA_CLEAN=1 deletes the data
#   cluster.sh node start|stop|kill <i>   one node (1..N): start it again, stop it (SIGTERM), or SIGKILL it
#
# Layout under KAFKA_DIR (.kafka): cluster.env (node count, ports, cluster id), bootstrap (the
# client bootstrap list, 127.0.0.1:p1,127.0.0.1:p2,…), node<i>/{config,data,logs,kafka.pid}.
# Ports: broker ports KAFKA_BROKER_PORT, +1, … and controller ports KAFKA_CONTROLLER_PORT, +1, …
# when given, else free ones; they are kept in cluster.env, so a restarted node reuses them
# (KAFKA_FRESH=1 wipes the cluster and picks again).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${KAFKA_DIR:-$root/.kafka}"
lib="$root/.kafka/lib"
heap="${KAFKA_HEAP:-512m}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
env_file="$dir/cluster.env"

node_dir() { echo "$dir/node$1"; }
# A pid file whose process is not this node's Kafka (stale, pid reused) does not count.
node_pid() {
  local pid_file
  pid_file="$(node_dir "$1")/kafka.pid"
  [[ -f "$pid_file" ]] || return 1
  local pid
  pid="$(cat "$pid_file")"
  grep -q "$(node_dir "$1")/config/server.properties" "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}
java_opts() {
  echo "-Xms64m -Xmx$heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"
}

load_env() {
  [[ -f "$env_file" ]] || { echo "kafka: no cluster in $dir (start one with KAFKA_NODES=N start.sh)" >&2; exit 1; }
  # shellcheck source=/dev/null
  source "$env_file"
  read -r -a broker_ports <<< "$BROKER_PORTS"
  read -r -a controller_ports <<< "$CONTROLLER_PORTS"
}

# Prints `count` ports free on 127.0.0.1 right now (all held open until each is known).
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const servers = [];
    const next = () => {
      if (servers.length === n) {
        console.log(servers.map((s) => s.address().port).join(" "));
        for (const s of servers) s.close();
        return;
      }
      const s = net.createServer();
      servers.push(s);
      s.listen(0, "127.0.0.1", next);
    };
    next();' "$1"
}

start_node() {
  local i="$1" nd pid
  nd="$(node_dir "$i")"
  if pid="$(node_pid "$i")"; then
    echo "kafka: node $i already running (pid $pid)"
    return 0
  fi
  local bp="${broker_ports[$((i - 1))]}" cp="${controller_ports[$((i - 1))]}"
  for port in "$bp" "$cp"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "kafka: 127.0.0.1:$port (node $i) is in use by another process" >&2
      exit 1
    fi
  done
  # shellcheck disable=SC2046
  nohup java $(java_opts) "-Dkafka.logs.dir=$nd/logs" "-Dlog4j2.configurationFile=$nd/config/log4j2.properties" \
    -cp "$lib/*" kafka.Kafka "$nd/config/server.properties" > "$nd/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$nd/kafka.pid"
  echo "kafka: node $i started pid $! on 127.0.0.1:$bp (controller $cp; logs in $nd/logs)"
}

# Stops node i: SIGTERM (or the given signal), waiting up to KAFKA_STOP_TIMEOUT seconds, then SIGKILL.
stop_node() {
  local i="$1" signal="${2:-TERM}" pid
  if ! pid="$(node_pid "$i")"; then
    rm -f "$(node_dir "$i")/kafka.pid"
    return 0
  fi
  kill "-$signal" "$pid" 2>/dev/null || true
  local tries=$((${KAFKA_STOP_TIMEOUT:-15} * 5))
  for _ in $(seq 1 "$tries"); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kafka: node $i (pid $pid) did not stop in ${KAFKA_STOP_TIMEOUT:-15} s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$(node_dir "$i")/kafka.pid"
  echo "kafka: node $i stopped (pid $pid, SIG$signal)"
}

wait_ready() {
  local brokers="$1" i
  if ! GOKAC_BROKERS="$brokers" KAFKA_SECURITY=plaintext node "$here/wait-ready.mjs" "${KAFKA_READY_TIMEOUT:-120}"; then
    for i in $(seq 1 "$NODES"); do
      if ! node_pid "$i" >/dev/null; then
        echo "kafka: node $i is not running; last lines of its output:" >&2
        tail -n 20 "$(node_dir "$i")/logs/stdout.log" "$(node_dir "$i")/logs/server.log" >&2 || true
      fi
    done
    exit 1
  fi
}

cmd_start() {
  local nodes="${KAFKA_NODES:-1}" i
  if [[ "${KAFKA_FRESH:-0}" == "1" && -f "$env_file" ]]; then
    load_env
    for i in $(seq 1 "$NODES"); do stop_node "$i" KILL > /dev/null; done
    for i in $(seq 1 "$NODES"); do rm -rf "$(node_dir "$i")"; done
    rm -f "$env_file" "$dir/bootstrap"
  fi
  if [[ -f "$env_file" ]]; then
    load_env
    if [[ "$NODES" != "$nodes" ]]; then
      echo "kafka: $dir holds a $NODES-node cluster, not $nodes nodes (KAFKA_FRESH=1 replaces it)" >&2
      exit 1
    fi
  else
    local bps cps
    if [[ -n "${KAFKA_BROKER_PORT:-}" ]]; then
      bps="$(for i in $(seq 0 $((nodes - 1))); do printf '%s ' $((KAFKA_BROKER_PORT + i)); done)"
    fi
    if [[ -n "${KAFKA_CONTROLLER_PORT:-}" ]]; then
      cps="$(for i in $(seq 0 $((nodes - 1))); do printf '%s ' $((KAFKA_CONTROLLER_PORT + i)); done)"
    fi
    if [[ -z "${bps:-}" || -z "${cps:-}" ]]; then
      read -r -a picked <<< "$(free_ports $((2 * nodes)))"
      [[ -n "${bps:-}" ]] || bps="${picked[*]:0:$nodes}"
      [[ -n "${cps:-}" ]] || cps="${picked[*]:$nodes:$nodes}"
    fi
    # shellcheck disable=SC2086
    local cluster_id
    cluster_id="$(java -cp "$lib/*" kafka.tools.StorageTool random-uuid)"
    printf 'NODES=%s\nBROKER_PORTS="%s"\nCONTROLLER_PORTS="%s"\nCLUSTER_ID=%s\n' "$nodes" "${bps% }" "${cps% }" "$cluster_id" > "$env_file"
    load_env
  fi

  local rf=$((NODES < 3 ? NODES : 3)) min_isr=$((NODES >= 3 ? 2 : 1)) voters="" bootstrap=""
  for i in $(seq 1 "$NODES"); do
    voters+="${voters:+,}$i@127.0.0.1:${controller_ports[$((i - 1))]}"
    bootstrap+="${bootstrap:+,}127.0.0.1:${broker_ports[$((i - 1))]}"
  done
  echo "$bootstrap" > "$dir/bootstrap"

  for i in $(seq 1 "$NODES"); do
    local nd
    nd="$(node_dir "$i")"
    mkdir -p "$nd/config" "$nd/logs"
    sed -e "s|@NODE_ID@|$i|g" -e "s|@VOTERS@|$voters|g" -e "s|@NODE_DIR@|$nd|g" \
      -e "s|@BROKER_PORT@|${broker_ports[$((i - 1))]}|g" -e "s|@CONTROLLER_PORT@|${controller_ports[$((i - 1))]}|g" \
      -e "s|@RF@|$rf|g" -e "s|@MIN_ISR@|$min_isr|g" "$here/server.cluster.properties" > "$nd/config/server.properties"
    cp "$here/log4j2.properties" "$nd/config/log4j2.properties"
    if [[ ! -f "$nd/data/meta.properties" ]]; then
      # shellcheck disable=SC2046
      java $(java_opts) -cp "$lib/*" kafka.tools.StorageTool format --cluster-id "$CLUSTER_ID" \
        --config "$nd/config/server.properties" --ignore-formatted > "$nd/logs/format.log" 2>&1 \
        || { cat "$nd/logs/format.log" >&2; exit 1; }
    fi
  done
  for i in $(seq 1 "$NODES"); do start_node "$i"; done
  echo "kafka: $NODES-node cluster, bootstrap $bootstrap (written to $dir/bootstrap)"
  wait_ready "$bootstrap"
}

cmd_stop() {
  if [[ ! -f "$env_file" ]]; then
    echo "kafka: not running"
    return 0
  fi
  load_env
  local i
  # All at once: stopped one by one, the last nodes would wait for a controller quorum that is gone.
  for i in $(seq 1 "$NODES"); do stop_node "$i" & done
  wait
  if [[ "${KAFKA_CLEAN:-0}" == "1" ]]; then
    for i in $(seq 1 "$NODES"); do rm -rf "$(node_dir "$i")"; done
    rm -f "$env_file" "$dir/bootstrap"
    # start.sh's own folders, empty for a cluster.
    rmdir "$dir/config" "$dir/logs" 2>/dev/null || true
  fi
}

cmd_node() {
  local action="${1:-}" i="${2:-}"
  load_env
  if [[ ! "$i" =~ ^[0-9]+$ ]] || ((i < 1 || i > NODES)); then
    echo "kafka: node must be 1..$NODES, got '$i'" >&2
    exit 2
  fi
  case "$action" in
    start)
      start_node "$i"
      wait_ready "127.0.0.1:${broker_ports[$((i - 1))]}"
      ;;
    stop) stop_node "$i" TERM ;;
    kill) stop_node "$i" KILL ;;
    *)
      echo "usage: cluster.sh node start|stop|kill <i>" >&2
      exit 2
      ;;
  esac
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  node) cmd_node "${2:-}" "${3:-}" ;;
  *)
    echo "usage: cluster.sh start | stop | node start|stop|kill <i>" >&2
    exit 2
    ;;
esac
