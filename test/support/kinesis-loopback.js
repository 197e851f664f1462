/**
 * Preloaded into the kinesis-local server (`node -r kinesis-loopback.js main.js`): kinesis-mock
 * has no listen-address option and binds every interface; this makes each of its listeners bind
 * 127.0.0.1 only, and reports each bound port on stderr so the harness knows the server is up.
 */
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) args.splice(1, 0, '127.0.0.1');
  else if (typeof args[0] === 'number' && typeof args[1] === 'string') args[1] = '127.0.0.1';
  this.once('listening', () => process.stderr.write(`LOOPBACK-LISTENING ${this.address().port}\n`));
  return listen.apply(this, args);
};
