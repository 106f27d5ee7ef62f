#!/bin/bash
# Recipe for swaps-used-6.18.txt (run as root: swap-in-use.sh OUTFILE): swap
# in use, from a 256 MiB swap file and a process of 160 MiB pushed into it
# by a 64 MiB v1 memory cgroup. Everything is undone on exit.
set -euo pipefail
SW=/var/tmp/mmt-sw
CG=/sys/fs/cgroup/memory/mmt-zone-swap
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	swapoff "$SW" 2>/dev/null || true
	rm -f "$SW"
	rmdir "$CG" 2>/dev/null || true
}
trap cleanup EXIT
fallocate -l 256M "$SW"; chmod 600 "$SW"; mkswap "$SW" >/dev/null
swapon -p 5 "$SW"
mkdir "$CG"
echo $((64 << 20)) > "$CG/memory.limit_in_bytes"
sh -c "echo \$\$ > $CG/cgroup.procs; exec python3 -c 'import time; b = bytearray(160 << 20); b[::4096] = b\"\\x01\" * len(b[::4096]); print(\"ready\", flush=True); time.sleep(30)'" > /tmp/zone-swap.out &
pid=$!
for i in $(seq 60); do grep -q ready /tmp/zone-swap.out && break; sleep 1; done
cat /proc/swaps > "$1"
