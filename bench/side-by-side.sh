#!/usr/bin/env bash
# Runs `raftkv bench` and the reference peers (../shared/peers/aeron-cluster, ../shared/peers/ratis) side by side on
# this machine, interleaved (for each repetition, for each row of the matrix: raftkv, aeron-cluster, ratis), each
# run in a fresh JVM with the same heap flags, and writes bench/results/<stamp>/: commands.txt, one log per run,
# results.jsonl (every JSON line with its load average) and results.md (medians and ratios raftkv / peer).
#
# Usage: bench/side-by-side.sh [REPS]          (default 3)
# Environment:
#   SYSTEMS="raftkv aeron-cluster ratis"  which systems to run
#   ROWS="tp-64-fsync0 lat-10k-fsync0"    which matrix rows to run (default: all of MATRIX)
#   MATRIX=bench/matrix.txt               the matrix
#   LOAD_MAX=2                            a run starts only once the 1-minute load average is below this ...
#   LOAD_WAIT_S=600                       ... waiting at most this long; a run that starts at or above it is
#                                         flagged "loaded" and left out of the medians
#   REFUSE_LOADED=1                       skip a loaded run instead of running and flagging it
#   JAVA_OPTS="-Xms1g -Xmx1g -XX:+AlwaysPreTouch"   heap flags of every run (the peers' default)
#   PEERS_DIR=../shared/peers             where the peers live (relative to the repository root)
#   RAFTKV_JFR=1                          also record a JFR profile of raftkv's measured phase (per run, into the results)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
REPS="${1:-3}"
SYSTEMS="${SYSTEMS:-raftkv aeron-cluster ratis}"
MATRIX="${MATRIX:-bench/matrix.txt}"
LOAD_MAX="${LOAD_MAX:-2}"
LOAD_WAIT_S="${LOAD_WAIT_S:-600}"
REFUSE_LOADED="${REFUSE_LOADED:-0}"
export JAVA_OPTS="${JAVA_OPTS:--Xms1g -Xmx1g -XX:+AlwaysPreTouch}"
PEERS_DIR="${PEERS_DIR:-../shared/peers}"
case "$PEERS_DIR" in /*) ;; *)
  # relative to the repository; from a git worktree elsewhere, relative to the main checkout
  main="$(cd "$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$root/.git")/.." && pwd)"
  if [ -d "$root/$PEERS_DIR" ]; then PEERS_DIR="$root/$PEERS_DIR"; else PEERS_DIR="$main/$PEERS_DIR"; fi ;;
esac
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${OUT:-bench/results/$STAMP}"
mkdir -p "$OUT"

say() { echo "$*" | tee -a "$OUT/commands.txt"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
below() { awk -v l="$1" -v m="$2" 'BEGIN { exit !(l < m) }'; }

say "# side-by-side $STAMP: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) CPUs, $(uname -r), reps $REPS, systems: $SYSTEMS"
say "# java: $(java -version 2>&1 | head -1); JAVA_OPTS=$JAVA_OPTS; LOAD_MAX=$LOAD_MAX"
cp "$MATRIX" "$OUT/matrix.txt"

# build everything first, so no build runs between measurements
say "# building raftkv: ./mvnw -o -q -B package -DskipTests -pl raft-examples -am"
./mvnw -o -q -B package -DskipTests -pl raft-examples -am || { echo "raftkv build failed" >&2; exit 1; }
for peer in aeron-cluster ratis; do
  case " $SYSTEMS " in *" $peer "*) ;; *) continue ;; esac
  if [ ! -x "$PEERS_DIR/$peer/run.sh" ]; then echo "missing $PEERS_DIR/$peer/run.sh" >&2; exit 1; fi
  if [ ! -d "$PEERS_DIR/$peer/target/classes" ] || [ ! -d "$PEERS_DIR/$peer/target/lib" ]; then
    say "# building $peer: (cd $PEERS_DIR/$peer && mvn -q -B package -DskipTests)"
    (cd "$PEERS_DIR/$peer" && mvn -q -B package -DskipTests) || { echo "$peer build failed" >&2; exit 1; }
  fi
done
case " $SYSTEMS " in *" ratis "*)
  if ! ls /usr/lib/*/libeatmydata.so* /usr/lib/libeatmydata.so* >/dev/null 2>&1; then
    say "# NOTE: libeatmydata is missing (apt-get install eatmydata): Ratis runs with --fsync 0 will report an error"
  fi ;;
esac

mapfile -t ROWS_ALL < <(grep -vE '^\s*(#|$)' "$MATRIX")
for rep in $(seq 1 "$REPS"); do
  for row in "${ROWS_ALL[@]}"; do
    IFS='|' read -r name ours ac ratis <<<"$row"
    if [ -n "${ROWS:-}" ]; then case " $ROWS " in *" $name "*) ;; *) continue ;; esac; fi
    for sys in $SYSTEMS; do
      case "$sys" in
        raftkv) args="$ours"; cmd=(env RAFTKV_NO_BUILD=1 "RAFTKV_JAVA_OPTS=$JAVA_OPTS" bin/raftkv bench) ;;
        aeron-cluster) args="$ac"; cmd=("$PEERS_DIR/aeron-cluster/run.sh") ;;
        ratis) args="$ratis"; cmd=("$PEERS_DIR/ratis/run.sh") ;;
        *) echo "unknown system $sys" >&2; exit 2 ;;
      esac
      [ "$args" = "-" ] && continue
      extra=()
      if [ "$sys" = raftkv ] && [ "${RAFTKV_JFR:-0}" = 1 ]; then extra=(--jfr "$OUT/$name-raftkv-run$rep.jfr"); fi
      waited=0
      while ! below "$(load1)" "$LOAD_MAX" && [ "$waited" -lt "$LOAD_WAIT_S" ]; do sleep 5; waited=$((waited + 5)); done
      before="$(uptime)"; l="$(load1)"; flagged=false
      below "$l" "$LOAD_MAX" || flagged=true
      log="$OUT/$name-$sys-run$rep.log"
      # shellcheck disable=SC2086
      tag=""; [ "$flagged" = true ] && tag=" LOADED (left out of the medians)"
      say "=== $name $sys run $rep (load before: ${before##*load average: }$tag; waited ${waited}s): ${cmd[*]} $args ${extra[*]:-}"
      if [ "$flagged" = true ] && [ "$REFUSE_LOADED" = 1 ]; then say "    skipped: load average $l >= $LOAD_MAX"; continue; fi
      start=$(date +%s)
      # shellcheck disable=SC2086
      "${cmd[@]}" $args "${extra[@]}" >"$log" 2>&1
      rc=$?
      end=$(date +%s)
      json="$(grep -E '^\{"system"' "$log" | tail -1)"
      [ -n "$json" ] || json='{"error":"no JSON line"}'
      say "    rc=$rc wall=$((end - start))s $json"
      printf '{"config":"%s","system":"%s","run":%d,"rc":%d,"load1":%s,"loaded":%s,"uptime":"%s","result":%s}\n' \
        "$name" "$sys" "$rep" "$rc" "$l" "$flagged" "$before" "$json" >>"$OUT/results.jsonl"
      sync; sleep 3
    done
  done
done
python3 bench/summarize.py "$OUT/results.jsonl" | tee "$OUT/results.md"
echo "results: $OUT/results.md"
