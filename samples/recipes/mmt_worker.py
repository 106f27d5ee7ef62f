#!/usr/bin/python3
"""Small workload processes used by the sample recipes.

Each mode sets its own process name (comm) with prctl(PR_SET_NAME) so that the
kernel's reports (hung task, OOM task table) name it in a recognisable way.

Modes:
  fsync-writer PATH        append 4 KiB, fsync(), repeat (a database-like writer)
  fsync-only PATH [PROGRESS]
                           open an existing file and call fsync() in a loop,
                           never writing; with PROGRESS, append
                           "<uptime> fsyncs=<n>" to it once a second
  mmap-writer PATH         map a 16 MiB file MAP_SHARED, store into every page,
                           msync(), repeat (blocks in a write page fault)
  reader PROGRESS PATH...  read the given files again and again; once a second
                           append "<uptime> passes=<n>" to PROGRESS (a file that
                           must not live on the filesystem under test)
  alloc STEP_MB MAX_MB INTERVAL
                           allocate anonymous memory STEP_MB at a time, touching
                           every page, one step per INTERVAL seconds, until
                           MAX_MB (0: no limit), then hold it
  churn STEP_MB INTERVAL   map STEP_MB of anonymous memory, touch every page,
                           unmap it, once per INTERVAL seconds (page faults
                           that charge memory and give it back)
  fadvise-dontneed PATH... drop the page cache of the given files only
                           (posix_fadvise POSIX_FADV_DONTNEED)
  ipi SECONDS [RATE]       membarrier(PRIVATE_EXPEDITED) in a loop while a
                           second thread of the process runs: every call
                           interrupts the other CPU (function-call IPIs)
  tlb SECONDS [RATE]       mprotect() a touched page read-only and back in a
                           loop while a second thread of the process runs:
                           every downgrade flushes the other CPU's TLB
                           (TLB-shootdown IPIs)
                           RATE (ipi, tlb): at most that many calls a second
                           (0 or none: as fast as it goes)
  create DIR COUNT PROGRESS
                           create COUNT empty files in DIR (1000 to a
                           subdirectory), as fast as it goes; once a second
                           append "<uptime> files=<n>" to PROGRESS
  randread PATH MBPS PROGRESS
                           read PATH 64 KiB at a time at random offsets, at
                           most MBPS MiB a second, after
                           posix_fadvise(POSIX_FADV_RANDOM) (no readahead
                           window: the page cache is filled a page at a
                           time); once a second append "<uptime> mib=<n>"
                           to PROGRESS
Optional first argument: --comm NAME to choose the process name.
"""

import ctypes
import mmap
import os
import random
import sys
import time

PR_SET_NAME = 15


def set_comm(name):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def uptime():
    with open("/proc/uptime") as f:
        return f.read().split()[0]


def fsync_writer(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    buf = b"r" * 4095 + b"\n"
    while True:
        os.write(fd, buf)
        os.fsync(fd)
        time.sleep(0.05)


def fsync_only(path, progress=None):
    fd = os.open(path, os.O_RDONLY)
    out = open(progress, "a", buffering=1) if progress else None
    n = 0
    last = 0.0
    while True:
        os.fsync(fd)
        n += 1
        now = time.monotonic()
        if out and now - last >= 1.0:
            out.write("%s fsyncs=%d\n" % (uptime(), n))
            last = now
        time.sleep(0.05)


def mmap_writer(path):
    size = 16 << 20
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    os.ftruncate(fd, size)
    m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    n = 0
    while True:
        n = (n + 1) & 0xFF
        for off in range(0, size, 4096):
            m[off] = n
        m.flush()  # msync(MS_SYNC): cleans the pages, the next store faults
        time.sleep(0.1)


def reader(progress, paths):
    passes = 0
    last = 0.0
    with open(progress, "a", buffering=1) as out:
        while True:
            for p in paths:
                try:
                    with open(p, "rb") as f:
                        while f.read(1 << 20):
                            pass
                except FileNotFoundError:
                    pass
            passes += 1
            now = time.monotonic()
            if now - last >= 1.0:
                out.write("%s passes=%d\n" % (uptime(), passes))
                last = now
            time.sleep(0.01)


def alloc(step_mb, max_mb, interval):
    chunks = []
    total = 0
    while max_mb == 0 or total < max_mb:
        b = bytearray(step_mb << 20)
        for off in range(0, len(b), 4096):
            b[off] = 1
        chunks.append(b)
        total += step_mb
        time.sleep(interval)
    while True:
        time.sleep(3600)


def churn(step_mb, interval):
    size = step_mb << 20
    while True:
        m = mmap.mmap(-1, size, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        for off in range(0, size, 4096):
            m[off] = 1
        m.close()
        time.sleep(interval)


def fadvise_dontneed(paths):
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)


MEMBARRIER_CMD_PRIVATE_EXPEDITED = 8
MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED = 16
NR_MEMBARRIER = 324  # x86_64


def start_spinner(libc, end):
    """A second thread of the process, running on the other CPU until END
    (the two threads are pinned to the highest and the lowest CPU): it spins
    inside memset(), where ctypes has released the interpreter lock, so the
    calling thread's loop does not wait for it."""
    import threading
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    buf = ctypes.create_string_buffer(16 << 20)

    def spin():
        pin(max(os.sched_getaffinity(0)))
        while time.monotonic() < end:
            libc.memset(buf, 0, len(buf))
    t = threading.Thread(target=spin)
    t.start()
    pin(min(os.sched_getaffinity(0)))
    return t


class Pacer:
    """Keeps tick() to at most RATE calls a second: bursts, then a sleep of
    at least 20 ms (few context switches)."""

    def __init__(self, rate):
        self.rate = rate
        self.t0 = time.monotonic()
        self.n = 0

    def tick(self):
        if self.rate <= 0:
            return
        self.n += 1
        ahead = self.n / self.rate - (time.monotonic() - self.t0)
        if ahead > 0.02:
            time.sleep(ahead)


def pin(cpu):
    """Pin the calling thread to CPU while it is online (a CPU going offline
    undoes it: the kernel lets the thread run anywhere again)."""
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        pass


def ipi(seconds, rate=0):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(NR_MEMBARRIER, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) != 0:
        sys.exit("membarrier register failed: errno %d" % ctypes.get_errno())
    end = time.monotonic() + seconds
    spinner = start_spinner(libc, end)
    pacer = Pacer(rate)
    while time.monotonic() < end:
        libc.syscall(NR_MEMBARRIER, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0)
        pacer.tick()
    spinner.join()


def tlb(seconds, rate=0):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    page = mmap.mmap(-1, 4096, mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    page[0] = 1
    addr = ctypes.addressof(ctypes.c_char.from_buffer(page))
    end = time.monotonic() + seconds
    spinner = start_spinner(libc, end)
    rw = mmap.PROT_READ | mmap.PROT_WRITE
    pacer = Pacer(rate)
    while time.monotonic() < end:
        libc.mprotect(addr, 4096, mmap.PROT_READ)
        libc.mprotect(addr, 4096, rw)
        page[0] = 1  # a writable, dirty entry again for the next downgrade
        pacer.tick()
    spinner.join()


def create(top, count, progress):
    n = 0
    last = 0.0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    with open(progress, "a", buffering=1) as out:
        while n < count:
            d = os.path.join(top, "d%d" % (n // 1000))
            os.mkdir(d)
            for i in range(min(1000, count - n)):
                os.close(os.open("%s/f%d" % (d, i), flags, 0o644))
            n += min(1000, count - n)
            now = time.monotonic()
            if now - last >= 1.0:
                out.write("%s files=%d\n" % (uptime(), n))
                last = now
        out.write("%s files=%d done\n" % (uptime(), n))


def randread(path, mbps, progress):
    chunk = 64 << 10
    rnd = random.Random(1)
    pacer = Pacer(mbps * 16)
    n = 0
    last = 0.0
    fd = os.open(path, os.O_RDONLY)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
    chunks = os.fstat(fd).st_size // chunk
    with open(progress, "a", buffering=1) as out:
        while True:
            os.pread(fd, chunk, rnd.randrange(chunks) * chunk)
            n += 1
            pacer.tick()
            now = time.monotonic()
            if now - last >= 1.0:
                out.write("%s mib=%d\n" % (uptime(), n // 16))
                last = now


def main(argv):
    if len(argv) >= 2 and argv[0] == "--comm":
        set_comm(argv[1])
        argv = argv[2:]
    mode, args = argv[0], argv[1:]
    if mode == "fsync-writer":
        fsync_writer(args[0])
    elif mode == "fsync-only":
        fsync_only(args[0], args[1] if len(args) > 1 else None)
    elif mode == "mmap-writer":
        mmap_writer(args[0])
    elif mode == "reader":
        reader(args[0], args[1:])
    elif mode == "alloc":
        alloc(int(args[0]), int(args[1]), float(args[2]))
    elif mode == "ipi":
        ipi(float(args[0]), float(args[1]) if len(args) > 1 else 0)
    elif mode == "tlb":
        tlb(float(args[0]), float(args[1]) if len(args) > 1 else 0)
    elif mode == "create":
        create(args[0], int(args[1]), args[2])
    elif mode == "randread":
        randread(args[0], float(args[1]), args[2])
    elif mode == "churn":
        churn(int(args[0]), float(args[1]))
    elif mode == "fadvise-dontneed":
        fadvise_dontneed(args)
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main(sys.argv[1:])
