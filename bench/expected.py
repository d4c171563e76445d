"""numpy's answer for every bench case, so the bench never times a wrong answer (bench/run.ts checks each one).

Reads one JSON document on stdin:
  {"dir": DATA_DIR, "checks": [{"id", "name", "dtype", "shape", "selection", "missing_value", "op",
                                "compression", "filters", "raw_name"}, ...]}
and writes one JSON object on stdout: {id: {"dtype", "shape", "value", "count"}}, where "value" is a string
(repr of a float, or the exact integer) so that int64 values survive JSON.

A compressed object is decoded here with Python's zlib and a numpy unshuffle, and the result must equal the raw
file the bench wrote next to it: that checks the bench's own encoder (bench/data.ts) independently.
"""

import json
import sys
import zlib
from pathlib import Path

import numpy as np


def unshuffle(data: bytes, element_size: int) -> bytes:
    planes = np.frombuffer(data, dtype=np.uint8).reshape(element_size, -1)
    return planes.T.copy().tobytes()


def decoded_bytes(directory: Path, check: dict, cache: dict) -> bytes:
    name = check["name"]
    if name in cache:
        return cache[name]
    data = (directory / name).read_bytes()
    if check.get("compression"):
        if check["compression"]["id"] != "zlib":
            raise ValueError(f"unsupported compression {check['compression']}")
        data = zlib.decompress(data)
        for f in reversed(check.get("filters") or []):
            if f["id"] != "shuffle":
                raise ValueError(f"unsupported filter {f}")
            data = unshuffle(data, f["element_size"])
        raw = (directory / check["raw_name"]).read_bytes()
        if data != raw:
            raise ValueError(f"{name} does not decode to {check['raw_name']}: the bench's encoder is wrong")
    cache[name] = data
    return data


def answer(directory: Path, check: dict, cache: dict) -> dict:
    dtype = np.dtype(check["dtype"]).newbyteorder("<")
    a = np.frombuffer(decoded_bytes(directory, check, cache), dtype=dtype)
    if check.get("shape"):
        a = a.reshape(check["shape"])
    if check.get("selection"):
        a = a[tuple(slice(*s) for s in check["selection"])]
    present = a.ravel()
    if check.get("missing_value") is not None:
        present = present[present != dtype.type(check["missing_value"])]
    op = check["op"]
    n = int(present.size)
    if op == "count":
        return {"dtype": "int64", "shape": [], "value": str(n), "count": n}
    if op == "sum":
        # API.md §5.4: the answer must agree with numpy.sum(a, dtype=a.dtype) to numpy.allclose's default tolerance.
        value = np.sum(present, dtype=dtype)
    elif op == "min":
        value = present.min()
    elif op == "max":
        value = present.max()
    else:
        raise ValueError(f"unsupported op {op}")
    text = repr(float(value)) if dtype.kind == "f" else str(int(value))
    return {"dtype": check["dtype"], "shape": [], "value": text, "count": n}


def main() -> None:
    request = json.load(sys.stdin)
    directory = Path(request["dir"])
    cache: dict = {}
    out = {}
    for check in request["checks"]:
        out[check["id"]] = answer(directory, check, cache)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
