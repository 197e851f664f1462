/**
 * Reads a `terraform show -json <planfile>` file and refuses anything else with one line that
 * names the file and what was expected: an empty or cut-off file, a text plan (`terraform plan`
 * output), a state (`terraform show -json` without a plan file, or terraform.tfstate), a plan of
 * an unknown `format_version` major. A wrong input must not turn into "No changes."
 */
import { readFileSync } from 'fs';

const EXPECTED = 'expected the JSON of `terraform show -json <planfile>`';
/** Plan JSON format majors this reader understands (Terraform 0.12 to 1.x all write 1.x). */
const KNOWN_MAJORS = ['1'];

export function readPlanFile(file: string): any {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new Error(`${file}: cannot be read (${e.code ?? e.message}); ${EXPECTED}`);
  }
  return parsePlan(text, file);
}

export function parsePlan(text: string, file: string): any {
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`${file}: the file is empty; ${EXPECTED}`);
  if (!trimmed.startsWith('{')) {
    const textPlan = /Terraform (will perform|used the selected providers)|No changes\. Your infrastructure|Plan: \d+ to add/.test(trimmed);
    throw new Error(
      textPlan
        ? `${file}: this is the text output of \`terraform plan\`, not JSON; ${EXPECTED}`
        : `${file}: not JSON (starts with ${JSON.stringify(trimmed.slice(0, 20))}); ${EXPECTED}`,
    );
  }
  let show: any;
  try {
    show = JSON.parse(trimmed);
  } catch (e: any) {
    throw new Error(`${file}: the JSON is cut off or invalid (${String(e.message).split('\n')[0]}); ${EXPECTED}`);
  }
  if (typeof show.version === 'number' && Array.isArray(show.resources) && show.lineage !== undefined)
    throw new Error(`${file}: this is a Terraform state file (terraform.tfstate), not a plan; ${EXPECTED}`);
  if (typeof show.format_version !== 'string') throw new Error(`${file}: no format_version: not a plan; ${EXPECTED}`);
  const major = show.format_version.split('.')[0];
  if (!KNOWN_MAJORS.includes(major))
    throw new Error(`${file}: plan format_version ${show.format_version} is not supported (this review reads 1.x); ${EXPECTED}`);
  if (!('resource_changes' in show) && !('planned_values' in show) && 'values' in show)
    throw new Error(`${file}: this is a state (\`terraform show -json\` without a plan file), not a plan; ${EXPECTED}`);
  if (!('planned_values' in show) && !('resource_changes' in show))
    throw new Error(`${file}: neither resource_changes nor planned_values: not a plan; ${EXPECTED}`);
  if (show.resource_changes !== undefined && !Array.isArray(show.resource_changes))
    throw new Error(`${file}: resource_changes is not a list; ${EXPECTED}`);
  return show;
}
