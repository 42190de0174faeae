'use strict';
// Stand-in for the `debug` package while unit-testing outside the server: it records
// every message so tests can check what the module logs.
const lines = [];
function createDebug(namespace) {
  const log = (...args) => {
    lines.push(`${namespace} ${args.join(' ')}`);
  };
  log.enabled = true;
  log.namespace = namespace;
  return log;
}
createDebug.lines = lines;
module.exports = createDebug;
