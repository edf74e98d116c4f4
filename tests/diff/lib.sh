# Sourced by the tests/diff scripts after per_kernel (tests/fixture_lib.sh) has narrowed
# the run to one kernel: the fixture set-up they share, so each script starts with
#   . "$(dirname "$0")/../fixture_lib.sh"
#   per_kernel "$0" "$@"  # once per kernel of the fixture matrix
#   . "$(dirname "$0")/lib.sh"
# (user_globals.sh, over the user-space cores, without per_kernel; also
# tests/integration/cli/bad_input.sh, which tests/diff/cli_bad_input.sh runs). It sets
#   HERE      this folder (tests/diff), SRC the checkout
#   FIXTURES  $KDIVE_FIXTURES (default ~/.cache/kdive/fixtures), MANIFEST its manifest.json
#             (exit 1 when there is none)
#   KDIVE     the binary under test ($KDIVE_BINARY, required)
#   PY        the system python3 (the one python3-drgn installs into)
#   TMP       a scratch directory, removed on exit
# and offers
#   require_tool CMD WHY         exit 1 with "WHY" unless CMD is installed
#   kernel_dumps [--drgn-vmlinux] FIELD...
#                                one tab-separated line per kernel dump under test
#                                (tests/fixture_manifest.py dumps)
#   kernel_files                 sets VMLINUX, MODULE (the kdive_fixture.ko, empty when the
#                                kernel has none) and KERNEL_DIR (the kernel's fixture folder)
#   json_fields FILE KEY.PATH... the values at dotted paths of a JSON file (truth.json), on
#                                one line separated by spaces
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
FIXTURES=${KDIVE_FIXTURES:-$HOME/.cache/kdive/fixtures}
KDIVE=${KDIVE_BINARY:?set KDIVE_BINARY}
MANIFEST=$FIXTURES/manifest.json
[ -f "$MANIFEST" ] || { echo "no $MANIFEST: run scripts/fixtures/build-all.sh"; exit 1; }
PY=/usr/bin/python3
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

require_tool() {  # CMD WHY
  command -v "$1" >/dev/null || { echo "$2"; exit 1; }
}

kernel_dumps() {  # [--drgn-vmlinux] FIELD...
  $PY "$HERE/../fixture_manifest.py" dumps "$@"
}

kernel_files() {
  local line
  line=$($PY -c '
import json, sys
k = json.load(open(sys.argv[1]))["kernel"]
mods = [m for m in k["modules"] if m.endswith("/kdive_fixture.ko")]
print("\t".join([k["vmlinux"], mods[0] if mods else "-", k["dir"]]))
' "$MANIFEST") || exit 1
  IFS=$'\t' read -r VMLINUX MODULE KERNEL_DIR <<<"$line"
  if [ "$MODULE" = - ]; then MODULE=; fi
}

json_fields() {  # FILE KEY.PATH...
  $PY -c '
import json, sys
doc = json.load(open(sys.argv[1]))
values = []
for path in sys.argv[2:]:
    v = doc
    for key in path.split("."):
        v = v[key]
    values.append(str(v))
print(" ".join(values))
' "$@"
}
