#!/usr/bin/env bash
# Runs every test against the real broker, database and libvirt of the dev environment
# (started first if it is not running), then the deployment checks, the API contract check
# (deploy/schemathesis.sh) and the guest image. Extra arguments go to `swift test` (e.g. --filter
# Store) and skip those checks. With CI=true an integration test that cannot reach its service fails instead of
# skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/opt/swift/usr/bin
bash deploy/dev-env.sh start >/dev/null
# shellcheck disable=SC1091
source "${N0CORE_DEV_STATE:-/var/lib/n0core-dev}/env"
swift build --build-tests
# At most this many tests at once (Swift Testing starts them all together otherwise): on two
# cores, hundreds of tests starting brokers' vhosts, databases and processes at the same moment
# starve each other past their timeouts.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${N0CORE_TEST_PARALLELISM:-12}
# The run's output is kept so that, when it fails, the failing tests and their issues are
# printed again at the end: CI shows only the tail of a long log.
test_log=$(mktemp /tmp/n0core-test-log.XXXXXX)
if ! swift test --skip-build "$@" 2>&1 | tee "$test_log"; then
  echo "==== the tests that failed, and their issues ===="
  grep -a -E '^(✘|􀢄)|recorded an issue|: error: |Test run with|Executed [0-9]+ tests' "$test_log" | cut -c1-600 | tail -60 || true
  rm -f "$test_log"
  exit 1
fi
rm -f "$test_log"
if [ $# -eq 0 ]; then
  # The deployment side: systemd units, and the per-role RabbitMQ permissions for real.
  bash deploy/verify-units.sh
  N0CORE_PERMCHECK_BIN_DIR="$(swift build --show-bin-path)" bash deploy/rabbitmq-setup.sh self-test
  # The API contract: schemathesis against a real API, from the OpenAPI document it serves.
  N0CORE_SCHEMATHESIS_BIN="$(swift build --show-bin-path)" bash deploy/schemathesis.sh
  # The guest image (docs/guest-image.md): built once and cached, booted from its own disk with a
  # NoCloud seed, logged into over SSH.
  bash deploy/guest/build-image.sh "${N0CORE_GUEST_DIR:-/var/cache/n0core-guest}"
  bash deploy/guest/check-image.sh "${N0CORE_GUEST_DIR:-/var/cache/n0core-guest}"
fi
