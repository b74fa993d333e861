#!/usr/bin/env bash
# Runs every test against the real broker, database and libvirt of the dev environment
# (started first if it is not running). Extra arguments go to `swift test` (e.g. --filter Store).
# With CI=true an integration test that cannot reach its service fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/opt/swift/usr/bin
bash deploy/dev-env.sh start >/dev/null
# shellcheck disable=SC1091
source "${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/env"
swift build --build-tests
swift test --skip-build "$@"
