/**
 * Provider keys from environment variables. They overlay the SecretStore read-only: `GROQ_API_KEY`,
 * then `GROQ_API_KEY_1` (if set), `GROQ_API_KEY_2`, `GROQ_API_KEY_3`, ... up to the first number
 * from 2 on that is not set.
 */

export interface EnvKey {
  providerId: string;
  /** `env:GROQ_API_KEY_2`. */
  id: string;
  /** The variable name, `GROQ_API_KEY_2`; safe to show. */
  label: string;
  secret: string;
}

export interface EnvKeyProvider {
  id: string;
  /** Variable names to read, e.g. `['GROQ_API_KEY']`. */
  keyEnv: readonly string[];
}

/** Variable names in the order they are read; stops at the first unset NAME_n for n ≥ 2. */
function variableNames(env: Record<string, string | undefined>, name: string): string[] {
  const names = [name];
  if (env[`${name}_1`] !== undefined) names.push(`${name}_1`);
  for (let n = 2; env[`${name}_${n}`] !== undefined; n++) names.push(`${name}_${n}`);
  return names;
}

/**
 * The keys found in `env` for each provider, in provider order then variable order. Values are
 * trimmed; blank values and values with CR, LF or NUL (unusable in a header) are skipped; a
 * secret already found for the same provider is not repeated.
 */
export function readEnvKeys(env: Record<string, string | undefined>, providers: readonly EnvKeyProvider[]): EnvKey[] {
  const keys: EnvKey[] = [];
  for (const provider of providers) {
    const seen = new Set<string>();
    for (const name of provider.keyEnv) {
      if (name === '') continue;
      for (const variable of variableNames(env, name)) {
        const secret = env[variable]?.trim();
        if (!secret || /[\r\n\0]/.test(secret) || seen.has(secret)) continue;
        seen.add(secret);
        keys.push({ providerId: provider.id, id: `env:${variable}`, label: variable, secret });
      }
    }
  }
  return keys;
}
