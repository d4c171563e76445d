/**
 * Per-dtype copies of hot loops.
 *
 * Why: V8 keeps one type-feedback record per function. A loop that indexes a typed array and is called with more
 * than four array kinds turns megamorphic, and every element read goes through a generic stub: measured on Node 20,
 * a strided sum ran at 0.6 ns/element when only one array kind had ever reached it and 4.7 ns/element once eight
 * had. Compiling the function's source again gives it a fresh feedback record, so each dtype gets its own
 * monomorphic copy. The source text carries the tag because V8 caches compiled code by source text.
 *
 * A specialised function must be self-contained: it may use its parameters, its own name (for recursion) and
 * language globals (Math, BigInt), never an import or a module-level constant, and it must not declare nested
 * functions (a transpiler may wrap those in helpers that the copy cannot see).
 */

const copies = new WeakMap<object, Map<string, unknown>>();

export function specialise<F extends (...args: never[]) => unknown>(fn: F, tag: string): F {
  let byTag = copies.get(fn);
  if (byTag === undefined) {
    byTag = new Map();
    copies.set(fn, byTag);
  }
  let copy = byTag.get(tag) as F | undefined;
  if (copy === undefined) {
    copy = compile(fn, tag);
    byTag.set(tag, copy);
  }
  return copy;
}

function compile<F extends (...args: never[]) => unknown>(fn: F, tag: string): F {
  try {
    return new Function(`'use strict';\nreturn (${fn.toString()});\n// ${fn.name}:${tag}`)() as F;
  } catch (err) {
    // `node --disallow-code-generation-from-strings` forbids this; the shared function is correct, only slower.
    if (err instanceof EvalError) return fn;
    throw err;
  }
}
