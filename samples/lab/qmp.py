#!/usr/bin/python3
"""qmp.py SOCKET dump PATH [FORMAT]: dump the guest's memory over QMP.

Connects to QEMU's QMP socket (-qmp unix:SOCKET,server=on,wait=off),
leaves capabilities negotiation, and asks dump-guest-memory to write PATH
in FORMAT ('elf', the default, or 'kdump-zlib', 'kdump-lzo',
'kdump-snappy'). The guest is paused while QEMU writes and goes on after.
Exits 0 once QEMU has answered that the dump is written.
"""
import json
import socket
import sys


def command(sock, stream, name, arguments=None):
    msg = {"execute": name}
    if arguments:
        msg["arguments"] = arguments
    sock.sendall(json.dumps(msg).encode() + b"\n")
    for line in stream:
        answer = json.loads(line)
        if "return" in answer:
            return answer["return"]
        if "error" in answer:
            raise SystemExit("qmp: %s: %s" % (name, answer["error"].get("desc")))
        # anything else is an asynchronous event (STOP, RESUME, DUMP_COMPLETED)
    raise SystemExit("qmp: QEMU closed the socket during %s" % name)


def main():
    if len(sys.argv) not in (4, 5) or sys.argv[2] != "dump":
        raise SystemExit("usage: qmp.py SOCKET dump PATH [FORMAT]")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(sys.argv[1])
    stream = sock.makefile("r")
    json.loads(stream.readline())  # the greeting
    command(sock, stream, "qmp_capabilities")
    args = {"paging": False, "protocol": "file:" + sys.argv[3]}
    if len(sys.argv) == 5 and sys.argv[4] != "elf":
        args["format"] = sys.argv[4]
    command(sock, stream, "dump-guest-memory", args)


if __name__ == "__main__":
    main()
