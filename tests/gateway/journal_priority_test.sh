#!/usr/bin/env bash
# sottod, run the way systemd runs it, logs with syslog priorities: its stderr goes to a file
# and $JOURNAL_STREAM names that file's device and inode, as systemd does for the journal's
# stream. With no broker at the configured port it logs the info line "serving ... (tokens
# optional) ..." (the shipped config, on loopback) and the
# warning "cannot connect ...": each must start with <6> and <4>, and no line may carry a
# timestamp of its own. Run again without $JOURNAL_STREAM, the lines start with the time.
# Usage: journal_priority_test.sh SOTTOD CONFIG WORK_DIR
set -euo pipefail
sottod=$1 config=$2 work=$3
rm -rf "$work" && mkdir -p "$work"

port() {  # a port nobody listens on for the broker, a free one for HTTP (python: bind to 0)
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# run_sottod LOG JOURNAL(yes|no): runs until the connect warning is logged, then stops it.
run_sottod() {
  local log=$1 journal=$2 pid
  : > "$log"
  local stream=''
  [ "$journal" = no ] || stream=$(stat -c '%d:%i' "$log")
  JOURNAL_STREAM=$stream "$sottod" --config "$config" --broker "tcp://127.0.0.1:$(port)" \
    --http-port "$(port)" --db "$work/sotto.db" \
    2>> "$log" > /dev/null &
  pid=$!
  for _ in $(seq 1 600); do  # a safety net: ASan builds on a loaded machine start slowly
    grep -q "cannot connect" "$log" && break
    sleep 0.1
  done
  kill -TERM "$pid"
  wait "$pid" || true
  grep -q "cannot connect" "$log" || { cat "$log"; echo "no connect warning in $log"; exit 1; }
}

run_sottod "$work/journal.log" yes
grep -qx '<6>info: serving http://127\.0\.0\.1:[0-9]* (tokens optional) with store .*' "$work/journal.log" ||
  { cat "$work/journal.log"; echo "no <6> serving line"; exit 1; }
grep -qx '<4>warn: cannot connect to tcp://127\.0\.0\.1:[0-9]*: .*; retrying' "$work/journal.log" ||
  { cat "$work/journal.log"; echo "no <4> warning line"; exit 1; }
if grep -qv '^<[346]>[a-z]*: ' "$work/journal.log"; then
  cat "$work/journal.log"
  echo "a journal line without a priority prefix"
  exit 1
fi

run_sottod "$work/terminal.log" no
if grep -qv '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z sottod [a-z]*: ' "$work/terminal.log"; then
  cat "$work/terminal.log"
  echo "a terminal line without its timestamp"
  exit 1
fi
echo "journal priorities ok"
