// The consumer both peer apps deploy: its code does not matter to synth, only that it is a folder.
exports.handler = async (event) => ({ batchItemFailures: [], records: event.Records.length });
