#!/usr/bin/env bash
# Regenerates signalk-server-2.32.0-chunked-channel.patch, the host half of the chunked
# channel as a patch against the dist/wasm/ files of the signalk-server 2.32.0 npm package.
#
#   host/signalk-server/make-patch.sh [EDITED_DIST_WASM]
#
# The new file, dist/wasm/utils/chunked-channel.js, is always taken from chunked-channel.js
# next to this script. The edits to the server's own files come from EDITED_DIST_WASM (a
# copy of dist/wasm/ edited by hand) when given, else from the current patch. The pristine
# files are those of the conformance cache (conformance/realhost.sh install).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PATCH=$HERE/signalk-server-2.32.0-chunked-channel.patch
MODULE=dist/wasm/utils/chunked-channel.js

cache=$("$REPO/conformance/realhost.sh" install)
pristine=$cache/server-2.32.0/node_modules/signalk-server/dist/wasm
[[ -d $pristine ]] || { echo "make-patch: no pristine server at $pristine" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/skc-make-patch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/a/dist" "$work/b/dist"
cp -r "$pristine" "$work/a/dist/wasm"
if [[ $# -gt 0 ]]; then
    cp -r "$1" "$work/b/dist/wasm"
else
    cp -r "$pristine" "$work/b/dist/wasm"
    patch -p1 --batch --quiet -d "$work/b" <"$PATCH"
fi
cp "$HERE/chunked-channel.js" "$work/b/$MODULE"

# Plain unified diff, no timestamps; the added module comes from /dev/null.
(cd "$work" && diff -ruN a/dist/wasm b/dist/wasm || [[ $? -eq 1 ]]) |
    sed -E -e 's/^(---|\+\+\+) ([^\t]*)\t.*$/\1 \2/' \
        -e "s#^--- a/$MODULE\$#--- /dev/null#" >"$PATCH.new"
mv "$PATCH.new" "$PATCH"
echo "make-patch: wrote $PATCH" >&2
