/**
 * The public surface of every entry point is recorded in api/*.api.md (API Extractor reports), so
 * every change to it shows in review. This test regenerates the reports from the built .d.ts
 * (`npm test` builds first) and fails when they differ from the checked-in ones: run `npm run api`
 * and commit the reports with the change.
 */
import { Extractor, ExtractorConfig, ExtractorMessage } from '@microsoft/api-extractor';
import { join } from 'path';

const ROOT = join(__dirname, '..');

describe.each(['api-extractor.json', 'api-extractor.client.json', 'api-extractor.consumer.json'])('API report of %s', (configFile) => {
  test('GIVEN the built declarations WHEN the report is regenerated THEN it equals the checked-in report (run `npm run api`)', () => {
    const config = ExtractorConfig.loadFileAndPrepare(join(ROOT, configFile));
    const messages: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: false,
      messageCallback: (m: ExtractorMessage) => {
        if (m.logLevel === 'error' || m.logLevel === 'warning') messages.push(m.formatMessageWithLocation(ROOT));
        m.handled = true;
      },
    });
    expect(messages).toEqual([]);
    expect({ reportChanged: result.apiReportChanged, succeeded: result.succeeded }).toEqual({ reportChanged: false, succeeded: true });
  });
});
