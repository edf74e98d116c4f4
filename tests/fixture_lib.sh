# Sourced by the script tests. per_kernel "$0" "$@" runs the calling script once for
# each kernel of the fixture matrix under test ($KDIVE_TEST_KERNELS, default all), each
# time with $KDIVE_FIXTURES pointing at a manifest of that kernel alone, so a script
# written for one kernel ("kernel", the scenarios' dumps) covers them all. Returns in
# those runs; in the caller it exits with the combined status.
per_kernel() {
	[ -n "${KDIVE_ONE_KERNEL:-}" ] && return 0
	local script=$1 lib k dir status=0 names
	shift
	lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	names=$(/usr/bin/python3 "$lib/fixture_manifest.py" kernels name) || exit 1
	[ -n "$names" ] || { echo "no kernel of the fixture matrix under test"; exit 1; }
	for k in $names; do
		dir=$(mktemp -d)
		/usr/bin/python3 "$lib/fixture_manifest.py" one-kernel "$k" >"$dir/manifest.json"
		echo "=== kernel $k"
		if ! KDIVE_ONE_KERNEL=$k KDIVE_FIXTURES=$dir bash "$script" "$@"; then
			echo "=== FAIL on kernel $k"
			status=1
		fi
		rm -rf "$dir"
	done
	exit $status
}
