#!/bin/bash
# CTest entry for tests/integration/cli/bad_input.sh: tests/CMakeLists.txt registers only
# the scripts directly in tests/diff/ and tests/integration/, not in subdirectories.
exec bash "$(cd "$(dirname "$0")/.." && pwd)/integration/cli/bad_input.sh" "$@"
