#!/usr/bin/env python3
# Recipe for pagetypeinfo-capped-6.18.txt and buddyinfo-fragmented-6.18.txt:
# maps N anonymous pages (no transparent huge pages), touches each, then
# frees every other one, so that the freed pages cannot merge with their
# buddies and the order-0 free list of Normal grows past the 100000 at which
# /proc/pagetypeinfo stops counting (">100000", kernels from 5.6).
#
#   python3 fragment.py 1000000 20 > out &   # 4 GiB; holds them 20 s
#   (when out says "ready") cat /proc/pagetypeinfo; cat /proc/buddyinfo
#
# It changes nothing on the machine once it exits.
import mmap
import sys
import time

PAGE = 4096
n = int(sys.argv[1])
m = mmap.mmap(-1, n * PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_NOHUGEPAGE)
for i in range(n):
    m[i * PAGE] = 1
for i in range(0, n, 2):
    m.madvise(mmap.MADV_DONTNEED, i * PAGE, PAGE)
sys.stdout.write("ready\n")
sys.stdout.flush()
time.sleep(float(sys.argv[2]))
