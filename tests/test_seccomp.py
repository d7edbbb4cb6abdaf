"""The seccomp filter of the dry run's sandbox, run on a small classic-BPF interpreter for
both architectures (the hostile-pr cases run it in the kernel, on this machine's)."""

from __future__ import annotations

import errno
import struct

import pytest

from pipespec.run import confine

ALLOW, KILL = 0x7FFF0000, 0x80000000
ERRNO = 0x00050000
ARCHES = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
AUDIT_ARCH_I386 = 0x40000003


def run(program: list[tuple[int, int, int, int]], arch: int, nr: int, *args: int) -> int:
    """What the kernel would answer for a syscall: seccomp_data is nr, arch, ip, args[6]."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, *(list(args) + [0] * (6 - len(args))))
    pc = acc = 0
    for _ in range(len(program) + 1):
        op, jt, jf, k = program[pc]
        if op == 0x20:  # LD | W | ABS
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif op == 0x15:  # JEQ K
            pc += 1 + (jt if acc == k else jf)
        elif op == 0x35:  # JGE K
            pc += 1 + (jt if acc >= k else jf)
        elif op == 0x45:  # JSET K
            pc += 1 + (jt if acc & k else jf)
        elif op == 0x06:  # RET K
            return k
        else:
            raise AssertionError(f"unknown instruction {op:#x}")
    raise AssertionError("the program does not end")


@pytest.mark.parametrize("machine", sorted(ARCHES))
def test_every_denied_call_answers_its_errno(machine: str) -> None:
    program = confine.seccomp_program(machine)
    index = 0 if machine == "x86_64" else 1
    for name, numbers in confine.DENIED.items():
        assert run(program, ARCHES[machine], numbers[index]) == ERRNO | numbers[2], name


@pytest.mark.parametrize("machine", sorted(ARCHES))
def test_ordinary_calls_and_clone_without_namespaces_are_allowed(machine: str) -> None:
    program = confine.seccomp_program(machine)
    arch = ARCHES[machine]
    clone = 56 if machine == "x86_64" else 220
    for nr in (0, 1, 3, 59 if machine == "x86_64" else 221, 231 if machine == "x86_64" else 94):
        assert run(program, arch, nr) == ALLOW, nr  # read, write, close, execve, exit_group
    assert run(program, arch, clone, 0x11) == ALLOW  # fork: SIGCHLD
    assert run(program, arch, clone, 0x3D0F00) == ALLOW  # a thread: CLONE_VM|FS|FILES|...
    for flag in (0x10000000, 0x40000000, 0x00020000, 0x20000000, 0x02000000, 0x10000011):
        assert run(program, arch, clone, flag) == ERRNO | errno.EPERM, hex(flag)


@pytest.mark.parametrize("machine", sorted(ARCHES))
def test_only_unix_ip_and_netlink_sockets(machine: str) -> None:
    program = confine.seccomp_program(machine)
    arch = ARCHES[machine]
    for call, numbers in confine._SOCKET.items():
        nr = numbers[0 if machine == "x86_64" else 1]
        for family in (1, 2, 10, 16):
            assert run(program, arch, nr, family, 1) == ALLOW, (call, family)
        for family in (40, 17, 38, 44, 0, 0xFFFF):  # vsock, packet, alg, xdp ...
            assert run(program, arch, nr, family, 1) == ERRNO | errno.EAFNOSUPPORT


@pytest.mark.parametrize("machine", sorted(ARCHES))
def test_other_architectures_are_killed(machine: str) -> None:
    program = confine.seccomp_program(machine)
    for arch in (AUDIT_ARCH_I386, *(a for m, a in ARCHES.items() if m != machine)):
        assert run(program, arch, 0) == KILL
    if machine == "x86_64":  # the x32 ABI shares the architecture, with bit 30 set
        assert run(program, ARCHES[machine], 0x40000000 | 1) == KILL
