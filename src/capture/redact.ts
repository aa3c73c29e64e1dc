/**
 * Names that look like secrets. Matching ignores case, '-' and '_', and finds the
 * key anywhere in the name, so `accessToken`, `X-Api-Key` and `db_password` match.
 */
export const REDACTED = '[redacted]';

export type SecretTest = (name: string) => boolean;

/** The redaction keys as names are compared with them: lower case, without '-', '_' or white space. */
export function secretNeedles(keys: string[]): string[] {
  return keys.map(normalise).filter(Boolean);
}

export function secretNameTest(keys: string[]): SecretTest {
  const needles = secretNeedles(keys);
  if (needles.length === 0) return () => false;
  return (name) => {
    const hay = normalise(name);
    return needles.some((needle) => hay.includes(needle));
  };
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}
