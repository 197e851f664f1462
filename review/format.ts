/** Value formatting shared by the warnings and the Markdown table: short, one line, pipe-safe. */
import { AttributeChange, UNKNOWN } from './changes';
import { documentValue } from './hcl-expression';
import { Masked } from './sensitive';

const MAX = 80;

export function formatValue(v: unknown): string {
  if (v === UNKNOWN) return '(known after apply)';
  if (v instanceof Masked) return '(sensitive value)';
  if (v === undefined || v === null) return 'null';
  const text = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, (_k, x) => (x === UNKNOWN ? '(known after apply)' : x));
  return text.length > MAX ? text.slice(0, MAX - 1) + '…' : text;
}

/** `path`: before -> after, as Markdown code spans. */
export function formatChange(a: AttributeChange): string {
  const doc = (v: unknown) => (typeof v === 'string' ? (documentValue(v) as any) : undefined);
  const statements = (v: unknown) => {
    const d = doc(v);
    return d && typeof d === 'object' && 'Statement' in d ? `${[d.Statement].flat().length} statements` : undefined;
  };
  const b = statements(a.before);
  const after = a.after === UNKNOWN ? '_(known after apply)_' : statements(a.after);
  // Policy documents are compared statement by statement in the warnings; here only their size.
  const isBlock = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Masked);
  if (isBlock(a.before) && (a.after === undefined || a.after === null)) return `\`${a.path}\`: removed`;
  if (isBlock(a.after) && (a.before === undefined || a.before === null)) return `\`${a.path}\`: added ${code(formatValue(a.after))}`;
  if (b && after) return `\`${a.path}\`: document with ${b} -> ${a.after === UNKNOWN ? after : `document with ${after}`}`;
  return `\`${a.path}\`: ${code(formatValue(a.before))} -> ${a.after === UNKNOWN ? '_(known after apply)_' : code(formatValue(a.after))}`;
}

/** A code span that survives backticks and table pipes inside the value. */
export function code(text: string): string {
  const t = text.replace(/\|/g, '\\|');
  return t.includes('`') ? `\`\` ${t} \`\`` : `\`${t}\``;
}
