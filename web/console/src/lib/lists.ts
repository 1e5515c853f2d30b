import type { Id } from '../api';

// Ids may arrive as numbers or strings, so items are matched by their string form.
const sameId = (a: Id, b: Id) => String(a) === String(b);

/** Replaces the item with the same id, or appends it when the list does not have it yet. */
export function upsertById<T extends { id: Id }>(list: T[] | null, item: T): T[] {
  const items = list ?? [];
  return items.some((x) => sameId(x.id, item.id)) ? items.map((x) => (sameId(x.id, item.id) ? item : x)) : [...items, item];
}

/** Replaces the item with the same id; leaves the list alone otherwise. */
export function replaceById<T extends { id: Id }>(list: T[] | null, item: T): T[] {
  return (list ?? []).map((x) => (sameId(x.id, item.id) ? item : x));
}

/** Drops the item with this id. */
export function removeById<T extends { id: Id }>(list: T[] | null, id: Id): T[] {
  return (list ?? []).filter((x) => !sameId(x.id, id));
}

/** Maps a select/checkbox string back to the id type the server used (numbers stay numbers). */
export function toId(value: string, known: readonly Id[]): Id {
  const match = known.find((k) => sameId(k, value));
  if (match !== undefined) return match;
  return /^\d+$/.test(value) ? Number(value) : value;
}
