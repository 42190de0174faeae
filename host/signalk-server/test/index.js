'use strict';
// `node --test host/signalk-server/test/` runs this file, which loads every *.test.js
// beside it (Node 22 takes a directory argument for a module path). Running the files
// directly also works: `node --test host/signalk-server/test/*.test.js`.
const fs = require('node:fs');
const path = require('node:path');

for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
  require(path.join(__dirname, file));
}
