/**
 * The docs page's request panel, as browser JavaScript served from /docs/assets/try-it.js. It lives in a string
 * because the package ships only compiled TypeScript (dist/), and a page script must not depend on a bundler.
 *
 * Swagger UI's own "Try it out" cannot show a v2 answer: the body is CBOR. This panel sends the request with
 * fetch, decodes CBOR (the small subset API.md §4 allows, plus floats and tags for robustness) and the result bytes,
 * and shows values, dtype, shape and count the way a person reads them. Its pure functions are exposed as
 * `S3AS` so tests can run them outside a browser.
 */
export const TRY_IT_SCRIPT = String.raw`'use strict';
var S3AS = (function () {
  var DTYPES = {
    int8: [1, 'getInt8'], int16: [2, 'getInt16'], int32: [4, 'getInt32'], int64: [8, 'getBigInt64'],
    uint8: [1, 'getUint8'], uint16: [2, 'getUint16'], uint32: [4, 'getUint32'], uint64: [8, 'getBigUint64'],
    float16: [2, 'getFloat16'], float32: [4, 'getFloat32'], float64: [8, 'getFloat64']
  };

  function halfToNumber(bits) {
    var sign = bits & 0x8000 ? -1 : 1;
    var exp = (bits >> 10) & 0x1f;
    var frac = bits & 0x3ff;
    if (exp === 0) return sign * frac * Math.pow(2, -24);
    if (exp === 31) return frac ? NaN : sign * Infinity;
    return sign * (1 + frac / 1024) * Math.pow(2, exp - 15);
  }

  /** One CBOR item (RFC 8949) from bytes; the whole input must be that one item. */
  function decodeCbor(bytes) {
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var pos = 0;
    function need(n) {
      if (pos + n > bytes.length) throw new Error('CBOR: data ends early at byte ' + pos);
    }
    function argument(info) {
      var at = pos - 1;
      if (info < 24) return info;
      if (info === 24) { need(1); pos += 1; return view.getUint8(pos - 1); }
      if (info === 25) { need(2); pos += 2; return view.getUint16(pos - 2); }
      if (info === 26) { need(4); pos += 4; return view.getUint32(pos - 4); }
      if (info === 27) {
        need(8); pos += 8;
        var big = view.getBigUint64(pos - 8);
        return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
      }
      throw new Error('CBOR: indefinite or reserved length at byte ' + at);
    }
    function count(n) {
      if (typeof n !== 'number') throw new Error('CBOR: length too large');
      return n;
    }
    function item() {
      need(1);
      var first = view.getUint8(pos);
      pos += 1;
      var major = first >> 5;
      var info = first & 31;
      if (major === 7) {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) { need(2); pos += 2; return halfToNumber(view.getUint16(pos - 2)); }
        if (info === 26) { need(4); pos += 4; return view.getFloat32(pos - 4); }
        if (info === 27) { need(8); pos += 8; return view.getFloat64(pos - 8); }
        throw new Error('CBOR: unsupported simple value ' + info);
      }
      var n = argument(info);
      var i;
      switch (major) {
        case 0: return n;
        case 1: return typeof n === 'bigint' ? BigInt(-1) - n : -1 - n;
        case 2: n = count(n); need(n); pos += n; return bytes.slice(pos - n, pos);
        case 3: n = count(n); need(n); pos += n; return new TextDecoder().decode(bytes.subarray(pos - n, pos));
        case 4: {
          var list = [];
          for (i = 0; i < count(n); i++) list.push(item());
          return list;
        }
        case 5: {
          var map = {};
          for (i = 0; i < count(n); i++) { var key = item(); map[String(key)] = item(); }
          return map;
        }
        default: return item();
      }
    }
    var out = item();
    if (pos !== bytes.length) throw new Error('CBOR: ' + (bytes.length - pos) + ' bytes after the first item');
    return out;
  }

  /** Little-endian elements of dtype; 64-bit integers come back as BigInt. */
  function decodeValues(bytes, dtype) {
    var spec = DTYPES[dtype];
    if (!spec) throw new Error('unknown dtype ' + dtype);
    var size = spec[0];
    if (bytes.length % size !== 0) {
      throw new Error(bytes.length + ' bytes is not a whole number of ' + dtype + ' elements');
    }
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    var out = [];
    for (var at = 0; at < bytes.length; at += size) {
      out.push(spec[1] === 'getFloat16' ? halfToNumber(view.getUint16(at, true)) : view[spec[1]](at, true));
    }
    return out;
  }

  /** Unsigned (u64) or signed (i64) little-endian integers packed in bytes, as numbers when exact. */
  function decodePacked(bytes, signed) {
    return decodeValues(bytes, signed ? 'int64' : 'uint64').map(function (v) {
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    });
  }

  /** Flat values laid out in order ('C' or 'F') -> nested arrays of shape; a scalar for shape []. */
  function nest(values, shape, order) {
    if (shape.length === 0) return values[0];
    var strides = [];
    var step = 1;
    var k;
    if (order === 'F') {
      for (k = 0; k < shape.length; k++) { strides[k] = step; step *= shape[k]; }
    } else {
      for (k = shape.length - 1; k >= 0; k--) { strides[k] = step; step *= shape[k]; }
    }
    function build(dim, offset) {
      var out = [];
      for (var i = 0; i < shape[dim]; i++) {
        var at = offset + i * strides[dim];
        out.push(dim === shape.length - 1 ? values[at] : build(dim + 1, at));
      }
      return out;
    }
    return build(0, 0);
  }

  /** numpy-like text: floats keep a decimal point; the shortest digits that read back as the same value. */
  function formatNumber(v, dtype) {
    if (typeof v === 'bigint' || dtype.indexOf('float') !== 0) return String(v);
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    var isExponent = v !== 0 && (Math.abs(v) >= 1e16 || Math.abs(v) < 1e-4);
    var text = String(v);
    for (var digits = 1; digits <= 17; digits++) {
      var candidate = isExponent ? v.toExponential(digits - 1) : String(Number(v.toPrecision(digits)));
      var back = Number(candidate);
      if ((dtype === 'float64' ? back : Math.fround(back)) === v) { text = candidate; break; }
    }
    text = text.replace(/e([+-])(\d)$/, 'e$10$2');
    return /[.e]/.test(text) ? text : text + '.0';
  }

  function formatTree(x, dtype) {
    if (Array.isArray(x)) return '[' + x.map(function (y) { return formatTree(y, dtype); }).join(', ') + ']';
    return formatNumber(x, dtype);
  }

  function hex(bytes, limit) {
    var out = [];
    for (var i = 0; i < Math.min(bytes.length, limit); i++) out.push((bytes[i] < 16 ? '0' : '') + bytes[i].toString(16));
    return out.join('') + (bytes.length > limit ? '… (' + bytes.length + ' bytes)' : '');
  }

  /** A v2 CBOR body or a v1 body + headers -> the rows a person reads. */
  function describeV2(bytes, order) {
    var map = decodeCbor(bytes);
    ['bytes', 'dtype', 'shape', 'shape_as_bytes', 'count', 'count_as_bytes', 'byte_order'].forEach(function (key) {
      if (!(key in map)) throw new Error('the CBOR map has no "' + key + '" key');
    });
    var shape = map.shape_as_bytes.length > 0 ? decodePacked(map.shape_as_bytes, false) : map.shape;
    var counts = map.count_as_bytes.length > 0 ? decodePacked(map.count_as_bytes, true) : map.count;
    return describe(map.bytes, map.dtype, shape, counts, map.byte_order, order);
  }

  function describeV1(bytes, header, order) {
    var shape = JSON.parse(header('x-activestorage-shape'));
    var counts = JSON.parse(header('x-activestorage-count'));
    return describe(bytes, header('x-activestorage-dtype'), shape, counts, header('x-activestorage-byte-order'), order);
  }

  function describe(bytes, dtype, shape, counts, byteOrder, order) {
    var values = decodeValues(bytes, dtype);
    return [
      ['values', formatTree(nest(values, shape, order), dtype)],
      ['dtype', dtype],
      ['shape', JSON.stringify(shape)],
      ['count', '[' + counts.map(String).join(', ') + ']'],
      ['byte_order', byteOrder],
      ['bytes', hex(bytes, 64) || '(empty)']
    ];
  }

  return {
    decodeCbor: decodeCbor, decodeValues: decodeValues, nest: nest, formatNumber: formatNumber,
    formatTree: formatTree, describeV2: describeV2, describeV1: describeV1
  };
})();

(function () {
  if (typeof document === 'undefined') return;

  function byId(id) { return document.getElementById(id); }

  function base64(text) {
    var bytes = new TextEncoder().encode(text);
    var binary = '';
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function init() {
    var els = {
      version: byId('try-version'), op: byId('try-op'), example: byId('try-example'), body: byId('try-body'),
      user: byId('try-user'), password: byId('try-password'), send: byId('try-send'),
      status: byId('try-status'), result: byId('try-result')
    };
    var doc = null;

    function setStatus(text, isError) {
      els.status.textContent = text;
      els.status.className = isError ? 'try-status try-error' : 'try-status';
    }

    function showRows(rows) {
      els.result.textContent = '';
      rows.forEach(function (row) {
        var tr = document.createElement('tr');
        var th = document.createElement('th');
        var td = document.createElement('td');
        th.textContent = row[0];
        td.textContent = row[1];
        td.setAttribute('data-field', row[0]);
        tr.appendChild(th);
        tr.appendChild(td);
        els.result.appendChild(tr);
      });
    }

    function operation() {
      var path = doc.paths['/' + els.version.value + '/' + els.op.value];
      return path && path.post;
    }

    function examples() {
      var op = operation();
      var content = op && op.requestBody && op.requestBody.content['application/json'];
      return (content && content.examples) || {};
    }

    function fillBody() {
      var example = examples()[els.example.value];
      els.body.value = example ? JSON.stringify(example.value, null, 2) : '{}';
    }

    function fillExamples() {
      var keep = els.example.value;
      var all = examples();
      els.example.textContent = '';
      Object.keys(all).forEach(function (name) {
        var option = new Option(all[name].summary || name, name);
        option.title = all[name].description || '';
        els.example.add(option);
      });
      if (keep in all) els.example.value = keep;
      fillBody();
    }

    function fillOps() {
      var keep = els.op.value || 'sum';
      var prefix = '/' + els.version.value + '/';
      els.op.textContent = '';
      Object.keys(doc.paths).forEach(function (path) {
        if (path.indexOf(prefix) !== 0 || !doc.paths[path].post) return;
        var name = path.slice(prefix.length);
        els.op.add(new Option(name + ' — ' + doc.paths[path].post.summary, name));
      });
      if (Array.prototype.some.call(els.op.options, function (o) { return o.value === keep; })) els.op.value = keep;
      fillExamples();
    }

    function send() {
      var version = els.version.value;
      var path = '/' + version + '/' + els.op.value;
      var text = els.body.value;
      var body;
      try {
        body = JSON.parse(text);
      } catch (err) {
        setStatus('The request body is not valid JSON: ' + err.message, true);
        return;
      }
      var order = body && body.order === 'F' ? 'F' : 'C';
      var headers = { 'Content-Type': 'application/json' };
      if (els.user.value !== '' || els.password.value !== '') {
        headers.Authorization = 'Basic ' + base64(els.user.value + ':' + els.password.value);
      }
      els.send.disabled = true;
      els.result.textContent = '';
      setStatus('POST ' + path + ' …', false);
      // The text is sent as typed: JSON.parse above would round integers past 2^53.
      fetch(path, { method: 'POST', headers: headers, body: text })
        .then(function (res) {
          return res.arrayBuffer().then(function (buffer) {
            var bytes = new Uint8Array(buffer);
            var line = 'POST ' + path + ' → ' + res.status + ' ' + res.statusText + ' (' +
              (res.headers.get('content-type') || 'no content type') + ', ' + bytes.length + ' bytes)';
            if (!res.ok) {
              var error;
              try {
                error = JSON.parse(new TextDecoder().decode(bytes)).error;
              } catch (err) {
                error = { message: new TextDecoder().decode(bytes) };
              }
              setStatus(line, true);
              showRows([['message', error.message]].concat(
                (error.caused_by || []).map(function (cause) { return ['caused_by', cause]; })));
              return;
            }
            setStatus(line, false);
            showRows(version === 'v2'
              ? S3AS.describeV2(bytes, order)
              : S3AS.describeV1(bytes, function (name) { return res.headers.get(name); }, order));
          });
        })
        .catch(function (err) {
          setStatus('POST ' + path + ' failed: ' + err.message, true);
        })
        .then(function () {
          els.send.disabled = false;
        });
    }

    els.version.addEventListener('change', fillOps);
    els.op.addEventListener('change', fillExamples);
    els.example.addEventListener('change', fillBody);
    els.send.addEventListener('click', send);

    fetch('/openapi.json')
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (loaded) {
        doc = loaded;
        fillOps();
        els.send.disabled = false;
        setStatus('Ready: pick an operation and an example, then Send.', false);
      })
      .catch(function (err) {
        setStatus('Could not load /openapi.json: ' + err.message, true);
      });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
`;
