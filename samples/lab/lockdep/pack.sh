#!/usr/bin/env bash
# pack.sh OUTDIR NAME: the capture directory a lab run left in OUTDIR/capture
# as samples/NAME/capture.tar.xz, top-level entry NAME/ (as the other
# capture samples), refusing one of 1.5 MB or more.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 OUTDIR NAME" >&2; exit 2; }
out=$1
name=$2
dest=$(cd "$(dirname "$0")/../.." && pwd)/$name
[ -d "$out/capture" ] || { echo "pack: no $out/capture" >&2; exit 1; }
mkdir -p "$dest"
tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner \
	--transform "s,^capture,$name," -cJf "$dest/capture.tar.xz" capture
size=$(stat -c %s "$dest/capture.tar.xz")
[ "$size" -lt 1500000 ] || { echo "pack: $dest/capture.tar.xz is $size bytes" >&2; exit 1; }
echo "pack: $dest/capture.tar.xz ($size bytes)"
