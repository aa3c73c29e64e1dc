/**
 * A flag's type and the reading of a value for it, from text (--set, --flag,
 * TRIPOD_FLAGS). Shared by the in-program module and by `tripod flags`, so both
 * sides read "2", "true" or "safe" alike. Imports nothing.
 */
export type FlagValue = number | boolean | string;
export type FlagType = 'number' | 'boolean' | 'string' | 'choice';

/** What tripod needs to know of a flag besides its value; written once, at registration. */
export interface FlagMeta {
  type: FlagType;
  /** The file that registered the flag (absolute path), or "" when it could not be told. */
  module: string;
  help?: string;
  choices?: string[];
}

export type Parsed = { ok: true; value: FlagValue } | { ok: false; allowed: string };

const TRUE = /^(true|1|yes|on)$/i;
const FALSE = /^(false|0|no|off)$/i;
/** Plain decimals, signed, with an exponent: Number() alone would also take "", "0x10" and "Infinity". */
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export function parseFlagValue(meta: Pick<FlagMeta, 'type' | 'choices'>, text: string): Parsed {
  switch (meta.type) {
    case 'number':
      return NUMBER.test(text.trim()) ? { ok: true, value: Number(text) } : { ok: false, allowed: 'a number' };
    case 'boolean':
      if (TRUE.test(text.trim())) return { ok: true, value: true };
      if (FALSE.test(text.trim())) return { ok: true, value: false };
      return { ok: false, allowed: 'true or false' };
    case 'choice':
      return meta.choices?.includes(text) ? { ok: true, value: text } : { ok: false, allowed: `one of ${(meta.choices ?? []).join(', ')}` };
    default:
      return { ok: true, value: text };
  }
}

/** A flag name is one word: no "=", no comma, no space (they would not survive --set NAME=VALUE or TRIPOD_FLAGS). */
export const FLAG_NAME = /^[A-Za-z_$][\w$.:/-]{0,199}$/;
