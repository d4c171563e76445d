#!/usr/bin/env python3
"""Writes test/fixtures/codecs/: compressed/filtered chunks made by the reference implementations, plus a manifest.

Every case is one stored object (<name>.bin) and a manifest entry with the codec chain exactly as a client sends it
(`compression`, `filters`), the dtype, byte order and shape, and either the sha256 and length of the decoded bytes
(computed by numpy / the reference decoder, never by hand) or the error the server must answer with.

Writers: numcodecs (Blosc 1.x, Zstd, LZ4, BZ2, GZip, Zlib, Shuffle, Delta, Fletcher32), python-blosc2 (Blosc2
chunks), zstandard (frames without a content size), h5py and netCDF4 (HDF5 chunks with shuffle, deflate, fletcher32).
Bitshuffle has no installable reference here, so its encoder below follows the bitshuffle library's layout (API.md
§10.2) and is checked against the spec's test vector and against C-Blosc2's internal bit-shuffle before use.

    pip install numcodecs blosc2 zstandard lz4 h5py netCDF4
    python3 scripts/make-codec-fixtures.py

The versions used are recorded in the manifest header.
"""

import bz2 as pybz2
import gzip as pygzip
import hashlib
import json
import struct
import sys
import tempfile
import zlib as pyzlib
from pathlib import Path

import blosc2
import h5py
import lz4
import netCDF4
import numcodecs
import numpy as np
import zstandard

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "codecs"
RNG = np.random.default_rng(20240605)
cases = []


def sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def write_bin(name: str, stored: bytes) -> str:
    file = f"{name}.bin"
    (OUT / file).write_bytes(stored)
    return file


def add(name, stored, compression, filters, dtype, shape, decoded, writer, byte_order="little"):
    """A case that must decode to `decoded` (bytes)."""
    stored, decoded = bytes(stored), bytes(decoded)
    cases.append({
        "name": name,
        "file": write_bin(name, stored),
        "compression": compression,
        "filters": filters,
        "dtype": dtype,
        "byte_order": byte_order,
        "shape": shape,
        "expected": {"length": len(decoded), "sha256": sha256(decoded)},
        "writer": writer,
    })


def add_failure(name, stored, compression, filters, dtype, shape, message, caused_by, writer, max_bytes=None):
    """A case that must fail with DECODE_FAILED, `message`, and a caused_by entry containing `caused_by`."""
    case = {
        "name": name,
        "file": write_bin(name, bytes(stored)),
        "compression": compression,
        "filters": filters,
        "dtype": dtype,
        "byte_order": "little",
        "shape": shape,
        "error": {"code": "DECODE_FAILED", "message": message, "caused_by_contains": caused_by},
        "writer": writer,
    }
    if max_bytes is not None:
        case["max_bytes"] = max_bytes
    cases.append(case)


def field(dtype, n):
    """Smooth data with noise and repeats, like a model field; integers span a good part of their range."""
    dt = np.dtype(dtype)
    x = np.arange(n, dtype=np.float64)
    wave = np.sin(x / 17.0) + 0.3 * np.sin(x / 3.1) + RNG.normal(0, 0.05, n)
    if dt.kind == "f":
        return (wave * 50.0).astype(dt)
    info = np.iinfo(dt)
    span = min(float(info.max) - float(info.min), 2.0**40)
    mid = (float(info.max) + float(info.min)) / 2
    return np.clip(mid + wave * span * 0.3, info.min, info.max).astype(dt)


def shape_of(arr):
    return list(arr.shape)


# --- bitshuffle reference -------------------------------------------------------------------------------------------


def bitshuffle_block(block: np.ndarray, size: int) -> bytes:
    """bshuf_trans_bit_elem for one block: byte (8j + k)·(b/8) + ⌊i/8⌋, bit i mod 8 = bit k of byte j of element i."""
    b = len(block) // size
    assert b % 8 == 0
    bytes_ = block.reshape(b, size)  # [element i, byte j]
    bits = np.unpackbits(bytes_[:, :, None], axis=2, bitorder="little")  # [i, j, k]
    planes = bits.transpose(1, 2, 0)  # [j, k, i]
    return np.packbits(planes.reshape(size * 8, b), axis=1, bitorder="little").tobytes()


def bitshuffle(data: bytes, size: int, block_size: int = 0) -> bytes:
    n = len(data) // size
    bs = block_size or max(128, (8192 // size // 8) * 8)
    raw = np.frombuffer(data, dtype=np.uint8)
    out = []
    full = n // bs
    for i in range(full):
        out.append(bitshuffle_block(raw[i * bs * size:(i + 1) * bs * size], size))
    rest = n - full * bs
    last = rest - rest % 8
    start = full * bs * size
    if last:
        out.append(bitshuffle_block(raw[start:start + last * size], size))
    out.append(raw[start + last * size:].tobytes())
    return b"".join(out)


def check_bitshuffle_reference():
    vector = np.arange(1, 9, dtype="<u2").tobytes()
    assert bitshuffle(vector, 2).hex() == "55667880" + "00" * 12, "API.md §10.2 test vector"
    # C-Blosc2's bit-shuffle of one block must match: one block, one stream, zlib, so the stream inflates to it.
    data = field("<f4", 1024).tobytes()
    chunk = blosc2.compress2(data, typesize=4, codec=blosc2.Codec.ZLIB, clevel=5, blocksize=len(data),
                             splitmode=blosc2.SplitMode.NEVER_SPLIT,
                             filters=[blosc2.Filter.NOFILTER] * 5 + [blosc2.Filter.BITSHUFFLE])
    start = struct.unpack_from("<i", chunk, 32)[0]
    csize = struct.unpack_from("<i", chunk, start)[0]
    stream = chunk[start + 4:start + 4 + csize]
    shuffled = stream if csize == len(data) else pyzlib.decompress(stream)
    assert shuffled == bitshuffle(data, 4, 1024), "C-Blosc2 bit-shuffle layout"


# --- cases ----------------------------------------------------------------------------------------------------------


def hdf5_chunk(path, name):
    with h5py.File(path, "r") as f:
        ds = f[name]
        plist = ds.id.get_create_plist()
        pipeline = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
        _, chunk = ds.id.read_direct_chunk((0,) * ds.ndim)
        return bytes(chunk), pipeline


def zlib_cases(tmp):
    arr = field("<f4", 40 * 50).reshape(40, 50)
    path = Path(tmp) / "shuffle_zlib.nc"
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("y", 40)
        nc.createDimension("x", 50)
        v = nc.createVariable("t", "f4", ("y", "x"), zlib=True, shuffle=True, complevel=4, chunksizes=(40, 50))
        v[:] = arr
    chunk, pipeline = hdf5_chunk(path, "t")
    assert pipeline == [h5py.h5z.FILTER_SHUFFLE, h5py.h5z.FILTER_DEFLATE], pipeline
    add("netcdf4-shuffle-zlib-float32", chunk, {"id": "zlib"}, [{"id": "shuffle", "element_size": 4}],
        "float32", [40, 50], arr.tobytes(), f"netCDF4 {netCDF4.__version__} zlib=True shuffle=True")

    for dtype, n in [("<i2", 3000), ("<f8", 1500), ("<u8", 700)]:
        a = field(dtype, n)
        path = Path(tmp) / f"h5-{dtype[1:]}.h5"
        with h5py.File(path, "w") as f:
            f.create_dataset("v", data=a, chunks=(n,), shuffle=True, compression="gzip", compression_opts=6)
        chunk, _ = hdf5_chunk(path, "v")
        add(f"h5py-shuffle-zlib-{np.dtype(dtype).name}", chunk, {"id": "zlib"},
            [{"id": "shuffle", "element_size": np.dtype(dtype).itemsize}], np.dtype(dtype).name, [n], a.tobytes(),
            f"h5py {h5py.__version__} shuffle=True compression=gzip")

    a = field("<i4", 2000)
    enc = numcodecs.Zlib(level=1).encode(a)
    add("numcodecs-zlib-int32", enc, {"id": "zlib"}, [], "int32", [2000], a.tobytes(), "numcodecs Zlib(level=1)")
    add("zlib-trailing-bytes", bytes(enc) + b"\x00garbage", {"id": "zlib"}, [], "int32", [2000], a.tobytes(),
        "numcodecs Zlib + 8 trailing bytes")
    # The worked example D of API.md §13.
    d = np.array([[[1.5, -999.0], [2.25, 4.0]], [[-999.0, 8.0], [0.125, -3.5]]], dtype="<f8")
    stored = bytes.fromhex("789c63602012588011c38f7e26817e85033cf6071c1c0e38d81f0000416b0703")
    assert pyzlib.decompress(stored) == numcodecs.Shuffle(8).encode(d).tobytes()
    add("api-example-d", stored, {"id": "zlib"}, [{"id": "shuffle", "element_size": 8}], "float64", [2, 2, 2],
        d.tobytes(), "API.md §13 example D")

    # Failures.
    add_failure("zlib-truncated", bytes(enc)[:-10], {"id": "zlib"}, [], "int32", [2000],
                "failed to decompress data", "unexpected end of file", "numcodecs Zlib, last 10 bytes cut")
    bad = bytearray(enc)
    bad[-1] ^= 0xFF
    add_failure("zlib-bad-checksum", bad, {"id": "zlib"}, [], "int32", [2000], "failed to decompress data",
                "incorrect data check", "numcodecs Zlib, Adler-32 flipped")
    bomb = pyzlib.compress(bytes(4 << 20), 9)
    add_failure("zlib-bomb", bomb, {"id": "zlib"}, [], "float32", [256], "failed to decompress data",
                "exceeds the limit of 1024 bytes", "zlib of 4 MiB of zeros, shape of 1 KiB")
    add_failure("zlib-bomb-no-shape", bomb, {"id": "zlib"}, [], "float32", None, "failed to decompress data",
                "exceeds the limit of 65536 bytes", "zlib of 4 MiB of zeros, no shape", max_bytes=65536)


def fletcher_cases(tmp):
    a = field("<i4", 2500)
    path = Path(tmp) / "fletcher.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("v", data=a, chunks=(2500,), shuffle=True, compression="gzip", fletcher32=True)
    chunk, pipeline = hdf5_chunk(path, "v")
    assert pipeline == [h5py.h5z.FILTER_SHUFFLE, h5py.h5z.FILTER_DEFLATE, h5py.h5z.FILTER_FLETCHER32], pipeline
    wire_filters = [{"id": "shuffle", "element_size": 4}, {"id": "fletcher32"}]
    add("h5py-shuffle-zlib-fletcher32-int32", chunk, {"id": "zlib"}, wire_filters, "int32", [2500], a.tobytes(),
        f"h5py {h5py.__version__} shuffle=True compression=gzip fletcher32=True")

    # netCDF-C puts fletcher32 first in the HDF5 pipeline (checksum of the raw data, then shuffle, then deflate); with
    # float64 the shuffled data + checksum is not a whole number of elements, which HDF5's shuffle tolerates.
    for dtype in ("<f4", "<f8"):
        b = field(dtype, 30 * 20).reshape(30, 20)
        path = Path(tmp) / f"fletcher-{dtype[1:]}.nc"
        with netCDF4.Dataset(path, "w") as nc:
            nc.createDimension("y", 30)
            nc.createDimension("x", 20)
            v = nc.createVariable("t", dtype, ("y", "x"), zlib=True, shuffle=True, fletcher32=True, chunksizes=(30, 20))
            v[:] = b
        nc_chunk, nc_pipeline = hdf5_chunk(path, "t")
        size = np.dtype(dtype).itemsize
        order = {h5py.h5z.FILTER_SHUFFLE: {"id": "shuffle", "element_size": size},
                 h5py.h5z.FILTER_FLETCHER32: {"id": "fletcher32"}}
        add(f"netcdf4-shuffle-zlib-fletcher32-{np.dtype(dtype).name}", nc_chunk, {"id": "zlib"},
            [order[f] for f in nc_pipeline if f in order], np.dtype(dtype).name, [30, 20], b.tobytes(),
            f"netCDF4 {netCDF4.__version__} zlib shuffle fletcher32 (HDF5 filter order {nc_pipeline})")

    c = np.arange(10, dtype="<i4")
    enc = bytes(numcodecs.Fletcher32().encode(c))
    assert enc[-4:].hex() == "002d014a", "API.md §10.2 test vector"
    add("numcodecs-fletcher32-vector", enc, None, [{"id": "fletcher32"}], "int32", [10], c.tobytes(),
        "numcodecs Fletcher32 (API.md test vector)")
    odd = np.arange(1, 8, dtype="u1")
    add("numcodecs-fletcher32-odd-length", numcodecs.Fletcher32().encode(odd), None, [{"id": "fletcher32"}],
        "uint8", [7], odd.tobytes(), "numcodecs Fletcher32 of 7 bytes")
    big = np.full(4096, 0xFFFF, dtype="<u2")
    add("numcodecs-fletcher32-all-ones", numcodecs.Fletcher32().encode(big), None, [{"id": "fletcher32"}],
        "uint16", [4096], big.tobytes(), "numcodecs Fletcher32 of 0xffff words (sum2 passes 2^32 in a run)")
    # HDF5 before 1.6.3 wrote the checksum with the bytes of each 16-bit half swapped.
    swapped = enc[:-4] + bytes([enc[-3], enc[-4], enc[-1], enc[-2]])
    add("fletcher32-swapped-halves", swapped, None, [{"id": "fletcher32"}], "int32", [10], c.tobytes(),
        "numcodecs Fletcher32 with each 16-bit half of the checksum byte-swapped")
    zl = bytes(numcodecs.Zlib().encode(c))
    add("fletcher32-listed-first", numcodecs.Fletcher32().encode(np.frombuffer(zl, "u1")), {"id": "zlib"},
        [{"id": "fletcher32"}], "int32", [10], c.tobytes(), "numcodecs Zlib then Fletcher32, listed as filters[0]")

    bad = bytearray(chunk)
    bad[40] ^= 0x01
    add_failure("fletcher32-mismatch", bad, {"id": "zlib"}, wire_filters, "int32", [2500], "checksum mismatch",
                "does not match computed", "h5py chunk with one stored bit flipped")
    add_failure("fletcher32-too-short", b"\x01\x02\x03", None, [{"id": "fletcher32"}], "uint8", None,
                "failed to decode data", "shorter than the 4-byte checksum", "3 bytes")


def gzip_cases():
    a = field("<f8", 1800)
    enc = bytes(numcodecs.GZip(level=5).encode(a))
    add("numcodecs-gzip-float64", enc, {"id": "gzip"}, [], "float64", [1800], a.tobytes(), "numcodecs GZip(level=5)")
    raw = a.tobytes()
    half = len(raw) // 2
    two = pygzip.compress(raw[:half], mtime=0) + pygzip.compress(raw[half:], mtime=0)
    add("gzip-two-members", two, {"id": "gzip"}, [], "float64", [1800], raw, "Python gzip, two members")
    add("gzip-trailing-garbage", two + b"trailing garbage", {"id": "gzip"}, [], "float64", [1800], raw,
        "two members + 16 bytes that are not a member")
    add("gzip-trailing-partial-member", enc + pygzip.compress(b"more data", mtime=0)[:15], {"id": "gzip"}, [],
        "float64", [1800], raw, "one member + a truncated second member (ignored)")
    named = pygzip.compress(raw, mtime=0)
    # FNAME + FCOMMENT + FEXTRA + FHCRC exercise every optional header field.
    header = bytes([0x1F, 0x8B, 8, 0x1E, 0, 0, 0, 0, 0, 3]) + b"\x04\x00abcd" + b"name.bin\x00" + b"comment\x00"
    header += struct.pack("<H", pyzlib.crc32(header) & 0xFFFF)
    add("gzip-header-fields", header + named[10:], {"id": "gzip"}, [], "float64", [1800], raw,
        "Python gzip body with FEXTRA, FNAME, FCOMMENT and FHCRC header fields")

    add_failure("gzip-truncated", enc[:-20], {"id": "gzip"}, [], "float64", [1800], "failed to decompress data",
                "truncated", "numcodecs GZip, last 20 bytes cut")
    bad = bytearray(enc)
    bad[-8] ^= 0xFF
    add_failure("gzip-bad-crc", bad, {"id": "gzip"}, [], "float64", [1800], "failed to decompress data",
                "CRC-32 mismatch", "numcodecs GZip, CRC-32 flipped")
    bad2 = bytearray(two)
    bad2[-8] ^= 0xFF
    add_failure("gzip-second-member-bad-crc", bad2, {"id": "gzip"}, [], "float64", [1800],
                "failed to decompress data", "CRC-32 mismatch", "two members, the second with its CRC-32 flipped")
    add_failure("gzip-bomb", pygzip.compress(bytes(8 << 20), 9, mtime=0), {"id": "gzip"}, [], "uint8", [4096],
                "failed to decompress data", "exceeds the limit of 4096 bytes", "gzip of 8 MiB of zeros")


def blosc1_cases():
    cnames = ["blosclz", "lz4", "lz4hc", "zlib", "zstd"]
    shuffles = {0: "noshuffle", 1: "shuffle", 2: "bitshuffle"}
    a = field("<f4", 3000)
    for cname in cnames:
        for s, sname in shuffles.items():
            codec = numcodecs.Blosc(cname=cname, clevel=5, shuffle=s, blocksize=2048)
            add(f"blosc-{cname}-{sname}-float32", codec.encode(a), {"id": "blosc"}, [], "float32", [3000],
                a.tobytes(), f"numcodecs {numcodecs.__version__} Blosc(cname={cname}, shuffle={sname}, blocksize=2048)")
    extra = [
        ("<i2", "lz4", 1, 0), ("<i2", "blosclz", 2, 0), ("<f8", "zstd", 1, 0), ("<f8", "blosclz", 1, 4096),
        ("<i8", "zlib", 2, 0), ("<u1", "blosclz", 1, 0), ("<u1", "lz4", 2, 1024), ("<u4", "lz4hc", 1, 8192),
        ("<i4", "zstd", 2, 0),
    ]
    for dtype, cname, s, bs in extra:
        b = field(dtype, 5001)
        name = np.dtype(dtype).name
        add(f"blosc-{cname}-{shuffles[s]}-{name}", numcodecs.Blosc(cname=cname, clevel=7, shuffle=s, blocksize=bs).encode(b),
            {"id": "blosc"}, [], name, [5001], b.tobytes(), f"numcodecs Blosc(cname={cname}, shuffle={s}, blocksize={bs})")
    # Noise does not compress: streams are stored raw (compressed size == stream size).
    noise = RNG.integers(0, 2**32, 4000, dtype="<u4")
    add("blosc-lz4-shuffle-noise", numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1, blocksize=4096).encode(noise),
        {"id": "blosc"}, [], "uint32", [4000], noise.tobytes(), "numcodecs Blosc(lz4) of random uint32")
    # clevel 0: the whole chunk is stored (memcpyed flag).
    add("blosc-memcpyed", numcodecs.Blosc(cname="lz4", clevel=0, shuffle=1).encode(a), {"id": "blosc"}, [],
        "float32", [3000], a.tobytes(), "numcodecs Blosc(clevel=0)")
    # A 24-byte record type: C-Blosc 1.x never splits types over 16 bytes.
    rec = RNG.integers(0, 50, 24 * 700, dtype="u1").view("V24")
    add("blosc-blosclz-shuffle-typesize24", numcodecs.Blosc(cname="blosclz", clevel=5, shuffle=1).encode(rec),
        {"id": "blosc"}, [], "uint8", [24 * 700], rec.tobytes(), "numcodecs Blosc of a 24-byte record dtype")
    # Zarr v2 default: Blosc(lz4, clevel 5, shuffle) on a 2-D int16 chunk, and a Blosc 1.x chunk sent as blosc2.
    z = field("<i2", 64 * 64).reshape(64, 64)
    zarr_default = numcodecs.Blosc()
    add("blosc-zarr-default-int16", zarr_default.encode(z), {"id": "blosc"}, [], "int16", [64, 64], z.tobytes(),
        f"numcodecs Blosc() defaults {zarr_default}")
    add("blosc1-chunk-as-blosc2", zarr_default.encode(z), {"id": "blosc2"}, [], "int16", [64, 64], z.tobytes(),
        "numcodecs Blosc() chunk sent with id blosc2")

    enc = bytes(numcodecs.Blosc(cname="lz4", clevel=5, shuffle=1, blocksize=2048).encode(a))
    add_failure("blosc-truncated", enc[: len(enc) // 2], {"id": "blosc"}, [], "float32", [3000],
                "failed to decompress data", "truncated", "numcodecs Blosc chunk cut in half")
    bomb = bytearray(enc)
    struct.pack_into("<i", bomb, 4, 2**31 - 1)
    add_failure("blosc-bomb-header", bomb, {"id": "blosc"}, [], "float32", [3000], "failed to decompress data",
                "exceeds the limit of 12000 bytes", "numcodecs Blosc chunk with nbytes set to 2^31-1")
    snappy = bytearray(enc)
    snappy[2] = (snappy[2] & 0x1F) | (2 << 5)
    add_failure("blosc-snappy", snappy, {"id": "blosc"}, [], "float32", [3000], "failed to decompress data",
                "snappy", "numcodecs Blosc chunk with its codec bits set to snappy")
    offsets = bytearray(enc)
    struct.pack_into("<i", offsets, 16, 0x7FFFFFF0)
    add_failure("blosc-bad-block-offset", offsets, {"id": "blosc"}, [], "float32", [3000],
                "failed to decompress data", "invalid offset", "numcodecs Blosc chunk with bstarts[0] out of range")
    version = bytearray(enc)
    version[0] = 9
    add_failure("blosc-bad-version", version, {"id": "blosc"}, [], "float32", [3000], "failed to decompress data",
                "format version 9", "numcodecs Blosc chunk with version byte 9")


def blosc2_cases():
    F, C = blosc2.Filter, blosc2.Codec
    a = field("<f4", 3000)
    raw = a.tobytes()

    def chunk(data, **kw):
        c = blosc2.compress2(data, **kw)
        return c, blosc2.decompress2(c)

    for codec in [C.BLOSCLZ, C.LZ4, C.LZ4HC, C.ZLIB, C.ZSTD]:
        c, dec = chunk(raw, typesize=4, codec=codec, clevel=5, blocksize=4096)
        assert dec == raw
        add(f"blosc2-{codec.name.lower()}-shuffle-float32", c, {"id": "blosc2"}, [], "float32", [3000], dec,
            f"python-blosc2 {blosc2.__version__} compress2(codec={codec.name}, filters=SHUFFLE, blocksize=4096)")
    nof = [F.NOFILTER] * 4
    variants = [
        ("bitshuffle", dict(codec=C.ZSTD, filters=nof + [F.NOFILTER, F.BITSHUFFLE], blocksize=2044)),
        ("delta-shuffle", dict(codec=C.LZ4, filters=nof + [F.DELTA, F.SHUFFLE], blocksize=2048)),
        ("bytedelta", dict(codec=C.ZSTD, filters=nof + [F.SHUFFLE, F.BYTEDELTA], filters_meta=[0] * 5 + [4])),
        ("double-shuffle", dict(codec=C.BLOSCLZ, filters=nof + [F.NOFILTER, F.SHUFFLE], filters_meta=[0] * 5 + [1])),
        ("trunc-prec", dict(codec=C.ZSTD, filters=nof + [F.TRUNC_PREC, F.SHUFFLE], filters_meta=[0] * 4 + [12, 0])),
        ("always-split-zstd", dict(codec=C.ZSTD, splitmode=blosc2.SplitMode.ALWAYS_SPLIT, blocksize=4000)),
        ("never-split-lz4", dict(codec=C.LZ4, splitmode=blosc2.SplitMode.NEVER_SPLIT)),
        ("memcpyed", dict(clevel=0)),
    ]
    for name, kw in variants:
        kw = {"typesize": 4, "clevel": 5, **kw}
        c, dec = chunk(raw, **kw)
        if name != "trunc-prec":
            assert dec == raw, name
        add(f"blosc2-{name}-float32", c, {"id": "blosc2"}, [], "float32", [3000], dec,
            f"python-blosc2 compress2({', '.join(f'{k}={v}' for k, v in kw.items())})")
    for dtype, codec in [("<i8", C.ZSTD), ("<u2", C.LZ4), ("<f8", C.BLOSCLZ)]:
        b = field(dtype, 4097)
        c, dec = chunk(b.tobytes(), typesize=np.dtype(dtype).itemsize, codec=codec, clevel=6, blocksize=8192)
        assert dec == b.tobytes()
        add(f"blosc2-{codec.name.lower()}-{np.dtype(dtype).name}", c, {"id": "blosc2"}, [], np.dtype(dtype).name,
            [4097], dec, f"python-blosc2 compress2(codec={codec.name}, blocksize=8192)")
    # Runs: blocks of one repeated byte become run-length streams (0 = zeros, -v = byte v).
    runs = np.concatenate([np.zeros(1024, "u1"), np.full(1024, 7, "u1"), np.arange(1024).astype("u1")])
    c, dec = chunk(runs.tobytes(), typesize=1, clevel=5, blocksize=1024)
    add("blosc2-runs-uint8", c, {"id": "blosc2"}, [], "uint8", [3072], dec, "python-blosc2 compress2 of runs")
    # Special-value chunks, as a super-chunk stores them.
    for special, kw, dtype in [("ZERO", {}, "<f4"), ("NAN", {}, "<f4"), ("VALUE", {"value": np.float64(3.5)}, "<f8"),
                               ("UNINIT", {}, "<i4")]:
        size = np.dtype(dtype).itemsize
        s = blosc2.SChunk(chunksize=2000 * size, cparams={"typesize": size})
        s.fill_special(2000, getattr(blosc2.SpecialValue, special), **kw)
        c = bytes(s.get_chunk(0))
        dec = blosc2.decompress2(c) if special != "UNINIT" else bytes(2000 * size)
        add(f"blosc2-special-{special.lower()}", c, {"id": "blosc2"}, [], np.dtype(dtype).name, [2000], dec,
            f"python-blosc2 SChunk.fill_special({special}) chunk 0" + (" (decoded as zeros)" if special == "UNINIT" else ""))
    c, dec = chunk(raw, typesize=4, codec=C.LZ4, clevel=5)
    add("blosc2-chunk-as-blosc", c, {"id": "blosc"}, [], "float32", [3000], dec, "python-blosc2 chunk sent with id blosc")

    dictionary = bytearray(c)
    dictionary[31] |= 0x01
    add_failure("blosc2-dictionary", dictionary, {"id": "blosc2"}, [], "float32", [3000],
                "failed to decompress data", "dictionary", "python-blosc2 chunk with the use-dict flag set")
    bad_filter = bytearray(c)
    bad_filter[21] = 99
    add_failure("blosc2-unknown-filter", bad_filter, {"id": "blosc2"}, [], "float32", [3000],
                "failed to decompress data", "filter 99", "python-blosc2 chunk with filter id 99")


def zstd_cases():
    a = field("<f4", 4000)
    raw = a.tobytes()
    for level in (1, 19):
        add(f"numcodecs-zstd-level{level}-float32", numcodecs.Zstd(level=level).encode(a), {"id": "zstd"}, [],
            "float32", [4000], raw, f"numcodecs Zstd(level={level})")
    half = len(raw) // 2
    cz = zstandard.ZstdCompressor(level=3)
    two = cz.compress(raw[:half]) + cz.compress(raw[half:])
    add("zstd-two-frames", two, {"id": "zstd"}, [], "float32", [4000], raw, f"zstandard {zstandard.__version__}, two frames")
    skippable = struct.pack("<II", 0x184D2A50, 5) + b"skip!"
    add("zstd-skippable-frame", skippable + cz.compress(raw), {"id": "zstd"}, [], "float32", [4000], raw,
        "a skippable frame, then a frame")
    streamed = zstandard.ZstdCompressor(level=3, write_content_size=False, write_checksum=True).compress(raw)
    add("zstd-no-content-size", streamed, {"id": "zstd"}, [], "float32", [4000], raw,
        "zstandard write_content_size=False, write_checksum=True")
    big = (np.arange(100000, dtype="<i4") % 1000).tobytes()
    add("zstd-no-content-size-many-blocks", zstandard.ZstdCompressor(level=1, write_content_size=False).compress(big),
        {"id": "zstd"}, [], "int32", [100000], big, "zstandard write_content_size=False, 400 KB (several blocks)")

    add_failure("zstd-truncated", two[:-7], {"id": "zstd"}, [], "float32", [4000], "failed to decompress data",
                "truncated", "two frames, last 7 bytes cut")
    add_failure("zstd-bomb", cz.compress(bytes(32 << 20)), {"id": "zstd"}, [], "float32", [256],
                "failed to decompress data", "exceeds the limit of 1024 bytes", "zstd of 32 MiB of zeros")
    stream_bomb = zstandard.ZstdCompressor(level=3, write_content_size=False).compress(bytes(4 << 20))
    add_failure("zstd-bomb-no-content-size", stream_bomb, {"id": "zstd"}, [], "float32", None,
                "failed to decompress data", "exceeds the limit of 65536 bytes",
                "zstd of 4 MiB of zeros without a content size, no shape", max_bytes=65536)
    add_failure("zstd-not-zstd", b"this is not zstandard data", {"id": "zstd"}, [], "uint8", None,
                "failed to decompress data", "bad magic", "plain text")


def lz4_cases():
    a = field("<i4", 3000)
    for accel in (1, 20):
        add(f"numcodecs-lz4-accel{accel}-int32", numcodecs.LZ4(acceleration=accel).encode(a), {"id": "lz4"}, [],
            "int32", [3000], a.tobytes(), f"numcodecs LZ4(acceleration={accel}), lz4 {lz4.__version__} installed")
    rep = np.tile(np.arange(7, dtype="u1"), 2000)
    add("numcodecs-lz4-overlapping-matches", numcodecs.LZ4().encode(rep), {"id": "lz4"}, [], "uint8", [14000],
        rep.tobytes(), "numcodecs LZ4 of a 7-byte pattern (matches overlap their source)")
    add_failure("lz4-bomb-header", struct.pack("<I", 0x7FFFFFFF) + b"\x00", {"id": "lz4"}, [], "uint8", [100],
                "failed to decompress data", "exceeds the limit of 100 bytes", "length header 2^31-1")
    add_failure("lz4-bad-offset", struct.pack("<I", 16) + bytes([0x04, 0x00, 0x10]), {"id": "lz4"}, [], "uint8",
                [16], "failed to decompress data", "offset 4096 is out of range", "a match before the output start")
    enc = bytes(numcodecs.LZ4().encode(a))
    add_failure("lz4-truncated", enc[:-30], {"id": "lz4"}, [], "int32", [3000], "failed to decompress data",
                "truncated", "numcodecs LZ4, last 30 bytes cut")


def bz2_cases():
    a = field("<i2", 6000)
    raw = a.tobytes()
    enc = bytes(numcodecs.BZ2(level=9).encode(a))
    add("numcodecs-bz2-int16", enc, {"id": "bz2"}, [], "int16", [6000], raw, "numcodecs BZ2(level=9)")
    half = len(raw) // 2
    two = pybz2.compress(raw[:half]) + pybz2.compress(raw[half:])
    add("bz2-two-streams", two, {"id": "bz2"}, [], "int16", [6000], raw, "Python bz2, two streams")
    add("bz2-trailing-garbage", two + b"BZhgarbage", {"id": "bz2"}, [], "int16", [6000], raw,
        "two streams + bytes that do not decode (ignored, as Python's bz2.decompress does)")
    add_failure("bz2-truncated", enc[:-25], {"id": "bz2"}, [], "int16", [6000], "failed to decompress data",
                "truncated", "numcodecs BZ2, last 25 bytes cut")
    bad = bytearray(enc)
    bad[len(bad) // 2] ^= 0x55
    add_failure("bz2-corrupt", bad, {"id": "bz2"}, [], "int16", [6000], "failed to decompress data", "bzip2",
                "numcodecs BZ2 with one byte changed")
    add_failure("bz2-bomb", pybz2.compress(bytes(4 << 20)), {"id": "bz2"}, [], "uint8", [1000],
                "failed to decompress data", "exceeds the limit of 1000 bytes", "bz2 of 4 MiB of zeros")


def filter_cases():
    a = field("<f8", 1000)
    add("numcodecs-shuffle-float64", numcodecs.Shuffle(elementsize=8).encode(a), None,
        [{"id": "shuffle", "element_size": 8}], "float64", [1000], a.tobytes(), "numcodecs Shuffle(elementsize=8)")
    add("numcodecs-shuffle-simd-alias", numcodecs.Shuffle(elementsize=8).encode(a), None,
        [{"id": "shuffle_simd", "element_size": 8}], "float64", [1000], a.tobytes(), "same bytes, id shuffle_simd")
    add("shuffle-element-size-not-itemsize", numcodecs.Shuffle(elementsize=4).encode(a), None,
        [{"id": "shuffle", "element_size": 4}], "float64", [1000], a.tobytes(), "numcodecs Shuffle(elementsize=4) of float64")
    add("shuffle-extra-keys-ignored", numcodecs.Shuffle(elementsize=8).encode(a), None,
        [{"id": "shuffle", "element_size": 8, "level": 3, "comment": "ignored"}], "float64", [1000], a.tobytes(),
        "API.md §2 rule 11: other keys are ignored")
    comp = numcodecs.Zstd(level=3).encode(numcodecs.Shuffle(elementsize=8).encode(a))
    add("shuffle-zstd-float64", comp, {"id": "zstd"}, [{"id": "shuffle", "element_size": 8}], "float64", [1000],
        a.tobytes(), "numcodecs Shuffle(8) then Zstd (Zarr v2 filters + compressor)")

    for dtype, n, bs in [("<u2", 8, 0), ("<f4", 2051, 0), ("<i8", 300, 64), ("<u1", 9000, 0), ("<f8", 1029, 0)]:
        b = field(dtype, n)
        filt = {"id": "bitshuffle", "element_size": np.dtype(dtype).itemsize}
        if bs:
            filt["block_size"] = bs
        name = np.dtype(dtype).name
        add(f"bitshuffle-{name}-{n}" + (f"-block{bs}" if bs else ""), bitshuffle(b.tobytes(), b.itemsize, bs), None,
            [filt], name, [n], b.tobytes(), "bitshuffle layout (scripts/make-codec-fixtures.py, checked against C-Blosc2)")
    b = field("<f4", 4000)
    bz = numcodecs.LZ4().encode(np.frombuffer(bitshuffle(b.tobytes(), 4), "u1"))
    add("bitshuffle-lz4-float32", bz, {"id": "lz4"}, [{"id": "bitshuffle", "element_size": 4}], "float32", [4000],
        b.tobytes(), "bitshuffle layout, then numcodecs LZ4")

    for dtype, astype, name in [("<i4", None, "int32"), ("<i8", None, "int64"), ("<u1", None, "uint8"),
                                ("<f4", None, "float32"), ("<f8", None, "float64"), ("<i4", "<i2", "int32-as-int16"),
                                ("<u2", "<i1", "uint16-as-int8")]:
        if astype is None:
            b = field(dtype, 2000)
        else:
            # The first value and every difference must fit astype: a walk from 100 in small steps.
            vals = 100 + np.concatenate([[0], np.cumsum(RNG.integers(-20, 21, 1999))])
            b = (vals % 2 ** (8 * np.dtype(dtype).itemsize)).astype(dtype)
        codec = numcodecs.Delta(dtype=dtype, astype=astype or dtype)
        enc = codec.encode(b)
        # Float differences do not sum back exactly; the reference decoder's output is the expectation.
        decoded = codec.decode(enc).tobytes()
        assert b.dtype.kind == "f" or decoded == b.tobytes()
        filt = {"id": "delta"}
        if astype:
            filt["astype"] = np.dtype(astype).name
        add(f"numcodecs-delta-{name}", enc, None, [filt], np.dtype(dtype).name, [2000], decoded,
            f"numcodecs Delta(dtype={dtype}, astype={astype or dtype})")
    wrap = np.array([250, 3, 255, 0, 128], dtype="u1")
    add("numcodecs-delta-uint8-wraps", numcodecs.Delta(dtype="u1").encode(wrap), None, [{"id": "delta"}], "uint8",
        [5], wrap.tobytes(), "numcodecs Delta(u1): differences wrap modulo 256")
    be = field(">i4", 500)
    add("numcodecs-delta-int32-big-endian", numcodecs.Delta(dtype=">i4").encode(be), None, [{"id": "delta"}],
        "int32", [500], be.tobytes(), "numcodecs Delta(dtype='>i4'): elements and sums big-endian", byte_order="big")
    vec = bytes.fromhex("0500000002000000ffffffff04000000")
    add("delta-api-vector", vec, None, [{"id": "delta"}], "int32", [4], np.array([5, 7, 6, 10], "<i4").tobytes(),
        "API.md §10.2 delta test vector")
    d = field("<i8", 3000)
    dz = numcodecs.Zlib().encode(numcodecs.Delta(dtype="<i8").encode(d))
    add("delta-zlib-int64", dz, {"id": "zlib"}, [{"id": "delta"}], "int64", [3000], d.tobytes(),
        "numcodecs Delta(<i8) then Zlib")

    add_failure("shuffle-length-not-multiple", bytes(10), None, [{"id": "shuffle", "element_size": 4}], "uint8",
                None, "failed to decode data", "not a multiple of element_size 4", "10 bytes, element_size 4")
    add_failure("bitshuffle-length-not-multiple", bytes(10), None, [{"id": "bitshuffle", "element_size": 4}],
                "uint8", None, "failed to decode data", "not a multiple of element_size 4", "10 bytes, element_size 4")
    add_failure("delta-length-not-multiple", bytes(10), None, [{"id": "delta"}], "int32", None,
                "failed to decode data", "not a multiple", "10 bytes of int32")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.bin"):
        old.unlink()
    check_bitshuffle_reference()
    with tempfile.TemporaryDirectory() as tmp:
        zlib_cases(tmp)
        fletcher_cases(tmp)
    gzip_cases()
    blosc1_cases()
    blosc2_cases()
    zstd_cases()
    lz4_cases()
    bz2_cases()
    filter_cases()

    manifest = {
        "generator": "scripts/make-codec-fixtures.py",
        "versions": {
            "python": sys.version.split()[0],
            "numpy": np.__version__,
            "numcodecs": numcodecs.__version__,
            "c-blosc (numcodecs)": numcodecs.blosc.VERSION_STRING,
            "blosc2": blosc2.__version__,
            "c-blosc2": blosc2.blosclib_version,
            "zstandard": zstandard.__version__,
            "lz4": lz4.__version__,
            "h5py": h5py.__version__,
            "hdf5": h5py.version.hdf5_version,
            "netCDF4": netCDF4.__version__,
        },
        "cases": cases,
    }
    (OUT / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(cases)} cases, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
