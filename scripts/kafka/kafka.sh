#!/usr/bin/env bash
# A real Apache Kafka (KRaft) for tests, CI and people: one combined broker+controller node by default, or a
# cluster of N combined nodes with one controller quorum of N (`--brokers 3`).
#
#   bash scripts/kafka/kafka.sh up                 # fetch jars (once), format (once), start, wait until ready
#   bash scripts/kafka/kafka.sh down               # stop the broker this script started
#   bash scripts/kafka/kafka.sh status             # exit 0 if a broker answers on the bootstrap address
#   bash scripts/kafka/kafka.sh logs [-f|LINES]
#
#   bash scripts/kafka/kafka.sh up --brokers 3     # three nodes on 127.0.0.1:29092,29094,29096; waits for all
#   bash scripts/kafka/kafka.sh status --brokers 3 # one line per node; exit 0 when every node answers
#   bash scripts/kafka/kafka.sh down --brokers 3   # stops every node of the cluster
#   bash scripts/kafka/kafka.sh logs --node 2 [-f|LINES]
#   bash scripts/kafka/kafka.sh stop-node 2        # SIGTERM (controlled shutdown), SIGKILL after the grace period
#   bash scripts/kafka/kafka.sh kill-node 2        # SIGKILL at once: a crash
#   bash scripts/kafka/kafka.sh start-node 2       # start it again on its data and ports, wait until it answers
#
# Env overrides:
#   KAFKA_CACHE_DIR   jar cache root (default <repo>/.cache/kafka; jars go to $KAFKA_CACHE_DIR/libs)
#   KAFKA_DATA_DIR    server.properties, pid file, broker log and log.dirs (default <repo>/.cache/kafka/data)
#   KAFKA_PORT        the PLAINTEXT port (default 19092); KAFKA_CONTROLLER_PORT the controller's (default 19093).
#                     A test that stops its broker starts one of its own on other ports with its own data dir
#                     (test/helpers/own-kafka.ts), never the shared one.
#   KAFKA_HEAP_OPTS   JVM heap flags (default -Xms256m -Xmx512m; -Xms128m -Xmx384m per cluster node)
#   KAFKA_CLUSTER_DIR cluster data root, node N in node-N/ (default <repo>/.cache/kafka/cluster)
#   KAFKA_CLUSTER_PORT node 1's PLAINTEXT port (default 29092): node N listens on KAFKA_CLUSTER_PORT+2(N-1) and
#                     its controller on the port after that (29093, 29095, 29097), clear of 19092/19093 and of
#                     the kernel's ephemeral range that tests pick free ports from
#   KAFKA_UP_TIMEOUT  seconds to wait for the broker to answer (default 90; 180 for a cluster)
#   KAFKA_DOWN_TIMEOUT seconds between SIGTERM and SIGKILL on down (default 30)
#   JAVA              java binary (default: java on PATH)
#
# Loopback only: PLAINTEXT 127.0.0.1:19092 and CONTROLLER 127.0.0.1:19093 unless overridden.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "$SCRIPT_DIR/../.." && pwd)"

KAFKA_VERSION="3.9.1"
HOST="127.0.0.1"
CACHE_DIR="${KAFKA_CACHE_DIR:-$REPO_ROOT/.cache/kafka}"
LIBS_DIR="$CACHE_DIR/libs"
LIBS_STAMP="$LIBS_DIR/.complete"
JAVA="${JAVA:-java}"
CLUSTER_DIR="${KAFKA_CLUSTER_DIR:-$REPO_ROOT/.cache/kafka/cluster}"
CLUSTER_PORT="${KAFKA_CLUSTER_PORT:-29092}"
CLUSTER_FILE="$CLUSTER_DIR/cluster.env"

# The node the commands act on; select_single / select_node set these.
NODE_ID=1
NODES=1 # 1: the single node; N > 1: node NODE_ID of a cluster of N
PORT=""
CONTROLLER_PORT=""
HEAP_OPTS=""
BOOTSTRAP=""
DATA_DIR=""
LOG_DIRS=""
PID_FILE=""
OUT_FILE=""
PROPS_FILE=""
LOG4J_FILE=""
TOOLS_LOG4J_FILE=""
CLUSTER_ID_FILE=""
UP_TIMEOUT="${KAFKA_UP_TIMEOUT:-90}"

set_paths() {
  LOG_DIRS="$DATA_DIR/logs"
  PID_FILE="$DATA_DIR/kafka.pid"
  OUT_FILE="$DATA_DIR/kafka.out"
  PROPS_FILE="$DATA_DIR/server.properties"
  LOG4J_FILE="$DATA_DIR/log4j.properties"
  TOOLS_LOG4J_FILE="$DATA_DIR/tools-log4j.properties"
  BOOTSTRAP="$HOST:$PORT"
}

select_single() {
  NODE_ID=1
  NODES=1
  PORT="${KAFKA_PORT:-19092}"
  CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
  HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
  DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.cache/kafka/data}"
  CLUSTER_ID_FILE="$DATA_DIR/cluster.id"
  set_paths
}

node_port() { printf '%s\n' $((CLUSTER_PORT + 2 * ($1 - 1))); }
node_controller_port() { printf '%s\n' $((CLUSTER_PORT + 2 * ($1 - 1) + 1)); }

# Node $1 of a cluster of $2.
select_node() {
  NODE_ID="$1"
  NODES="$2"
  PORT="$(node_port "$NODE_ID")"
  CONTROLLER_PORT="$(node_controller_port "$NODE_ID")"
  HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
  DATA_DIR="$CLUSTER_DIR/node-$NODE_ID"
  CLUSTER_ID_FILE="$CLUSTER_DIR/cluster.id"
  UP_TIMEOUT="${KAFKA_UP_TIMEOUT:-180}"
  set_paths
}

cluster_bootstrap() {
  local n out=""
  for ((n = 1; n <= $1; n++)); do out+="${out:+,}$HOST:$(node_port "$n")"; done
  printf '%s\n' "$out"
}

# The size of the cluster in $CLUSTER_DIR, as its 'up' recorded it.
cluster_size() {
  [[ -f "$CLUSTER_FILE" ]] || die "no cluster in $CLUSTER_DIR (start one with 'up --brokers 3')"
  local n
  n="$(sed -n 's/^BROKERS=//p' "$CLUSTER_FILE")"
  [[ "$n" =~ ^[0-9]+$ ]] || die "$CLUSTER_FILE has no BROKERS=N line"
  printf '%s\n' "$n"
}

log() {
  if ((NODES > 1)); then printf '[kafka node %s] %s\n' "$NODE_ID" "$*" >&2; else printf '[kafka] %s\n' "$*" >&2; fi
}
die() {
  log "ERROR: $*"
  exit 1
}

# --- probes -----------------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# Does a Kafka broker answer on $BOOTSTRAP? (metadata round trip, not just a TCP connect)
# A cluster node counts once it is registered and unfenced: the metadata it serves lists itself.
# Uses kafkajs from the repo when node is available (fast); otherwise the broker's own CLI.
kafka_answers() {
  port_open || return 1
  local expect_node=""
  ((NODES > 1)) && expect_node="$NODE_ID"
  if command -v node >/dev/null 2>&1 && [[ -d "$REPO_ROOT/node_modules/kafkajs" ]]; then
    (cd "$REPO_ROOT" && KAFKA_PROBE_BROKER="$BOOTSTRAP" KAFKA_PROBE_NODE="$expect_node" timeout 15 node --input-type=commonjs -e '
      const { Kafka, logLevel } = require("kafkajs");
      const kafka = new Kafka({ clientId: "kafka-sh-probe", brokers: [process.env.KAFKA_PROBE_BROKER],
        logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 0 } });
      const admin = kafka.admin();
      const node = process.env.KAFKA_PROBE_NODE;
      const ok = (c) => node ? c.brokers.some((b) => String(b.nodeId) === node) : c.brokers.length > 0;
      admin.connect()
        .then(() => admin.describeCluster())
        .then((c) => admin.disconnect().then(() => process.exit(ok(c) ? 0 : 1)))
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

jars_ready() { [[ -f "$LIBS_STAMP" ]] && [[ "$(cat "$LIBS_STAMP")" == "kafka_2.13-$KAFKA_VERSION" ]]; }

fetch_jars() {
  jars_ready && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven 3.6+ to fetch the Kafka jars"
  mkdir -p "$CACHE_DIR"
  # Several 'up's at once (test files that start brokers of their own) fetch once: the others wait here.
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$CACHE_DIR/.fetch.lock"
    flock -w 600 8 || die "timed out waiting for another fetch of the Kafka jars"
    if jars_ready; then
      exec 8>&-
      return 0
    fi
  fi
  log "fetching kafka_2.13:$KAFKA_VERSION jars from Maven Central into $LIBS_DIR (first run only) ..."
  local started=$SECONDS
  rm -rf "$LIBS_DIR" # no stale jars from another version on the classpath
  # Batch mode still prints every "Downloading/Downloaded" line, so a person sees progress.
  local color=()
  [[ -t 2 ]] || color=(-Dstyle.color=never)
  KAFKA_CACHE_DIR="$CACHE_DIR" mvn -B "${color[@]}" -f "$SCRIPT_DIR/pom.xml" package >&2 \
    || die "maven could not fetch the Kafka jars (see output above)"
  [[ -f "$LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "maven ran but $LIBS_DIR/kafka_2.13-$KAFKA_VERSION.jar is missing"
  printf 'kafka_2.13-%s\n' "$KAFKA_VERSION" >"$LIBS_STAMP"
  log "jars ready: $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars in $((SECONDS - started))s"
  exec 8>&- 2>/dev/null || true
}

# Settings that differ between the single node and a cluster node.
role_config() {
  if ((NODES == 1)); then
    cat <<EOF
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
EOF
    return
  fi
  local n voters="" rf isr
  rf=$((NODES < 3 ? NODES : 3))
  isr=$((rf > 1 ? rf - 1 : 1))
  for ((n = 1; n <= NODES; n++)); do voters+="${voters:+,}$n@$HOST:$(node_controller_port "$n")"; done
  cat <<EOF
node.id=$NODE_ID
controller.quorum.voters=$voters
# Production-like durability: every topic (auto-created ones and the internal ones) on $rf replicas, and a
# write with acks=all needs $isr of them in sync, so one node may be down without losing an acknowledged write.
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=3
unclean.leader.election.enable=false
num.replica.fetchers=1
# The cleaner's dedupe buffer comes out of the heap (128 MB by default); the internal topics here are tiny.
log.cleaner.dedupe.buffer.size=16777216
background.threads=4
EOF
}

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIRS"
  {
    cat <<EOF
# Written by scripts/kafka/kafka.sh on every start; edits here are overwritten.
process.roles=broker,controller
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS
auto.create.topics.enable=true
delete.topic.enable=true
group.initial.rebalance.delay.ms=0
# Small footprint for a dev/test box.
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
    role_config
  } >"$PROPS_FILE"
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

# The single node keeps a cluster id of its own; a cluster's nodes share one, made by the first that needs it.
ensure_cluster_id() {
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    mkdir -p "$(dirname "$CLUSTER_ID_FILE")"
    "$JAVA" -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$TOOLS_LOG4J_FILE" kafka.tools.StorageTool random-uuid \
      | tr -d '[:space:]' >"$CLUSTER_ID_FILE.tmp"
    mv "$CLUSTER_ID_FILE.tmp" "$CLUSTER_ID_FILE"
  fi
}

format_storage() {
  if [[ -f "$LOG_DIRS/meta.properties" ]]; then
    return 0
  fi
  ensure_cluster_id
  local cluster_id
  cluster_id="$(cat "$CLUSTER_ID_FILE")"
  [[ -n "$cluster_id" ]] || die "could not generate a cluster id"
  log "formatting $LOG_DIRS (cluster id $cluster_id) ..."
  "$JAVA" -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$TOOLS_LOG4J_FILE" \
    kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS_FILE" >&2 \
    || die "kafka.tools.StorageTool format failed"
}

# Starts the selected node's JVM in the background and records its pid.
start_process() {
  log "starting Kafka $KAFKA_VERSION (KRaft broker+controller) on $BOOTSTRAP with data in $DATA_DIR ..."
  : >"$OUT_FILE"
  local detach=() pid
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
    if ((SECONDS - started >= UP_TIMEOUT)); then
      log "no answer after ${UP_TIMEOUT}s; last lines of $OUT_FILE:"
      tail -n 40 "$OUT_FILE" >&2 || true
      log "the broker process $pid is left running; 'bash scripts/kafka/kafka.sh down' stops it"
      exit 1
    fi
    if ((SECONDS - started >= next_note)); then
      log "... still starting ($((SECONDS - started))s)"
      next_note=$((next_note + 5))
    fi
    sleep 0.5
  done
}

# SIGTERM: Kafka's controlled shutdown hands its leaderships over first; SIGKILL after the grace period.
# SIGKILL: a crash.
stop_process() {
  local signal="$1" pid waited=0 grace="${KAFKA_DOWN_TIMEOUT:-30}"
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    if port_open; then
      log "no broker started by this script (no live pid in $PID_FILE), but something still listens on $BOOTSTRAP; leaving it alone"
    else
      log "not running"
    fi
    return 0
  fi
  log "stopping broker pid $pid (SIG$signal) ..."
  kill "-$signal" "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited == grace * 2)) && [[ "$signal" != KILL ]]; then
      log "still alive after ${grace}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  log "stopped"
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
    start_process
    wait_ready "$(cat "$PID_FILE")"
  fi
  log "ready on $BOOTSTRAP after $((SECONDS - t0))s (pid $(cat "$PID_FILE"), log $OUT_FILE)"
  printf '%s\n' "$BOOTSTRAP"
}

cmd_down() { stop_process TERM; }

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

# --- the cluster ------------------------------------------------------------------------------

cluster_up() {
  local n="$1" t0=$SECONDS i pid
  ((n >= 2 && n <= 9)) || die "--brokers takes 1 (the single node) or 2..9 (a cluster; 3 tolerates one node down)"
  require_java
  mkdir -p "$CLUSTER_DIR"
  if [[ -f "$CLUSTER_FILE" ]] && [[ "$(cluster_size)" != "$n" ]]; then
    die "$CLUSTER_DIR holds a cluster of $(cluster_size); 'down --brokers $(cluster_size)' and remove it first"
  fi
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$CLUSTER_DIR/.up.lock"
    flock -w 600 9 || die "timed out waiting for another 'kafka.sh up --brokers' to finish"
  fi
  fetch_jars
  printf 'BROKERS=%s\nPORT=%s\n' "$n" "$CLUSTER_PORT" >"$CLUSTER_FILE"
  # All nodes start together: the controllers need a majority of the quorum before any broker can register.
  for ((i = 1; i <= n; i++)); do
    select_node "$i" "$n"
    if our_pid >/dev/null; then continue; fi
    if port_open; then die "something that is not this cluster's node $i listens on $BOOTSTRAP; free the port first"; fi
    write_config
    format_storage
    start_process
  done
  for ((i = 1; i <= n; i++)); do
    select_node "$i" "$n"
    pid="$(our_pid)" || die "node $i is not running (see $OUT_FILE)"
    wait_ready "$pid"
    log "ready on $BOOTSTRAP"
  done
  NODES=1 log "cluster of $n ready after $((SECONDS - t0))s (data $CLUSTER_DIR)"
  cluster_bootstrap "$n"
}

# All nodes at once: stopped one by one, the last ones lose their quorum and wait out the grace period.
cluster_down() {
  local n i pids=()
  if [[ ! -f "$CLUSTER_FILE" ]]; then
    log "no cluster in $CLUSTER_DIR"
    return 0
  fi
  n="$(cluster_size)"
  for ((i = 1; i <= n; i++)); do
    select_node "$i" "$n"
    stop_process TERM &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i"; done
}

cluster_status() {
  local n i code=0
  n="$(cluster_size)"
  for ((i = 1; i <= n; i++)); do
    select_node "$i" "$n"
    cmd_status >/dev/null || code=3
  done
  if ((code == 0)); then cluster_bootstrap "$n"; fi
  return "$code"
}

# Selects node $1 of the cluster in $CLUSTER_DIR.
node_arg() {
  local n
  n="$(cluster_size)"
  [[ "${1:-}" =~ ^[0-9]+$ ]] && (($1 >= 1 && $1 <= n)) || die "name a node of the cluster: 1..$n"
  select_node "$1" "$n"
}

node_start() {
  local pid t0=$SECONDS
  node_arg "$1"
  if ! pid="$(our_pid)"; then
    if port_open; then die "something still listens on $BOOTSTRAP; cannot start node $NODE_ID"; fi
    require_java
    write_config
    start_process
    pid="$(cat "$PID_FILE")"
  fi
  wait_ready "$pid"
  log "ready on $BOOTSTRAP after $((SECONDS - t0))s"
}

# --- arguments --------------------------------------------------------------------------------

usage() {
  sed -n '2,33p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

command="${1:-}"
[[ $# -gt 0 ]] && shift
brokers=1
node=""
rest=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --brokers | --node)
      [[ "${2:-}" =~ ^[0-9]+$ ]] || {
        usage
        exit 2
      }
      if [[ "$1" == --brokers ]]; then brokers="$2"; else node="$2"; fi
      shift 2
      ;;
    *)
      rest+=("$1")
      shift
      ;;
  esac
done

select_single
case "$command" in
  up) if ((brokers > 1)); then cluster_up "$brokers"; else cmd_up; fi ;;
  down) if ((brokers > 1)); then cluster_down; else cmd_down; fi ;;
  status) if ((brokers > 1)); then cluster_status; else cmd_status; fi ;;
  logs)
    if [[ -n "$node" ]]; then node_arg "$node"; fi
    cmd_logs "${rest[@]}"
    ;;
  stop-node) node_arg "${rest[0]:-}" && stop_process TERM ;;
  kill-node) node_arg "${rest[0]:-}" && stop_process KILL ;;
  start-node) node_start "${rest[0]:-}" ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 2
    ;;
esac
