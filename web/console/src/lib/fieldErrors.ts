/**
 * Validation errors from a problem document, keyed by normalised field path.
 * The server may send "email", "Email", "$.email", "banking.iban", "Banking.Iban", "extraPhones[1]" ...
 * Keys are normalised to lower-case dotted paths without indexes so the form can look them up.
 */
export function normalizeFieldKey(key: string): string {
  return key
    .replace(/^\$\.?/, '')
    .replace(/\[[^\]]*\]/g, '')
    .split('.')
    .filter(Boolean)
    .join('.')
    .toLowerCase();
}

export class FieldErrors {
  private readonly map = new Map<string, string[]>();

  constructor(errors?: Record<string, string[]> | null) {
    for (const [key, messages] of Object.entries(errors ?? {})) {
      const k = normalizeFieldKey(key);
      this.map.set(k, [...(this.map.get(k) ?? []), ...messages]);
    }
  }

  get isEmpty(): boolean {
    return this.map.size === 0;
  }

  /** Messages for a field; a prefix match also counts ("banking" collects "banking.iban" unless asked for exactly). */
  get(field: string, { prefix = false }: { prefix?: boolean } = {}): string[] | undefined {
    const k = normalizeFieldKey(field);
    const out: string[] = [];
    for (const [key, messages] of this.map) {
      if (key === k || (prefix && key.startsWith(`${k}.`))) {
        out.push(...messages);
      }
    }
    return out.length ? out : undefined;
  }

  /** Errors whose key matches none of the known fields, so they can be shown at the top of the form. */
  unmatched(knownFields: readonly string[]): string[] {
    const known = knownFields.map(normalizeFieldKey);
    const out: string[] = [];
    for (const [key, messages] of this.map) {
      const matched = known.some((f) => key === f || key.startsWith(`${f}.`));
      if (!matched) out.push(...messages.map((m) => (key ? `${key}: ${m}` : m)));
    }
    return out;
  }
}
