#!/usr/bin/env bash
# A Sphinx (searchd) cluster on loopback for tests and development:
#   .ci/sphinx.sh start DIR [NODES] [PORT]   writes DIR/node-*.conf + DIR/front.conf with
#                                            `migdocs engine sphinx-config`, starts every searchd
#                                            (nodes first) and waits until each one answers;
#                                            prints the engine URL (sphinxql://127.0.0.1:PORT/migdocs)
#   .ci/sphinx.sh stop DIR                   stops each searchd of DIR (`--stopwait`, by its pid file)
# Defaults: 2 nodes, port 19306 (front 19306, nodes 19308/19309 and 19310/19311).
set -euo pipefail
cmd=${1:?usage: sphinx.sh start|stop DIR [NODES] [PORT]}
dir=${2:?usage: sphinx.sh start|stop DIR [NODES] [PORT]}
nodes=${3:-2}
port=${4:-19306}

wait_port() {  # host port: until a TCP connection succeeds (10 s at most)
    for _ in $(seq 100); do
        if (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "sphinx.sh: nothing answers on $1:$2; see the searchd.log files under $dir" >&2
    return 1
}

case "$cmd" in
start)
    migdocs engine sphinx-config --nodes "$nodes" --port "$port" --dir "$dir" >/dev/null
    for i in $(seq "$nodes"); do
        searchd --config "$dir/node-$i.conf" >"$dir/node-$i/start.log" 2>&1 || {
            cat "$dir/node-$i/start.log" >&2; exit 1; }
    done
    searchd --config "$dir/front.conf" >"$dir/front/start.log" 2>&1 || {
        cat "$dir/front/start.log" >&2; exit 1; }
    for i in $(seq "$nodes"); do wait_port 127.0.0.1 $((port + 2 * i)); done
    wait_port 127.0.0.1 "$port"
    echo "sphinxql://127.0.0.1:$port/migdocs"
    ;;
stop)
    status=0
    for conf in "$dir"/front.conf "$dir"/node-*.conf; do
        [ -f "$conf" ] || continue
        pidfile=$(sed -n 's/^ *pid_file *= *//p' "$conf")
        [ -s "$pidfile" ] || continue
        searchd --config "$conf" --stopwait >/dev/null 2>&1 || status=1
    done
    exit $status
    ;;
*)
    echo "usage: sphinx.sh start|stop DIR [NODES] [PORT]" >&2
    exit 2
    ;;
esac
