#!/usr/bin/env python3
"""Generates test/fixtures/matrix.json: numpy-computed expectations for the array and op stages.

Usage: python3 scripts/make-matrix.py            (writes test/fixtures/matrix.json; needs numpy only)

Each case carries the wire fields of a v2 body (dtype, byte_order, shape, order, selection, axis, missing) exactly as
a client sends them, the stored bytes, and the result numpy computes under API.md §5, §6 and §10.3:

- sum: numpy.sum(filled(0), dtype=a.dtype) (integers wrap; float32 sums in float32, pairwise);
- min/max: numpy.ma style (missing filled with the op's neutral value), sentinel when nothing is present;
- mean: integer sums exact (Python ints), float sums in float64, divided by the count, in the §10.3 dtype;
- count: non-missing elements; select: the selection itself with one total count;
- axis=[]: each element itself (raw value even when missing), count 1/0; mean gives NaN for a missing element.

Float sums and means also carry `tol`, one absolute tolerance per result element in `bytes` order: numpy sums
float32 in float32 and both sides use different summation orders, so the two results may differ by up to the
summation error bound 2 * (n + 2) * eps(dtype) * sum(|x|) over the n present elements (divided by n for mean).
`tol` is null where the comparison must be exact (integers, min/max/select, inf/NaN results, axis=[]).

The file also holds `slices`: rows [length, start, stop, step, start', step', count] from Python's
slice(start, stop, step).indices(length) and len(range(...)), for the selection unit test.

JSON integers are written as exact integer literals (int64/uint64 values beyond 2^53 included); read the file with
a lossless parser.
"""

import json
import pathlib
import sys

import numpy as np

SEED = 20240611
OUT = pathlib.Path(__file__).resolve().parent.parent / 'test' / 'fixtures' / 'matrix.json'

DTYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float32', 'float64']
OPS = ['count', 'min', 'max', 'sum', 'select', 'mean']
SELECTIONS = ['none', 'positive', 'negative', 'reverse', 'strided', 'single', 'empty']
AXES = ['none', 'each', 'pair', 'all', 'empty']
MISSING = [None, 'missing_value', 'missing_values', 'missing_values_empty', 'valid_min', 'valid_max', 'valid_range']
CASES_PER_PAIR = 10

rng = np.random.default_rng(SEED)


def is_float(dt):
    return np.dtype(dt).kind == 'f'


def finite_extremes(dt):
    info = np.finfo(dt) if is_float(dt) else np.iinfo(dt)
    return info.min, info.max


def random_shape(ndim):
    limits = {1: 40, 2: 8, 3: 4, 4: 3}
    while True:
        shape = [int(rng.integers(1, limits[ndim] + 1)) for _ in range(ndim)]
        if int(np.prod(shape)) <= 60:
            return shape


def random_data(dt, size):
    """Values drawn from a small pool, so equality-based missing rules find matches, plus the dtype's extremes."""
    if is_float(dt):
        pool = np.round(rng.normal(0, 50, 12), 2).astype(dt)
        pool = np.concatenate([pool, np.array([0.1, -999.0, 1e20 if dt == 'float32' else 1e200, -0.0], dtype=dt)])
        return rng.choice(pool, size).astype(dt)
    lo, hi = finite_extremes(dt)
    if np.dtype(dt).itemsize == 8:
        special = [lo, hi, 2**53 + 1, 2**60 + 3, 2**62 - 5]
        special += [-(2**53) - 1, -(2**61) - 7] if lo < 0 else [2**63 + 11, 2**64 - 2]
    else:
        special = [lo, hi, lo + 1, hi - 1]
    small = rng.integers(max(lo, -20), min(hi, 20) + 1, 8).tolist()
    pool = np.array(small + special, dtype=dt)
    return rng.choice(pool, size)


def selection_for(kind, shape):
    """One [start, end, stride] per dimension (or None) in the requested style."""
    if kind == 'none':
        return None
    sel = []
    empty_dim = int(rng.integers(len(shape)))
    for d, n in enumerate(shape):
        if kind == 'positive':
            start = int(rng.integers(0, n))
            stop = int(rng.integers(start + 1, n + 1)) if rng.random() < 0.8 else 2**62
            sel.append([start, stop, int(rng.integers(1, 3))])
        elif kind == 'negative':
            start = -int(rng.integers(1, n + 1)) if rng.random() < 0.8 else -(2**63)
            sel.append([start, -int(rng.integers(0, 2)) or n + 3, 1])
        elif kind == 'reverse':
            start = [-1, n - 1, n + 4, 2**63 - 1][int(rng.integers(4))]
            stop = [-n - 1, -n - 5, -(2**63)][int(rng.integers(3))] if rng.random() < 0.7 else int(rng.integers(-n, 0))
            sel.append([start, stop, -int(rng.integers(1, 3))])
        elif kind == 'strided':
            sel.append([int(rng.integers(0, 2)), n, int(rng.integers(2, 4))])
        elif kind == 'single':
            i = int(rng.integers(n))
            sel.append([i, i + 1, 1] if rng.random() < 0.5 else [i - n, i - n + 1 or n, 1])
        elif kind == 'empty':
            if d == empty_dim:
                sel.append([[n, n + 2, 1], [2, 1, 1], [0, 0, 1], [-1, n, -1], [n + 3, n + 9, 2]][int(rng.integers(5))])
            else:
                sel.append([0, n, 1])
    return sel


def axis_for(kind, ndim):
    """(wire value or the string 'absent', numpy axis)."""
    if kind == 'none':
        return ('absent', None) if rng.random() < 0.7 else (None, None)
    if kind == 'each':
        k = int(rng.integers(ndim))
        return (k, (k,)) if rng.random() < 0.5 else ([k], (k,))
    if kind == 'pair':
        if ndim < 2:
            return [0], (0,)
        pair = sorted(rng.choice(ndim, 2, replace=False).tolist())
        return pair, tuple(pair)
    if kind == 'all':
        return list(range(ndim)), tuple(range(ndim))
    return [], ()


def wire_number(value, dt, style):
    """A missing value as the client writes it: float32 values widened to float64 (PyActiveStorage), or short."""
    if not is_float(dt):
        return int(value)
    if style == 'int' and float(value).is_integer() and abs(float(value)) < 2**53:
        return int(value)
    if style == 'short' and dt == 'float32':
        return float(np.format_float_positional(np.float32(value), unique=True, trim='-'))
    return float(value)


def missing_for(kind, data, dt):
    if kind is None:
        return None
    flat = data.ravel()
    present = flat[~np.isnan(flat)] if is_float(dt) else flat
    if present.size == 0:
        present = np.array([0], dtype=dt)
    style = ['wide', 'short', 'int'][int(rng.integers(3))]
    pick = lambda: present[int(rng.integers(present.size))]  # noqa: E731
    if kind == 'missing_value':
        return {'missing_value': wire_number(pick(), dt, style)}
    if kind == 'missing_values':
        values = sorted({wire_number(pick(), dt, style) for _ in range(int(rng.integers(2, 4)))})
        return {'missing_values': values}
    if kind == 'missing_values_empty':
        return {'missing_values': []}
    distinct = np.unique(present)
    if kind == 'valid_min':
        return {'valid_min': wire_number(pick(), dt, style)}
    if kind == 'valid_max':
        return {'valid_max': wire_number(pick(), dt, style)}
    if distinct.size < 2:
        lo, hi = finite_extremes(dt)
        return {'valid_range': [wire_number(lo, dt, 'wide'), wire_number(hi, dt, 'wide')]}
    a, b = sorted(rng.choice(distinct.size, 2, replace=False).tolist())
    return {'valid_range': [wire_number(distinct[a], dt, style), wire_number(distinct[b], dt, style)]}


def to_dtype(value, dt):
    return np.array(value, dtype=dt)


def missing_mask(arr, missing, dt):
    if missing is None:
        return np.zeros(arr.shape, dtype=bool)
    ((key, val),) = missing.items()
    if key == 'missing_value':
        return arr == to_dtype(val, dt)
    if key == 'missing_values':
        mask = np.zeros(arr.shape, dtype=bool)
        for v in val:
            mask |= arr == to_dtype(v, dt)
        return mask
    if key == 'valid_min':
        return arr < to_dtype(val, dt)
    if key == 'valid_max':
        return arr > to_dtype(val, dt)
    return (arr < to_dtype(val[0], dt)) | (arr > to_dtype(val[1], dt))


def result_dtype(op, dt):
    if op == 'count':
        return 'int64'
    if op == 'mean':
        return 'float32' if dt == 'float32' else 'float64'
    return dt


def exact_int_sums(sel, mask, axis):
    """Integer sums without wrap, as Python ints (object arrays add exactly)."""
    return np.asarray(np.where(mask, 0, sel).astype(object).sum(axis=axis))


def reduced_shape(shape, axis):
    if axis is None:
        return ()
    return tuple(n for d, n in enumerate(shape) if d not in axis)


def compute(op, sel, mask, axis, dt):
    """(result array, counts array, tolerance array or None)."""
    rdt = result_dtype(op, dt)
    present = ~mask
    if op == 'select':
        return sel.copy(), np.array([present.sum()]), None
    if axis == ():
        counts = present.astype(np.int64)
        if op == 'count':
            return counts, counts, None
        if op == 'mean':
            return np.where(mask, np.nan, sel.astype(np.float64)).astype(rdt), counts, None
        return sel.copy(), counts, None

    counts = np.asarray(present.sum(axis=axis), dtype=np.int64)
    reduced_size = int(np.prod([sel.shape[d] for d in (range(sel.ndim) if axis is None else axis)]))
    tol = None
    if op == 'count':
        return counts, counts, None
    if op in ('min', 'max'):
        lo, hi = finite_extremes(dt)
        sentinel = hi if op == 'min' else lo
        out_shape = reduced_shape(sel.shape, axis)
        if reduced_size == 0:
            return np.full(out_shape, sentinel, dtype=dt), counts, None
        if is_float(dt):
            fill = np.array(np.inf if op == 'min' else -np.inf, dtype=dt)
        else:
            fill = np.array(sentinel, dtype=dt)
        filled = np.where(mask, fill, sel)
        res = filled.min(axis=axis) if op == 'min' else filled.max(axis=axis)
        return np.where(counts == 0, np.array(sentinel, dtype=dt), res).astype(dt), counts, None
    if op == 'sum':
        with np.errstate(invalid='ignore', over='ignore'):
            res = np.where(mask, np.zeros((), dtype=dt), sel).sum(axis=axis, dtype=dt)
        if is_float(dt):
            tol = sum_tolerance(sel, mask, axis, counts, dt, divide=False)
        return np.asarray(res, dtype=dt), counts, tol
    # mean
    with np.errstate(invalid='ignore', divide='ignore', over='ignore'):
        if is_float(dt):
            total = np.where(mask, 0.0, sel.astype(np.float64)).sum(axis=axis)
            res = (np.asarray(total) / counts).astype(rdt)
            tol = sum_tolerance(sel, mask, axis, counts, rdt, divide=True)
        else:
            totals = exact_int_sums(sel, mask, axis)
            flat_t = totals.ravel()
            flat_c = counts.ravel()
            vals = [float(t) / int(c) if c else np.nan for t, c in zip(flat_t, flat_c)]
            res = np.array(vals, dtype=np.float64).reshape(counts.shape)
    return np.asarray(res, dtype=rdt), counts, tol


def sum_tolerance(sel, mask, axis, counts, dt, divide):
    eps = float(np.finfo(dt).eps)
    with np.errstate(invalid='ignore', over='ignore'):
        magnitude = np.where(mask, 0.0, np.abs(sel.astype(np.float64))).sum(axis=axis)
        tol = 2.0 * (counts + 2) * eps * magnitude
        if divide:
            tol = np.where(counts > 0, tol / np.maximum(counts, 1), 0.0)
    return np.asarray(tol, dtype=np.float64)


def case(op, dt, shape, with_shape, sel_kind, axis_kind, missing_kind, order, byte_order, data=None, note='',
         selection=None):
    size = int(np.prod(shape))
    base = data if data is not None else random_data(dt, size)
    base = np.asarray(base, dtype=dt).reshape(shape)
    if selection is None and with_shape:
        selection = selection_for(sel_kind, shape)
    sel = base[tuple(slice(*s) for s in selection)] if selection else base
    if with_shape:
        wire_axis, np_axis = axis_for(axis_kind, len(shape))
    else:
        wire_axis, np_axis = 'absent', None
    missing = missing_kind if isinstance(missing_kind, dict) else missing_for(missing_kind, base, dt)
    mask = missing_mask(sel, missing, dt)
    effective_axis = None if op == 'select' else np_axis
    res, counts, tol = compute(op, sel, mask, effective_axis, dt)
    rdt = result_dtype(op, dt)
    res = np.asarray(res, dtype=rdt)
    stored = base.astype(np.dtype(dt).newbyteorder('<' if byte_order == 'little' else '>')).tobytes(order=order)

    request = {'dtype': dt}
    if byte_order == 'big' or rng.random() < 0.5:
        request['byte_order'] = byte_order
    if with_shape:
        request['shape'] = list(shape)
    if order == 'F' or rng.random() < 0.5:
        request['order'] = order
    if selection is not None:
        if rng.random() < 0.1:
            request['selection'] = [{'start': a, 'end': b, 'stride': c} for a, b, c in selection]
        else:
            request['selection'] = selection
    if wire_axis != 'absent':
        request['axis'] = wire_axis
    if missing is not None:
        request['missing'] = missing

    expected = {
        'dtype': rdt,
        'shape': list(res.shape),
        'bytes': res.astype(np.dtype(rdt).newbyteorder('<')).tobytes(order=order).hex(),
        'count': [int(c) for c in np.asarray(counts).ravel()],
    }
    if tol is not None:
        tol = np.broadcast_to(tol, res.shape).ravel(order=order)
        finite = np.isfinite(res.astype(np.float64)).ravel(order=order) & np.isfinite(tol)
        expected['tol'] = [float(t) if ok else None for t, ok in zip(tol, finite)]
    parts = [op, dt, 'x'.join(map(str, shape)) if with_shape else 'noshape', order, byte_order, f'sel={sel_kind}']
    parts += [f'axis={axis_kind}', f'missing={next(iter(missing)) if missing else None}']
    if note:
        parts.append(note)
    return {'name': ' '.join(parts), 'op': op, 'request': request, 'data': stored.hex(), 'expected': expected}


def covering_cases():
    cases = []
    for di, dt in enumerate(DTYPES):
        for oi, op in enumerate(OPS):
            for j in range(CASES_PER_PAIR):
                k = j + di + oi
                ndim = 1 + (k % 4)
                cases.append(
                    case(
                        op,
                        dt,
                        random_shape(ndim),
                        True,
                        SELECTIONS[(j + 2 * di + oi) % len(SELECTIONS)],
                        AXES[(j + di + 3 * oi) % len(AXES)],
                        MISSING[(j * 3 + di + oi) % len(MISSING)],
                        ['C', 'F'][(j + oi) % 2],
                        ['little', 'big'][(j // 2 + di) % 2],
                    )
                )
    return cases


def special_cases():
    cases = []
    # NaN and infinities: NaN propagates through min/max/sum/mean and counts as present; +-inf are ordinary values.
    configs = [('none', None), ('each', {'valid_range': [-4.0, 3.0]}), ('empty', None)]
    for dt in ['float32', 'float64']:
        for vi, (values, note) in enumerate([
            ([1.5, np.nan, -2.0, 4.0, 0.25, np.nan], 'nan'),
            ([np.inf, 1.0, -3.0, 2.0, 7.5, -1.0], 'inf'),
            ([np.inf, -np.inf, 1.0, 2.0, 3.0, 4.0], 'inf-minus-inf'),
            ([-np.inf] * 6, 'all-minus-inf'),
            ([np.inf] * 6, 'all-inf'),
            ([np.nan, 2.0, np.inf, -5.0, -np.inf, 1.0], 'mixed'),
        ]):
            for oi, op in enumerate(OPS):
                for axis_kind, missing in [configs[0], configs[1 + (vi + oi) % 2]]:
                    cases.append(case(op, dt, [2, 3], True, 'none', axis_kind, missing, ['C', 'F'][oi % 2], 'little',
                                      data=np.array(values), note=note))
    # Integer sums that wrap in the dtype (mean must not wrap), for every integer dtype.
    for dt in DTYPES:
        if is_float(dt):
            continue
        lo, hi = finite_extremes(dt)
        extremes = [([hi, hi, 1, hi], 'wrap-up'), ([lo, lo, -1 if lo < 0 else 0, lo + 1], 'wrap-down')]
        for vi, (values, note) in enumerate(extremes):
            for oi, op in enumerate(['sum', 'mean', 'min', 'max']):
                cases.append(case(op, dt, [2, 2], True, 'none', ['none', 'each'][(vi + oi) % 2], None, 'F', 'big',
                                  data=np.array(values, dtype=object).astype(dt), note=note))
    # 64-bit values beyond 2^53, where a float64 accumulator would be wrong.
    for dt, values in [
        ('int64', [2**53 + 1, 2**53 + 3, -(2**62) + 1, 2**62 + 7, 5, -(2**63), 2**63 - 1, 2**53 + 1]),
        ('uint64', [2**53 + 1, 2**53 + 3, 2**63 + 5, 2**64 - 1, 7, 0, 2**62 + 1, 2**53 + 1]),
    ]:
        for op in OPS:
            for missing in [None, {'missing_value': 2**53 + 1}, {'valid_min': 2**53 + 2}, {'valid_max': 2**62 + 7}]:
                cases.append(case(op, dt, [2, 4], True, 'none', 'pair', missing, 'C', 'little',
                                  data=np.array(values, dtype=object).astype(dt), note='beyond-2^53'))
    # Every element missing, and empty selections: sentinels, zero sums, NaN means, zero counts.
    for di, dt in enumerate(DTYPES):
        data = np.full(6, 7, dtype=dt)
        for oi, op in enumerate(OPS):
            variant = (di + oi) % 3
            if variant == 0:
                cases.append(case(op, dt, [3, 2], True, 'none', 'none', {'missing_value': 7}, 'C', 'little',
                                  data=data, note='all-missing'))
            elif variant == 1:
                cases.append(case(op, dt, [3, 2], True, 'none', 'each', {'valid_min': 8}, 'F', 'little',
                                  data=data, note='all-missing'))
            else:
                cases.append(case(op, dt, [3, 2], True, 'empty', ['all', 'each'][di % 2], None, 'C', 'big',
                                  note='empty'))
        # 1-D without shape (absent shape = all elements).
        for op in [OPS[di % len(OPS)], OPS[(di + 3) % len(OPS)]]:
            missing = MISSING[int(rng.integers(len(MISSING)))]
            cases.append(case(op, dt, [int(rng.integers(1, 20))], False, 'none', 'none', missing, 'C',
                              ['little', 'big'][di % 2], note='noshape'))
    # float32 missing values sent with more digits than float32 has: compared after rounding to float32.
    data = np.array([1e20, 0.1, 3.0, 1e20, -2.5, 0.1], dtype='float32')
    for missing in [{'missing_value': 1e20}, {'missing_values': [0.1, 1e20]}, {'valid_max': 0.1}, {'valid_min': 0.1}]:
        for op in ['count', 'sum', 'min', 'max']:
            cases.append(case(op, 'float32', [6], True, 'none', 'none', missing, 'C', 'little', data=data,
                              note='float32-rounding'))
    # API.md §13 example B: select, F order, negative stride.
    cases.append(case('select', 'int64', [4, 5], True, 'none', 'none', None, 'F', 'little',
                      data=np.arange(20).reshape((4, 5), order='F'), selection=[[1, 4, 2], [-1, -6, -2]],
                      note='api-example-B'))
    return cases


def slice_bounds(n):
    """Starts/stops around every clamping edge for length n, plus the +-2^53 the request layer clamps to."""
    return [-(2**53), -n - 3, -n - 1, -n, -n + 1, -2, -1, 0, 1, 2, n - 1, n, n + 1, n + 5, 2**53]


def slice_table():
    steps = [-(2**53), -7, -3, -2, -1, 1, 2, 3, 7, 2**53]
    rows = [[100, -10, -50, -4, *slice_row(100, -10, -50, -4)]]
    for n in [0, 1, 2, 3, 5, 8, 13, 100]:
        combos = [(a, b, s) for a in slice_bounds(n) for b in slice_bounds(n) for s in steps]
        for idx in rng.choice(len(combos), 220, replace=False):
            a, b, s = combos[int(idx)]
            rows.append([n, a, b, s, *slice_row(n, a, b, s)])
    return rows


def slice_row(n, a, b, s):
    start, stop, step = slice(a, b, s).indices(n)
    return [start, step, len(range(start, stop, step))]


def main():
    cases = covering_cases() + special_cases()
    doc = {
        'generator': 'scripts/make-matrix.py',
        'numpy': np.__version__,
        'python': sys.version.split()[0],
        'seed': SEED,
        'cases': cases,
        'slices': slice_table(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, separators=(',', ':'), allow_nan=False) + '\n')
    print(f'{OUT}: {len(cases)} cases, {len(doc["slices"])} slices, {OUT.stat().st_size} bytes')


if __name__ == '__main__':
    main()
