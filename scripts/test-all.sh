#!/usr/bin/env bash
# The README's test command: lint, type-check, unit and property tests, a short
# fuzz run and the lab scenarios against strongSwan in User-Mode Linux.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint";        npx biome check .
echo "== typecheck";   npx tsc -p tsconfig.json --noEmit
echo "== unit tests";  npx vitest run
# The kernel adapter against a real kernel with ESP (User-Mode Linux, ~20 s).
echo "== kernel (UML)"; STYX_UML=1 npx vitest run test/kernel/netlink-kernel-uml.test.ts
echo "== fuzz";        npx tsx scripts/fuzz.ts --iterations 20000
echo "== lab";         bash interop/lab.sh
