#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) for tests, CI and people.
#
#   bash scripts/kafka/kafka.sh up       # fetch jars (once), format (once), start, wait until ready
#   bash scripts/kafka/kafka.sh down     # stop the broker this script started
#   bash scripts/kafka/kafka.sh status   # exit 0 if a broker answers on the bootstrap address
#   bash scripts/kafka/kafka.sh logs [-f]
#
# Env overrides:
#   KAFKA_CACHE_DIR   jar cache root (default <repo>/.cache/kafka; jars go to $KAFKA_CACHE_DIR/libs)
#   KAFKA_DATA_DIR    server.properties, pid file, broker log and log.dirs (default <repo>/.cache/kafka/data)
#   KAFKA_PORT        the PLAINTEXT port (default 19092); KAFKA_CONTROLLER_PORT the controller's (default 19093).
#                     A test that stops its broker starts one of its own on other ports with its own data dir
#                     (test/helpers/own-kafka.ts), never the shared one.
#   KAFKA_HEAP_OPTS   JVM heap flags (default -Xms256m -Xmx512m)
#   KAFKA_UP_TIMEOUT  seconds to wait for the broker to answer (default 90)
#   KAFKA_DOWN_TIMEOUT seconds between SIGTERM and SIGKILL on down (default 30)
#   JAVA              java binary (default: java on PATH)
#
# Loopback only: PLAINTEXT 127.0.0.1:19092 and CONTROLLER 127.0.0.1:19093 unless overridden.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd)"

KAFKA_VERSION="3.9.1"
HOST="127.0.0.1"
PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
BOOTSTRAP="$HOST:$PORT"

CACHE_DIR="${KAFKA_CACHE_DIR:-$REPO_ROOT/.cache/kafka}"
LIBS_DIR="$CACHE_DIR/libs"
DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.cache/kafka/data}"
LOG_DIRS="$DATA_DIR/logs"
PID_FILE="$DATA_DIR/kafka.pid"
OUT_FILE="$DATA_DIR/kafka.out"
PROPS_FILE="$DATA_DIR/server.properties"
LOG4J_FILE="$DATA_DIR/log4j.properties"
TOOLS_LOG4J_FILE="$DATA_DIR/tools-log4j.properties"
CLUSTER_ID_FILE="$DATA_DIR/cluster.id"
LIBS_STAMP="$LIBS_DIR/.complete"
UP_TIMEOUT="${KAFKA_UP_TIMEOUT:-90}"
JAVA="${JAVA:-java}"

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# --- probes -----------------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# Does a Kafka broker answer on $BOOTSTRAP? (metadata round trip, not just a TCP connect)
# Uses kafkajs from the repo when node is available (fast); otherwise the broker's own CLI.
kafka_answers() {
  port_open || return 1
  if command -v node >/dev/null 2>&1 && [[ -d "$REPO_ROOT/node_modules/kafkajs" ]]; then
    (cd "$REPO_ROOT" && KAFKA_PROBE_BROKER="$BOOTSTRAP" timeout 15 node --input-type=commonjs -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "kafka-sh-probe", brokers: [process.env.KAFKA_PROBE_BROKER],
        logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 } });
      const admin = kafka.admin();
      admin.connect()
        .then(() => admin.describeCluster())
        .then((c) => admin.disconnect().then(() => process.exit(c.brokers.length > 0 ? 0 : 1)))
        .catch(() => process.exit(1));
    ') >/dev/null 2>&1
  elif [[ -f "$LIBS_STAMP" ]]; then
    timeout 30 "$JAVA" -Xmx128m -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$(tools_log4j)" \
      kafka.admin.BrokerApiVersionsCommand --bootstrap-server "$BOOTSTRAP" >/dev/null 2>&1
  else
    return 1
  fi
}

# pid from the pid file, if that process is alive and is a Kafka broker.
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  fi
  printf '%s\n' "$pid"
}

# --- setup ------------------------------------------------------------------------------------

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (need Java 11+, 17 recommended); set JAVA=/path/to/java"
}

tools_log4j() {
  mkdir -p "$DATA_DIR"
  if [[ ! -f "$TOOLS_LOG4J_FILE" ]]; then
    cat >"$TOOLS_LOG4J_FILE" <<'EOF'
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
  fi
  printf '%s\n' "$TOOLS_LOG4J_FILE"
}

fetch_jars() {
  if [[ -f "$LIBS_STAMP" ]] && [[ "$(cat "$LIBS_STAMP")" == "kafka_2.13-$KAFKA_VERSION" ]]; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven 3.6+ to fetch the Kafka jars"
  log "fetching kafka_2.13:$KAFKA_VERSION jars from Maven Central into $LIBS_DIR (first run only) ..."
  local started=$SECONDS
  rm -rf "$LIBS_DIR"   # no stale jars from another version on the classpath
  mkdir -p "$CACHE_DIR"
  # Batch mode still prints every "Downloading/Downloaded" line, so a person sees progress.
  local color=()
  [[ -t 2 ]] || color=(-Dstyle.color=never)
  KAFKA_CACHE_DIR="$CACHE_DIR" mvn -B "${color[@]}" -f "$SCRIPT_DIR/pom.xml" package >&2 \
    || die "maven could not fetch the Kafka jars (see output above)"
  [[ -f "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "maven ran but $LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar is missing"
  printf 'kafka_2.13-%s\n' "$KAFKA_VERSION" >"$LIBS_STAMP"
  log "jars ready: $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - started))s"
}

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIRS"
  cat >"$PROPS_FILE" <<EOF
# Written by scripts/kafka/kafka.sh on every 'up'; edits here are overwritten.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS
num.partitions=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
# Small footprint for a dev/test box.
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
  cat >"$LOG4J_FILE" <<'EOF'
# Kafka 3.9 logs through slf4j -> reload4j (log4j 1.x API); -Dlog4j.configuration points here.
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.authorizer.logger=WARN
EOF
  tools_log4j >/dev/null
}

format_storage() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    return 0
  fi
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    "$JAVA" -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$TOOLS_LOG4J_FILE" kafka.tools.StorageTool random-uuid \
      | tr -d '[:space:]' >"$CLUSTER_ID_FILE"
  fi
  local cluster_id
  cluster_id="$(cat "$CLUSTER_ID_FILE")"
  [[ -n "$cluster_id" ]] || die "could not generate a cluster id"
  log "formatting $LOG_DIRS (cluster id $cluster_id) ..."
  "$JAVA" -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$TOOLS_LOG4J_FILE" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS_FILE" >&2 \
    || die "kafka.tools.StorageTool format failed"
}

wait_ready() {
  local pid="$1" started=$SECONDS next_note=5
  log "waiting for the broker on $BOOTSTRAP (up to ${UP_TIMEOUT}s) ..."
  while true; do
    if kafka_answers; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the broker process $pid exited; last lines of $OUT_FILE:"
      tail -n 40 "$OUT_FILE" >&2 || true
      rm -f "$PID_FILE"
      exit 1
    fi
    if (( SECONDS - started >= UP_TIMEOUT )); then
      log "no answer after ${UP_TIMEOUT}s; last lines of $OUT_FILE:"
      tail -n 40 "$OUT_FILE" >&2 || true
      log "the broker process $pid is left running; 'bash scripts/kafka/kafka.sh down' stops it"
      exit 1
    fi
    if (( SECONDS - started >= next_note )); then
      log "... still starting ($((SECONDS - started))s)"
      next_note=$((next_note + 5))
    fi
    sleep 0.5
  done
}

# --- commands ---------------------------------------------------------------------------------

cmd_up() {
  local t0=$SECONDS pid
  if kafka_answers; then
    log "a Kafka broker already answers on $BOOTSTRAP; reusing it"
    printf '%s\n' "$BOOTSTRAP"
    return 0
  fi
  require_java
  mkdir -p "$DATA_DIR"

  # Serialise concurrent 'up's (a person and a test run, say) on the same data dir.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA_DIR/.up.lock"
    flock -w "$((UP_TIMEOUT + 120))" 9 || die "timed out waiting for another 'kafka.sh up' to finish"
    if kafka_answers; then
      log "a Kafka broker already answers on $BOOTSTRAP; reusing it"
      printf '%s\n' "$BOOTSTRAP"
      return 0
    fi
  fi

  if pid="$(our_pid)"; then
    # Started earlier (by us) but not answering yet: wait for it instead of starting a second one.
    log "broker process $pid from $PID_FILE is running but not answering yet"
    wait_ready "$pid"
  else
    if port_open; then
      die "something that is not a Kafka broker (or not ours) listens on $BOOTSTRAP; free the port first"
    fi
    fetch_jars
    write_config
    format_storage
    log "starting Kafka $KAFKA_VERSION (KRaft broker+controller) with data in $DATA_DIR ..."
    : >"$OUT_FILE"
    local detach=()
    command -v setsid >/dev/null 2>&1 && detach=(setsid)
    (
      cd "$DATA_DIR"
      exec 9>&- # do not hand the 'up' lock to the broker
      # setsid + nohup: the broker outlives this shell, a terminal's Ctrl-C and the test runner.
      # shellcheck disable=SC2086 # HEAP_OPTS is a list of flags
      exec "${detach[@]}" nohup "$JAVA" $HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
        -Dlog4j.configuration="file:$LOG4J_FILE" -Dkafka.logs.dir="$DATA_DIR" \
        -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" </dev/null >>"$OUT_FILE" 2>&1
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$PID_FILE"
    wait_ready "$pid"
  fi
  log "ready on $BOOTSTRAP after $((SECONDS - t0))s (pid $(cat "$PID_FILE"), log $OUT_FILE)"
  printf '%s\n' "$BOOTSTRAP"
}

cmd_down() {
  local pid waited=0 grace="${KAFKA_DOWN_TIMEOUT:-30}"
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if port_open; then
      log "no broker started by this script (no live pid in $PID_FILE), but something still listens on $BOOTSTRAP; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  log "stopping broker pid $pid ..."
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( waited >= grace * 2 )); then
      log "still alive after ${grace}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid=""
  pid="$(our_pid || true)"
  if kafka_answers; then
    if [[ -n "$pid" ]]; then
      log "up: $BOOTSTRAP (pid $pid, data $DATA_DIR)"
    else
      log "up: $BOOTSTRAP (not started by this script / other data dir)"
    fi
    printf '%s\n' "$BOOTSTRAP"
    return 0
  fi
  if [[ -n "$pid" ]]; then
    log "starting or unhealthy: pid $pid is alive but $BOOTSTRAP does not answer (see $OUT_FILE)"
  else
    log "down"
  fi
  return 3
}

cmd_logs() {
  [[ -f "$OUT_FILE" ]] || die "no log yet at $OUT_FILE"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 100 -F "$OUT_FILE"
  fi
  tail -n "${1:-200}" "$OUT_FILE"
}

usage() {
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) shift; cmd_logs "$@" ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
