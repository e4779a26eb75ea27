# Shared by the load scripts of this folder (sourced, not run).

# stop PID: TERM, up to 10 s to exit, then KILL. Nothing when PID is empty or gone.
stop() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1"
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$1" 2>/dev/null || true
  fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# wait_healthy URL PID LOG: waits up to 20 s for URL/healthz; shows LOG and fails if PID exits or it never answers.
wait_healthy() {
  for _ in $(seq 100); do
    curl -fs "$1/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3"; echo "the service exited"; return 1; }
    sleep 0.2
  done
  curl -fs "$1/healthz" >/dev/null || { cat "$3"; echo "the service did not start"; return 1; }
}

# neuron_json FILE: writes the CS231n sigmoid neuron, the worked example of README.md and of the Swagger UI.
neuron_json() {
  cat >"$1" <<'JSON'
{"nodes": [
  {"id": "w0", "op": "input", "value": 2}, {"id": "x0", "op": "input", "value": -1},
  {"id": "w1", "op": "input", "value": -3}, {"id": "x1", "op": "input", "value": -2},
  {"id": "w2", "op": "input", "value": -3},
  {"id": "a", "op": "mul", "inputs": ["w0", "x0"]}, {"id": "b", "op": "mul", "inputs": ["w1", "x1"]},
  {"id": "d", "op": "add", "inputs": ["a", "b", "w2"]}, {"id": "f", "op": "sigmoid", "inputs": ["d"]}],
 "output": "f"}
JSON
}

# post_lua FILE BODY: writes a wrk script that POSTs the JSON in file BODY.
post_lua() {
  printf 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = io.open("%s"):read("*a")\n' "$2" >"$1"
}
