/**
 * Text from the target (values, names, URLs, source lines, thread names, error
 * messages) as it may reach a terminal: control characters written as
 * util.inspect writes them (\x1B, \x07, \x9B, \n…), so an ESC or OSC sequence in
 * the target's strings cannot retitle, recolour or clear the reader's terminal.
 */

/** C0 controls, DEL and C1 controls: what a terminal may act on. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

const SHORT: Record<string, string> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

function escaped(c: string): string {
  return SHORT[c] ?? `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/** One line of the target's text: every control character escaped, newlines too. */
export function plain(text: string): string {
  return String(text).replace(CONTROL, escaped);
}

/** Rendered text of several lines: every control character but the newlines that tripod put there escaped. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL_BUT_NEWLINE, escaped);
}
