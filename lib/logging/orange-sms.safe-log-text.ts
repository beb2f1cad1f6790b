/**
 * Outside text (callback fields, addresses, keywords) made safe for one log line: every control
 * character (CR, LF, tab, ESC, DEL, the C1 range, U+2028/U+2029) becomes a visible `\xNN`/`\uNNNN`
 * escape, so a caller cannot start a forged log line or send terminal escapes. Long text is cut.
 */
export function safeLogText(value: unknown, maxLength = 200): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
