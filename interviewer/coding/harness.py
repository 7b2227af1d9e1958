"""The in-sandbox test runner, plus the value codec both sides share. Standard library and numpy only.

Run as `python -I -S harness.py JOB_DIR RESULT_FD`. It reads `JOB_DIR/job.json`, drops privileges (when
bubblewrap started it as root), lowers its own resource limits, installs the process-mode guard if asked,
loads the candidate's `solution.py`, calls the function on each test's inputs and writes one JSON line per
event to RESULT_FD. It never judges anything: expected values are never sent into the sandbox, and the
trusted parent compares the returned values itself. Whatever the candidate's code prints or forges can at
most change the outputs the parent receives, which is what the candidate's function is asked to produce.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import traceback

MAX_ITEMS = 1_000_000  # elements in one decoded array or list
MAX_DEPTH = 6
NUMERIC_KINDS = "biuf"


def encode(value, depth: int = 0):
    """A pickle-free, JSON-able tagged form of numbers, numpy arrays, strings and containers of them."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise TypeError("the value is nested too deeply")
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool | np.bool_):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int | np.integer):
        return {"t": "int", "v": int(value)}
    if isinstance(value, float | np.floating):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in NUMERIC_KINDS:
            if value.dtype.kind == "U":
                return {"t": "list", "v": [encode(v, depth + 1) for v in value.tolist()]}
            raise TypeError(f"returned an array of dtype {value.dtype}, which cannot be checked")
        data = np.ascontiguousarray(value)
        return {
            "t": "array",
            "dtype": data.dtype.str,
            "shape": list(data.shape),
            "b64": base64.b64encode(data.tobytes()).decode(),
        }
    if isinstance(value, list | tuple):
        return {"t": "tuple" if isinstance(value, tuple) else "list", "v": [encode(v, depth + 1) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"t": "dict", "v": {k: encode(v, depth + 1) for k, v in value.items()}}
    raise TypeError(f"returned a {type(value).__name__}, which cannot be checked")


def decode(obj, depth: int = 0):
    """The inverse of `encode`, strict about shapes, sizes and dtypes (it reads untrusted data)."""
    import numpy as np

    if depth > MAX_DEPTH or not isinstance(obj, dict):
        raise ValueError("malformed value")
    tag = obj.get("t")
    if tag == "none":
        return None
    if tag == "bool" and isinstance(obj.get("v"), bool):
        return obj["v"]
    if tag == "int" and isinstance(obj.get("v"), int) and not isinstance(obj["v"], bool):
        return obj["v"]
    if tag == "float" and isinstance(obj.get("v"), str) and len(obj["v"]) < 40:
        return float(obj["v"])
    if tag == "str" and isinstance(obj.get("v"), str):
        return obj["v"]
    if tag in ("list", "tuple") and isinstance(obj.get("v"), list) and len(obj["v"]) <= MAX_ITEMS:
        items = [decode(v, depth + 1) for v in obj["v"]]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict" and isinstance(obj.get("v"), dict):
        return {str(k): decode(v, depth + 1) for k, v in obj["v"].items()}
    if tag == "array":
        dtype = np.dtype(str(obj.get("dtype")))
        shape = obj.get("shape")
        if dtype.kind not in NUMERIC_KINDS or not isinstance(shape, list) or len(shape) > 8:
            raise ValueError("malformed array")
        if not all(isinstance(n, int) and 0 <= n <= MAX_ITEMS for n in shape):
            raise ValueError("malformed array shape")
        raw = base64.b64decode(str(obj.get("b64", "")), validate=True)
        count = 1
        for n in shape:
            count *= n
        if count > MAX_ITEMS or len(raw) != count * dtype.itemsize:
            raise ValueError("array data does not match its shape")
        return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    raise ValueError("malformed value")


def last_line(err: BaseException) -> str:
    """`ExcType: message (solution.py, line N)`: the last traceback line, located in the candidate's code."""
    text = "".join(traceback.format_exception_only(type(err), err)).strip().splitlines()
    message = text[-1] if text else type(err).__name__
    frames = reversed(traceback.extract_tb(err.__traceback__))
    line = next((f.lineno for f in frames if f.filename == "solution.py"), 0)
    if isinstance(err, SyntaxError) and err.filename == "solution.py":
        line = err.lineno or line
    if line and "line " not in message:
        message += f" (solution.py, line {line})"
    return message[:500]


def _guard(read_roots: tuple[str, ...], write_roots: tuple[str, ...]) -> None:
    """Process mode only: an audit hook that refuses process creation, signals, sockets, ctypes, databases
    and file access outside the job's folders. It keeps honest mistakes and the usual attacks off the host;
    it is not a security boundary (bubblewrap is), which is why the app says process mode is not isolated."""
    blocked = frozenset(
        "os.fork os.forkpty os.posix_spawn os.spawn os.exec os.system os.kill os.killpg signal.pthread_kill "
        "subprocess.Popen ctypes.dlopen ctypes.dlsym ctypes.call_function ctypes.cdata socket.__new__ "
        "socket.connect socket.bind socket.getaddrinfo socket.sendto sqlite3.connect mmap.__new__ os.chown "
        "os.chdir gc.get_referrers gc.get_objects urllib.Request webbrowser.open pty.spawn resource.setrlimit "
        "os.listxattr os.setxattr os.removexattr".split()
    )
    # file-system changes are allowed inside the job's scratch folder only (tempfile needs them there)
    changes = {"os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.chmod": 1, "os.truncate": 1, "os.utime": 1}
    changes.update({"os.rename": 2, "os.link": 2, "os.symlink": 2, "shutil.rmtree": 1, "shutil.copyfile": 2})
    modules = frozenset("_posixsubprocess subprocess socket _socket ctypes _ctypes sqlite3 _sqlite3 mmap pty".split())
    realpath, fspath = os.path.realpath, os.fsdecode
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def inside(path: str, roots: tuple[str, ...]) -> bool:
        return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)

    written = [0]  # files opened for writing: caps the scratch folder at 64 x RLIMIT_FSIZE

    def hook(event: str, args: tuple) -> None:
        if event in blocked:
            raise PermissionError(f"{event} is not allowed in the sandbox")
        if event == "import" and args and args[0] in modules:
            raise PermissionError(f"importing {args[0]} is not allowed in the sandbox")
        if event in changes:
            for path in args[: changes[event]]:
                if isinstance(path, str | bytes) and not inside(realpath(fspath(path)), write_roots):
                    raise PermissionError(f"changing {path!r} is not allowed in the sandbox")
        if event == "object.__setattr__" and len(args) > 1 and args[1] == "__code__":
            raise PermissionError("replacing code objects is not allowed in the sandbox")
        if event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], str | bytes):
            path = realpath(fspath(args[0]))
            mode = args[1] if event == "open" and len(args) > 1 and isinstance(args[1], str) else "r"
            flags = args[2] if event == "open" and len(args) > 2 and isinstance(args[2], int) else 0
            wants_write = any(c in mode for c in "wax+") or bool(flags & writing)
            if not inside(path, write_roots if wants_write else read_roots + write_roots):
                raise PermissionError(f"access to {args[0]!r} is not allowed in the sandbox")
            written[0] += wants_write
            if written[0] > 64:
                raise PermissionError("too many files written in the sandbox")

    sys.addaudithook(hook)


def _limits(job: dict) -> None:
    import resource

    mb = 1024 * 1024
    wanted = {
        resource.RLIMIT_AS: job["memory_mb"] * mb,
        resource.RLIMIT_CPU: job["cpu_s"],
        resource.RLIMIT_FSIZE: job["file_mb"] * mb,
        resource.RLIMIT_NOFILE: 64,
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_NPROC: job["nproc"],
    }
    for which, value in wanted.items():
        _soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


def main(job_dir: str, fd: int, uid: int | None) -> None:
    def emit(**event) -> None:
        data = (json.dumps(event) + "\n").encode()
        while data:
            data = data[os.write(fd, data) :]

    if uid is not None and os.getuid() == 0:  # bubblewrap as root: become a throw-away user first
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        if os.getuid() == 0 or os.geteuid() == 0:
            raise SystemExit("could not drop root")
    with open(os.path.join(job_dir, "job.json"), encoding="utf-8") as fh:
        job = json.load(fh)
    with open(os.path.join(job_dir, "solution.py"), encoding="utf-8") as fh:
        source = fh.read()
    _limits(job)
    sys.path.insert(0, job["site"])
    import numpy as np  # noqa: F401  (loaded before the guard: numpy itself uses ctypes)

    tests = [([decode(a) for a in t["args"]], {k: decode(v) for k, v in t["kwargs"].items()}) for t in job["tests"]]
    if job.get("guard"):
        _guard(tuple(job["read_roots"]), tuple(job["write_roots"]))
    emit(e="ready")
    module = type(sys)("solution")
    module.__file__ = "solution.py"
    sys.modules["solution"] = module
    try:
        exec(compile(source, "solution.py", "exec"), module.__dict__)
        function = module.__dict__.get(job["function"])
        if not callable(function):
            raise NameError(f"solution.py does not define {job['function']}()")
    except BaseException as err:  # noqa: BLE001  (a SystemExit at import is the candidate's error too)
        emit(e="load_error", kind=_kind(err), message=last_line(err))
        sys.stdout.flush()
        os._exit(0)
    for i, (args, kwargs) in enumerate(tests):
        emit(e="start", i=i)
        began = time.perf_counter()
        try:
            value = encode(function(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001
            types = [t.__name__ for t in type(err).__mro__]
            emit(e="result", i=i, ok=False, kind=_kind(err), types=types, message=last_line(err))
            continue
        emit(e="result", i=i, ok=True, value=value, seconds=round(time.perf_counter() - began, 6))
    emit(e="done")
    sys.stdout.flush()
    os._exit(0)


def _kind(err: BaseException) -> str:
    return "memory" if isinstance(err, MemoryError) else "error"


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if sys.argv[3] != "-" else None)
