#!/usr/bin/env bash
# Makes sure every real service the tests need answers on loopback, installing and starting what is
# missing (idempotent: a service already answering is used as is).
#
#   bash ci/services.sh                 # all of them
#   bash ci/services.sh redis postgres  # only these
set -euo pipefail
cd "$(dirname "$0")"
services=("$@")
[ ${#services[@]} -eq 0 ] && services=(redis postgres)
for service in "${services[@]}"; do
    script="services/$service.sh"
    if [ ! -f "$script" ]; then
        echo "services.sh: no script for '$service' (expected ci/$script)" >&2
        exit 2
    fi
    bash "$script"
done
