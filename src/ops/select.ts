/**
 * `select` (API.md §5.4): the selected elements themselves, missing ones included, with one count: the number of
 * non-missing elements in the selection. reduce.ts serialises the view; there is nothing to fold.
 */
import { type SelectSpec, sameDType } from './op-spec.js';

export const select: SelectSpec = { kind: 'select', name: 'select', resultDType: sameDType };
