#!/usr/bin/env bash
# Installs (once) and starts a local single-node Kafka (KRaft: broker + controller) on 127.0.0.1.
# Jars come from Maven Central through scripts/kafka/pom.xml and are cached in .kafka/;
# logs go to .kafka/logs, data to .kafka/data. Returns once a client can use the broker.
#
# Environment: KAFKA_BROKER_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (512m),
# KAFKA_READY_TIMEOUT (seconds, 120), KAFKA_FRESH=1 to wipe the data before starting,
# KAFKA_DIR (.kafka) for the node's config, data, logs and pid file, so system tests can run
# a second, disposable node; the jars are always shared in .kafka/lib.
#
# Secured mode: KAFKA_SECURITY=sasl_ssl KAFKA_SASL_PASSWORD=… makes the client listener on
# KAFKA_BROKER_PORT SASL_SSL (user gokac, password KAFKA_SASL_PASSWORD, set for SCRAM when the
# storage is formatted: KAFKA_FRESH=1 to change it; mechanisms SCRAM-SHA-512 (the one the
# written kafka-config uses), SCRAM-SHA-256, PLAIN, and OAUTHBEARER with Kafka's unsecured
# validator, which accepts unsigned tokens: a test fixture, never a production setting). Its TLS
# certificate is signed by a CA generated once (openssl) at $KAFKA_DIR/tls/ca.pem, which also
# signs a client certificate ($KAFKA_DIR/tls/client.pem, client.key) for the mutual-TLS listener
# on KAFKA_MTLS_PORT (default KAFKA_BROKER_PORT+3). The node's own listeners stay PLAINTEXT on
# loopback (KAFKA_INTERNAL_PORT, default KAFKA_BROKER_PORT+2, and the controller port).
# $KAFKA_DIR/kafka-config.yaml is written for `gokac --kafka-config` (password from the env).
#
# KAFKA_NODES=N (default 1) starts an N-node cluster instead (cluster.sh: every node broker and
# controller, replication factor min(3, N), free ports unless KAFKA_BROKER_PORT is given, the
# bootstrap list in $KAFKA_DIR/bootstrap); plaintext only.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${KAFKA_DIR:-$root/.kafka}"
lib="$root/.kafka/lib"
broker_port="${KAFKA_BROKER_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
heap="${KAFKA_HEAP:-512m}"
security="${KAFKA_SECURITY:-plaintext}"
internal_port="${KAFKA_INTERNAL_PORT:-$((broker_port + 2))}"
mtls_port="${KAFKA_MTLS_PORT:-$((broker_port + 3))}"
export GOKAC_BROKERS="127.0.0.1:$broker_port"
nodes="${KAFKA_NODES:-1}"
if [[ ! "$nodes" =~ ^[1-9]$ ]]; then
  echo "kafka: KAFKA_NODES=$nodes is not a node count from 1 to 9" >&2
  exit 1
fi
if [[ "$nodes" != "1" && "$security" != "plaintext" ]]; then
  echo "kafka: KAFKA_SECURITY=$security is for one node only (KAFKA_NODES=1)" >&2
  exit 1
fi
case "$security" in
  plaintext) ;;
  sasl_ssl)
    if [[ -z "${KAFKA_SASL_PASSWORD:-}" ]]; then
      echo "kafka: KAFKA_SECURITY=sasl_ssl needs KAFKA_SASL_PASSWORD (the password of user gokac)" >&2
      exit 1
    fi
    # The password goes into a SCRAM credential spec (name=…,password=…): keep it to safe characters.
    if [[ ! "$KAFKA_SASL_PASSWORD" =~ ^[A-Za-z0-9._~+/@%^-]+$ ]]; then
      echo "kafka: KAFKA_SASL_PASSWORD may only contain letters, digits and ._~+/@%^-" >&2
      exit 1
    fi
    ;;
  *) echo "kafka: KAFKA_SECURITY=$security is not one of plaintext, sasl_ssl" >&2; exit 1 ;;
esac

mkdir -p "$dir/config" "$dir/logs" "$root/.kafka"
dir="$(cd "$dir" && pwd)"
# wait-ready.mjs connects as a client does: in secured mode with this CA and the gokac user.
export KAFKA_SECURITY="$security" KAFKA_TLS_CA="$dir/tls/ca.pem"

# A pid file whose process is not our Kafka (stale after a reboot, pid reused) is ignored.
is_our_kafka() { [[ -f "$dir/kafka.pid" ]] && grep -q "kafka.Kafka" "/proc/$(cat "$dir/kafka.pid")/cmdline" 2>/dev/null; }
if is_our_kafka; then
  echo "kafka: already running (pid $(cat "$dir/kafka.pid"))"
  exec node "$here/wait-ready.mjs" "${KAFKA_READY_TIMEOUT:-120}"
fi

# 1. Install: resolve the jars once; a changed pom.xml resolves again.
stamp="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"
if [[ ! -f "$lib/.stamp" || "$(cat "$lib/.stamp")" != "$stamp" ]]; then
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null || ! command -v javac >/dev/null; then
    # A machine without them (CI on another image): install Debian's, when allowed to. The JDK, not
    # only the JRE: the Java-client system test compiles a small producer against the broker's jars.
    if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null; then
      echo "kafka: installing Java 17 (JDK) and Maven with apt-get"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null
    fi
  fi
  command -v java >/dev/null || { echo "kafka: java (17+) is needed on PATH" >&2; exit 1; }
  command -v mvn >/dev/null || { echo "kafka: maven (mvn) is needed on PATH" >&2; exit 1; }
  echo "kafka: installing jars from Maven Central into .kafka/lib"
  rm -rf "$lib"
  if ! mvn -B -q -Dstyle.color=never -f "$here/pom.xml" -Dmaven.repo.local="$root/.kafka/m2" \
    dependency:copy-dependencies -DoutputDirectory="$lib" -DincludeScope=runtime > "$root/.kafka/mvn.log" 2>&1; then
    cat "$root/.kafka/mvn.log" >&2
    exit 1
  fi
  echo "$stamp" > "$lib/.stamp"
fi

# A cluster (KAFKA_NODES > 1) has its own layout and lifecycle under KAFKA_DIR.
if [[ "$nodes" != "1" ]]; then exec bash "$here/cluster.sh" start; fi
if [[ -f "$dir/cluster.env" ]]; then
  echo "kafka: $dir holds a cluster (cluster.env): start it with KAFKA_NODES=N, or use another KAFKA_DIR" >&2
  exit 1
fi

# 2. Configure: the template with this checkout's paths and ports (plus the secured overrides).
templates=("$here/server.properties")
if [[ "$security" == "sasl_ssl" ]]; then
  # A CA and a broker certificate for 127.0.0.1/localhost, generated once per KAFKA_DIR.
  tls="$dir/tls"
  if [[ ! -f "$tls/broker.p12" ]]; then
    command -v openssl >/dev/null || { echo "kafka: openssl is needed on PATH for KAFKA_SECURITY=sasl_ssl" >&2; exit 1; }
    mkdir -p "$tls"
    (
      umask 077
      cd "$tls"
      openssl rand -hex 16 > keystore.password
      openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=gokac local CA" \
        -keyout ca.key -out ca.pem > /dev/null 2>&1
      openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr > /dev/null 2>&1
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > broker.ext
      openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile broker.ext -out broker.pem > /dev/null 2>&1
      openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker \
        -passout "file:keystore.password" -out broker.p12.tmp
      mv broker.p12.tmp broker.p12
      rm -f broker.csr broker.ext ca.srl
    )
    chmod 644 "$tls/ca.pem"
  fi
  # A client certificate for the mutual-TLS listener (also made for a KAFKA_DIR from before it existed).
  if [[ ! -f "$tls/client.pem" ]]; then
    (
      umask 077
      cd "$tls"
      openssl req -newkey rsa:2048 -nodes -subj "/CN=gokac-client" -keyout client.key -out client.csr > /dev/null 2>&1
      printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n' > client.ext
      openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
        -extfile client.ext -out client.pem > /dev/null 2>&1
      rm -f client.csr client.ext ca.srl
    )
  fi
  templates+=("$here/server.sasl_ssl.properties")
  cat > "$dir/kafka-config.yaml" <<YAML
# gokac --kafka-config for the local secured node (written by scripts/kafka/start.sh).
brokers: [127.0.0.1:$broker_port]
ssl:
  ca: tls/ca.pem
sasl:
  mechanism: scram-sha-512
  username: gokac
  password: \${KAFKA_SASL_PASSWORD}
YAML
fi
cat "${templates[@]}" | sed -e "s|@KAFKA_DIR@|$dir|g" -e "s|@BROKER_PORT@|$broker_port|g" \
  -e "s|@CONTROLLER_PORT@|$controller_port|g" -e "s|@INTERNAL_PORT@|$internal_port|g" \
  -e "s|@MTLS_PORT@|$mtls_port|g" -e "s|@SASL_PASSWORD@|${KAFKA_SASL_PASSWORD:-}|g" \
  -e "s|@KEYSTORE_PASSWORD@|$(cat "$dir/tls/keystore.password" 2>/dev/null || true)|g" \
  > "$dir/config/server.properties"
chmod 600 "$dir/config/server.properties"
cp "$here/log4j2.properties" "$dir/config/log4j2.properties"

java_opts=(-Xms128m "-Xmx$heap" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
  "-Dkafka.logs.dir=$dir/logs" "-Dlog4j2.configurationFile=$dir/config/log4j2.properties")

# 3. Format storage once, with a random cluster id, as a standalone KRaft controller.
if [[ "${KAFKA_FRESH:-0}" == "1" ]]; then rm -rf "$dir/data"; fi
if [[ ! -f "$dir/data/meta.properties" ]]; then
  cluster_id="$(java "${java_opts[@]}" -cp "$lib/*" kafka.tools.StorageTool random-uuid)"
  scram=()
  if [[ "$security" == "sasl_ssl" ]]; then
    scram=(--add-scram "SCRAM-SHA-512=[name=gokac,password=$KAFKA_SASL_PASSWORD]"
      --add-scram "SCRAM-SHA-256=[name=gokac,password=$KAFKA_SASL_PASSWORD]")
  fi
  java "${java_opts[@]}" -cp "$lib/*" kafka.tools.StorageTool format \
    --cluster-id "$cluster_id" --config "$dir/config/server.properties" --standalone --ignore-formatted "${scram[@]}" \
    > "$dir/logs/format.log" 2>&1 || { cat "$dir/logs/format.log" >&2; exit 1; }
fi

# 4. Start the node as its own JVM, detached from this shell (unless another process has the port:
#    the readiness check would then talk to that one).
ports=("$broker_port" "$controller_port")
if [[ "$security" == "sasl_ssl" ]]; then ports+=("$internal_port" "$mtls_port"); fi
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "kafka: 127.0.0.1:$port is in use by another process; stop it or set KAFKA_BROKER_PORT/KAFKA_CONTROLLER_PORT" >&2
    exit 1
  fi
done
nohup java "${java_opts[@]}" -cp "$lib/*" kafka.Kafka "$dir/config/server.properties" \
  > "$dir/logs/stdout.log" 2>&1 < /dev/null &
echo $! > "$dir/kafka.pid"
echo "kafka: started pid $(cat "$dir/kafka.pid") on 127.0.0.1:$broker_port ($security; logs in $dir/logs)"

# 5. Wait until a client can create, produce to and delete a topic.
if ! node "$here/wait-ready.mjs" "${KAFKA_READY_TIMEOUT:-120}"; then
  if ! kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
    echo "kafka: the JVM exited; last lines of its output:" >&2
    tail -n 30 "$dir/logs/stdout.log" "$dir/logs/server.log" >&2 || true
  fi
  exit 1
fi
