#!/usr/bin/env node
// Converts a recording signalk-server ships in `samples/` into a Signal K delta log: one
// delta (JSON) per line, for `MockHost::replay` and `signalk-plugin-host-mock run --replay`.
//
//   node samples-to-deltas.cjs nmea0183|n2k INPUT OUTPUT
//
// Run it with the Node of `conformance/realhost.sh node` and NODE_PATH set to the cached
// server's node_modules: every conversion is done by the server's own converter packages,
// in the way its file providers wire them (`--sample-nmea0183-data`, `--sample-n2k-data`),
// so the deltas are the ones the server would hand to `app.handleMessage`:
//
// - nmea0183: `@signalk/nmea0183-signalk`'s parser, one sentence per line. Sentences it
//   does not turn into a delta (empty fields, unknown sentences) give no line. Only
//   sentences with a time of their own (GLL, GGA, RMC, ...) carry a timestamp; the
//   server stamps the others on arrival, and the replay stamps them with its clock.
// - n2k: `@canboat/canboatjs` reads each line (its own timestamp, priority, PGN, source,
//   destination and data bytes) and `@signalk/n2k-signalk` maps the PGN, as the server's
//   `NMEA2000JS` file provider does: camelCase field names, source metadata, `canName`
//   dropped from sources, deltas without values skipped.
//
// What the server adds in `handleMessage` (the provider's source label, `now` for missing
// timestamps) is left to the host that replays the log. The script writes a summary as
// one JSON line on stdout: lines read, deltas written, lines the converters refused.

'use strict';

const fs = require('fs');
const readline = require('readline');

const [kind, input, output] = process.argv.slice(2);
if (!['nmea0183', 'n2k'].includes(kind) || !input || !output) {
  console.error('usage: samples-to-deltas.cjs nmea0183|n2k INPUT OUTPUT');
  process.exit(2);
}

function nmea0183Converter() {
  const Parser = require('@signalk/nmea0183-signalk');
  const parser = new Parser({});
  return (line) => parser.parse(line);
}

function n2kConverter() {
  const { FromPgn } = require('@canboat/canboatjs');
  const { N2kMapper } = require('@signalk/n2k-signalk');
  // The options the server's file providers give (`@signalk/streams` canboatjs and
  // n2k-signalk stages).
  const fromPgn = new FromPgn({ useCamelCompat: true });
  const refused = [];
  fromPgn.on('error', (pgn, err) => refused.push(err.message));
  const mapper = new N2kMapper({ sendMetaData: true });
  return (line) => {
    const pgn = fromPgn.parse(line);
    if (refused.length > 0) {
      throw new Error(refused.splice(0).join('; '));
    }
    if (!pgn) {
      return null;
    }
    const delta = mapper.toDelta(pgn);
    const first = delta && delta.updates && delta.updates[0];
    if (!first || !first.values || first.values.length === 0) {
      return null;
    }
    // The server keeps the CAN name out of sources unless `useCanName` is configured.
    delete first.source.canName;
    return delta;
  };
}

async function main() {
  const convert = kind === 'nmea0183' ? nmea0183Converter() : n2kConverter();
  const out = fs.createWriteStream(output);
  const lines = readline.createInterface({
    input: fs.createReadStream(input),
    crlfDelay: Infinity,
  });
  const summary = { kind, input, output, lines: 0, deltas: 0, refused: 0, firstRefusal: null };
  for await (const raw of lines) {
    summary.lines += 1;
    const line = raw.trim();
    if (line === '') {
      continue;
    }
    let delta;
    try {
      delta = convert(line);
    } catch (err) {
      // Counted and reported, never dropped silently (the server only debug-logs these).
      summary.refused += 1;
      if (summary.firstRefusal === null) {
        summary.firstRefusal = `line ${summary.lines}: ${err.message}`;
      }
      continue;
    }
    if (delta) {
      summary.deltas += 1;
      if (!out.write(JSON.stringify(delta) + '\n')) {
        await new Promise((resolve) => out.once('drain', resolve));
      }
    }
  }
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
  console.log(JSON.stringify(summary));
}

main().catch((err) => {
  console.error(`samples-to-deltas: ${err.stack || err}`);
  process.exit(1);
});
