# shellcheck shell=bash
# The guest lab: boot a Debian kernel in a QEMU guest (TCG) with a busybox
# initramfs, run one scenario inside it, and bring back what it captured.
# Sourced by the scenario scripts of this directory, not run.
#
# Why a guest: global memory pressure with swap, the global OOM killer,
# SysRq dumps and deliberate kernel deadlocks must never be done to the host.
# The guest is disposable; only its captures come back.
#
# How results come back: the guest writes a tar archive straight onto a raw
# virtio disk (/dev/vda in the guest), which the host reads with tar. No
# network, no shared filesystem, nothing the guest kernel needs beyond
# virtio-blk.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_KVER=${LAB_KVER:-6.1.0-50-cloud-amd64}
LAB_KERNEL=${LAB_KERNEL:-/boot/vmlinuz-$LAB_KVER}
LAB_MODDIR=${LAB_MODDIR:-/lib/modules/$LAB_KVER}
LAB_MEM=${LAB_MEM:-256}
LAB_SMP=${LAB_SMP:-2}
LAB_TIMEOUT=${LAB_TIMEOUT:-900}
# A scratch disk for the guest (/dev/vdb), a sparse file of LAB_DISK_MB MiB
# made on the host, with a filesystem of LAB_DISK_FS (mkfs.TYPE on the
# host, e.g. xfs) or raw when that is empty. 0: no scratch disk.
LAB_DISK_MB=${LAB_DISK_MB:-0}
LAB_DISK_FS=${LAB_DISK_FS:-}
# More -drive options for the scratch disk, e.g. QEMU's I/O throttling
# ("throttling.bps-write=65536") to make a slow device.
LAB_DISK_OPTS=${LAB_DISK_OPTS:-}
# Modules the guest init loads, in this order (their dependencies first, as
# modules.dep lists them). lzo-rle is zram's default compressor, which the
# crypto API would otherwise ask modprobe for (the guest has none).
LAB_MODULES=${LAB_MODULES-"virtio_pci virtio_blk lzo-rle zram xfs loop qemu_fw_cfg"}
# Where a scenario's cap_dump has QEMU write the guest's memory (a vmcore,
# as a hypervisor dumps a hung guest), and in which of QMP's formats:
# elf, kdump-zlib, kdump-lzo or kdump-snappy. Empty: no dump.
LAB_DUMP=${LAB_DUMP:-}
LAB_DUMP_FORMAT=${LAB_DUMP_FORMAT:-elf}

lab_log() { printf '[lab %s] %s\n' "$(date +%T)" "$*" >&2; }

lab_require() {
	local t
	for t in qemu-system-x86_64 busybox cpio gzip tar; do
		command -v "$t" >/dev/null 2>&1 || {
			echo "lab: missing $t (Debian packages qemu-system-x86, busybox-static, cpio)" >&2
			exit 1
		}
	done
	[ -r "$LAB_KERNEL" ] || { echo "lab: no kernel $LAB_KERNEL (linux-image-$LAB_KVER)" >&2; exit 1; }
	# busybox must be the static build: the initramfs has no libc.
	file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked' ||
		[ -x /bin/busybox ] || { echo "lab: busybox is not static (busybox-static)" >&2; exit 1; }
}

# lab_module_paths NAME...: the .ko paths (relative to LAB_MODDIR) of the
# named modules and of everything they depend on, dependencies first.
lab_module_paths() {
	local name line path deps dep seen=" "
	for name in "$@"; do
		line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$LAB_MODDIR/modules.dep" | head -n 1)
		[ -n "$line" ] || continue # built in
		path=${line%%:*}
		deps=${line#*:}
		for dep in $(echo "$deps" | tr ' ' '\n' | tac) "$path"; do
			case "$seen" in *" $dep "*) continue ;; esac
			seen="$seen$dep "
			echo "$dep"
		done
	done
}

# lab_initramfs OUT DIR...: a gzip cpio holding static busybox, /init, the
# modules of LAB_MODULES and every file of each DIR under /lab (scenario
# scripts and static helper binaries).
lab_initramfs() {
	local out=$1 root m
	shift
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,mnt,lab,capture,etc}
	cp "$(command -v busybox)" "$root/bin/busybox"
	"$root/bin/busybox" --list | while read -r m; do
		[ "$m" = busybox ] || ln -s busybox "$root/bin/$m"
	done
	: >"$root/lab/modules.order" # empty when everything is built in
	# shellcheck disable=SC2086 # a list of names
	for m in $(lab_module_paths $LAB_MODULES); do
		mkdir -p "$root/lib/modules/$LAB_KVER/$(dirname "$m")"
		cp "$LAB_MODDIR/$m" "$root/lib/modules/$LAB_KVER/$m"
		echo "$m" >>"$root/lab/modules.order"
	done
	cp "$LAB_DIR/guest/init" "$root/init"
	cp "$LAB_DIR/guest/capture.sh" "$root/lab/capture.sh"
	chmod 755 "$root/init"
	for m in "$@"; do cp -r "$m"/. "$root/lab/"; done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

# lab_scratch_disk IMG: the scratch disk of LAB_DISK_MB/LAB_DISK_FS in IMG
# (nothing when LAB_DISK_MB is 0).
lab_scratch_disk() {
	[ "$LAB_DISK_MB" -gt 0 ] || return 0
	truncate -s 0 "$1" && truncate -s "${LAB_DISK_MB}M" "$1"
	[ -z "$LAB_DISK_FS" ] || "mkfs.$LAB_DISK_FS" -q "$1" ||
		{ echo "lab: mkfs.$LAB_DISK_FS failed" >&2; return 1; }
}

# lab_await_poweroff PID CONSOLE_LOG: wait for the QEMU run PID (timeout
# and qemu). Once the guest has powered off ("reboot: Power down" on its
# console), QEMU still drains the I/O it holds before it exits, which on a
# throttled scratch disk takes minutes: after 5 s more it is stopped. The
# result disk needs nothing from it then (raw file, written through).
lab_await_poweroff() {
	local pid=$1 console=$2 waited=0 rc=0
	# shellcheck disable=SC2064 # this pid, now
	trap "kill $pid 2>/dev/null; exit 130" INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q 'reboot: Power down' "$console" 2>/dev/null; then
			[ $waited -ge 5 ] && { lab_log "guest powered off; stopping QEMU's drain"; kill "$pid"; }
			waited=$((waited + 1))
		fi
		sleep 1
	done
	wait "$pid" || rc=$?
	trap - INT TERM
	[ $waited -gt 5 ] && rc=0
	return $rc
}

# lab_dump_on_mark PID SOCKET CONSOLE_LOG: while QEMU (PID) runs, when the guest asks for a dump of its
# memory (cap_dump: "mmtriage-lab: dump now" on its console), write it to
# LAB_DUMP in LAB_DUMP_FORMAT over QMP. QEMU pauses the guest while it
# writes; the guest waits out the dump in cap_dump's sleep.
lab_dump_on_mark() {
	local pid=$1 sock=$2 console=$3
	while ! grep -q 'mmtriage-lab: dump now' "$console" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	lab_log "dumping the guest's memory to $LAB_DUMP ($LAB_DUMP_FORMAT)"
	if /usr/bin/python3 "$LAB_DIR/qmp.py" "$sock" dump "$LAB_DUMP" "$LAB_DUMP_FORMAT"; then
		lab_log "dump written: $(du -h "$LAB_DUMP" | cut -f1)"
	else
		lab_log "dump failed"
	fi
}

# lab_boot INITRD RESULT_IMG CONSOLE_LOG [APPEND...]: boot the guest until it
# powers off or LAB_TIMEOUT passes; the scenario's archive lands in
# RESULT_IMG (a raw disk of 64 MiB, /dev/vda in the guest). With
# LAB_DISK_MB, the scratch disk RESULT_IMG.scratch is /dev/vdb.
lab_boot() {
	local initrd=$1 img=$2 console=$3 rc qemu
	local -a disks=(-drive "file=$img,if=virtio,format=raw,cache=unsafe")
	shift 3
	truncate -s 0 "$img" && truncate -s 64M "$img"
	if [ "$LAB_DISK_MB" -gt 0 ]; then
		lab_scratch_disk "$img.scratch" || return 1
		disks+=(-drive "file=$img.scratch,if=virtio,format=raw,cache=unsafe${LAB_DISK_OPTS:+,$LAB_DISK_OPTS}")
	fi
	lab_log "booting $LAB_KVER (TCG, ${LAB_SMP} CPUs, ${LAB_MEM} MiB), console in $console"
	rm -f "$console" # a last run's "Power down" must not end this one
	timeout --foreground -k 10 "$LAB_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max \
		-m "$LAB_MEM" -smp "$LAB_SMP" -display none -no-reboot \
		-serial "file:$console" -monitor none \
		-device vmcoreinfo -kernel "$LAB_KERNEL" -initrd "$initrd" \
		-qmp "unix:$img.qmp,server=on,wait=off" \
		"${disks[@]}" \
		-append "console=ttyS0 nokaslr panic=-1 quiet loglevel=6 $*" &
	qemu=$!
	[ -z "$LAB_DUMP" ] || lab_dump_on_mark $qemu "$img.qmp" "$console" &
	lab_await_poweroff $qemu "$console"
	rc=$?
	wait
	[ $rc -eq 124 ] && lab_log "guest did not power off within ${LAB_TIMEOUT}s"
	return $rc
}

# lab_collect RESULT_IMG DIR: unpack what the guest wrote.
lab_collect() {
	mkdir -p "$2"
	tar xf "$1" -C "$2" || { echo "lab: no archive on $1 (see the console log)" >&2; return 1; }
}
