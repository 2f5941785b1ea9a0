#!/usr/bin/env bash
# Runs the flowc agent built for the peers.sh job in PEERBENCH_JOB (peers.sh execs this script).
dist="$(cd "$(dirname "$0")/../.." && pwd)/dist"
case "$PEERBENCH_JOB" in
  J3) exec "$dist/bench_tcp_route/bench_tcp_route" ;;
  J2) export PEERBENCH_POSITIONS="$PEERBENCH_WORKDIR/taildir-positions.json"
      exec "$dist/bench_tail_to_file/bench_tail_to_file" ;;
  *) exec "$dist/bench_tcp_to_file/bench_tcp_to_file" ;;
esac
