import { describe, expect, it } from 'vitest';
import { isValidSlug, SLUG_MAX_LENGTH, slugify } from './slug';

describe('slugify', () => {
  it.each([
    ['Acme Support', 'acme-support'],
    ['  Acme   Support  Ltd. ', 'acme-support-ltd'],
    ['Café Zürich', 'cafe-zurich'],
    ['Müller & Söhne GmbH', 'muller-and-sohne-gmbh'],
    ['Straße 42', 'strasse-42'],
    ['--Hello__World--', 'hello-world'],
    ['!!!', ''],
    ['', ''],
  ])('%j -> %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it('caps the length without leaving a trailing hyphen', () => {
    const slug = slugify('a'.repeat(47) + ' bcd');
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    expect(slug.endsWith('-')).toBe(false);
    expect(slug).toBe('a'.repeat(47));
  });

  it('always produces something isValidSlug accepts (or nothing)', () => {
    for (const name of ['Acme', 'Über Cool Co.', '123 Go', 'x'.repeat(100), 'Ünïcödé Ñame']) {
      const s = slugify(name);
      expect(s === '' || isValidSlug(s)).toBe(true);
    }
  });
});

describe('isValidSlug', () => {
  it('accepts lower-case words joined by single hyphens', () => {
    expect(isValidSlug('acme')).toBe(true);
    expect(isValidSlug('acme-support-2')).toBe(true);
  });
  it('rejects upper case, double or edge hyphens, spaces and empty', () => {
    for (const bad of ['Acme', 'acme--support', '-acme', 'acme-', 'ac me', '']) expect(isValidSlug(bad)).toBe(false);
  });
});
