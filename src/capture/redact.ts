/**
 * Names that look like secrets. Matching ignores case, '-' and '_', and finds the
 * key anywhere in the name, so `accessToken`, `X-Api-Key` and `db_password` match.
 */
export const REDACTED = '[redacted]';

export type SecretTest = (name: string) => boolean;

export function secretNameTest(keys: string[]): SecretTest {
  const needles = keys.map(normalise).filter(Boolean);
  if (needles.length === 0) return () => false;
  return (name) => {
    const hay = normalise(name);
    return needles.some((needle) => hay.includes(needle));
  };
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_\s]/g, '');
}
