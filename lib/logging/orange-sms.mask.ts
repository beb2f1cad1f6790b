/** What a log line, an error or a CLI output may show of a subscriber: never the whole number. */

/** `+2250700000089` → `+22507*****89`; keeps the country and two leading digits, and the last two. */
export function maskPhoneNumber(value: string): string {
  // Orange's anonymous reference (`acr:OrangeAPIToken`) stands for a subscriber too: masked alike.
  if (/^acr:/i.test(String(value))) return maskReference(String(value).slice(4));
  // Digits and + only: whatever else a caller passed (text, CR/LF) never reaches a log line.
  const raw = String(value)
    .replace(/^tel:/i, '')
    .replace(/[^\d+]/g, '');
  const digits = raw.replace(/^\+/, '');
  if (digits.length <= 6) return `${raw.startsWith('+') ? '+' : ''}${'*'.repeat(digits.length)}`;
  const keepStart = Math.min(5, digits.length - 4);
  return `+${digits.slice(0, keepStart)}${'*'.repeat(digits.length - keepStart - 2)}${digits.slice(-2)}`;
}

/** `acr:OrangeAPIToken` → `acr:Or**********en`: letters and digits only, the middle hidden. */
function maskReference(reference: string): string {
  const kept = reference.replace(/[^A-Za-z0-9._-]/g, '');
  if (kept.length <= 6) return `acr:${'*'.repeat(kept.length)}`;
  return `acr:${kept.slice(0, 2)}${'*'.repeat(kept.length - 4)}${kept.slice(-2)}`;
}
