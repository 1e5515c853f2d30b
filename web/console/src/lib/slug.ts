/**
 * Derives a workspace slug from a company name: lower-case ASCII letters, digits and single hyphens,
 * no leading/trailing hyphen, at most 48 characters. Accents are folded ("Café Zürich" -> "cafe-zurich").
 */
export const SLUG_MAX_LENGTH = 48;

export function slugify(input: string): string {
  const folded = input
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[æÆ]/g, 'ae')
    .replace(/[øØ]/g, 'o')
    .replace(/&/g, ' and ')
    .toLowerCase();
  const slug = folded
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, SLUG_MAX_LENGTH).replace(/-+$/g, '');
}

/** True if the value is already a valid slug (what the form accepts without complaint). */
export function isValidSlug(value: string): boolean {
  return value.length > 0 && value.length <= SLUG_MAX_LENGTH && /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(value);
}
