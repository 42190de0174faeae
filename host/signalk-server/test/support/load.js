'use strict';
// Loads ../../chunked-channel.js outside the server: its `require("debug")` is answered
// by the recording stand-in next to this file.
const path = require('node:path');
const Module = require('node:module');

process.env.NODE_PATH = [__dirname, process.env.NODE_PATH]
  .filter(Boolean)
  .join(path.delimiter);
Module._initPaths();

module.exports = {
  channel: require('../../chunked-channel.js'),
  debugLines: require('debug').lines
};
