import { readFileSync } from 'fs';
import { join } from 'path';
import { renderApiDocs } from '../scripts/api-docs';

describe('docs/API.md', () => {
  test('GIVEN the JSDoc of the public API WHEN the reference is regenerated THEN docs/API.md is up to date (run `npm run docs`)', () => {
    expect(readFileSync(join(__dirname, '..', 'docs', 'API.md'), 'utf8')).toBe(renderApiDocs());
  });

  test('GIVEN every props and options interface WHEN documented THEN each prop has a description', () => {
    const undocumented: string[] = [];
    let current = '';
    for (const line of renderApiDocs().split('\n')) {
      const heading = /^### \w+ `(\w+)`/.exec(line);
      if (heading) current = heading[1];
      else if (/(Props|Options)$/.test(current) && /^\| `\w+`/.test(line) && /\|\s*\|$/.test(line))
        undocumented.push(`${current}: ${line}`);
    }
    expect(undocumented).toEqual([]);
  });
});
