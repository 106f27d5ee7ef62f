#!/usr/bin/env bash
# build.sh [SRC_TARBALL] [BUILD_DIR]: build the lab's lockdep kernel from
# Debian's kernel source (linux-source-6.1) with tinyconfig plus
# lockdep.config, out of tree, with two jobs. Leaves
#   BUILD_DIR/src                    the unpacked source
#   BUILD_DIR/obj                    the object tree (modules build against it)
#   BUILD_DIR/obj/arch/x86/boot/bzImage
# samples/lab/lockdep/run.sh boots it (LAB_KERNEL_DIR=BUILD_DIR). Nothing of
# it belongs in the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tarball=${1:-/usr/src/linux-source-6.1.tar.xz}
dir=${2:-/work/lab-kernel}
jobs=${LAB_JOBS:-2}
src=$dir/src
obj=$dir/obj
mkdir -p "$dir"
if [ ! -f "$src/Makefile" ]; then
	mkdir -p "$src"
	tar xf "$tarball" -C "$src" --strip-components=1
fi
mkdir -p "$obj"
make -C "$src" O="$obj" ARCH=x86_64 tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$here/lockdep.config" >/dev/null
make -C "$src" O="$obj" ARCH=x86_64 olddefconfig >/dev/null
# Every option of the fragment must have survived olddefconfig (a missing
# dependency silently drops one).
missing=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	grep -qxF "$want" "$obj/.config" || { echo "build: not in .config: $want" >&2; missing=1; }
done <"$here/lockdep.config"
[ $missing -eq 0 ] || exit 1
start=$(date +%s)
nice -n 10 make -C "$src" O="$obj" ARCH=x86_64 -j"$jobs" bzImage modules
echo "build: $(($(date +%s) - start)) s" >&2
echo "build: $(cat "$obj/include/config/kernel.release") in $obj/arch/x86/boot/bzImage" >&2
