#!/usr/bin/env bash
# Size benchmark: the SDK's `hello` example against a hand-written raw-FFI plugin with
# the same behaviour (bench/raw-hello), both built in this run with the recommended
# release profile (opt-level "z", LTO, one codegen unit, panic=abort, strip).
# Target: SDK hello <= 1.15 x raw hello (issue 13; anchor-watch <= 1.60 x the upstream example). This prints numbers; it exits 0 even when the
# target is missed (it fails only if a build fails).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

TARGET=wasm32-wasip1
SDK_DIR=target/size-bench
RAW_DIR=target/size-bench-raw
OPT_DIR=target/size-bench-opt
LIMIT=1.15
# signalk-server's own hand-written anchor-watch plugin, for comparison.
UPSTREAM_ANCHOR_WATCH=112799
# Binaryen must be told the features rustc >= 1.87 emits by default for wasm32-wasip1;
# the target_features section is stripped, so it cannot detect them. Binaryen 108 needs
# at least bulk-memory and sign-ext for this output; the rest match rustc's defaults.
WASM_OPT_FLAGS=(-Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals
    --enable-nontrapping-float-to-int --enable-multivalue --enable-reference-types)

if [[ ! -d "$(rustc --print sysroot)/lib/rustlib/$TARGET" ]]; then
    rustup target add "$TARGET"
fi

echo "== building (rustc: $(rustc --version))" >&2
cargo build --release --target "$TARGET" -p hello --target-dir "$SDK_DIR"
cargo build --release --target "$TARGET" --manifest-path bench/raw-hello/Cargo.toml \
    --target-dir "$RAW_DIR"
cargo build --release --target "$TARGET" -p anchor-watch -p resource-provider \
    -p weather-provider --target-dir "$SDK_DIR"

SDK_OUT="$SDK_DIR/$TARGET/release"
RAW_OUT="$RAW_DIR/$TARGET/release"

size_of() { wc -c <"$1" | tr -d ' '; }

# ratio A B -> A/B with 3 decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

# meets A B -> "met" if A <= LIMIT x B, else "MISSED"
meets() {
    awk -v a="$1" -v b="$2" -v l="$LIMIT" 'BEGIN { print (a <= l * b) ? "met" : "MISSED" }'
}

HAVE_OPT=0
if command -v wasm-opt >/dev/null 2>&1; then
    HAVE_OPT=1
    mkdir -p "$OPT_DIR"
fi

# opt_size FILE -> size after wasm-opt, or "-" if wasm-opt is absent or fails
opt_size() {
    local in="$1" out
    out="$OPT_DIR/$(basename "$in")"
    if [[ $HAVE_OPT -eq 0 ]]; then
        echo "-"
    elif wasm-opt "${WASM_OPT_FLAGS[@]}" "$in" -o "$out" 2>"$out.log"; then
        size_of "$out"
    else
        echo "wasm-opt failed on $in (see $out.log); continuing" >&2
        echo "-"
    fi
}

sdk=$(size_of "$SDK_OUT/hello.wasm")
raw=$(size_of "$RAW_OUT/raw_hello.wasm")
sdk_opt=$(opt_size "$SDK_OUT/hello.wasm")
raw_opt=$(opt_size "$RAW_OUT/raw_hello.wasm")

echo
if [[ $HAVE_OPT -eq 1 ]]; then
    echo "wasm-opt: $(wasm-opt --version) (${WASM_OPT_FLAGS[*]})"
else
    echo "wasm-opt: not on PATH; skipping the wasm-opt column"
fi
echo
printf '%-28s %12s %14s\n' "plugin" "bytes" "after wasm-opt"
printf '%-28s %12s %14s\n' "hello (signalk-plugin SDK)" "$sdk" "$sdk_opt"
printf '%-28s %12s %14s\n' "raw-hello (hand-written FFI)" "$raw" "$raw_opt"
opt_ratio="-"
if [[ $sdk_opt != "-" && $raw_opt != "-" ]]; then
    opt_ratio=$(ratio "$sdk_opt" "$raw_opt")
fi
printf '%-28s %12s %14s\n' "ratio sdk/raw" "$(ratio "$sdk" "$raw")" "$opt_ratio"
echo
echo "target: sdk <= $LIMIT x raw"
echo "  release profile: $(meets "$sdk" "$raw") (sdk - raw = $((sdk - raw)) bytes)"
if [[ $opt_ratio != "-" ]]; then
    echo "  after wasm-opt:  $(meets "$sdk_opt" "$raw_opt") (sdk - raw = $((sdk_opt - raw_opt)) bytes)"
fi

echo
printf '%-28s %12s %14s\n' "other examples (SDK)" "bytes" "after wasm-opt"
for name in anchor-watch resource-provider weather-provider; do
    file="$SDK_OUT/${name//-/_}.wasm"
    bytes=$(size_of "$file")
    opt=$(opt_size "$file")
    printf '%-28s %12s %14s\n' "$name" "$bytes" "$opt"
    if [[ $name == anchor-watch ]]; then
        aw=$bytes
        aw_opt=$opt
    fi
done

echo
echo "anchor-watch vs upstream hand-written anchor-watch ($UPSTREAM_ANCHOR_WATCH bytes):"
echo "  release profile: $aw bytes, ratio $(ratio "$aw" "$UPSTREAM_ANCHOR_WATCH")"
if [[ $aw_opt != "-" ]]; then
    echo "  after wasm-opt:  $aw_opt bytes, ratio $(ratio "$aw_opt" "$UPSTREAM_ANCHOR_WATCH")"
fi
exit 0
