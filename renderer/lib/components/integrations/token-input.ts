/** Checks on what the user types into the export and import forms, before anything is sent. */

/** As the relay counts it: Unicode characters after NFC normalisation. */
export const MIN_PASSPHRASE_LENGTH = 8;

/** A token with keys: it needs the passphrase it was sealed with (whitespace from line wraps ignored). */
export function isSealedToken(token: string): boolean {
  return token.replace(/\s+/g, '').startsWith('sbcfg1.sealed.');
}

/**
 * Why the export passphrase cannot be used yet, or null when it can. The confirmation is judged
 * only once something is typed into it, so the form does not scold an empty field.
 */
export function passphraseProblem(passphrase: string, confirmation: string): string | null {
  if ([...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) return `The passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters.`;
  if (confirmation === '') return 'Type the passphrase again to confirm it.';
  if (passphrase.normalize('NFC') !== confirmation.normalize('NFC')) return 'The two passphrases differ.';
  return null;
}
