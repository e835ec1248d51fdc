#!/usr/bin/env bash
# The project's test command (README, second command; `.ci/run` calls it): starts the real services,
# then builds everything and runs the unit tests, the shared backend suite on every backend, the
# requirement-matrix check and the Gherkin conformance features on the whole backend matrix.
#
#   bash ci/test.sh                                # memory, redis, postgres
#   OJS_TEST_BACKENDS=memory bash ci/test.sh       # only the embedded backend (no services needed)
set -euo pipefail
cd "$(dirname "$0")/.."

export OJS_TEST_BACKENDS="${OJS_TEST_BACKENDS:-memory,redis,postgres}"
needs() { [[ ",$OJS_TEST_BACKENDS," == *",$1,"* ]]; }

services=()
needs redis && services+=(redis)
needs postgres && services+=(postgres)
if [ ${#services[@]} -gt 0 ] && [ -z "${OJS_SKIP_SERVICES:-}" ]; then
    bash ci/services.sh "${services[@]}"
fi
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ojs_test}"

if ! command -v cargo >/dev/null; then
    echo "test.sh: cargo is not installed; install Rust from https://rustup.rs" >&2
    exit 1
fi

echo "== building (all targets)"
cargo build --locked --all-targets
echo "== unit tests, shared backend suite, requirement matrix"
cargo test --locked --lib --bins --test requirement_matrix --test harness_units
echo "== conformance features on: $OJS_TEST_BACKENDS"
cargo test --locked --test conformance
