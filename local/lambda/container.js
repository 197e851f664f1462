// @ts-check
/**
 * One local Lambda execution environment (a child process of local/lambda/function-host.ts),
 * started with the function's environment: LAMBDA_TASK_ROOT holds the unpacked code, _HANDLER
 * names the export ("index.handler"). It loads the handler once, as Lambda's init phase does, and
 * runs one invocation at a time with a Lambda-shaped context. Async handlers and callback
 * handlers are both supported. Plain JavaScript: it runs under plain `node`, from the sources
 * (tests) and from dist/ alike.
 */
const { join } = require('path');

const spec = process.env._HANDLER || '';
const dot = spec.lastIndexOf('.');
/** @type {{ type: string, message: string } | undefined} */
let initError;
/** @type {Function | undefined} */
let handler;
try {
  const mod = require(join(process.env.LAMBDA_TASK_ROOT || '.', spec.slice(0, dot)));
  handler = mod[spec.slice(dot + 1)];
  if (typeof handler !== 'function') initError = { type: 'Runtime.HandlerNotFound', message: `${spec} is undefined or not exported` };
} catch (e) {
  const err = /** @type {Error & { code?: string }} */ (e);
  initError = { type: err.code === 'MODULE_NOT_FOUND' ? 'Runtime.ImportModuleError' : err.name || 'Error', message: err.message };
}

/** @param {unknown} value */
function asJson(value) {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/** @param {any} msg */
async function invoke(msg) {
  if (initError) return { ok: false, errorType: initError.type, errorMessage: initError.message };
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: msg.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: msg.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
  };
  try {
    const fn = /** @type {Function} */ (handler);
    const payload =
      fn.length >= 3
        ? await new Promise((resolve, reject) => {
            const r = fn(msg.event, context, (/** @type {unknown} */ err, /** @type {unknown} */ value) =>
              err ? reject(err) : resolve(value),
            );
            if (r && typeof r.then === 'function') r.then(resolve, reject);
          })
        : await fn(msg.event, context);
    return { ok: true, payload: asJson(payload) };
  } catch (e) {
    const err = /** @type {Error} */ (e);
    return {
      ok: false,
      errorType: (err && err.name) || 'Error',
      errorMessage: err && err.message !== undefined ? String(err.message) : String(e),
    };
  }
}

process.on('message', (/** @type {any} */ msg) => {
  if (msg && msg.type === 'invoke') invoke(msg).then((result) => process.send && process.send({ type: 'result', id: msg.id, result }));
});
process.on('disconnect', () => process.exit(0));
