#!/usr/bin/env python3
"""Writes test/fixtures/e2e/: end-to-end fixtures for the codec and netCDF client tests (test/integration/).

1. codecs.json + codec-chunks.bin: reductions over compressed/filtered chunks. Each object is an array (many
   dtypes, both byte orders, C and F order) encoded by the reference implementation of one codec chain (numcodecs,
   python-blosc2) and stored at an offset inside codec-chunks.bin; each case is one request on one object in the
   case format of test/fixtures/matrix.json (name, op, request wire fields exactly as a client sends them, now with
   `compression` and `filters`, expected {dtype, shape, bytes, count, tol}). The expected results come from
   scripts/make-matrix.py's own `case()` (imported, not copied), so the rules are the same numpy rules. `failures`
   lists stored objects the server must refuse, with the status and words of the error.
2. variables.json + model.nc + gzip-shuffle.h5 + tas.zarr/: data as real users have it. netCDF4-python and h5py
   write small files; for every variable the HDF5 chunk index (h5py `get_chunk_info`) gives each chunk's byte offset,
   stored size and origin, and the HDF5 filter pipeline is mapped to wire ids (deflate -> compression zlib, shuffle ->
   {"id": "shuffle", "element_size": n}, fletcher32 -> {"id": "fletcher32"}, in pipeline order). Each case (the
   whole variable, and a hyperslab across chunk boundaries) lists the per-chunk selection PyActiveStorage sends
   (zarr's chunk indexing: chunk-local [start, stop, step]) and numpy's answer over the variable masked by its
   _FillValue. A Zarr v2 array of numcodecs Blosc(lz4, shuffle) chunks (one object per chunk) covers the zarr path.

    pip install numcodecs blosc2 zstandard lz4 h5py netCDF4
    python3 scripts/make-e2e-fixtures.py

Library versions are recorded in both JSON files.
"""

import gzip as pygzip
import importlib.util
import json
import sys
import zlib as pyzlib
from pathlib import Path

import blosc2
import h5py
import netCDF4
import numcodecs
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test" / "fixtures" / "e2e"
SEED = 20240619


def load_script(name, filename):
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# make-matrix.py holds the expected-value rules (selection, axes, missing, sentinels, float tolerances);
# make-codec-fixtures.py holds the bitshuffle encoder (checked there against C-Blosc2 and the spec's test vector).
matrix = load_script("make_matrix", "make-matrix.py")
codec_fixtures = load_script("make_codec_fixtures", "make-codec-fixtures.py")
matrix.rng = np.random.default_rng(SEED)
rng = np.random.default_rng(SEED + 1)


def versions():
    return {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "numcodecs": numcodecs.__version__,
        "c-blosc (numcodecs)": numcodecs.blosc.VERSION_STRING,
        "blosc2": blosc2.__version__,
        "c-blosc2": blosc2.blosclib_version,
        "h5py": h5py.__version__,
        "hdf5": h5py.version.hdf5_version,
        "netCDF4": netCDF4.__version__,
        "netcdf-c": netCDF4.__netcdf4libversion__,
    }


# --- 1. codec chains -------------------------------------------------------------------------------------------------


def arr(raw, dt):
    return np.frombuffer(raw, dtype=dt)


def blosc(cname, shuffle, blocksize=0):
    def encode(raw, dt):
        codec = numcodecs.Blosc(cname=cname, clevel=5, shuffle=shuffle, blocksize=blocksize)
        return codec.encode(arr(raw, dt)), {"id": "blosc"}, None

    return encode


def blosc2_chunk(codec, last_filter):
    def encode(raw, dt):
        filters = [blosc2.Filter.NOFILTER] * 5 + [last_filter]
        chunk = blosc2.compress2(raw, typesize=dt.itemsize, codec=codec, clevel=5, filters=filters, blocksize=2048)
        assert blosc2.decompress2(chunk) == raw
        return chunk, {"id": "blosc2"}, None

    return encode


def shuffled(raw, dt):
    return numcodecs.Shuffle(elementsize=dt.itemsize).encode(arr(raw, "u1"))


def shuffle_filter(dt, wire_id="shuffle"):
    return [{"id": wire_id, "element_size": dt.itemsize}]


def delta(raw, dt):
    codec = numcodecs.Delta(dtype=dt)
    encoded = codec.encode(arr(raw, dt))
    assert codec.decode(encoded).tobytes() == raw, "integer deltas must sum back exactly"
    return encoded


def fletcher(data):
    return numcodecs.Fletcher32().encode(arr(bytes(data), "u1"))


# name -> (encode(raw bytes, numpy dtype with byte order) -> (stored, compression, filters), dtype kinds allowed, note)
CHAINS = {
    "zlib": (lambda raw, dt: (numcodecs.Zlib(level=6).encode(raw), {"id": "zlib"}, None), "iuf", "numcodecs Zlib"),
    # numcodecs GZip's format (a gzip member), with mtime 0 so the fixture is reproducible.
    "gzip": (lambda raw, dt: (pygzip.compress(raw, compresslevel=6, mtime=0), {"id": "gzip"}, None), "iuf",
             "Python gzip.compress(mtime=0), as numcodecs GZip writes"),
    "zlib+shuffle": (lambda raw, dt: (numcodecs.Zlib(level=4).encode(shuffled(raw, dt)), {"id": "zlib"},
                                      shuffle_filter(dt)), "iuf", "numcodecs Shuffle then Zlib (netCDF4 zlib+shuffle)"),
    **{
        f"blosc-{cname}-{sname}": (blosc(cname, s, 1024 if cname in ("lz4", "zstd") else 0), "iuf",
                                   f"numcodecs Blosc(cname={cname}, shuffle={sname})")
        for cname in ["lz4", "zstd", "blosclz", "zlib", "lz4hc"]
        for s, sname in [(numcodecs.Blosc.NOSHUFFLE, "noshuffle"), (numcodecs.Blosc.SHUFFLE, "shuffle"),
                         (numcodecs.Blosc.BITSHUFFLE, "bitshuffle")]
    },
    "blosc2-lz4-shuffle": (blosc2_chunk(blosc2.Codec.LZ4, blosc2.Filter.SHUFFLE), "iuf",
                           "python-blosc2 compress2(LZ4, SHUFFLE, blocksize=2048)"),
    "blosc2-zstd-bitshuffle": (blosc2_chunk(blosc2.Codec.ZSTD, blosc2.Filter.BITSHUFFLE), "iuf",
                               "python-blosc2 compress2(ZSTD, BITSHUFFLE, blocksize=2048)"),
    "zstd": (lambda raw, dt: (numcodecs.Zstd(level=3).encode(raw), {"id": "zstd"}, None), "iuf", "numcodecs Zstd"),
    "zstd+shuffle": (lambda raw, dt: (numcodecs.Zstd(level=3).encode(shuffled(raw, dt)), {"id": "zstd"},
                                      shuffle_filter(dt)), "iuf", "numcodecs Shuffle then Zstd (Zarr v2)"),
    "lz4": (lambda raw, dt: (numcodecs.LZ4().encode(raw), {"id": "lz4"}, None), "iuf", "numcodecs LZ4"),
    "bz2": (lambda raw, dt: (numcodecs.BZ2(level=9).encode(raw), {"id": "bz2"}, None), "iuf", "numcodecs BZ2"),
    "delta": (lambda raw, dt: (delta(raw, dt), None, [{"id": "delta"}]), "iu", "numcodecs Delta"),
    "delta+zlib": (lambda raw, dt: (numcodecs.Zlib().encode(delta(raw, dt)), {"id": "zlib"}, [{"id": "delta"}]),
                   "iu", "numcodecs Delta then Zlib"),
    "bitshuffle": (lambda raw, dt: (codec_fixtures.bitshuffle(raw, dt.itemsize), None,
                                    [{"id": "bitshuffle", "element_size": dt.itemsize}]), "iuf",
                   "bitshuffle layout (make-codec-fixtures.py)"),
    "bitshuffle+lz4": (lambda raw, dt: (numcodecs.LZ4().encode(arr(codec_fixtures.bitshuffle(raw, dt.itemsize), "u1")),
                                        {"id": "lz4"}, [{"id": "bitshuffle", "element_size": dt.itemsize}]), "iuf",
                       "bitshuffle layout then numcodecs LZ4 (HDF5 bitshuffle+LZ4 without its header)"),
    "fletcher32": (lambda raw, dt: (fletcher(raw), None, [{"id": "fletcher32"}]), "iuf", "numcodecs Fletcher32"),
    # h5py's pipeline order: the checksum is taken over the compressed bytes.
    "zlib+fletcher32": (lambda raw, dt: (fletcher(numcodecs.Zlib().encode(raw)), {"id": "zlib"}, [{"id": "fletcher32"}]),
                        "iuf", "numcodecs Zlib then Fletcher32 (h5py order)"),
    # netCDF-C's pipeline order: checksum of the raw data, then shuffle, then deflate. HDF5's shuffle leaves a partial
    # trailing element as is, which numcodecs' Shuffle cannot; so only item sizes that divide 4 are used here.
    "fletcher32+shuffle+zlib": (lambda raw, dt: (numcodecs.Zlib().encode(shuffled(bytes(fletcher(raw)), dt)),
                                                 {"id": "zlib"}, [{"id": "fletcher32"}, *shuffle_filter(dt)]),
                                "iuf", "numcodecs Fletcher32, Shuffle, Zlib (netCDF-C order)"),
    "shuffle_simd": (lambda raw, dt: (shuffled(raw, dt), None, shuffle_filter(dt, "shuffle_simd")), "iuf",
                     "numcodecs Shuffle, sent as Reductionist's shuffle_simd"),
    "shuffle_simd+zlib": (lambda raw, dt: (numcodecs.Zlib().encode(shuffled(raw, dt)), {"id": "zlib"},
                                           shuffle_filter(dt, "shuffle_simd")), "iuf",
                          "numcodecs Shuffle then Zlib, sent as shuffle_simd"),
}

# (dtype, byte order, shape, order). The first three go through every chain; two more rotate per chain.
CORE = [("float32", "little", [12, 25], "C"), ("float32", "big", [6, 7, 9], "F"), ("int64", "little", [300], "C")]
ROTATING = [
    ("uint16", "little", [20, 18], "C"), ("int8", "little", [7, 40], "F"), ("float64", "little", [5, 6, 7], "C"),
    ("int32", "big", [64, 33], "C"), ("uint64", "little", [48, 5], "F"), ("int16", "big", [250], "C"),
    ("uint32", "little", [4, 5, 6, 3], "C"), ("uint8", "little", [9, 50], "C"), ("float64", "big", [40, 30], "F"),
    ("int64", "big", [16, 16], "C"), ("float32", "little", [64, 64], "C"), ("int16", "little", [33, 20], "F"),
]
OPS = matrix.OPS  # count min max sum select mean


def codec_cases():
    blob = bytearray()
    objects, cases = [], []
    for ci, (chain, (encode, kinds, note)) in enumerate(CHAINS.items()):
        configs = CORE + [ROTATING[(2 * ci + t) % len(ROTATING)] for t in range(2)]
        for dt_name, byte_order, shape, order in configs:
            dt = np.dtype(dt_name)
            if dt.kind not in kinds:
                continue
            if chain == "fletcher32+shuffle+zlib" and 4 % dt.itemsize:
                continue
            base = matrix.random_data(dt_name, int(np.prod(shape))).reshape(shape)
            obj_index = len(objects)
            raw = None
            for k, op in enumerate(OPS):
                j = obj_index + k
                with_shape = not (len(shape) == 1 and k % 2 == 1)
                sel_kind = matrix.SELECTIONS[(j * 3 + k) % len(matrix.SELECTIONS)]
                # A select over a large array would bloat the fixture; select a part of it.
                if op == "select" and sel_kind in ("none", "reverse", "negative") and base.size > 200:
                    sel_kind = "strided"
                c = matrix.case(op, dt_name, shape, with_shape, sel_kind,
                                matrix.AXES[(j + 2 * k) % len(matrix.AXES)],
                                matrix.MISSING[(j * 5 + k) % len(matrix.MISSING)], order, byte_order, data=base)
                data = bytes.fromhex(c.pop("data"))
                if raw is None:
                    raw = data
                    stored, compression, filters = encode(raw, dt.newbyteorder("<" if byte_order == "little" else ">"))
                    # numcodecs returns arrays of the input dtype for some codecs (Delta): take their bytes.
                    stored = np.ascontiguousarray(stored).tobytes() if isinstance(stored, np.ndarray) else bytes(stored)
                assert data == raw
                c["request"] = {**c["request"], **({"compression": compression} if compression else {}),
                                **({"filters": filters} if filters else {})}
                c["name"] = f"{chain} | {c['name']}"
                c["object"] = obj_index
                cases.append(c)
            # Every object starts 5 bytes past a multiple of 8, so reads begin at unaligned offsets.
            blob.extend(b"\xa5" * ((5 - len(blob)) % 8))
            objects.append({"name": f"{chain} {dt_name} {byte_order} {'x'.join(map(str, shape))} {order}",
                            "offset": len(blob), "size": len(stored), "writer": note})
            blob.extend(bytes(stored))
    return blob, objects, cases


def failure_objects(blob):
    """Stored bytes the server must refuse with a 400 (API.md §7, §10.2)."""
    data = matrix.random_data("float32", 300).astype("<f4")
    good = bytes(numcodecs.Zlib(level=6).encode(data.tobytes()))
    corrupt = bytearray(good)
    corrupt[len(corrupt) // 2] ^= 0xFF
    checked = bytearray(fletcher(numcodecs.Zlib().encode(data.tobytes())))
    checked[-1] ^= 0x01
    short = numcodecs.Zlib().encode(data[:299].tobytes())
    failures = []

    def add(name, stored, request, message, caused_by):
        failures.append({"name": name, "offset": len(blob), "size": len(stored), "request": request,
                         "status": 400, "message": message, "caused_by_contains": caused_by})
        blob.extend(bytes(stored))

    add("zlib stream with one byte flipped", corrupt,
        {"dtype": "float32", "shape": [300], "compression": {"id": "zlib"}},
        "failed to decompress data", "compression (zlib)")
    add("fletcher32 checksum with one bit flipped", checked,
        {"dtype": "float32", "shape": [300], "compression": {"id": "zlib"}, "filters": [{"id": "fletcher32"}]},
        "checksum mismatch", "fletcher32")
    add("zlib stream that decodes to 299 of the 300 float32 the shape needs", short,
        {"dtype": "float32", "shape": [300], "compression": {"id": "zlib"}},
        "request data is not valid", "shape")
    add("zlib stream that decodes to 1196 bytes, sent as float64 without shape", short,
        {"dtype": "float64", "compression": {"id": "zlib"}},
        "request data is not valid", "not a multiple")
    return failures


# --- 2. netCDF4 / HDF5 / Zarr variables ------------------------------------------------------------------------------


def smooth(shape, scale, offset, noise=0.5):
    grids = np.meshgrid(*[np.linspace(0, 3, n) for n in shape], indexing="ij")
    return offset + scale * np.sin(sum(grids)) + rng.normal(0, noise, shape)


def mask_some(shape, fraction):
    mask = rng.random(shape) < fraction
    mask.flat[0] = True  # a fill value in the first chunk for certain
    return mask


def chunk_selection(selection, origin, chunk_shape, shape):
    """zarr's BasicIndexer per dimension: the chunk-local slice PyActiveStorage sends, or None if not touched."""
    local = []
    for (start, stop, step), c0, cs, n in zip(selection, origin, chunk_shape, shape):
        assert step > 0 and 0 <= start and stop <= n
        end = min(stop, c0 + cs)
        first = start if start >= c0 else start + -(-(c0 - start) // step) * step
        if first >= end:
            return None
        local.append([first - c0, end - c0, step])
    return local


def float_tol(values, dt):
    """numpy sums float32 pairwise in float32; the client adds per-chunk float32 sums; both stay within the
    summation error bound make-matrix.py uses: 2 (n + 2) eps sum|x|."""
    n = values.size
    return 2.0 * (n + 2) * float(np.finfo(dt).eps) * float(np.abs(values.astype(np.float64)).sum())


def expected_over(raw, fill, selection):
    sel = raw[tuple(slice(*s) for s in selection)]
    mask = np.zeros(sel.shape, bool) if fill is None else sel == np.array(fill, dtype=raw.dtype)
    present = sel[~mask]
    dt = raw.dtype.newbyteorder("=")
    present = present.astype(dt)
    n = int(present.size)
    assert n > 0
    exp = {"count": n}
    if dt.kind == "f":
        total = np.ma.masked_array(sel.astype(dt), mask).sum(dtype=dt)
        exp["sum"] = float(total)
        exp["sum_tol"] = float_tol(present, dt)
        exp["min"] = float(present.min())
        exp["max"] = float(present.max())
        exact = float(present.astype(np.float64).sum())
        exp["mean"] = exact / n
        exp["mean_tol"] = exp["sum_tol"] / n + 4 * float(np.finfo(np.float64).eps) * abs(exp["mean"])
    else:
        exact = sum(int(v) for v in present)
        wrapped = int(np.ma.masked_array(sel.astype(dt), mask).sum(dtype=dt))
        # PyActiveStorage's mean is its (dtype) sum over its count: only right when the sum does not wrap.
        assert exact == wrapped, "integer test data must not overflow its dtype"
        exp["sum"] = wrapped
        exp["sum_tol"] = None
        exp["min"] = int(present.min())
        exp["max"] = int(present.max())
        exp["mean"] = exact / n
        exp["mean_tol"] = 4 * float(np.finfo(np.float64).eps) * abs(exact / n)
    return exp


def wire_filters(plist, itemsize):
    """HDF5 filter pipeline -> (compression, filters) as PyActiveStorage (plus our fletcher32 extension) sends it."""
    compression, filters = None, []
    for i in range(plist.get_nfilters()):
        code, _flags, values, _name = plist.get_filter(i)
        if code == h5py.h5z.FILTER_DEFLATE:
            compression = {"id": "zlib"}
        elif code == h5py.h5z.FILTER_SHUFFLE:
            filters.append({"id": "shuffle", "element_size": int(values[0]) if values else itemsize})
        elif code == h5py.h5z.FILTER_FLETCHER32:
            filters.append({"id": "fletcher32"})
        else:
            raise ValueError(f"unmapped HDF5 filter {code}")
    return compression, filters


def missing_of(fill, dt):
    """`missing` as PyActiveStorage writes it: the fill value converted to a Python number (float32 widened)."""
    if fill is None:
        return None
    return {"missing_value": fill.item() if isinstance(fill, np.generic) else fill}


def hdf5_variable(path, name, key, fill, selections, writer):
    with h5py.File(path, "r") as f:
        ds = f[name]
        raw = ds[...]
        dt = ds.dtype
        plist = ds.id.get_create_plist()
        compression, filters = wire_filters(plist, dt.itemsize)
        if ds.chunks is None:
            chunk_shape = list(ds.shape)
            chunks = [{"origin": [0] * ds.ndim, "offset": int(ds.id.get_offset()), "size": int(ds.id.get_storage_size())}]
        else:
            chunk_shape = list(ds.chunks)
            chunks = []
            for i in range(ds.id.get_num_chunks()):
                info = ds.id.get_chunk_info(i)
                assert info.filter_mask == 0, f"{name}: chunk {i} skipped a filter"
                chunks.append({"origin": [int(x) for x in info.chunk_offset], "offset": int(info.byte_offset),
                               "size": int(info.size)})
            expected_chunks = int(np.prod([-(-n // c) for n, c in zip(ds.shape, ds.chunks)]))
            assert len(chunks) == expected_chunks, f"{name}: {len(chunks)} of {expected_chunks} chunks allocated"
            # Check the mapping: decoding each chunk with the wire chain must give h5py's data.
            for ch in chunks:
                check_chunk(path, ch, plist, dt, chunk_shape, raw)
    request = {"dtype": dt.newbyteorder("=").name, "byte_order": "big" if dt.byteorder == ">" else "little",
               "order": "C"}
    if compression:
        request["compression"] = compression
    if filters:
        request["filters"] = filters
    missing = missing_of(fill, dt)
    if missing:
        request["missing"] = missing
    return variable(name, key, writer, raw, fill, request, chunk_shape, chunks, selections)


def check_chunk(path, chunk, plist, dt, chunk_shape, raw):
    """Undoes the HDF5 pipeline in reverse with the reference codecs: the chunk must give h5py's data."""
    data = Path(path).read_bytes()[chunk["offset"]:chunk["offset"] + chunk["size"]]
    for i in reversed(range(plist.get_nfilters())):
        code, _flags, values, _name = plist.get_filter(i)
        if code == h5py.h5z.FILTER_FLETCHER32:
            assert bytes(fletcher(data[:-4])) == data, "fletcher32 checksum"
            data = data[:-4]
        elif code == h5py.h5z.FILTER_DEFLATE:
            data = pyzlib.decompress(data)
        elif code == h5py.h5z.FILTER_SHUFFLE:
            size = int(values[0])
            whole_part = len(data) - len(data) % size
            data = bytes(numcodecs.Shuffle(elementsize=size).decode(arr(data[:whole_part], "u1"))) + data[whole_part:]
    block = np.frombuffer(data, dtype=dt).reshape(chunk_shape)
    region = tuple(slice(o, min(o + c, n)) for o, c, n in zip(chunk["origin"], chunk_shape, raw.shape))
    assert np.array_equal(block[tuple(slice(0, r.stop - r.start) for r in region)], raw[region])


def variable(name, key, writer, raw, fill, request, chunk_shape, chunks, selections):
    cases = []
    for case_name, selection in selections:
        per_chunk = []
        for i, ch in enumerate(chunks):
            local = chunk_selection(selection, ch["origin"], chunk_shape, raw.shape)
            if local is not None:
                per_chunk.append({"chunk": i, "selection": local})
        cases.append({"name": case_name, "selection": selection, "chunks": per_chunk,
                      "expected": expected_over(raw, fill, selection)})
    return {"name": name, "key": key, "writer": writer, "shape": list(raw.shape), "chunk_shape": chunk_shape,
            "request": request, "chunks": chunks, "cases": cases}


def whole(shape):
    return ("whole variable", [[0, n, 1] for n in shape])


def netcdf_file(path):
    time, lat, lon = 5, 18, 26
    f32_fill = np.float32(1e20)
    f64_fill = netCDF4.default_fillvals["f8"]
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.createDimension("time", time)
        nc.createDimension("lat", lat)
        nc.createDimension("lon", lon)
        tas = nc.createVariable("tas", "f4", ("time", "lat", "lon"), zlib=True, shuffle=True, complevel=4,
                                chunksizes=(2, 7, 10), fill_value=f32_fill)
        tas[:] = np.ma.masked_array(smooth((time, lat, lon), 15, 280).astype("f4"), mask_some((time, lat, lon), 0.1))
        pr = nc.createVariable("pr", "f8", ("lat", "lon"), zlib=True, shuffle=True, chunksizes=(8, 9),
                               fill_value=f64_fill)
        pr[:] = np.ma.masked_array(np.abs(smooth((lat, lon), 3e-5, 1e-5, 1e-6)), mask_some((lat, lon), 0.15))
        counts = nc.createVariable("counts", "i2", ("lat", "lon"), zlib=True, shuffle=True, chunksizes=(10, 13),
                                   fill_value=np.int16(-32767))
        counts[:] = np.ma.masked_array(rng.integers(-40, 60, (lat, lon)).astype("i2"), mask_some((lat, lon), 0.2))
        checked = nc.createVariable("checked", "f4", ("lat", "lon"), zlib=True, shuffle=True, fletcher32=True,
                                    chunksizes=(9, 13), fill_value=np.float32(-999.0))
        checked[:] = np.ma.masked_array(smooth((lat, lon), 2.5, 0.0).astype("f4"), mask_some((lat, lon), 0.1))
        # float64 + fletcher32 in netCDF-C's order: the shuffled data + checksum is not a whole number of elements.
        checked64 = nc.createVariable("checked64", "f8", ("time", "lat"), zlib=True, shuffle=True, fletcher32=True,
                                      chunksizes=(3, 10), fill_value=np.float64(-999.0))
        checked64[:] = np.ma.masked_array(smooth((time, lat), 7.5, 1.0), mask_some((time, lat), 0.1))
        ps = nc.createVariable("ps_be", ">f4", ("time", "lat", "lon"), zlib=True, shuffle=True, endian="big",
                               chunksizes=(5, 6, 13), fill_value=np.float32(-1.0))
        ps[:] = np.ma.masked_array(smooth((time, lat, lon), 800, 101325).astype("f4"), mask_some((time, lat, lon), 0.05))
        orog = nc.createVariable("orog", "f8", ("lat", "lon"), contiguous=True, fill_value=False)
        orog[:] = smooth((lat, lon), 900, 400, 30)
    writer = f"netCDF4-python {netCDF4.__version__} (netCDF-C {netCDF4.__netcdf4libversion__})"
    key = "cmip6/model run/model.nc"
    hyper3 = ("hyperslab across chunks", [[1, 5, 1], [3, 16, 2], [4, 23, 3]])
    hyper2 = ("hyperslab across chunks", [[2, 15, 1], [5, 21, 1]])
    return [
        hdf5_variable(path, "tas", key, f32_fill, [whole((time, lat, lon)), hyper3], f"{writer} zlib+shuffle"),
        hdf5_variable(path, "pr", key, np.float64(f64_fill), [whole((lat, lon)), hyper2], f"{writer} zlib+shuffle"),
        hdf5_variable(path, "counts", key, np.int16(-32767), [whole((lat, lon)), hyper2], f"{writer} zlib+shuffle"),
        hdf5_variable(path, "checked", key, np.float32(-999.0), [whole((lat, lon)), hyper2],
                      f"{writer} zlib+shuffle+fletcher32"),
        hdf5_variable(path, "checked64", key, np.float64(-999.0), [whole((time, lat)), ("hyperslab across chunks", [[1, 5, 1], [2, 17, 2]])],
                      f"{writer} zlib+shuffle+fletcher32"),
        hdf5_variable(path, "ps_be", key, np.float32(-1.0), [whole((time, lat, lon)), hyper3],
                      f"{writer} zlib+shuffle, big-endian"),
        hdf5_variable(path, "orog", key, None, [whole((lat, lon)), hyper2], f"{writer} contiguous, no _FillValue"),
    ]


def h5py_file(path):
    with h5py.File(path, "w") as f:
        f.create_dataset("temperature", data=smooth((40, 30), 10, 15).astype("<f4"), chunks=(16, 16),
                         compression="gzip", compression_opts=4, shuffle=True)
        f.create_dataset("pressure_be", data=smooth((12, 20), 500, 1000).astype(">f8"), chunks=(5, 8),
                         compression="gzip", shuffle=True)
        ids = (2**53 + rng.integers(0, 1000, 300)).astype("<i8")
        f.create_dataset("ids", data=ids, chunks=(64,), compression="gzip", shuffle=True)
    writer = f"h5py {h5py.__version__} (HDF5 {h5py.version.hdf5_version}) gzip+shuffle"
    key = "hdf5/gzip-shuffle.h5"
    return [
        hdf5_variable(path, "temperature", key, None, [whole((40, 30)), ("hyperslab across chunks", [[10, 35, 1], [3, 30, 4]])], writer),
        hdf5_variable(path, "pressure_be", key, None, [whole((12, 20)), ("hyperslab across chunks", [[4, 11, 2], [6, 17, 1]])], writer),
        hdf5_variable(path, "ids", key, None, [whole((300,)), ("hyperslab across chunks", [[50, 200, 3]])], writer),
    ]


def zarr_array(directory):
    """A Zarr v2 array as zarr-python writes it: one object per chunk, edge chunks padded to the full chunk shape
    with fill_value, every chunk Blosc(lz4, clevel 5, shuffle)."""
    shape, chunk_shape, fill = (45, 70), (20, 32), np.float32(-9999.0)
    data = smooth(shape, 4, 10).astype("<f4")
    data[mask_some(shape, 0.1)] = fill
    codec = numcodecs.Blosc(cname="lz4", clevel=5, shuffle=numcodecs.Blosc.SHUFFLE)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / ".zarray").write_text(json.dumps({
        "zarr_format": 2, "shape": list(shape), "chunks": list(chunk_shape), "dtype": "<f4",
        "compressor": codec.get_config(), "fill_value": float(fill), "order": "C", "filters": None,
    }, indent=1) + "\n")
    chunks = []
    for i in range(-(-shape[0] // chunk_shape[0])):
        for j in range(-(-shape[1] // chunk_shape[1])):
            block = np.full(chunk_shape, fill, dtype="<f4")
            part = data[i * 20:(i + 1) * 20, j * 32:(j + 1) * 32]
            block[:part.shape[0], :part.shape[1]] = part
            stored = bytes(codec.encode(block))
            (directory / f"{i}.{j}").write_bytes(stored)
            chunks.append({"origin": [i * 20, j * 32], "file": f"{directory.name}/{i}.{j}",
                           "key": f"zarr/{directory.name}/{i}.{j}", "offset": 0, "size": len(stored)})
    request = {"dtype": "float32", "byte_order": "little", "order": "C", "compression": {"id": "blosc"},
               "missing": missing_of(fill, data.dtype)}
    selections = [whole(shape), ("hyperslab across chunks", [[5, 41, 1], [10, 70, 3]])]
    return variable("tas (zarr)", None, f"numcodecs {numcodecs.__version__} {codec}", data, fill, request,
                    list(chunk_shape), chunks, selections)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    # Threaded C-Blosc writes blocks in completion order; one thread keeps the fixture byte-for-byte reproducible.
    numcodecs.blosc.set_nthreads(1)
    blosc2.set_nthreads(1)
    codec_fixtures.check_bitshuffle_reference()

    blob, objects, cases = codec_cases()
    failures = failure_objects(blob)
    (OUT / "codec-chunks.bin").write_bytes(bytes(blob))
    doc = {"generator": "scripts/make-e2e-fixtures.py", "versions": versions(), "seed": SEED,
           "blob": "codec-chunks.bin", "objects": objects, "cases": cases, "failures": failures}
    (OUT / "codecs.json").write_text(json.dumps(doc, separators=(",", ":"), allow_nan=False) + "\n")

    nc_path, h5_path = OUT / "model.nc", OUT / "gzip-shuffle.h5"
    files = [
        {"file": nc_path.name, "key": "cmip6/model run/model.nc", "variables": netcdf_file(nc_path)},
        {"file": h5_path.name, "key": "hdf5/gzip-shuffle.h5", "variables": h5py_file(h5_path)},
    ]
    zarr = zarr_array(OUT / "tas.zarr")
    doc = {"generator": "scripts/make-e2e-fixtures.py", "versions": versions(), "seed": SEED, "files": files,
           "zarr": zarr}
    (OUT / "variables.json").write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")

    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    nvars = sum(len(f["variables"]) for f in files) + 1
    print(f"{len(objects)} codec objects, {len(cases)} codec cases, {len(failures)} failures; {nvars} variables; "
          f"{total} bytes in {OUT}")
    for p in sorted(OUT.iterdir()):
        if p.is_file():
            print(f"  {p.name}: {p.stat().st_size}")


if __name__ == "__main__":
    main()
