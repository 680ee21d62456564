"""Builds libmapsync (../c/src, C11 + POSIX) into the package as mapsync/libmapsync.so, so that
``pip install clients/python`` is self-contained. Without the C sources (a copy of this folder alone) or a C
compiler, the package is built without the library, and finds one at run time ($MAPSYNC_LIB, then the system's
library path); MAPSYNC_NO_BUILD_LIB=1 skips the build on purpose. CC chooses the compiler (default cc);
MAPSYNC_WITH_LIBBPF=1 builds a library that opens bpf maps through libbpf (needs libbpf-dev), =0 one without it;
unset, libbpf is used when the compiler finds it."""
import glob
import os
import shlex
import subprocess
import sys
import tempfile

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

HERE = os.path.dirname(os.path.abspath(__file__))
C_DIR = os.path.normpath(os.path.join(HERE, "..", "c"))


def _has_libbpf(cc):
    """True if `cc` compiles and links a program with libbpf's header and library."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "probe.c")
        with open(source, "w") as f:
            f.write("#include <bpf/bpf.h>\nint main(void) { return bpf_obj_get(\"/\") < 0 ? 0 : 1; }\n")
        try:
            return subprocess.call(cc + [source, "-o", os.path.join(tmp, "probe"), "-lbpf"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0
        except OSError:
            return False


class BuildWithLibrary(build_py):
    """build_py, then libmapsync compiled from clients/c/src into the built package."""

    def run(self):
        super().run()
        sources = sorted(glob.glob(os.path.join(C_DIR, "src", "*.c")))
        if os.environ.get("MAPSYNC_NO_BUILD_LIB") == "1":
            return
        if not sources:
            sys.stderr.write("mapsync: no C sources at %s; libmapsync is not built into the package "
                             "(set MAPSYNC_LIB at run time)\n" % C_DIR)
            return
        out = os.path.join(self.build_lib, "mapsync", "libmapsync.so")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        cc = shlex.split(os.environ.get("CC", "cc"))
        command = cc + ["-std=gnu11", "-O2", "-fPIC", "-shared", "-ffp-contract=off", "-I", os.path.join(C_DIR, "include"),
                        "-Wl,-soname,libmapsync.so.4", "-o", out] + sources + ["-lm", "-lpthread"]
        with_libbpf = os.environ.get("MAPSYNC_WITH_LIBBPF")
        if with_libbpf == "1" or (with_libbpf is None and _has_libbpf(cc)):
            command[1:1] = ["-DMAPSYNC_WITH_LIBBPF"]
            command.append("-lbpf")
        self.announce(" ".join(command), level=2)
        subprocess.check_call(command)


class BinaryDistribution(Distribution):
    """The wheel holds a compiled library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildWithLibrary}, distclass=BinaryDistribution)
